/** Embedded mode's click window: fixed-size records rolled up with the tally's own rule. */
import { describe, expect, test } from "bun:test";
import { MINUTE_MS, DAY_MS, aggregateClicks, ClickTally, type ClickDelta } from "../../src/analytics/click-aggregation";
import { ClickWindow } from "../../src/analytics/click-window";
import { LocalClickAggregator } from "../../src/analytics/local-click-aggregator";
import type { AnalyticsStore } from "../../src/analytics/analytics-store";
import { InProcessEventBus, type LinkEvent } from "../../src/events";

const T0 = Date.UTC(2026, 5, 30, 23, 50);
const AGENTS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  "Googlebot/2.1 (+http://www.google.com/bot.html)",
  "",
  null,
];
let seq = 0;

/** Seeded, so a failure repeats: clicks over many codes, two UTC days, out of time order. */
function traffic(n: number, codes: number, seed = 7): LinkEvent[] {
  // xorshift32: seeded, so a run repeats (an LCG in doubles loses its low bits past 2^53)
  let x = seed | 1;
  const rand = (k: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % k;
  };
  return Array.from({ length: n }, () => ({
    event_id: `w${seq++}`,
    type: "read" as const,
    status: rand(20) === 0 ? ("NOT_FOUND" as const) : ("OK" as const),
    node: "test",
    redis: null,
    db: null,
    short_code: `k${rand(codes).toString(36)}`,
    latency_ms: 0.1,
    ts: T0 + rand(30) * MINUTE_MS + rand(MINUTE_MS),
    referrer: [null, "", "https://www.news.example/a", "https://blog.example/b?x=1", "not a url"][rand(5)],
    user_agent: AGENTS[rand(AGENTS.length)],
    country: [null, "fr", "DE", "T1", "zz9"][rand(5)],
    visitor: rand(6) === 0 ? null : `v${rand(50)}`,
    variant: rand(4) === 0 ? ["a", "b", "x".repeat(40)][rand(3)] : null,
  }));
}

function rolledUp(window: ClickWindow, maxRows: number): ClickDelta {
  const merged = new ClickTally();
  for (const part of window.rollUp(maxRows)) merged.merge(part);
  return merged.take();
}

describe("ClickWindow", () => {
  test("rolls up to exactly the rows the tally gives, bots, misses, empty headers and variants included", () => {
    const events = traffic(5_000, 400);
    const window = new ClickWindow();
    for (const e of events) window.add(e);
    const expected = aggregateClicks(events);
    expect(expected.minutes.some((r) => r.minute >= T0 - (T0 % DAY_MS) + DAY_MS)).toBe(true); // the traffic crosses midnight
    expect(window.length).toBe(expected.counted);
    const [whole] = [...window.rollUp(Number.MAX_SAFE_INTEGER)];
    expect(whole).toEqual(expected);
  });

  test("parts come in code order, keep each code whole, and add up to the whole", () => {
    const events = traffic(3_000, 300, 11);
    const window = new ClickWindow();
    for (const e of events) window.add(e);
    const parts = [...window.rollUp(100)];
    expect(parts.length).toBeGreaterThan(10);
    const codes = parts.flatMap((p) => [...p.clicksByCode.keys()]);
    expect(codes).toEqual([...new Set(codes)].sort());
    expect(rolledUp(window, 100)).toEqual(aggregateClicks(events));
  });

  test("grows past its first capacity without losing a click", () => {
    const window = new ClickWindow();
    const events = traffic(20_000, 5, 3);
    for (const e of events) window.add(e);
    expect([...window.rollUp(Number.MAX_SAFE_INTEGER)][0]).toEqual(aggregateClicks(events));
  });
});

/** A store that records what it is given. */
function recordingStore(): { store: AnalyticsStore; writes: ClickDelta[] } {
  const writes: ClickDelta[] = [];
  const applyDelta = async (delta: ClickDelta) => {
    writes.push(delta);
    return null;
  };
  const store = { applyDelta } as unknown as AnalyticsStore;
  return { store, writes };
}

const counted = (writes: ClickDelta[]) => writes.reduce((n, d) => n + d.counted, 0);

describe("LocalClickAggregator windows", () => {
  test("a narrow window is written every interval", async () => {
    const bus = new InProcessEventBus();
    const { store, writes } = recordingStore();
    const aggregator = new LocalClickAggregator(bus, store, { intervalMs: 50, wideAboveCodes: 100 });
    for (const e of traffic(200, 10)) bus.publish("link.clicked", e);
    await bus.flush();
    await Bun.sleep(160);
    expect(counted(writes)).toBe(aggregator.stats().counted);
    expect(counted(writes)).toBeGreaterThan(150);
    await aggregator.close();
  });

  test("a wide window stays open while clicks keep coming, and closes when they stop", async () => {
    const bus = new InProcessEventBus();
    const { store, writes } = recordingStore();
    const aggregator = new LocalClickAggregator(bus, store, { intervalMs: 100, wideAboveCodes: 50, maxWindowMs: 60_000 });
    const events = traffic(4_000, 3_000, 5);
    for (let i = 0; i < 8; i++) {
      for (const e of events.slice(i * 500, (i + 1) * 500)) bus.publish("link.clicked", e);
      await bus.flush();
      await Bun.sleep(30); // shorter than the interval: every tick sees the window grow
    }
    expect(writes.length).toBe(0); // two intervals and more of new clicks: still one window
    await Bun.sleep(350);
    expect(writes.length).toBeGreaterThan(0);
    const merged = new ClickTally();
    for (const d of writes) merged.merge(d);
    expect(merged.take()).toEqual(aggregateClicks(events));
    await aggregator.close();
  });

  test("a wide window closes at its click bound and when it is old, even under steady clicks", async () => {
    const bus = new InProcessEventBus();
    const bounded = recordingStore();
    const byClicks = new LocalClickAggregator(bus, bounded.store, { intervalMs: 60_000, wideAboveCodes: 10, windowClicks: 1_000 });
    for (const e of traffic(1_200, 2_000, 9)) bus.publish("link.clicked", e);
    await bus.flush();
    await Bun.sleep(20);
    expect(counted(bounded.writes)).toBeGreaterThanOrEqual(1_000);
    await byClicks.close();

    const aged = recordingStore();
    const byAge = new LocalClickAggregator(bus, aged.store, { intervalMs: 30, wideAboveCodes: 10, maxWindowMs: 120 });
    const started = Date.now();
    while (aged.writes.length === 0 && Date.now() - started < 2_000) {
      for (const e of traffic(50, 2_000, Date.now() % 1000)) bus.publish("link.clicked", e);
      await bus.flush();
      await Bun.sleep(10);
    }
    expect(aged.writes.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(1_000);
    await byAge.close();
  });
});
