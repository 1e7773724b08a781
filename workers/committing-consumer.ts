/**
 * The Kafka consumer of the workers that commit by hand (webhooks, classifier): each batch's
 * events go to `handle`, and its offset is committed only once `handle` has returned, so a crash
 * or a stop mid-batch means the batch is read again, never skipped. `handle` must therefore be
 * idempotent. Keeps the lag behind each partition's end for /healthz, /metrics and progress lines.
 */
import type { EachBatchPayload, Kafka } from "kafkajs";
import { decodeRecord, type LinkEvent } from "../src/events";
import type { Logger } from "../src/log";

export interface ConsumedBatch {
  /** the physical topic */
  topic: string;
  partition: number;
  events: LinkEvent[];
  /** keeps the group membership alive while `handle` waits (a retry loop) */
  heartbeat(): Promise<void>;
}

export interface CommittingConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  log: Logger;
  /** Stores what the batch means before its offset is committed; `false` leaves the batch unresolved and uncommitted. */
  handle(batch: ConsumedBatch): Promise<boolean | undefined>;
}

export interface CommittingConsumer {
  /** messages behind the end of the topics, all partitions */
  lag(): number;
  /** joins the group and starts consuming (from the beginning for a new group) */
  start(): Promise<void>;
  /** leaves the group; a batch cut short is read again by the next member */
  stop(): Promise<void>;
}

export function createCommittingConsumer(options: CommittingConsumerOptions): CommittingConsumer {
  const { kafka, groupId, topics, log, handle } = options;
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 6_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  });
  const lagByPartition = new Map<string, number>();
  const lag = () => [...lagByPartition.values()].reduce((a, b) => a + b, 0);

  const onBatch = async ({ batch, resolveOffset, heartbeat }: EachBatchPayload) => {
    const last = batch.messages[batch.messages.length - 1];
    if (!last) return;
    const events = batch.messages.flatMap((m) => decodeRecord(m.value).events);
    if ((await handle({ topic: batch.topic, partition: batch.partition, events, heartbeat })) === false) return;
    resolveOffset(last.offset);
    const next = Number(last.offset) + 1;
    lagByPartition.set(`${batch.topic}/${batch.partition}`, Math.max(0, Number(batch.highWatermark) - next));
    await consumer
      .commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(next) }])
      .catch((error) => log.warn("offset commit failed", { error }));
    await heartbeat().catch(() => {});
  };

  return {
    lag,
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: onBatch });
    },
    async stop() {
      await consumer.disconnect().catch((error) => log.warn("consumer stop failed", { error }));
    },
  };
}
