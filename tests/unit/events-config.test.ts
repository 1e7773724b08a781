/** The event pipeline's settings: defaults, and one clear line per bad value. */
import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "../../src/config";
import { Adapters } from "../../src/adapters";
import { InProcessEventBus, KafkaEventBus, spoolDirOf } from "../../src/events";

function errorOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("event and analytics configuration", () => {
  test("defaults", () => {
    const c = loadConfig({});
    expect(c.events).toEqual({
      kafkaPartitions: 3,
      kafkaReplicationFactor: 1,
      topicPrefix: "",
      lingerMs: 20,
      batchSize: 2000,
      spoolMaxBytes: 256 * 1024 * 1024,
    });
    expect(c.analytics).toEqual({ consumerGroup: "ringlink-analytics", dedupeRetentionMs: 72 * 3_600_000, workerPort: undefined });
  });

  test.each([
    [{ KAFKA_PARTITIONS: "0" }, /^KAFKA_PARTITIONS: /],
    [{ KAFKA_REPLICATION_FACTOR: "x" }, /^KAFKA_REPLICATION_FACTOR: /],
    [{ KAFKA_TOPIC_PREFIX: "bad prefix" }, /^KAFKA_TOPIC_PREFIX: may hold only/],
    [{ EVENT_LINGER_MS: "5000" }, /^EVENT_LINGER_MS: must be between 0 and 1000/],
    [{ EVENT_BATCH_SIZE: "0" }, /^EVENT_BATCH_SIZE: /],
    [{ EVENT_SPOOL_MAX_MB: "-1" }, /^EVENT_SPOOL_MAX_MB: /],
    [{ ANALYTICS_GROUP: "a/b" }, /^ANALYTICS_GROUP: /],
    [{ ANALYTICS_DEDUPE_HOURS: "0" }, /^ANALYTICS_DEDUPE_HOURS: /],
    [{ WORKER_PORT: "70000" }, /^WORKER_PORT: /],
  ])("%j is refused with one line naming the variable", (env, pattern) => {
    const message = errorOf(env as Record<string, string>);
    expect(message).toMatch(pattern);
    expect(message.includes("\n")).toBe(false);
  });

  test("KAFKA_BROKERS picks the Kafka bus, with a spool directory per node and process", async () => {
    expect(new Adapters(loadConfig({})).eventBus()).toBeInstanceOf(InProcessEventBus);
    const config = loadConfig({ KAFKA_BROKERS: "127.0.0.1:1", DATA_DIR: "/tmp/ringlink-config-test", NODE_ID: "7" }, { processIndex: "2" });
    expect(spoolDirOf(config)).toBe("/tmp/ringlink-config-test/spool/node7-p2");
    const bus = new Adapters(config, { clientId: "t" }).eventBus();
    expect(bus).toBeInstanceOf(KafkaEventBus);
    await (bus as KafkaEventBus).close(100);
  });
});
