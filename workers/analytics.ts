/**
 * `ringlink worker analytics`: consumes `link.clicked` from Kafka and adds every click, exactly
 * once, to the aggregates on the link's shard (or to the embedded SQLite file when DATABASE_NODES
 * is unset). Run as many as there are partitions; the consumer group shares them out.
 *
 * Prints one progress line every 5 s (throughput, partition lag, end-to-end lag) and, with
 * WORKER_PORT, serves /healthz and a small Prometheus /metrics. SIGTERM/SIGINT finish the batch in
 * hand, commit, and exit 0.
 */
import { Adapters } from "../src/adapters";
import { KafkaClickConsumer, startProcessedEventsPruner, type ClickConsumerStats } from "../src/analytics";
import type { Config } from "../src/config";
import { physicalTopic } from "../src/events";
import { hostname } from "node:os";
import { runService } from "../src/lifecycle";
import { startTracing } from "../src/tracing";
import type { Registry } from "prom-client";
import { log as processLog } from "../src/log";
import { scrapedCounter, scrapedGauge } from "../src/observability";
import { connectToBroker, requireBroker, startProgress } from "./broker";
import { unrepaired, verifyOnce } from "../src/cli";
import type { VerifyReport } from "../src/reshard";
import { serveWorkerEndpoints, workerRegistry } from "./worker-endpoints";

const log = processLog.child({ role: "analytics-worker" });

const OUTCOMES = ["consumed", "counted", "duplicates", "alreadyApplied", "malformed"] as const;

/**
 * The reconciliation pass (`ringlink verify`, no repairs) every VERIFY_INTERVAL_MS: its summary goes
 * beside the stored topology (so every server's /metrics and the dashboard show it) and to /metrics here.
 */
function startPeriodicVerify(adapters: Adapters, config: Config, onReport: (r: VerifyReport) => void): () => void {
  if (config.mode !== "distributed" || config.verifyIntervalMs === 0) return () => {};
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      const report = await verifyOnce(adapters.router().topology, false);
      onReport(report);
      const open = unrepaired(report);
      if (open > 0) log.warn("verify found problems (run `ringlink verify --repair`)", { findings: report.found, version: report.version });
      else log.info("verify: no findings", { links: report.links, version: report.version, seconds: report.seconds });
    } catch (error) {
      log.warn("verify failed", { error: error instanceof Error ? error.message : String(error) });
    } finally {
      running = false;
    }
  }, config.verifyIntervalMs);
  timer.unref?.();
  return () => clearInterval(timer);
}

function workerMetrics(stats: () => ClickConsumerStats, verify: () => VerifyReport | null): Registry {
  const registry = workerRegistry();
  scrapedGauge(registry, {
    name: "ringlink_verify_findings",
    help: "Findings of this worker's last periodic verify, by kind",
    label: "kind",
    read: () => ({ ...(verify()?.found ?? {}) }),
  });
  scrapedCounter(registry, {
    name: "ringlink_analytics_messages_total",
    help: "Messages handled by the analytics worker, by outcome",
    label: "outcome",
    read: () => {
      const s = stats();
      return Object.fromEntries(OUTCOMES.map((k) => [k, s[k]]));
    },
  });
  scrapedCounter(registry, { name: "ringlink_analytics_batches_total", help: "Batches applied", read: () => stats().batches });
  scrapedCounter(registry, {
    name: "ringlink_analytics_write_errors_total",
    help: "Batch writes that failed and were retried",
    read: () => stats().writeErrors,
  });
  scrapedGauge(registry, {
    name: "ringlink_analytics_lag_messages",
    help: "Messages behind the end of the topic, all partitions",
    read: () => stats().lagMessages,
  });
  scrapedGauge(registry, {
    name: "ringlink_analytics_end_to_end_lag_seconds",
    help: "From a redirect to its click in the aggregates (latest batch)",
    read: () => stats().endToEndLagMs / 1000,
  });
  return registry;
}

export function runAnalyticsWorker(config: Config): Promise<number> {
  requireBroker(config, "analytics", "aggregates clicks in-process");
  return runService(
    async (stopping) => {
      const kafka = await connectToBroker(config, `ringlink-analytics-${config.nodeId}`, stopping, log);
      const stopTracing = await startTracing(config.tracing, "analytics", `${hostname()}#${config.nodeId}.analytics`);
      const adapters = new Adapters(config);
      const store = adapters.analyticsStore(config.events.kafkaPartitions + 1);
      const topic = physicalTopic(config.events.topicPrefix, "link.clicked");
      const consumer = new KafkaClickConsumer({ kafka, topic, group: config.analytics.consumerGroup, store, concurrency: config.events.kafkaPartitions });
      const stopPruner = startProcessedEventsPruner(store, config.analytics.dedupeRetentionMs);

      let consuming = false;
      let lastVerify: VerifyReport | null = null;
      const stopVerify = startPeriodicVerify(adapters, config, (r) => {
        lastVerify = r;
      });
      const server = serveWorkerEndpoints(config, {
        consuming: () => consuming,
        health: () => ({ ...consumer.stats() }),
        metrics: workerMetrics(
          () => consumer.stats(),
          () => lastVerify,
        ),
      });
      await consumer.start();
      consuming = true;
      log.info("consuming", { topic, group: config.analytics.consumerGroup, store: store.description, pid: process.pid, port: server?.port });

      let previous = consumer.stats();
      const stopProgress = startProgress(log, (elapsedMs) => {
        const s = consumer.stats();
        const perSecond = ((s.consumed - previous.consumed) * 1000) / elapsedMs;
        const changed = s.consumed !== previous.consumed || s.lagMessages > 0;
        previous = s;
        if (!changed) return null;
        return {
          consumed: s.consumed,
          counted: s.counted,
          duplicates: s.duplicates,
          alreadyApplied: s.alreadyApplied,
          malformed: s.malformed,
          eventsPerSecond: Math.round(perSecond),
          lagMessages: s.lagMessages,
          endToEndLagMs: s.endToEndLagMs,
        };
      });

      return {
        // The batch in hand is finished and committed before the consumer stops.
        async drain() {
          stopProgress();
          stopPruner();
          stopVerify();
          await consumer.stop().catch((error) => log.warn("consumer stop failed", { error }));
          await adapters.close();
          server?.stop(true);
          await stopTracing();
          return { fields: { ...consumer.stats() } };
        },
      };
    },
    { log, drainDeadlineMs: 15_000 },
  );
}
