/**
 * Lookups by code that arrive in the same turn of the event loop share one query per node
 * (`WHERE code = ANY(...)`). On a cold cache each redirect is a replica read, and under Bun every
 * query is a socket write with a fixed cost: at 64 connections a turn holds several misses per
 * shard, so this cuts round trips (and the CPU they cost on both sides) several-fold.
 *
 * The query runs through the node's guard (breaker + timeout) once per batch; a failed batch
 * rejects every lookup in it, and each caller's own retry policy decides what happens next.
 */
import type { LinkRow } from "./link-rows";

interface Waiter {
  resolve: (row: LinkRow | null) => void;
  reject: (error: unknown) => void;
  timeoutMs: number;
}

/** Largest batch: the array parameter and the result stay small. */
const MAX_BATCH = 256;

export class CodeBatcher {
  private pending = new Map<string, Waiter[]>();
  private scheduled = false;

  /** `query` reads the rows of these codes within `timeoutMs` (through the node's guard). */
  constructor(private readonly query: (codes: string[], timeoutMs: number) => Promise<LinkRow[]>) {}

  get(code: string, timeoutMs: number): Promise<LinkRow | null> {
    return new Promise((resolve, reject) => {
      const waiters = this.pending.get(code);
      if (waiters) waiters.push({ resolve, reject, timeoutMs });
      else this.pending.set(code, [{ resolve, reject, timeoutMs }]);
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
    const codes = [...all.keys()];
    for (let i = 0; i < codes.length; i += MAX_BATCH) void this.run(codes.slice(i, i + MAX_BATCH), all);
  }

  private async run(codes: string[], waiting: Map<string, Waiter[]>): Promise<void> {
    // The tightest deadline in the batch bounds the query.
    let timeoutMs = Infinity;
    for (const code of codes) for (const w of waiting.get(code)!) timeoutMs = Math.min(timeoutMs, w.timeoutMs);
    try {
      const rows = await this.query(codes, timeoutMs);
      const byCode = new Map(rows.map((row) => [row.code, row]));
      for (const code of codes) for (const w of waiting.get(code)!) w.resolve(byCode.get(code) ?? null);
    } catch (error) {
      for (const code of codes) for (const w of waiting.get(code)!) w.reject(error);
    }
  }
}
