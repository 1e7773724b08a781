/**
 * Lookups by key that arrive in the same turn of the event loop share one round trip per node
 * (PostgreSQL `WHERE code = ANY(...)`, Redis MGET). On a cold cache each redirect is a remote read,
 * and every command costs a fixed amount of CPU on both sides (a socket write, a timer, a Promise
 * in the client library): at 64 connections a turn holds several misses per node, so batching cuts
 * round trips, and what they cost, several-fold.
 *
 * `query` runs once per batch (the caller puts it behind the node's guard); a failed batch rejects
 * every lookup in it, and each caller's own policy decides what happens next.
 */
interface Waiter<V> {
  resolve: (value: V | null) => void;
  reject: (error: unknown) => void;
  timeoutMs: number;
}

/** Largest batch: the array parameter and the answer stay small. */
const MAX_BATCH = 256;

export class KeyBatcher<V> {
  private pending = new Map<string, Waiter<V>[]>();
  private scheduled = false;

  /** `query(keys, timeoutMs)` answers each key's value (null: none), in the order of `keys`, within the tightest deadline. */
  constructor(private readonly query: (keys: string[], timeoutMs: number) => Promise<ReadonlyArray<V | null>>) {}

  get(key: string, timeoutMs = Infinity): Promise<V | null> {
    return new Promise((resolve, reject) => {
      const waiters = this.pending.get(key);
      if (waiters) waiters.push({ resolve, reject, timeoutMs });
      else this.pending.set(key, [{ resolve, reject, timeoutMs }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const all = this.pending;
    this.pending = new Map();
    const keys = [...all.keys()];
    for (let i = 0; i < keys.length; i += MAX_BATCH) void this.run(keys.slice(i, i + MAX_BATCH), all);
  }

  private async run(keys: string[], waiting: Map<string, Waiter<V>[]>): Promise<void> {
    let timeoutMs = Infinity;
    for (const key of keys) for (const w of waiting.get(key)!) timeoutMs = Math.min(timeoutMs, w.timeoutMs);
    try {
      const values = await this.query(keys, timeoutMs);
      keys.forEach((key, i) => {
        for (const w of waiting.get(key)!) w.resolve(values[i] ?? null);
      });
    } catch (error) {
      for (const key of keys) for (const w of waiting.get(key)!) w.reject(error);
    }
  }
}
