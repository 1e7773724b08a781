/**
 * `ringlink worker classifier`: consumes `link.created` from Kafka, classifies the URLs in batches
 * with the ONNX model, and writes `category` / `category_confidence` on each link's shard.
 * Offsets are committed after the writes, so a crash re-classifies a batch (idempotent: the
 * same URL gets the same verdict) rather than skipping it. One bad URL never stops the worker: it
 * stays uncategorised and is counted.
 *
 * Prints a progress line every 5 s and, with WORKER_PORT, serves /healthz and /metrics.
 */
import type { EachBatchPayload } from "kafkajs";
import { Adapters } from "../src/adapters";
import { LinkClassifier, UrlClassifier, classifierLoadOptions, type LinkClassifierStats } from "../src/classifier";
import type { Config } from "../src/config";
import { ConfigError } from "../src/config";
import { decodeRecord, physicalTopic } from "../src/events";
import { hostname } from "node:os";
import { runService } from "../src/lifecycle";
import { startTracing } from "../src/tracing";
import type { Registry } from "prom-client";
import { log as processLog } from "../src/log";
import { scrapedCounter, scrapedGauge } from "../src/observability";
import { connectToBroker, startProgress } from "./broker";
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
  if (config.kafkaBrokers.length === 0) {
    throw new ConfigError("KAFKA_BROKERS", "is required by `ringlink worker classifier` (without a broker, `ringlink serve` classifies in-process)");
  }
  return runService(
    async (stopping) => {
      const kafka = await connectToBroker(config, `ringlink-classifier-${config.nodeId}`, stopping, log);
      const stopTracing = await startTracing(config.tracing, "classifier", `${hostname()}#${config.nodeId}.classifier`);
      const adapters = new Adapters(config);
      const store = adapters.linkStore();
      const model = await UrlClassifier.load(classifierLoadOptions());
      const classifier = new LinkClassifier({ store, classifier: async () => model });

      const topic = physicalTopic(config.events.topicPrefix, "link.created");
      const consumer = kafka.consumer({
        groupId: CLASSIFIER_GROUP,
        sessionTimeout: 6_000,
        heartbeatInterval: 1_000,
        maxWaitTimeInMs: 100,
        allowAutoTopicCreation: false,
      });
      const lagByPartition = new Map<number, number>();
      const lag = () => [...lagByPartition.values()].reduce((a, b) => a + b, 0);

      const onBatch = async ({ batch, resolveOffset, heartbeat }: EachBatchPayload) => {
        const last = batch.messages[batch.messages.length - 1];
        if (!last) return;
        const events = batch.messages.flatMap((m) => decodeRecord(m.value).events);
        await classifier.handle(events);
        resolveOffset(last.offset);
        const next = Number(last.offset) + 1;
        lagByPartition.set(batch.partition, Math.max(0, Number(batch.highWatermark) - next));
        await consumer
          .commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(next) }])
          .catch((error) => log.warn("offset commit failed", { error }));
        await heartbeat().catch(() => {});
      };

      let consuming = false;
      const server = serveWorkerEndpoints(config, {
        consuming: () => consuming,
        health: () => ({ ...classifier.stats, lagMessages: lag() }),
        metrics: workerMetrics(classifier.stats, lag),
      });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: onBatch });
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
          await consumer.disconnect().catch((error) => log.warn("consumer stop failed", { error }));
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
