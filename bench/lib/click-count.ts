/**
 * The exact-count check of the matrix: after a redirect run, the human clicks recorded must equal
 * the 3xx answers the load generator received, once the aggregator has caught up. A counter reads
 * the total: from the target's own store (one sum over all links, cheap whatever the number of
 * codes), or, for a server the bench did not start, from the stats API over the codes it asked for.
 */
import { Adapters } from "../../src/adapters";
import { loadConfig } from "../../src/config";
import { assertLoopback } from "./loopback";

export interface ClickCounter {
  /** human clicks recorded so far */
  total(): Promise<number>;
  close(): Promise<void>;
}

/** The store the server with this environment writes to (SQLite in DATA_DIR, or every shard). */
export function storeClickCounter(env: Record<string, string | undefined>): ClickCounter {
  const adapters = new Adapters(loadConfig({ ...process.env, ...env }), { clientId: "ringlink-bench" });
  const store = adapters.analyticsStore(2);
  return { total: () => store.humanClickTotal(), close: () => adapters.close() };
}

/** Stats API totals summed over `codes` (16 at a time). */
export function statsClickCounter(base: string, codes: readonly string[]): ClickCounter {
  const origin = assertLoopback(base).origin;
  return {
    async total() {
      let sum = 0;
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < codes.length) {
            const code = codes[next++]!;
            const res = await fetch(`${origin}/api/v1/links/${encodeURIComponent(code)}/stats`);
            if (!res.ok) throw new Error(`stats of ${code}: ${res.status} ${await res.text()}`);
            sum += ((await res.json()) as { totals: { human: number } }).totals.human;
          }
        }),
      );
      return sum;
    },
    close: async () => {},
  };
}

export interface CountCheck {
  /** 3xx answers received */
  expected: number;
  /** human clicks recorded over the run */
  recorded: number;
  ok: boolean;
  /** ms from the end of the run until the count settled */
  waitedMs: number;
}

/**
 * Waits until `total() - before` reaches `expected` (pass), goes past it (fail at once: counts only
 * grow), or stops moving for `settleMs` short of it (fail); `timeoutMs` bounds it all.
 */
export async function waitForCount(
  counter: ClickCounter,
  before: number,
  expected: number,
  opts: { settleMs?: number; timeoutMs?: number; pollMs?: number } = {},
): Promise<CountCheck> {
  const { settleMs = 5_000, timeoutMs = 120_000, pollMs = 250 } = opts;
  const started = Date.now();
  let last = Number.NaN;
  let lastChange = started;
  for (;;) {
    const recorded = (await counter.total()) - before;
    const now = Date.now();
    if (recorded !== last) {
      last = recorded;
      lastChange = now;
    }
    if (recorded === expected) return { expected, recorded, ok: true, waitedMs: now - started };
    if (recorded > expected || now - lastChange >= settleMs || now - started >= timeoutMs) {
      return { expected, recorded, ok: false, waitedMs: now - started };
    }
    await Bun.sleep(pollMs);
  }
}

/**
 * A reading to start a run from: waits until the total holds still (the warm-up's or the previous
 * run's clicks still being written would otherwise count into this run).
 */
export async function settledTotal(counter: ClickCounter, opts: { quietMs?: number; timeoutMs?: number } = {}): Promise<number> {
  const { quietMs = 1_500, timeoutMs = 120_000 } = opts;
  const started = Date.now();
  let last = await counter.total();
  let since = Date.now();
  while (Date.now() - since < quietMs && Date.now() - started < timeoutMs) {
    await Bun.sleep(250);
    const now = await counter.total();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
  return last;
}
