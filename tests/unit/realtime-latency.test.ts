import { describe, expect, test } from "bun:test";
import { LATENCY_BOUNDS_MS, RedirectStats } from "../../src/observability";
import { quantileMs } from "../../src/realtime/latency";

/** The plain definition: the first bucket whose upper bound is >= the value. */
function naiveBucket(ms: number): number {
  let i = 0;
  while (i < LATENCY_BOUNDS_MS.length && ms > LATENCY_BOUNDS_MS[i]!) i++;
  return i;
}

describe("RedirectStats latency buckets", () => {
  test("the table lookup for fast redirects puts every value where a scan would, bounds included", () => {
    const values = [0, 0.001, 0.0025, 0.01, 0.0100001, 0.025, 0.05, 0.0749, 0.075, 0.1, 0.1000001, 0.3, 7, 999, 1000, 5000];
    for (let i = 0; i < 20_000; i++) values.push(Math.random() * 0.2);
    for (const v of values) {
      const stats = new RedirectStats();
      stats.record("redirect", true, v);
      expect({ v, bucket: stats.latencyBuckets.indexOf(1) }).toEqual({ v, bucket: naiveBucket(v) });
    }
  });
});

describe("quantileMs", () => {
  const buckets = (pairs: Array<[number, number]>) => {
    const b = new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0);
    for (const [boundMs, count] of pairs) b[LATENCY_BOUNDS_MS.indexOf(boundMs as never)] = count;
    return b;
  };

  test("is null without samples", () => {
    expect(quantileMs(buckets([]), 0.5)).toBeNull();
  });

  test("interpolates inside the bucket that holds the rank", () => {
    // 100 samples in (0.01, 0.025]: the median sits half-way through that bucket
    expect(quantileMs(buckets([[0.025, 100]]), 0.5)).toBeCloseTo(0.0175, 3);
    // 99 fast, 1 slow: p99 is still fast, the maximum is slow
    const mixed = buckets([
      [0.025, 99],
      [10, 1],
    ]);
    expect(quantileMs(mixed, 0.99)!).toBeLessThanOrEqual(0.025);
    expect(quantileMs(mixed, 1)!).toBeGreaterThan(5);
  });

  test("reports values past the last bound as that bound", () => {
    const b = new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0);
    b[LATENCY_BOUNDS_MS.length] = 5;
    expect(quantileMs(b, 0.5)).toBe(1000);
  });
});
