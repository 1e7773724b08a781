/**
 * Percentiles from bucket counts. Each process keeps per-bucket latency counts (plain numbers on
 * the hot path); the cluster's percentiles come from the summed buckets, because percentiles of
 * different processes cannot be averaged.
 */
import { LATENCY_BOUNDS_MS } from "../observability";

export const LATENCY_BUCKETS = LATENCY_BOUNDS_MS.length + 1;

export function emptyBuckets(): number[] {
  return new Array<number>(LATENCY_BUCKETS).fill(0);
}

export function addBuckets(into: number[], from: readonly number[]): void {
  for (let i = 0; i < into.length && i < from.length; i++) into[i]! += from[i] ?? 0;
}

/**
 * The q-quantile (0..1) in ms, interpolated linearly inside its bucket; null without samples.
 * Values past the last bound are reported as that bound (the histogram knows nothing finer).
 */
export function quantileMs(buckets: readonly number[], q: number): number | null {
  let total = 0;
  for (const c of buckets) total += c;
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    const count = buckets[i]!;
    if (count > 0 && seen + count >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!;
      const upper = i < LATENCY_BOUNDS_MS.length ? LATENCY_BOUNDS_MS[i]! : lower;
      const within = (rank - seen) / count;
      return round3(lower + (upper - lower) * within);
    }
    seen += count;
  }
  return round3(LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1]!);
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
