/**
 * Group commit: items added in the same turn of the event loop are handed to one `run` call, which
 * answers each item on its own (a value or an error), so one failed row never fails its neighbours.
 * A create's cost is dominated by what a write costs per statement and per commit (a WAL commit in
 * SQLite, a round trip in PostgreSQL), and at 64 connections one turn holds many creates: sharing
 * that cost is what lets creates scale (see the stores' `insert`).
 *
 * Costs one turn (setImmediate) of latency. `run` must answer one entry per item, in order; if it
 * throws, every item of its batch is rejected with that error.
 */
export type ItemResult<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface Pending<I, T> {
  item: I;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

export class TurnBatch<I, T> {
  private pending: Pending<I, T>[] = [];

  /** `maxBatch` bounds one `run` (a statement's parameters, a transaction's length); more runs follow in the same turn. */
  constructor(
    private readonly run: (items: I[]) => Promise<ItemResult<T>[]> | ItemResult<T>[],
    private readonly maxBatch: number,
  ) {}

  add(item: I): Promise<T> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const all = this.pending;
    this.pending = [];
    for (let i = 0; i < all.length; i += this.maxBatch) void this.runBatch(all.slice(i, i + this.maxBatch));
  }

  private async runBatch(batch: Pending<I, T>[]): Promise<void> {
    let results: ItemResult<T>[];
    try {
      results = await this.run(batch.map((p) => p.item));
      if (results.length !== batch.length) throw new Error(`batch answered ${results.length} of ${batch.length} items`);
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, i) => {
      const r = results[i]!;
      if (r.ok) p.resolve(r.value);
      else p.reject(r.error);
    });
  }
}
