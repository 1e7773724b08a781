/**
 * The analytics worker's consumer loop: `link.clicked` batches (one partition at a time, several
 * partitions in parallel) go to the AnalyticsStore, then the Kafka offset is committed.
 *
 * Exactly-once effect, in three layers:
 * 1. The store applies a batch in one transaction per shard together with the partition's next
 *    offset (consumer_offsets) and the event ids (processed_events).
 * 2. The Kafka offset is committed only after every shard committed. A crash between the two
 *    redelivers the batch, and each shard skips what is below its stored offset.
 * 3. The same event delivered twice under different offsets (a producer retry or a spool replay)
 *    is dropped by its event id.
 * A batch that cannot be written is retried in place (with heartbeats), never skipped: a shard
 * that is down holds up its partitions, it does not lose their clicks.
 */
import type { Consumer, EachBatchPayload, Kafka } from "kafkajs";
import { decodeRecord, type LinkEvent } from "../events";
import type { AnalyticsStore } from "./analytics-store";
import { log } from "../log";
import { inSpan } from "../tracing";

export interface ClickConsumerOptions {
  kafka: Kafka;
  /** physical topic name of link.clicked */
  topic: string;
  group: string;
  store: AnalyticsStore;
  /** partitions worked on at once (each has its own transactions) */
  concurrency?: number;
}

export interface ClickConsumerStats {
  /** records read from the topic (each carries one or more events) */
  consumed: number;
  /** clicks added to the aggregates */
  counted: number;
  /** dropped by event id */
  duplicates: number;
  /** skipped by stored offset (redelivered after a crash or rebalance) */
  alreadyApplied: number;
  /** lines of records that were not events */
  malformed: number;
  batches: number;
  writeErrors: number;
  /** messages behind the end of the log, summed over partitions (gauge) */
  lagMessages: number;
  /** now minus the `ts` of the newest event applied, when something was applied lately (gauge) */
  endToEndLagMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class KafkaClickConsumer {
  private readonly consumer: Consumer;
  private readonly lagByPartition = new Map<number, number>();
  /** from the newest event's `ts` (the redirect) to its batch's commit */
  private lastBatchLagMs = 0;
  private lastAppliedAt = 0;
  private readonly counters = { consumed: 0, counted: 0, duplicates: 0, alreadyApplied: 0, malformed: 0, batches: 0, writeErrors: 0 };
  private stopping = false;

  constructor(private readonly opts: ClickConsumerOptions) {
    this.consumer = opts.kafka.consumer({
      groupId: opts.group,
      // A worker killed with SIGKILL holds its partitions until its session times out; Kafka's
      // floor is 6 s, so a restarted worker resumes within seconds.
      sessionTimeout: 6_000,
      heartbeatInterval: 1_000,
      rebalanceTimeout: 10_000,
      maxWaitTimeInMs: 100,
      maxBytesPerPartition: 2 * 1024 * 1024,
      allowAutoTopicCreation: false,
      retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 3_000 },
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    // A group with no committed offset starts at the beginning: nothing published before the
    // first worker existed is lost. Offsets stored in the databases make a restart cheap.
    await this.consumer.subscribe({ topics: [this.opts.topic], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.concurrency ?? 3,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** One span per batch when tracing is on (sampled by OTEL_TRACES_SAMPLER_ARG): decode, write, commit. */
  private onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    return inSpan("analytics.batch", () => this.applyBatch(payload), {
      "messaging.destination.name": batch.topic,
      "messaging.destination.partition.id": String(batch.partition),
      "messaging.batch.message_count": batch.messages.length,
    });
  }

  private async applyBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const last = batch.messages[batch.messages.length - 1];
    if (!last) return;
    const events: LinkEvent[] = [];
    const offsets: number[] = [];
    for (const message of batch.messages) {
      // Events of one record share its offset: a redelivered record is skipped whole.
      const record = decodeRecord(message.value);
      const offset = Number(message.offset);
      for (const event of record.events) {
        events.push(event);
        offsets.push(offset);
      }
      this.counters.malformed += record.malformed;
    }
    const nextOffset = Number(last.offset) + 1;
    const source = { group: this.opts.group, topic: batch.topic, partition: batch.partition };

    for (let attempt = 0; ; attempt++) {
      // Rebalanced away or shutting down: the next owner starts from the committed offset.
      if (!isRunning() || isStale()) return;
      try {
        const result = await this.opts.store.apply({ events, kafka: { source, offsets, nextOffset } });
        this.counters.counted += result.counted;
        this.counters.duplicates += result.duplicates;
        this.counters.alreadyApplied += result.alreadyApplied;
        break;
      } catch (error) {
        this.counters.writeErrors++;
        log.warn("analytics batch not written, retrying", { partition: batch.partition, events: events.length, attempt, error });
        await sleep(Math.min(100 * 2 ** attempt, 5_000));
        await heartbeat().catch(() => {});
      }
    }
    this.counters.consumed += batch.messages.length;
    this.counters.batches++;
    this.lagByPartition.set(batch.partition, Math.max(0, Number(batch.highWatermark) - nextOffset));
    let newest = 0;
    for (const e of events) if (e.ts > newest) newest = e.ts;
    this.lastAppliedAt = Date.now();
    if (newest > 0) this.lastBatchLagMs = Math.max(0, this.lastAppliedAt - newest);

    resolveOffset(last.offset);
    try {
      await this.consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(nextOffset) }]);
    } catch (error) {
      // Harmless: the databases hold the offset; a redelivery is skipped there.
      log.warn("kafka offset commit failed (databases hold the offset)", { partition: batch.partition, error });
    }
    await heartbeat().catch(() => {});
  }

  stats(): ClickConsumerStats {
    let lag = 0;
    for (const n of this.lagByPartition.values()) lag += n;
    // Only meaningful while events flow: an idle worker has no lag, not an ever-growing one.
    const endToEndLagMs = this.lastAppliedAt > Date.now() - 10_000 ? this.lastBatchLagMs : 0;
    return { ...this.counters, lagMessages: lag, endToEndLagMs };
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    // disconnect() lets the batch in hand finish (its transaction and offset commit) first.
    await this.consumer.disconnect();
  }
}
