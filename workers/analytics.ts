/**
 * `ringlink worker analytics`: consumes `link.clicked` from Kafka and adds every click, exactly
 * once, to the aggregates on the link's shard (or to the embedded SQLite file when DATABASE_NODES
 * is unset). Run as many as there are partitions; the consumer group shares them out.
 *
 * Prints one progress line every 5 s (throughput, partition lag, end-to-end lag) and, with
 * WORKER_PORT, serves /healthz and a small Prometheus /metrics. SIGTERM/SIGINT finish the batch in
 * hand, commit, and exit 0.
 */
import { KafkaClickConsumer, createAnalyticsStore, embeddedDatabasePath, startProcessedEventsPruner, type ClickConsumerStats } from "../src/analytics";
import type { Config } from "../src/config";
import { ConfigError } from "../src/config";
import { createKafka, ensureTopics, physicalTopic } from "../src/events";
import { SqliteLinkStore } from "../src/storage";
import { serveWorkerEndpoints } from "./worker-endpoints";

const PROGRESS_EVERY_MS = 5_000;

const log = (level: string, msg: string, extra: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ ts: new Date().toISOString(), level, msg, role: "analytics-worker", ...extra }));

function metricsText(s: ClickConsumerStats): string {
  const lines = [
    "# HELP ringlink_analytics_messages_total Messages handled by the analytics worker, by outcome",
    "# TYPE ringlink_analytics_messages_total counter",
    ...(["consumed", "counted", "duplicates", "alreadyApplied", "malformed"] as const).map((k) => `ringlink_analytics_messages_total{outcome="${k}"} ${s[k]}`),
    "# HELP ringlink_analytics_batches_total Batches applied",
    "# TYPE ringlink_analytics_batches_total counter",
    `ringlink_analytics_batches_total ${s.batches}`,
    "# HELP ringlink_analytics_write_errors_total Batch writes that failed and were retried",
    "# TYPE ringlink_analytics_write_errors_total counter",
    `ringlink_analytics_write_errors_total ${s.writeErrors}`,
    "# HELP ringlink_analytics_lag_messages Messages behind the end of the topic, all partitions",
    "# TYPE ringlink_analytics_lag_messages gauge",
    `ringlink_analytics_lag_messages ${s.lagMessages}`,
    "# HELP ringlink_analytics_end_to_end_lag_seconds From a redirect to its click in the aggregates (latest batch)",
    "# TYPE ringlink_analytics_end_to_end_lag_seconds gauge",
    `ringlink_analytics_end_to_end_lag_seconds ${(s.endToEndLagMs / 1000).toFixed(3)}`,
  ];
  return `${lines.join("\n")}\n`;
}

export async function runAnalyticsWorker(config: Config): Promise<number> {
  if (config.kafkaBrokers.length === 0) {
    throw new ConfigError("KAFKA_BROKERS", "is required by `ringlink worker analytics` (without a broker, `ringlink serve` aggregates clicks in-process)");
  }
  if (config.mode === "embedded") {
    // Opening the embedded store applies the migrations, analytics tables included.
    await new SqliteLinkStore(embeddedDatabasePath(config)).close();
  }
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `ringlink-analytics-${config.nodeId}` });
  const topicSettings = {
    prefix: config.events.topicPrefix,
    partitions: config.events.kafkaPartitions,
    replicationFactor: config.events.kafkaReplicationFactor,
  };
  // A worker started before the broker (a deploy, a reboot) waits for it instead of exiting.
  for (let attempt = 0; ; attempt++) {
    try {
      const created = await ensureTopics(kafka, topicSettings);
      if (created.length > 0) log("info", "created topics", { topics: created });
      break;
    } catch (error) {
      log("warn", "waiting for the event broker", { brokers: config.kafkaBrokers, error: error instanceof Error ? error.message : String(error) });
      await Bun.sleep(Math.min(500 * 2 ** attempt, 10_000));
    }
  }

  const store = createAnalyticsStore(config, config.events.kafkaPartitions + 1);
  const topic = physicalTopic(config.events.topicPrefix, "link.clicked");
  const consumer = new KafkaClickConsumer({ kafka, topic, group: config.analytics.consumerGroup, store, concurrency: config.events.kafkaPartitions });
  const stopPruner = startProcessedEventsPruner(store, config.analytics.dedupeRetentionMs);

  let consuming = false;
  const server = serveWorkerEndpoints(config, {
    consuming: () => consuming,
    health: () => ({ ...consumer.stats() }),
    metrics: () => metricsText(consumer.stats()),
  });

  await consumer.start();
  consuming = true;
  log("info", "consuming", { topic, group: config.analytics.consumerGroup, store: store.description, pid: process.pid, port: server?.port });

  let previous = consumer.stats();
  let previousAt = performance.now();
  const progress = setInterval(() => {
    const now = performance.now();
    const s = consumer.stats();
    const perSecond = ((s.consumed - previous.consumed) * 1000) / (now - previousAt);
    if (s.consumed !== previous.consumed || s.lagMessages > 0) {
      log("info", "progress", {
        consumed: s.consumed,
        counted: s.counted,
        duplicates: s.duplicates,
        alreadyApplied: s.alreadyApplied,
        malformed: s.malformed,
        eventsPerSecond: Math.round(perSecond),
        lagMessages: s.lagMessages,
        endToEndLagMs: s.endToEndLagMs,
      });
    }
    previous = s;
    previousAt = now;
  }, PROGRESS_EVERY_MS);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      const timer = setTimeout(() => resolve(1), 15_000);
      clearInterval(progress);
      stopPruner();
      await consumer.stop().catch((error) => log("warn", "consumer stop failed", { error: String(error) }));
      await store.close();
      server?.stop(true);
      clearTimeout(timer);
      log("info", "stopped", { signal, ...consumer.stats() });
      resolve(0);
    };
    process.on("SIGTERM", () => void stop("SIGTERM"));
    process.on("SIGINT", () => void stop("SIGINT"));
  });
}
