/**
 * Click analytics without a broker: subscribed to the in-process bus, it tallies click events as
 * they arrive (ClickTally) and writes the counters to the AnalyticsStore once per interval, so a
 * burst of redirects costs a few small transactions, not thousands, and memory grows with distinct
 * codes and visitors, not with clicks. It runs the same aggregation rule as the Kafka worker.
 *
 * Writes are cut into parts (see write()), so a second of counters for thousands of links never
 * holds the redirect thread in one piece: built and written at once it took tens of milliseconds,
 * and that was the p99.
 *
 * Not durable across a crash: up to one interval of clicks lives only in memory (the price of
 * never writing on the redirect path without a broker). A part that fails is merged back into the
 * tally and goes out with the next write; nothing that committed is written twice.
 */
import type { EventBus } from "../events";
import type { AnalyticsStore } from "./analytics-store";
import { ClickTally } from "./click-aggregation";

export interface LocalAggregatorStats {
  received: number;
  counted: number;
  writeErrors: number;
}

/** rows per part when the backlog is large */
const BULK_ROWS = 10_000;

export class LocalClickAggregator {
  private tally = new ClickTally();
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly unsubscribe: () => void;
  private writing: Promise<void> = Promise.resolve();
  private readonly counters: LocalAggregatorStats = { received: 0, counted: 0, writeErrors: 0 };

  constructor(
    bus: EventBus,
    private readonly store: AnalyticsStore,
    intervalMs = 1_000,
    private readonly partRows = 150,
    private readonly bulkAboveCodes = 5_000,
    private readonly blockAboveCodes = 50_000,
  ) {
    this.unsubscribe = bus.subscribe("link.clicked", (events) => {
      this.counters.received += events.length;
      for (const event of events) this.tally.add(event);
    });
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref?.();
  }

  /** Writes what has been gathered so far; resolves when that write (and any before it) is done. */
  flush(): Promise<void> {
    if (this.tally.isEmpty) return this.writing;
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  /**
   * One write of the tally as it is when the write starts (clicks keep arriving meanwhile; a flush
   * asked for during a write queues behind it and takes what gathered in between).
   *
   * Small backlogs (hot links) go in parts of `partRows` rows, one event-loop turn each, so a
   * redirect never waits for more than one small part. A large backlog (every click a new code,
   * ~8 rows each) goes in parts of BULK_ROWS: a commit per 150 rows cannot keep up with such a load,
   * and past `blockAboveCodes` the parts go back to back, holding the clicks until the writes have
   * caught up instead of letting the backlog grow without bound.
   */
  private async write(): Promise<void> {
    if (this.tally.isEmpty) return;
    const large = this.tally.size >= this.bulkAboveCodes;
    let first = true;
    for (const part of this.tally.takeParts(large ? BULK_ROWS : this.partRows)) {
      if (!first && this.tally.size < this.blockAboveCodes) await new Promise((resolve) => setImmediate(resolve));
      first = false;
      const left = await this.store.applyDelta(part);
      if (left === null) {
        this.counters.counted += part.counted;
        continue;
      }
      this.counters.counted += part.counted - left.counted;
      this.counters.writeErrors++;
      this.tally.merge(left);
    }
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
