/**
 * Delivery metrics, in the registry of whoever delivers (the serving process's /metrics in
 * embedded mode, the worker's /metrics on Kafka): attempts by outcome, their latency, and the
 * pending queue read at scrape time.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { AttemptOutcome } from "./webhook-store";

export class WebhookMetrics {
  private readonly attempts: Counter<"outcome">;
  private readonly latency: Histogram<"outcome">;
  readonly counts: Record<AttemptOutcome, number> = { delivered: 0, retry: 0, failed: 0 };

  constructor(registry: Registry = new Registry(), pending?: () => Promise<number>) {
    this.attempts = new Counter({
      name: "ringlink_webhook_attempts_total",
      help: "Webhook delivery attempts by outcome: delivered (2xx), retry (will be tried again), failed (gave up)",
      labelNames: ["outcome"],
      registers: [registry],
    });
    this.latency = new Histogram({
      name: "ringlink_webhook_attempt_duration_seconds",
      help: "Time from sending a webhook delivery to its answer (or the timeout)",
      labelNames: ["outcome"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    if (pending) {
      new Gauge({
        name: "ringlink_webhook_pending",
        help: "Webhook deliveries waiting to be delivered (first tries and retries)",
        registers: [registry],
        // Every process of an instance reads the same queue: merged, the count must not add up.
        aggregator: "max",
        async collect() {
          this.set(await pending().catch(() => 0));
        },
      });
    }
  }

  observe(outcome: AttemptOutcome, latencyMs: number): void {
    this.counts[outcome]++;
    this.attempts.inc({ outcome });
    this.latency.observe({ outcome }, latencyMs / 1000);
  }
}
