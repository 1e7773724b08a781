/**
 * `ringlink worker webhooks`: consumes every event topic from Kafka in its own consumer group,
 * queues the deliveries the webhooks want on shard 0 (the same queue the API's webhooks live
 * beside), and sends them with the dispatcher. A batch's offsets are committed only after its
 * deliveries are stored, so a crash re-reads the batch and the store drops what it already has
 * (one row per webhook and event): nothing is lost, nothing queued twice. Any number of workers
 * may run; they share partitions through the group and claim deliveries from the one queue.
 *
 * Prints a progress line every 5 s and, with WORKER_PORT, serves /healthz and /metrics.
 */
import type { Registry } from "prom-client";
import { Adapters } from "../src/adapters";
import type { Config } from "../src/config";
import { EVENT_TOPIC_NAMES, physicalTopic, type EventTopic } from "../src/events";
import { runService } from "../src/lifecycle";
import { log as processLog } from "../src/log";
import { scrapedCounter, scrapedGauge } from "../src/observability";
import { WebhookDispatcher, WebhookFanout, WebhookMetrics, keyIsActive } from "../src/webhooks";
import { connectToBroker, requireBroker, startProgress } from "./broker";
import { createCommittingConsumer } from "./committing-consumer";
import { serveWorkerEndpoints, workerRegistry } from "./worker-endpoints";

const log = processLog.child({ role: "webhook-worker" });

export function runWebhookWorker(config: Config): Promise<number> {
  requireBroker(config, "webhooks", "delivers webhooks in-process");
  return runService(
    async (stopping) => {
      const kafka = await connectToBroker(config, `ringlink-webhooks-${config.nodeId}`, stopping, log);
      const adapters = new Adapters(config);
      const links = adapters.linkStore();
      const store = adapters.webhookStore();
      const fanout = new WebhookFanout({
        store,
        ownerOf: async (code) => (await links.findByCode(code))?.ownerKey,
        keyActive: (id) => keyIsActive(adapters.keyStore(), id),
        publicBaseUrl: config.publicBaseUrl,
      });
      const registry: Registry = workerRegistry();
      const pending = async () => [...(await store.pendingCounts()).values()].reduce((a, b) => a + b, 0);
      const metrics = new WebhookMetrics(registry, pending);
      const dispatcher = new WebhookDispatcher({ store, metrics, ...config.webhooks });

      const byPhysical = new Map<string, EventTopic>(EVENT_TOPIC_NAMES.map((t) => [physicalTopic(config.events.topicPrefix, t), t]));
      const stats = { consumed: 0, queued: 0, storeErrors: 0 };
      scrapedCounter(registry, { name: "ringlink_webhook_events_total", help: "Events read by the webhook worker", read: () => stats.consumed });
      scrapedCounter(registry, { name: "ringlink_webhook_queued_total", help: "Deliveries queued by the webhook worker", read: () => stats.queued });
      scrapedCounter(registry, {
        name: "ringlink_webhook_store_errors_total",
        help: "Batches whose deliveries could not be stored (retried)",
        read: () => stats.storeErrors,
      });

      // From the start for a new group: events older than a webhook are not its (the fan-out checks), so nothing old is sent.
      const consumer = createCommittingConsumer({
        kafka,
        groupId: config.webhooks.consumerGroup,
        topics: [...byPhysical.keys()],
        log,
        handle: async ({ topic: physical, events, heartbeat }) => {
          const topic = byPhysical.get(physical);
          if (!topic) return false;
          // A batch is stored or retried in place, never skipped: a shard 0 outage delays webhooks, it does not drop them.
          for (let attempt = 0; ; attempt++) {
            try {
              const queued = await fanout.handle(topic, events);
              stats.queued += queued;
              if (queued > 0) dispatcher.wake();
              break;
            } catch (error) {
              stats.storeErrors++;
              if (stopping.aborted) throw error;
              log.warn("could not queue deliveries, retrying", { topic, error: error instanceof Error ? error.message : String(error) });
              await heartbeat().catch(() => {});
              await Bun.sleep(Math.min(200 * 2 ** attempt, 5_000));
            }
          }
          stats.consumed += events.length;
          return true;
        },
      });
      const lag = consumer.lag;
      scrapedGauge(registry, { name: "ringlink_webhook_lag_messages", help: "Messages behind the end of the event topics", read: lag });

      let consuming = false;
      const server = serveWorkerEndpoints(config, {
        consuming: () => consuming,
        health: () => ({ ...stats, ...metrics.counts, inFlight: dispatcher.inFlight, lagMessages: lag() }),
        metrics: registry,
      });
      await consumer.start();
      dispatcher.start();
      consuming = true;
      log.info("consuming", { topics: [...byPhysical.keys()], group: config.webhooks.consumerGroup, pid: process.pid, port: server?.port });

      let previous = metrics.counts.delivered;
      const stopProgress = startProgress(log, (elapsedMs) => {
        const delivered = metrics.counts.delivered;
        const changed = delivered !== previous || lag() > 0 || dispatcher.inFlight > 0;
        const perSecond = Math.round(((delivered - previous) * 1000) / elapsedMs);
        previous = delivered;
        return changed ? { ...stats, ...metrics.counts, deliveredPerSecond: perSecond, lagMessages: lag() } : null;
      });

      return {
        // Offsets are committed after the deliveries are stored; pending deliveries wait in the store for the next worker.
        async drain() {
          stopProgress();
          await consumer.stop();
          await dispatcher.stop();
          await adapters.close();
          server?.stop(true);
          return { fields: { ...stats, ...metrics.counts } };
        },
      };
    },
    { log, drainDeadlineMs: 15_000 },
  );
}
