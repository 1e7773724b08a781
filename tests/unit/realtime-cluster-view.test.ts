import { describe, expect, test } from "bun:test";
import { LATENCY_BOUNDS_MS } from "../../src/observability";
import { ClusterView, FORGET_AFTER_MS, STALE_AFTER_MS } from "../../src/realtime/cluster-view";
import { quantileMs } from "../../src/realtime/latency";
import type { ProcessReport } from "../../src/realtime/wire";

function report(node: string, requests: number, extra: Partial<ProcessReport> = {}): ProcessReport {
  const latency = new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0);
  latency[1] = requests; // everything in (0.01, 0.025] ms
  return {
    node,
    instance: node.split(".")[0]!,
    pid: 1,
    started_at: 0,
    interval_ms: 1000,
    requests,
    api: 0,
    writes: 0,
    reads: requests,
    hits: requests,
    misses: 0,
    errors: 0,
    not_found: 0,
    gone: 0,
    latency,
    totals: { requests, api: 0, writes: 0, hits: requests, misses: 0, errors: 0, not_found: 0 },
    ready: true,
    deps_down: 0,
    ws_clients: 0,
    events_published: requests,
    events_dropped: 0,
    ...extra,
  };
}

describe("ClusterView", () => {
  test("a tick sums every process's second; req/s is the sum of their rates", () => {
    const now = 10_000;
    const view = new ClusterView(() => now);
    view.ingest("a/1", report("h#0.0", 20_000));
    view.ingest("b/1", report("h#0.1", 30_000, { interval_ms: 1_200 }));
    const tick = view.tick(9_000);
    expect(tick.requests).toBe(50_000);
    expect(tick.rps).toBe(20_000 + 25_000);
    expect(tick.processes).toBe(2);
    expect(tick.hit_rate).toBe(1);
  });

  test("a late report lands in the next tick (nothing lost) and its last rate stands in meanwhile", () => {
    let now = 0;
    const view = new ClusterView(() => now);
    view.ingest("a/1", report("h#0.0", 100));
    view.ingest("b/1", report("h#0.1", 100));
    expect(view.tick(0).rps).toBe(200);
    now = 1_000;
    view.ingest("a/1", report("h#0.0", 100)); // b's report for this second is late
    const late = view.tick(1_000);
    expect(late.requests).toBe(100);
    expect(late.rps).toBe(200);
    now = 2_000;
    view.ingest("a/1", report("h#0.0", 100));
    view.ingest("b/1", report("h#0.1", 100));
    view.ingest("b/1", report("h#0.1", 100));
    const caughtUp = view.tick(2_000);
    expect(caughtUp.requests).toBe(300);
    expect(caughtUp.rps).toBe(200);
  });

  test("percentiles come from the merged histogram, not an average of percentiles", () => {
    const view = new ClusterView(() => 0);
    const slow = new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0);
    slow[LATENCY_BOUNDS_MS.indexOf(10)] = 10; // 10 requests in (5, 10] ms
    view.ingest("a/1", report("h#0.0", 990));
    view.ingest("b/1", report("h#0.1", 10, { latency: slow }));
    const tick = view.tick(0);
    expect(tick.p50_ms!).toBeLessThan(0.025);
    expect(tick.p99_ms!).toBeLessThanOrEqual(0.025);
    const p999 = quantileMs(
      [...report("x", 990).latency].map((v, i) => v + (slow[i] ?? 0)),
      0.999,
    );
    expect(p999!).toBeGreaterThan(5);
  });

  test("cache metrics add up hits and misses of every process, or of one instance", () => {
    const view = new ClusterView(() => 0);
    view.ingest("a/1", report("h#0.0", 0, { totals: { requests: 10, api: 0, writes: 0, hits: 9, misses: 1, errors: 0, not_found: 0 } }));
    view.ingest("b/1", report("k#1.0", 0, { instance: "k#1", totals: { requests: 10, api: 0, writes: 0, hits: 1, misses: 9, errors: 0, not_found: 0 } }));
    expect(view.cacheMetrics()).toEqual({ hits: 10, misses: 10, total: 20, hit_rate: 0.5, miss_rate: 0.5 });
    expect(view.cacheMetrics("k#1")).toMatchObject({ hits: 1, misses: 9, hit_rate: 0.1 });
    expect(view.totals()).toMatchObject({ requests: 20, processes: 2, instances: 2 });
  });

  test("a restarted process replaces its old self; a silent one turns stale, then is forgotten", () => {
    let now = 0;
    const view = new ClusterView(() => now);
    view.ingest("a/boot1", report("h#0.0", 5));
    view.ingest("a/boot2", report("h#0.0", 7));
    expect(view.nodes().map((n) => n.requests)).toEqual([7]);
    now = STALE_AFTER_MS + 1;
    expect(view.nodes()[0]!.status).toBe("stale");
    now = FORGET_AFTER_MS + 1;
    view.tick(now);
    expect(view.nodes()).toEqual([]);
  });

  test("the history keeps the last two minutes of ticks", () => {
    const view = new ClusterView(() => 0);
    for (let i = 0; i < 300; i++) view.tick(i * 1000);
    const history = view.history();
    expect(history).toHaveLength(120);
    expect(history[history.length - 1]!.t).toBe(299_000);
  });
});
