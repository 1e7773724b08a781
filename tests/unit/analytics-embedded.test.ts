/**
 * Click analytics in embedded mode: redirects -> in-process bus -> aggregates in SQLite -> the
 * stats endpoint and the link's `clicks`; plus the SQLite store's exactly-once rules on their own.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteAnalyticsStore } from "../../src/analytics";
import { HOUR_MS, MINUTE_MS } from "../../src/analytics/click-aggregation";
import type { LinkEvent } from "../../src/events";
import { SqliteLinkStore } from "../../src/storage";
import { startTestApp, type TestApp } from "../support/embedded-app";
import { longestStall } from "../support/event-loop";

const ADMIN = "analytics-admin-token-0123456789abcdef";

const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
const IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ ADMIN_TOKEN: ADMIN });
});
afterAll(() => app.close());

async function stats(code: string, query = ""): Promise<{ status: number; body: any }> {
  const res = await app.request(`/api/v1/links/${code}/stats${query}`);
  return { status: res.status, body: await res.json() };
}

/** Polls until the aggregator has written `human + bot` clicks (it writes every second, or when flushed). */
async function settled(code: string, total: number): Promise<any> {
  await app.runtime.flushAnalytics();
  const deadline = Date.now() + 3_000;
  for (;;) {
    const { body } = await stats(code, "?interval=minute");
    if (body.totals?.clicks >= total || Date.now() > deadline) return body;
    await Bun.sleep(25);
  }
}

describe("embedded click analytics", () => {
  test("people and bots are counted apart, and the series sums to the totals and to clicks", async () => {
    const { json: link } = await app.createLink({ url: "https://example.com/embedded-stats" });
    const visit = (headers: Record<string, string>) => app.request(`/${link.code}`, { headers });
    for (let i = 0; i < 12; i++) await visit({ "user-agent": CHROME, referer: "https://news.example.net/x", "cf-ipcountry": "de" });
    for (let i = 0; i < 5; i++) await visit({ "user-agent": IPHONE, "x-country-code": "FR" });
    for (const bot of ["Googlebot/2.1", "curl/8.0", "facebookexternalhit/1.1", "python-requests/2.31"]) await visit({ "user-agent": bot });
    await app.request(`/${link.code}`); // no User-Agent at all: a script
    await app.request(`/${link.code}`, { method: "HEAD", headers: { "user-agent": CHROME } }); // not a click
    await app.request("/zzzzzzz", { headers: { "user-agent": CHROME } }); // unknown code: not a click

    const body = await settled(link.code, 22);
    expect(body.totals).toEqual({ clicks: 22, human: 17, bot: 5, unique: 0 });
    const sum = body.series.reduce((acc: any, p: any) => ({ human: acc.human + p.human, bot: acc.bot + p.bot }), { human: 0, bot: 0 });
    expect(sum).toEqual({ human: 17, bot: 5 });
    expect(body.top.browsers).toEqual([
      { value: "Chrome", clicks: 12 },
      { value: "Safari", clicks: 5 },
    ]);
    expect(body.top.devices).toEqual([
      { value: "desktop", clicks: 12 },
      { value: "mobile", clicks: 5 },
    ]);
    expect(body.top.os).toEqual([
      { value: "Windows", clicks: 12 },
      { value: "iOS", clicks: 5 },
    ]);
    expect(body.top.referrers).toEqual([
      { value: "news.example.net", clicks: 12 },
      { value: "(direct)", clicks: 5 },
    ]);
    expect(body.top.countries).toEqual([
      { value: "DE", clicks: 12 },
      { value: "FR", clicks: 5 },
    ]);

    const view = (await (await app.request(`/api/v1/links/${link.code}`)).json()) as any;
    expect(view.clicks).toBe(22);
  });

  test("the series is dense, bucket-aligned, and `to`'s bucket is included", async () => {
    const { json: link } = await app.createLink({ url: "https://example.com/embedded-series" });
    const { status, body } = await stats(link.code, "?interval=hour&from=2026-01-01T10:30:00Z&to=2026-01-01T15:10:00Z");
    expect(status).toBe(200);
    expect(body.from).toBe("2026-01-01T10:00:00.000Z");
    expect(body.to).toBe("2026-01-01T16:00:00.000Z");
    expect(body.series.map((p: any) => p.t)).toEqual([10, 11, 12, 13, 14, 15].map((h) => `2026-01-01T${h}:00:00.000Z`));
    expect(body.series.every((p: any) => p.human === 0 && p.bot === 0)).toBe(true);
    expect(body.totals).toEqual({ clicks: 0, human: 0, bot: 0, unique: 0 });
  });

  test("defaults: the last 24 hours by hour", async () => {
    const { json: link } = await app.createLink({ url: "https://example.com/embedded-default" });
    const { body } = await stats(link.code);
    expect(body.interval).toBe("hour");
    expect(body.series).toHaveLength(24);
    expect(Date.parse(body.to)).toBeGreaterThan(Date.now());
  });

  test.each([
    ["?interval=week", "invalid_interval"],
    ["?from=yesterday", "invalid_from"],
    ["?to=2026-13-45T99:00:00Z", "invalid_to"],
    ["?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "invalid_range"],
    ["?interval=minute&from=2026-01-01T00:00:00Z&to=2026-01-08T00:00:00Z", "too_many_buckets"],
  ])("%s is 400 %s", async (query, code) => {
    const { json: link } = await app.createLink({ url: "https://example.com/embedded-invalid" });
    const { status, body } = await stats(link.code, query);
    expect(status).toBe(400);
    expect(body.error.code).toBe(code);
  });

  test("10,000 buckets are allowed, 10,001 are not", async () => {
    const { json: link } = await app.createLink({ url: "https://example.com/embedded-buckets" });
    const from = Date.UTC(2026, 0, 1);
    expect((await stats(link.code, `?interval=minute&from=${from}&to=${from + 9_999 * MINUTE_MS}`)).status).toBe(200);
    expect((await stats(link.code, `?interval=minute&from=${from}&to=${from + 10_000 * MINUTE_MS}`)).status).toBe(400);
  });

  test("an unknown code is 404, a deleted one 410", async () => {
    expect((await stats("nosuchcode")).status).toBe(404);
    const { json: link } = await app.createLink({ url: "https://example.com/embedded-deleted" });
    await app.request(`/api/v1/links/${link.code}`, { method: "DELETE", headers: { authorization: `Bearer ${ADMIN}` } });
    expect((await stats(link.code)).status).toBe(410);
  });

  test("the endpoint is in the OpenAPI document with its query parameters", async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as any;
    const op = doc.paths["/api/v1/links/{code}/stats"]?.get;
    expect(op).toBeDefined();
    expect(op.parameters.map((p: any) => p.name).sort()).toEqual(["code", "domain", "from", "interval", "to", "top"]);
  });
});

describe("SqliteAnalyticsStore exactly-once rules", () => {
  let dir: string;
  let links: SqliteLinkStore;
  let store: SqliteAnalyticsStore;
  const T = Date.UTC(2026, 2, 1, 12, 0, 0);
  let seq = 0;
  const click = (code: string, ts = T, extra: Partial<LinkEvent> = {}): LinkEvent => ({
    event_id: `ev-${seq++}`,
    type: "read",
    status: "OK",
    node: "t",
    redis: null,
    db: null,
    short_code: code,
    latency_ms: 0,
    ts,
    user_agent: CHROME,
    referrer: null,
    country: null,
    visitor: `vis-${seq % 3}`,
    ...extra,
  });
  const total = async (code: string) => {
    const data = await store.read({ code, from: T - HOUR_MS, to: T + HOUR_MS, stepMs: HOUR_MS, topLimit: 5 });
    return data.series.reduce((n, p) => n + p.human + p.bot, 0);
  };
  const source = { group: "g", topic: "link.clicked", partition: 0 };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "ringlink-analytics-"));
    links = new SqliteLinkStore(join(dir, "db.sqlite"));
    store = new SqliteAnalyticsStore(join(dir, "db.sqlite"));
  });
  afterAll(async () => {
    await store.close();
    await links.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the same events applied twice are counted once (dedupe by event id)", async () => {
    const events = Array.from({ length: 10 }, () => click("dup"));
    expect(await store.apply({ events })).toEqual({ counted: 10, duplicates: 0, alreadyApplied: 0 });
    expect(await store.apply({ events })).toEqual({ counted: 0, duplicates: 10, alreadyApplied: 0 });
    expect(await total("dup")).toBe(10);
  });

  test("humanClickTotal sums people's clicks over every link: bots and duplicates add nothing", async () => {
    const before = await store.humanClickTotal();
    const people = [...Array.from({ length: 7 }, () => click("tot-a")), ...Array.from({ length: 5 }, () => click("tot-b", T + 3 * MINUTE_MS))];
    const bots = Array.from({ length: 4 }, () => click("tot-a", T, { user_agent: "curl/8.5.0", visitor: null }));
    await store.apply({ events: [...people, ...bots] });
    await store.apply({ events: people });
    expect((await store.humanClickTotal()) - before).toBe(12);
  });

  test("a redelivered Kafka batch is skipped by its stored offset; the new tail is applied", async () => {
    const events = Array.from({ length: 15 }, () => click("offs"));
    const offsets = events.map((_, i) => 100 + i);
    const first = { events: events.slice(0, 10), kafka: { source, offsets: offsets.slice(0, 10), nextOffset: 110 } };
    expect(await store.apply(first)).toEqual({ counted: 10, duplicates: 0, alreadyApplied: 0 });
    // After a crash before the Kafka commit, the consumer gets 105..114 again.
    const again = { events: events.slice(5), kafka: { source, offsets: offsets.slice(5), nextOffset: 115 } };
    expect(await store.apply(again)).toEqual({ counted: 5, duplicates: 0, alreadyApplied: 5 });
    expect(await total("offs")).toBe(15);
  });

  test("links.clicks grows in the same transaction as the aggregates", async () => {
    await links.insert({
      id: 1n,
      code: "withrow",
      url: "https://example.com",
      urlHash: "h",
      isAlias: false,
      canonical: false,
      redirectType: 302,
      createdAt: T,
      expiresAt: null,
      maxClicks: null,
    });
    await store.apply({ events: [click("withrow"), click("withrow", T, { user_agent: "curl/8" })] });
    expect((await links.findByCode("withrow"))?.clicks).toBe(2);
  });

  test("reads group minutes into the asked interval and count unique human visitors per day", async () => {
    const events = [click("read", T), click("read", T + 61_000), click("read", T + 2 * HOUR_MS), click("read", T, { user_agent: "Googlebot" })];
    await store.apply({ events });
    const data = await store.read({ code: "read", from: T, to: T + 3 * HOUR_MS, stepMs: HOUR_MS, topLimit: 5 });
    expect(data.series).toEqual([
      { t: T, human: 2, bot: 1 },
      { t: T + 2 * HOUR_MS, human: 1, bot: 0 },
    ]);
    expect(data.unique).toBe(new Set(events.slice(0, 3).map((e) => e.visitor)).size);
    expect(data.top.browser).toEqual([{ value: "Chrome", clicks: 3 }]);
  });

  test("pruning forgets old event ids only", async () => {
    await store.apply({ events: [click("prune")] });
    expect(await store.pruneProcessed(Date.now() - 60_000)).toBe(0);
    expect(await store.pruneProcessed(Date.now() + 60_000)).toBeGreaterThan(0);
  });
});

describe("embedded stats reads", () => {
  test("a link with 200,000 distinct referrers in a day is read off the serving thread: the event loop keeps turning", async () => {
    const code = (await app.createLink({ url: "https://example.com/many-referrers" })).json.code;
    const { Database } = await import("bun:sqlite");
    const db = new Database(join(app.runtime.config.dataDir, "ringlink.sqlite"));
    const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
    db.exec("PRAGMA busy_timeout = 5000");
    db.transaction(() => {
      const row = db.query("INSERT INTO click_dimensions (code, day_start, dimension, dim_value, clicks) VALUES (?, ?, 'referrer', ?, 1)");
      for (let i = 0; i < 200_000; i++) row.run(code, today, `r${i}.example`);
    })();
    db.close();

    const { result, stallMs } = await longestStall(() => stats(code, "?interval=day&top=3"));
    const { status, body } = result;
    expect(status).toBe(200);
    expect(body.top.referrers).toEqual([
      { value: "r0.example", clicks: 1 },
      { value: "r1.example", clicks: 1 },
      { value: "r10.example", clicks: 1 },
    ]);
    expect(stallMs).toBeLessThan(150);
  }, 60_000);
});
