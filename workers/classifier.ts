/**
 * `ringlink worker classifier`: consumes `link.created` from Kafka, classifies the URLs in batches
 * with the ONNX model, and writes `category` / `category_confidence` on each link's shard.
 * Offsets are committed after the writes, so a crash re-classifies a batch (idempotent: the
 * same URL gets the same verdict) rather than skipping it. One bad URL never stops the worker: it
 * stays uncategorised and is counted.
 *
 * Prints a progress line every 5 s and, with WORKER_PORT, serves /healthz and /metrics.
 */
import { Adapters } from "../src/adapters";
import { LinkClassifier, UrlClassifier, classifierLoadOptions, type LinkClassifierStats } from "../src/classifier";
import type { Config } from "../src/config";
import { physicalTopic } from "../src/events";
import { hostname } from "node:os";
import { runService } from "../src/lifecycle";
import { startTracing } from "../src/tracing";
import type { Registry } from "prom-client";
import { log as processLog } from "../src/log";
import { scrapedCounter, scrapedGauge } from "../src/observability";
import { connectToBroker, requireBroker, startProgress } from "./broker";
import { createCommittingConsumer } from "./committing-consumer";
import { serveWorkerEndpoints, workerRegistry } from "./worker-endpoints";

export const CLASSIFIER_GROUP = "ringlink-classifier";

const log = processLog.child({ role: "classifier-worker" });

const OUTCOMES = ["classified", "failed", "skipped"] as const;

function workerMetrics(stats: LinkClassifierStats, lag: () => number): Registry {
  const registry = workerRegistry();
  scrapedCounter(registry, {
    name: "ringlink_classifier_links_total",
    help: "Links handled by the classifier worker, by outcome",
    label: "outcome",
    read: () => Object.fromEntries(OUTCOMES.map((k) => [k, stats[k]])),
  });
  scrapedCounter(registry, { name: "ringlink_classifier_labels_total", help: "Links classified, by label", label: "label", read: () => stats.byLabel });
  scrapedCounter(registry, { name: "ringlink_classifier_batches_total", help: "Model runs", read: () => stats.batches });
  scrapedGauge(registry, { name: "ringlink_classifier_lag_messages", help: "link.created messages behind the end of the topic", read: lag });
  return registry;
}

export function runClassifierWorker(config: Config): Promise<number> {
  requireBroker(config, "classifier", "classifies in-process");
  return runService(
    async (stopping) => {
      const kafka = await connectToBroker(config, `ringlink-classifier-${config.nodeId}`, stopping, log);
      const stopTracing = await startTracing(config.tracing, "classifier", `${hostname()}#${config.nodeId}.classifier`);
      const adapters = new Adapters(config);
      const store = adapters.linkStore();
      const model = await UrlClassifier.load(classifierLoadOptions());
      const classifier = new LinkClassifier({ store, classifier: async () => model });

      const topic = physicalTopic(config.events.topicPrefix, "link.created");
      const consumer = createCommittingConsumer({
        kafka,
        groupId: CLASSIFIER_GROUP,
        topics: [topic],
        log,
        handle: async ({ events }) => {
          await classifier.handle(events);
          return true;
        },
      });
      const lag = consumer.lag;

      let consuming = false;
      const server = serveWorkerEndpoints(config, {
        consuming: () => consuming,
        health: () => ({ ...classifier.stats, lagMessages: lag() }),
        metrics: workerMetrics(classifier.stats, lag),
      });
      await consumer.start();
      consuming = true;
      log.info("consuming", { topic, group: CLASSIFIER_GROUP, store: store.description, pid: process.pid, port: server?.port });

      let previous = classifier.stats.classified;
      const stopProgress = startProgress(log, (elapsedMs) => {
        const s = classifier.stats;
        const changed = s.classified !== previous || lag() > 0;
        const perSecond = Math.round(((s.classified - previous) * 1000) / elapsedMs);
        previous = s.classified;
        return changed ? { classified: s.classified, failed: s.failed, skipped: s.skipped, perSecond, lagMessages: lag() } : null;
      });

      return {
        // Offsets are committed after the writes, so a batch cut short here is classified again.
        async drain() {
          stopProgress();
          await consumer.stop();
          await model.close();
          await adapters.close();
          server?.stop(true);
          await stopTracing();
          return { fields: { ...classifier.stats } };
        },
      };
    },
    { log, drainDeadlineMs: 15_000 },
  );
}
