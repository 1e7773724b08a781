/**
 * Turns a process's event stream (up to tens of thousands a second) into a bounded sample.
 *
 * Time is cut into windows (100 ms); a token bucket decides how many events a window may emit
 * (`perSecond` on average, bursts up to `burst` after a quiet spell, so a handful of creates all
 * show up). Within a window each kind of event is reservoir-sampled, so the sample is uniform over
 * the window rather than "the first few", at the cost of one Math.random() per event. Writes are
 * taken before reads: creates are rare and the page is waiting for them.
 */

/** What the sampler needs of an event. */
export interface Sampleable {
  type: string;
  ts: number;
}

export interface SampledWindow<T extends Sampleable> {
  events: T[];
  /** events offered during the window */
  seen: number;
}

class Reservoir<T> {
  items: T[] = [];
  seen = 0;

  constructor(private readonly capacity: number) {}

  offer(event: T): void {
    this.seen++;
    if (this.items.length < this.capacity) {
      this.items.push(event);
      return;
    }
    // Algorithm R: the n-th event replaces a kept one with probability capacity / n.
    const j = Math.floor(Math.random() * this.seen);
    if (j < this.capacity) this.items[j] = event;
  }

  take(): T[] {
    const items = this.items;
    this.items = [];
    this.seen = 0;
    return items;
  }
}

/** A bucket of whole events refilled per window: `perWindow` on average, `burst` at most. */
export class WindowBudget {
  private tokens: number;

  constructor(
    private readonly perWindow: number,
    readonly burst: number,
  ) {
    this.tokens = burst;
  }

  /** Called once per window: tokens for this window. */
  refill(): number {
    this.tokens = Math.min(this.burst, this.tokens + this.perWindow);
    return Math.floor(this.tokens);
  }

  spend(n: number): void {
    this.tokens = Math.max(0, this.tokens - n);
  }
}

export class EventSampler<T extends Sampleable> {
  private readonly writes: Reservoir<T>;
  private readonly reads: Reservoir<T>;
  private readonly budget: WindowBudget;

  constructor(perSecond: number, windowMs: number, burstSeconds = 0.5) {
    const perWindow = (perSecond * windowMs) / 1000;
    const burst = Math.max(1, Math.round(perSecond * burstSeconds));
    this.budget = new WindowBudget(perWindow, burst);
    this.writes = new Reservoir<T>(burst);
    this.reads = new Reservoir<T>(burst);
  }

  offer(event: T): void {
    (event.type === "write" ? this.writes : this.reads).offer(event);
  }

  /** Ends the window: the sample to emit (writes first, oldest first) and how many events were seen. */
  flush(): SampledWindow<T> {
    const seen = this.writes.seen + this.reads.seen;
    const allowed = this.budget.refill();
    const writes = this.writes.take();
    const reads = this.reads.take();
    const events = writes.length >= allowed ? writes.slice(0, allowed) : writes.concat(reads.slice(0, allowed - writes.length));
    this.budget.spend(events.length);
    events.sort((a, b) => a.ts - b.ts);
    return { events, seen };
  }
}
