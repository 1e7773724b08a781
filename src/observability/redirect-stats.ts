/**
 * Counters for the redirect hot path, kept as plain numbers: an increment here costs a few
 * nanoseconds, while a labelled prom-client metric costs a map lookup per call. They are turned
 * into Prometheus metrics only when /metrics is scraped.
 */
export const LATENCY_BOUNDS_MS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000] as const;

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
    let i = 0;
    while (i < LATENCY_BOUNDS_MS.length && latencyMs > LATENCY_BOUNDS_MS[i]!) i++;
    this.latencyBuckets[i]!++;
    this.latencySumMs += latencyMs;
  }
}
