/**
 * Click analytics without a broker: subscribed to the in-process bus, it gathers click events and
 * hands them to the AnalyticsStore in one batch per interval, so a burst of redirects costs one
 * transaction, not thousands. It runs the same aggregation and dedupe as the Kafka worker.
 *
 * Not durable across a crash: up to one interval of clicks lives only in memory (the price of
 * never writing on the redirect path without a broker). A failed write is kept and retried; the
 * backlog is bounded so a database that stays down cannot grow the heap without limit.
 */
import type { EventBus, LinkEvent } from "../events";
import type { AnalyticsStore } from "./analytics-store";

export interface LocalAggregatorStats {
  received: number;
  counted: number;
  duplicates: number;
  dropped: number;
  writeErrors: number;
}

export class LocalClickAggregator {
  private pending: LinkEvent[] = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly unsubscribe: () => void;
  private writing: Promise<void> = Promise.resolve();
  private readonly counters: LocalAggregatorStats = { received: 0, counted: 0, duplicates: 0, dropped: 0, writeErrors: 0 };

  constructor(
    bus: EventBus,
    private readonly store: AnalyticsStore,
    intervalMs = 1_000,
    private readonly maxPending = 500_000,
  ) {
    this.unsubscribe = bus.subscribe("link.clicked", (events) => {
      this.counters.received += events.length;
      const room = this.maxPending - this.pending.length;
      if (events.length > room) this.counters.dropped += events.length - Math.max(room, 0);
      for (let i = 0; i < Math.min(room, events.length); i++) this.pending.push(events[i]!);
    });
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref?.();
  }

  /** Writes what has been gathered so far; resolves when that write (and any before it) is done. */
  flush(): Promise<void> {
    if (this.pending.length === 0) return this.writing;
    const batch = this.pending;
    this.pending = [];
    this.writing = this.writing.then(async () => {
      try {
        const result = await this.store.apply({ events: batch, dedupe: !this.store.atomicBatches });
        this.counters.counted += result.counted;
        this.counters.duplicates += result.duplicates;
      } catch (error) {
        // Keep the events for the next round, in front of newer ones; ids make a retry harmless.
        this.counters.writeErrors++;
        const kept = batch.concat(this.pending);
        if (kept.length > this.maxPending) this.counters.dropped += kept.length - this.maxPending;
        this.pending = kept.slice(0, this.maxPending);
        console.error(JSON.stringify({ ts: new Date().toISOString(), level: "warn", msg: "click aggregates not written, will retry", events: batch.length, error: String(error) }));
      }
    });
    return this.writing;
  }

  stats(): LocalAggregatorStats {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.unsubscribe();
    await this.flush();
  }
}
