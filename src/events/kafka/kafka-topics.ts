/**
 * Topic names and their creation. Events keep their logical names (`link.clicked`) everywhere in
 * the code; only this module knows the physical name, which may carry a prefix (several
 * deployments or test runs sharing one cluster).
 */
import type { Kafka } from "kafkajs";
import { EVENT_TOPIC_NAMES, type EventTopic } from "../link-event";

export const EVENT_TOPICS: readonly EventTopic[] = EVENT_TOPIC_NAMES;

export interface TopicSettings {
  prefix: string;
  partitions: number;
  replicationFactor: number;
}

export function physicalTopic(prefix: string, topic: EventTopic): string {
  return `${prefix}${topic}`;
}

/**
 * Creates the event topics that do not exist yet (keyed by short code, so one link's events stay
 * in order on one partition). Existing topics are left as they are, partition count included:
 * growing it would move codes to other partitions. Returns the names it created.
 */
export async function ensureTopics(kafka: Kafka, settings: TopicSettings): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = EVENT_TOPICS.map((t) => physicalTopic(settings.prefix, t)).filter((t) => !existing.has(t));
    if (missing.length === 0) return [];
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions: settings.partitions, replicationFactor: settings.replicationFactor })),
    });
    return missing;
  } finally {
    await admin.disconnect();
  }
}
