/**
 * `bun bench/stats-latency.ts`: how fast the stats endpoint answers for a busy link in a big store.
 * Fills an embedded store's aggregates through the AnalyticsStore (the rows a day of clicks
 * leaves): one link with --clicks clicks over the last --days days (every minute of those days,
 * a few thousand visitors and a realistic spread of referrers, browsers, systems, devices and
 * countries per day), plus --other-visits clicks over --other-links other links, then starts
 * `ringlink serve` on 127.0.0.1 and times GET /api/v1/links/{code}/stats for the default range
 * (hourly, a day) and for the whole span (daily). Loopback only, bounded: --requests per range.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DAY_MS, MINUTE_MS, type ClickDelta } from "../src/analytics/click-aggregation";
import { SqliteAnalyticsStore } from "../src/analytics/sqlite-analytics-store";
import { progressBar } from "../src/cli/progress";
import { randomCode } from "../src/ids";
import { SqliteLinkStore } from "../src/storage";
import { parseBenchArgs, usageError } from "./lib/args";
import { loopbackBase } from "./lib/loopback";
import { startProcess, stopProcess } from "./lib/processes";

const values = parseBenchArgs("usage: bun bench/stats-latency.ts [options]\n\nStats endpoint latency for a link with many clicks, embedded.", {
  clicks: { type: "string", default: "1000000", help: "clicks of the measured link" },
  days: { type: "string", default: "30", help: "days they spread over" },
  "other-links": { type: "string", default: "300000", help: "other links with clicks" },
  "other-visits": { type: "string", default: "9000000", help: "clicks spread over the other links" },
  requests: { type: "string", default: "200", help: "stats requests per range" },
});
const clicks = Number(values.clicks);
const days = Number(values.days);
const otherLinks = Number(values["other-links"]);
const otherVisits = Number(values["other-visits"]);
const requests = Number(values.requests);
if (!(clicks >= days * 1440 && days >= 1 && days <= 365 && otherLinks >= 0 && otherLinks <= 2_000_000 && requests >= 1 && requests <= 10_000)) {
  usageError("--clicks at least one per minute of --days (1..365), --other-links 0..2000000, --requests 1..10000");
}

const REFERRERS = Array.from({ length: 60 }, (_, i) => (i === 0 ? "(direct)" : `site${i}.example`));
const BROWSERS = ["Chrome", "Safari", "Firefox", "Edge", "Samsung Internet", "Opera"];
const SYSTEMS = ["Windows", "iOS", "Android", "macOS", "Linux", "ChromeOS"];
const DEVICES = ["desktop", "mobile", "tablet"];
const COUNTRIES = ["US", "GB", "DE", "FR", "IN", "BR", "JP", "NL", "ES", "IT", "CA", "AU", "MX", "PL", "SE", "(unknown)"];

const dir = mkdtempSync(join(tmpdir(), "ringlink-stats-bench-"));
const path = join(dir, "ringlink.sqlite");
try {
  const links = new SqliteLinkStore(path);
  const analytics = new SqliteAnalyticsStore(path);
  const code = "busy1M";
  const now = Date.now();
  let id = BigInt(now) << 20n;
  await links.insert({
    id: id++,
    code,
    url: "https://example.com/busy",
    urlHash: "busy",
    isAlias: false,
    canonical: false,
    redirectType: 302,
    createdAt: now,
    expiresAt: null,
    maxClicks: null,
  });
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const perMinute = Math.floor(clicks / (days * 1440));
  const bar = progressBar("filling the busy link's aggregates", days);
  for (let d = 0; d < days; d++) {
    const day = today - d * DAY_MS;
    const delta: ClickDelta = { counted: perMinute * 1440, clicksByCode: new Map([[code, perMinute * 1440]]), minutes: [], visitors: [], dimensions: [] };
    for (let m = 0; m < 1440; m++)
      delta.minutes.push({ code, minute: day + m * MINUTE_MS, human: perMinute - Math.floor(perMinute / 10), bot: Math.floor(perMinute / 10) });
    for (let v = 0; v < Math.min(10_000, perMinute * 1440); v++) delta.visitors.push({ code, day, visitor: `${d}-${v.toString(36)}` });
    const spread = (dimension: "referrer" | "browser" | "os" | "device" | "country", list: string[]) => {
      list.forEach((value, i) => {
        delta.dimensions.push({ code, day, dimension, value, clicks: Math.max(1, Math.floor((perMinute * 1440) / (i + 2))) });
      });
    };
    spread("referrer", REFERRERS);
    spread("browser", BROWSERS);
    spread("os", SYSTEMS);
    spread("device", DEVICES);
    spread("country", COUNTRIES);
    await analytics.applyDelta(delta);
    bar.tick(1);
  }
  bar.done();
  if (otherLinks > 0) {
    const perLink = Math.max(1, Math.floor(otherVisits / otherLinks));
    const fill = progressBar(`filling ${otherLinks} other links (${perLink} clicks each)`, otherLinks);
    for (let i = 0; i < otherLinks; i += 5_000) {
      const delta: ClickDelta = { counted: 0, clicksByCode: new Map(), minutes: [], visitors: [], dimensions: [] };
      for (let j = i; j < Math.min(otherLinks, i + 5_000); j++) {
        const other = `o${randomCode(8)}`;
        delta.clicksByCode.set(other, perLink);
        delta.counted += perLink;
        delta.minutes.push({ code: other, minute: today + (j % 1440) * MINUTE_MS, human: perLink, bot: 0 });
        delta.visitors.push({ code: other, day: today, visitor: `v${j}` });
        delta.dimensions.push({ code: other, day: today, dimension: "browser", value: BROWSERS[j % BROWSERS.length]!, clicks: perLink });
        delta.dimensions.push({ code: other, day: today, dimension: "country", value: COUNTRIES[j % COUNTRIES.length]!, clicks: perLink });
      }
      await analytics.applyDelta(delta);
      fill.tick(Math.min(5_000, otherLinks - i));
    }
    fill.done();
  }
  await analytics.close();
  await links.close();

  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  const base = loopbackBase(port);
  const server = await startProcess(["bun", join(import.meta.dir, "../src/main.ts"), "serve", "--port", String(port)], {
    env: { DATA_DIR: dir, DATABASE_NODES: "", REDIS_NODES: "", KAFKA_BROKERS: "", ACCESS_LOG: "off", RATE_LIMIT_READS: "off" },
    readyUrl: `${base}/healthz`,
  });
  try {
    const ranges: Array<[string, string]> = [
      ["default range (hourly, last 24 h)", `${base}/api/v1/links/${code}/stats`],
      [`${days} days, daily`, `${base}/api/v1/links/${code}/stats?interval=day&from=${new Date(today - (days - 1) * DAY_MS).toISOString()}`],
      [`${days} days, hourly`, `${base}/api/v1/links/${code}/stats?interval=hour&from=${new Date(today - (days - 1) * DAY_MS).toISOString()}`],
    ];
    for (const [label, url] of ranges) {
      const first = await fetch(url);
      if (!first.ok) throw new Error(`${label}: ${first.status} ${await first.text()}`);
      const body = (await first.json()) as { totals?: { clicks?: number } };
      const ms: number[] = [];
      for (let i = 0; i < requests; i++) {
        const t = performance.now();
        const res = await fetch(url);
        await res.arrayBuffer();
        ms.push(performance.now() - t);
      }
      ms.sort((a, b) => a - b);
      const q = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]!.toFixed(1);
      console.log(`${label}: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms over ${requests} requests (clicks in range: ${body.totals?.clicks ?? "?"})`);
    }
  } finally {
    await stopProcess(server);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
