/**
 * Sends queued deliveries. Each webhook has its own budget of requests in flight, and every
 * request a timeout, so a slow or dead receiver uses up its own slots and nobody else's; the
 * redirect path never waits on any of this (it only publishes events).
 *
 * Order: only the oldest pending delivery of a link (per webhook) may go, and it holds a lease
 * while it is sent, so a link's events reach a receiver one after another even with several
 * dispatchers on one queue. A delivery that fails (no 2xx, a timeout, a refused connection) is
 * tried again after an exponential backoff with jitter, for up to the retry window, then marked
 * failed. Every attempt is logged. A crash mid-send leaves the lease to expire and the delivery
 * goes again: at least once, with the same `webhook-id` so the receiver can drop the repeat.
 */
import { log as processLog } from "../log";
import type { WebhookMetrics } from "./webhook-metrics";
import { signWebhook } from "./webhook-signature";
import type { AttemptRecord, DueDelivery, WebhookStore } from "./webhook-store";

const log = processLog.child({ role: "webhooks" });

export interface WebhookDispatcherOptions {
  store: WebhookStore;
  metrics: WebhookMetrics;
  /** one request's budget, answer included */
  timeoutMs: number;
  /** requests in flight per webhook */
  concurrency: number;
  /** the first retry's delay; each further one doubles (capped at an hour), with jitter */
  retryBaseMs: number;
  /** after this long since the event was queued, a failing delivery is given up */
  retryWindowMs: number;
  /** how often the queue is looked at when nothing wakes the dispatcher */
  pollMs?: number;
  /** attempts kept in each webhook's log */
  logSize?: number;
  fetch?: typeof fetch;
  now?: () => number;
  random?: () => number;
}

const MAX_RETRY_DELAY_MS = 3_600_000;
/** finished deliveries stay this long (a redelivered event within it is not sent twice) */
const FINISHED_RETENTION_MS = 24 * 3_600_000;
const PRUNE_EVERY_MS = 60_000;
const LIST_REFRESH_MS = 1_000;
/**
 * Heads of chains read per query and handed out as slots free up: one query per delivery made
 * the queue the limit (measured on PostgreSQL). A buffered head stays a head until it is sent
 * (only its own delivery moves its chain on), and its claim at send time settles a race.
 */
const PREFETCH = 100;
/**
 * After a look that found less than it could take, a webhook's queue is not read again for this
 * long unless one of its own deliveries ends: events arrive in many small batches, and reading
 * the queue after each cost a serving process ~5% of its redirects with a receiver down.
 */
const QUIET_MS = 50;

export function retryDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.min(attempt - 1, 40));
  // "Equal jitter": never less than half the step, so retries spread out but still back off.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export class WebhookDispatcher {
  private readonly inflight = new Map<string, number>();
  private readonly buffered = new Map<string, DueDelivery[]>();
  private readonly quietUntil = new Map<string, number>();
  private readonly sending = new Set<Promise<void>>();
  private webhookIds: string[] = [];
  private listedAt = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ticking = false;
  private again = false;
  private stopped = true;
  private lastPrune = 0;
  private counter = 0;
  private readonly now: () => number;
  private readonly fetch: typeof fetch;

  constructor(private readonly opts: WebhookDispatcherOptions) {
    this.now = opts.now ?? Date.now;
    this.fetch = opts.fetch ?? fetch;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Look at the queue now (something was queued, or a webhook was added). */
  wake(): void {
    if (this.stopped) return;
    if (this.ticking) this.again = true;
    else this.schedule(0);
  }

  /** Deliveries being sent right now. */
  get inFlight(): number {
    return this.sending.size;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    this.again = false;
    try {
      const now = this.now();
      if (now - this.listedAt >= LIST_REFRESH_MS) {
        this.webhookIds = (await this.opts.store.listWebhooks()).map((w) => w.id);
        this.listedAt = now;
      }
      for (const id of this.webhookIds) {
        let free = this.opts.concurrency - (this.inflight.get(id) ?? 0);
        if (free <= 0 || this.stopped) continue;
        let heads = this.buffered.get(id) ?? [];
        if (heads.length < free && now >= (this.quietUntil.get(id) ?? 0)) {
          const asked = Math.max(PREFETCH, free);
          heads = await this.opts.store.dueDeliveries(id, now, asked);
          if (heads.length < asked) this.quietUntil.set(id, now + QUIET_MS);
        }
        while (free > 0 && heads.length > 0) {
          this.launch(heads.shift()!);
          free--;
        }
        this.buffered.set(id, heads);
      }
      for (const id of this.buffered.keys()) if (!this.webhookIds.includes(id)) this.buffered.delete(id);
      if (now - this.lastPrune >= PRUNE_EVERY_MS) {
        this.lastPrune = now;
        await this.opts.store.prune(now - FINISHED_RETENTION_MS, this.opts.logSize ?? 100);
      }
    } catch (error) {
      log.warn("webhook queue unavailable", { error: error instanceof Error ? error.message : String(error) });
    } finally {
      this.ticking = false;
      this.schedule(this.again ? 0 : Math.min(this.opts.pollMs ?? 250, this.quietUntil.size > 0 ? QUIET_MS : Number.POSITIVE_INFINITY));
    }
  }

  private launch(d: DueDelivery): void {
    this.inflight.set(d.webhookId, (this.inflight.get(d.webhookId) ?? 0) + 1);
    const sending: Promise<void> = this.claimAndSend(d)
      .catch((error) => log.warn("webhook attempt not recorded", { webhook: d.webhookId, error: error instanceof Error ? error.message : String(error) }))
      .finally(() => {
        this.inflight.set(d.webhookId, (this.inflight.get(d.webhookId) ?? 1) - 1);
        this.sending.delete(sending);
        // Its chain moved on (or a slot freed): this webhook's queue is worth a look at once.
        this.quietUntil.delete(d.webhookId);
        // The link's next delivery may go now.
        this.wake();
      });
    this.sending.add(sending);
  }

  private async claimAndSend(d: DueDelivery): Promise<void> {
    const now = this.now();
    // The lease outlasts the request; a dispatcher that dies mid-send frees it by expiry.
    if (await this.opts.store.claim(d.webhookId, d.eventId, now, now + this.opts.timeoutMs + 30_000)) await this.send(d);
  }

  private async send(d: DueDelivery): Promise<void> {
    const attempt = d.attempts + 1;
    const at = this.now();
    const timestamp = Math.floor(at / 1000);
    const id = `msg_${d.eventId}`;
    const started = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await this.fetch(d.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "ringlink-webhooks",
          "webhook-id": id,
          "webhook-timestamp": String(timestamp),
          "webhook-signature": signWebhook(d.secret, id, timestamp, d.payload),
        },
        body: d.payload,
        // A receiver's redirect is an answer, not an instruction: following it could reach an address the URL rules refused.
        redirect: "manual",
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      status = response.status;
      void response.body?.cancel().catch(() => {});
      if (status < 200 || status > 299) error = `HTTP ${status}`;
    } catch (e) {
      const name = e instanceof Error ? e.name : "";
      error = name === "TimeoutError" || name === "AbortError" ? `no answer within ${this.opts.timeoutMs} ms` : e instanceof Error ? e.message : String(e);
    }
    const latencyMs = performance.now() - started;
    let outcome: AttemptRecord["outcome"] = "delivered";
    let next: number | null = null;
    if (error !== null) {
      next = this.now() + retryDelayMs(attempt, this.opts.retryBaseMs, this.opts.random);
      outcome = next - d.enqueuedAt > this.opts.retryWindowMs ? "failed" : "retry";
      if (outcome === "failed") log.warn("webhook delivery failed for good", { webhook: d.webhookId, event: d.eventId, attempts: attempt, error });
    }
    this.opts.metrics.observe(outcome, latencyMs);
    const record: AttemptRecord = {
      webhookId: d.webhookId,
      eventId: d.eventId,
      topic: d.topic,
      code: d.code,
      attempt,
      at,
      status,
      latencyMs: Math.round(latencyMs * 100) / 100,
      error: error === null ? null : error.slice(0, 300),
      outcome,
    };
    await this.opts.store.finishAttempt(record, at * 1000 + (this.counter++ % 1000), outcome === "retry" ? next : null);
  }

  /** Stops taking deliveries and waits (bounded by the request timeout) for those being sent. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.sending]);
  }
}
