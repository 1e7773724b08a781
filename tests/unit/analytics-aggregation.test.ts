/** The aggregation rule shared by embedded mode and the worker, without any database. */
import { describe, expect, test } from "bun:test";
import { DAY_MS, MINUTE_MS, aggregateClicks, ClickTally, splitDelta } from "../../src/analytics/click-aggregation";
import { LocalClickAggregator } from "../../src/analytics/local-click-aggregator";
import type { AnalyticsStore } from "../../src/analytics/analytics-store";
import { InProcessEventBus } from "../../src/events";
import type { LinkEvent } from "../../src/events";

const T0 = Date.UTC(2026, 0, 31, 23, 59, 30); // 30 s before midnight UTC
const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
let seq = 0;

function click(code: string, ts: number, extra: Partial<LinkEvent> = {}): LinkEvent {
  return {
    event_id: `e${seq++}`,
    type: "read",
    status: "OK",
    node: "test",
    redis: null,
    db: null,
    short_code: code,
    latency_ms: 0.1,
    ts,
    cache: "HIT",
    source: "l1",
    referrer: "https://www.example.org/page",
    user_agent: CHROME,
    country: "FR",
    visitor: "v1",
    ...extra,
  };
}

describe("aggregateClicks", () => {
  test("counts OK read events per code and minute, people and bots apart", () => {
    const delta = aggregateClicks([
      click("aaa", T0),
      click("aaa", T0 + 10_000),
      click("aaa", T0 + 40_000), // next minute (and next day)
      click("aaa", T0, { user_agent: "curl/8.0" }),
      click("bbb", T0),
    ]);
    expect(delta.counted).toBe(5);
    expect([...delta.clicksByCode]).toEqual([
      ["aaa", 4],
      ["bbb", 1],
    ]);
    const minute = Math.floor(T0 / MINUTE_MS) * MINUTE_MS;
    expect(delta.minutes).toEqual([
      { code: "aaa", minute, human: 2, bot: 1 },
      { code: "aaa", minute: minute + MINUTE_MS, human: 1, bot: 0 },
      { code: "bbb", minute, human: 1, bot: 0 },
    ]);
  });

  test("NOT_FOUND, ERROR and write events are not clicks", () => {
    const delta = aggregateClicks([
      click("aaa", T0, { status: "NOT_FOUND" }),
      click("aaa", T0, { status: "ERROR" }),
      { ...click("aaa", T0), type: "write", url: "https://example.com" },
    ]);
    expect(delta.counted).toBe(0);
    expect(delta.minutes).toEqual([]);
    expect(delta.clicksByCode.size).toBe(0);
  });

  test("unique visitors are per code and UTC day; bots and events without a visitor hash add none", () => {
    const day = Math.floor(T0 / DAY_MS) * DAY_MS;
    const delta = aggregateClicks([
      click("aaa", T0, { visitor: "v1" }),
      click("aaa", T0 + 1, { visitor: "v1" }),
      click("aaa", T0 + 2, { visitor: "v2" }),
      click("aaa", T0 + 40_000, { visitor: "v1" }), // the next day: a new unique visitor for that day
      click("aaa", T0, { visitor: "v3", user_agent: "Googlebot/2.1" }),
      click("aaa", T0, { visitor: null }),
    ]);
    expect(delta.visitors).toEqual([
      { code: "aaa", day, visitor: "v1" },
      { code: "aaa", day, visitor: "v2" },
      { code: "aaa", day: day + DAY_MS, visitor: "v1" },
    ]);
  });

  test("dimensions count human clicks per day by referrer host, browser, OS, device and country", () => {
    const delta = aggregateClicks([click("aaa", T0), click("aaa", T0, { referrer: null, country: null }), click("aaa", T0, { user_agent: "Twitterbot/1.0" })]);
    const byDimension = (d: string) => delta.dimensions.filter((r) => r.dimension === d).map((r) => [r.value, r.clicks]);
    expect(byDimension("referrer")).toEqual([
      ["(direct)", 1],
      ["example.org", 1],
    ]);
    expect(byDimension("browser")).toEqual([["Chrome", 2]]);
    expect(byDimension("os")).toEqual([["Windows", 2]]);
    expect(byDimension("device")).toEqual([["desktop", 2]]);
    expect(byDimension("country")).toEqual([
      ["(unknown)", 1],
      ["FR", 1],
    ]);
  });

  test("rows come out sorted by key, so concurrent writers lock rows in one order", () => {
    const delta = aggregateClicks(["ccc", "aaa", "bbb", "aaa"].map((c, i) => click(c, T0 + i * MINUTE_MS * 2)));
    const keys = delta.minutes.map((r) => `${r.code}/${r.minute}`);
    expect(keys).toEqual([...keys].sort());
  });
});

describe("tallies and parts of a delta", () => {
  const traffic = () =>
    Array.from({ length: 400 }, (_, i) =>
      click(`c${i % 37}`, T0 + (i % 5) * MINUTE_MS, {
        visitor: `v${i % 11}`,
        user_agent: i % 4 ? CHROME : "Googlebot/2.1",
        referrer: i % 3 ? `https://r${i % 6}.example/` : null,
      }),
    );

  test("parts of a delta add up to the delta, keep each code whole, and stay under the row bound", () => {
    const delta = aggregateClicks(traffic());
    const parts = splitDelta(delta, 40);
    expect(parts.length).toBeGreaterThan(3);
    const merged = new ClickTally();
    for (const part of parts) {
      merged.merge(part);
      const codes = new Set(part.clicksByCode.keys());
      for (const row of [...part.minutes, ...part.visitors, ...part.dimensions]) expect(codes.has(row.code)).toBe(true);
      // A part only passes the bound when one code alone does.
      if (part.clicksByCode.size > 1)
        expect(part.minutes.length + part.visitors.length + part.dimensions.length + part.clicksByCode.size).toBeLessThanOrEqual(40);
    }
    expect(merged.take()).toEqual(delta);
  });

  test("a tally taken in parts gives the same rows as taken whole, and is empty at once", () => {
    const events = traffic();
    const whole = new ClickTally();
    const inParts = new ClickTally();
    for (const e of events) {
      whole.add(e);
      inParts.add(e);
    }
    const parts = inParts.takeParts(40);
    expect(inParts.isEmpty).toBe(true); // new clicks start a new tally while the parts are written
    const merged = new ClickTally();
    let count = 0;
    for (const part of parts) {
      merged.merge(part);
      count++;
    }
    expect(count).toBeGreaterThan(3);
    expect(merged.take()).toEqual(whole.take());
  });

  test("a part a store could not write is merged back and written once with the next flush", async () => {
    const bus = new InProcessEventBus();
    const written: ReturnType<typeof aggregateClicks>[] = [];
    let failures = 2;
    const store = {
      applyDelta: async (delta: ReturnType<typeof aggregateClicks>) => {
        if (failures-- > 0) return delta;
        written.push(delta);
        return null;
      },
    } as unknown as AnalyticsStore;
    const aggregator = new LocalClickAggregator(bus, store, { intervalMs: 60_000, partRows: 50 });
    const events = traffic();
    for (const e of events) bus.publish("link.clicked", e);
    await bus.flush();
    await aggregator.flush(); // the first two parts fail
    await aggregator.flush(); // and go out here
    const total = new ClickTally();
    for (const d of written) total.merge(d);
    expect(total.take()).toEqual(aggregateClicks(events));
    expect(aggregator.stats()).toMatchObject({ received: 400, counted: 400, writeErrors: 2 });
    await aggregator.close();
  });
});
