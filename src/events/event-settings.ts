/**
 * What the configuration says about the event pipeline: where a process spools, how topics are
 * made. Each serving process gets its own spool directory, so processes sharing DATA_DIR never
 * interleave writes in one journal, and a restarted process (same NODE_ID and index) replays what
 * its predecessor left. Which bus a process gets is decided in src/adapters.ts.
 */
import { join } from "node:path";
import type { Config, EventsConfig } from "../config";
import { createKafka } from "./kafka/kafka-client";
import { EVENT_TOPICS, ensureTopics, physicalTopic, type TopicSettings } from "./kafka/kafka-topics";

export function spoolDirOf(config: Pick<Config, "dataDir" | "nodeId" | "processIndex">): string {
  return join(config.dataDir, "spool", `node${config.nodeId}-p${config.processIndex}`);
}

export function topicSettingsOf(events: EventsConfig): TopicSettings {
  return { prefix: events.topicPrefix, partitions: events.kafkaPartitions, replicationFactor: events.kafkaReplicationFactor };
}

/** `ringlink migrate`: creates the event topics that are missing; returns a line for the operator. */
export async function createEventTopics(config: Config): Promise<string> {
  const { events } = config;
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: "ringlink-migrate" });
  const created = await ensureTopics(kafka, topicSettingsOf(events));
  const names = EVENT_TOPICS.map((t) => physicalTopic(events.topicPrefix, t)).join(", ");
  return created.length > 0
    ? `kafka ${config.kafkaBrokers.join(",")}: created ${created.join(", ")} (${events.kafkaPartitions} partitions)`
    : `kafka ${config.kafkaBrokers.join(",")}: ${names} already exist`;
}
