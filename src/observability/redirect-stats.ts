/**
 * Counters for the redirect hot path, kept as plain numbers: an increment here costs a few
 * nanoseconds, while a labelled prom-client metric costs a map lookup per call. They are turned
 * into Prometheus metrics only when /metrics is scraped.
 */
/**
 * Upper bounds (ms) of the latency buckets, shared by /metrics and the dashboard's percentiles.
 * A cached redirect takes 5-50 µs inside the handler, so the low end is fine-grained (the
 * dashboard's p50 would otherwise be a guess inside one wide bucket).
 */
export const LATENCY_BOUNDS_MS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000] as const;

/**
 * Bucket of a latency up to 0.1 ms, by table lookup: every bound up to there is a multiple of
 * 1/400 ms, so `ceil(ms * 400)` names a slot that lies in exactly one bucket. Most redirects are
 * cached hits under 0.1 ms; the table answers them in one multiply and one read (~7 ns measured),
 * where scanning the five fine low bounds took ~15 ns.
 */
const FAST_LIMIT_MS = 0.1;
const FAST_SLOTS_PER_MS = 400;
const FAST_BUCKET = (() => {
  const table = new Uint8Array(FAST_LIMIT_MS * FAST_SLOTS_PER_MS + 1);
  for (let slot = 0; slot < table.length; slot++) {
    let i = 0;
    while (i < LATENCY_BOUNDS_MS.length && slot / FAST_SLOTS_PER_MS > LATENCY_BOUNDS_MS[i]!) i++;
    table[slot] = i;
  }
  return table;
})();
const FIRST_SLOW_BUCKET = FAST_BUCKET[FAST_BUCKET.length - 1]!;

export type RedirectOutcome = "redirect" | "not_found" | "gone" | "error";

export class RedirectStats {
  readonly outcomes: Record<RedirectOutcome, number> = { redirect: 0, not_found: 0, gone: 0, error: 0 };
  cacheHits = 0;
  cacheMisses = 0;
  /** per-bound counts (not cumulative); the last slot is +Inf */
  readonly latencyBuckets = new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0);
  latencySumMs = 0;

  record(outcome: RedirectOutcome, cacheHit: boolean | null, latencyMs: number): void {
    this.outcomes[outcome]++;
    if (cacheHit === true) this.cacheHits++;
    else if (cacheHit === false) this.cacheMisses++;
    let i: number;
    if (latencyMs <= FAST_LIMIT_MS) i = FAST_BUCKET[Math.ceil(latencyMs * FAST_SLOTS_PER_MS)]!;
    else {
      i = FIRST_SLOW_BUCKET;
      while (i < LATENCY_BOUNDS_MS.length && latencyMs > LATENCY_BOUNDS_MS[i]!) i++;
    }
    this.latencyBuckets[i]!++;
    this.latencySumMs += latencyMs;
  }
}
