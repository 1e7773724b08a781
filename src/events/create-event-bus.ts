/**
 * The bus for the configured mode: Kafka when KAFKA_BROKERS is set, otherwise in-process. Each
 * serving process gets its own spool directory, so processes sharing DATA_DIR never interleave
 * writes in one journal, and a restarted process (same NODE_ID and index) replays what its
 * predecessor left.
 */
import { join } from "node:path";
import type { Config } from "../config";
import type { EventBus } from "./event-bus";
import { InProcessEventBus } from "./in-process-bus";
import { createKafka } from "./kafka/kafka-client";
import { KafkaEventBus } from "./kafka/kafka-event-bus";
import { EVENT_TOPICS, ensureTopics, physicalTopic } from "./kafka/kafka-topics";

export function spoolDirOf(config: Config): string {
  return join(config.dataDir, "spool", `node${config.nodeId}-p${config.processIndex}`);
}

export function createEventBus(config: Config, clientId: string): EventBus {
  if (config.kafkaBrokers.length === 0) return new InProcessEventBus();
  const { events } = config;
  return new KafkaEventBus({
    kafka: createKafka({ brokers: config.kafkaBrokers, clientId }),
    topics: { prefix: events.topicPrefix, partitions: events.kafkaPartitions, replicationFactor: events.kafkaReplicationFactor },
    lingerMs: events.lingerMs,
    batchSize: events.batchSize,
    spoolDir: spoolDirOf(config),
    spoolMaxBytes: events.spoolMaxBytes,
  });
}

/** `ringlink migrate`: creates the event topics that are missing; returns a line for the operator. */
export async function createEventTopics(config: Config): Promise<string> {
  const { events } = config;
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: "ringlink-migrate" });
  const created = await ensureTopics(kafka, {
    prefix: events.topicPrefix,
    partitions: events.kafkaPartitions,
    replicationFactor: events.kafkaReplicationFactor,
  });
  const names = EVENT_TOPICS.map((t) => physicalTopic(events.topicPrefix, t)).join(", ");
  return created.length > 0
    ? `kafka ${config.kafkaBrokers.join(",")}: created ${created.join(", ")} (${events.kafkaPartitions} partitions)`
    : `kafka ${config.kafkaBrokers.join(",")}: ${names} already exist`;
}
