/**
 * `bun bench/analytics-write.ts`: what embedded mode's analytics write path costs per click when
 * the clicks spread uniformly over many links (the matrix's uniform scenario), split into its three
 * steps: appending the click to the window (the redirect thread, per click), rolling the window up
 * into sorted rows, and writing the rows to SQLite in parts. A store of --links links is filled
 * first; then --windows windows of --clicks uniformly random clicks are written one after another.
 * No server and no network: the store is a temporary SQLite file.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClickWindow } from "../src/analytics/click-window";
import { SqliteAnalyticsStore } from "../src/analytics/sqlite-analytics-store";
import { progressBar } from "../src/cli/progress";
import type { LinkEvent } from "../src/events";
import { openDatabase } from "../src/sqlite";
import { SqliteLinkStore } from "../src/storage";
import { parseBenchArgs, usageError } from "./lib/args";
import { BROWSER_UA } from "./lib/wrk";

const values = parseBenchArgs("usage: bun bench/analytics-write.ts [options]\n\nEmbedded analytics write cost per click, uniform clicks.", {
  links: { type: "string", default: "200000", help: "links in the store, clicked uniformly" },
  clicks: { type: "string", default: "100000", help: "clicks per window (one sorted write)" },
  windows: { type: "string", default: "3", help: "windows written one after another" },
  "part-rows": { type: "string", default: "10000", help: "rows per transaction" },
});
const linkCount = Number(values.links);
const perWindow = Number(values.clicks);
const windows = Number(values.windows);
const partRows = Number(values["part-rows"]);
if (!(linkCount >= 1 && linkCount <= 5_000_000 && perWindow >= 1 && perWindow <= 2_000_000 && windows >= 1 && windows <= 100 && partRows >= 1)) {
  usageError("--links 1..5000000, --clicks 1..2000000, --windows 1..100, --part-rows >= 1");
}

const AGENTS = [
  BROWSER_UA,
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
];
const REFERRERS = [null, "https://news.example/a", "https://www.social.example/p/1", "https://search.example/?q=x"];
const COUNTRIES = ["US", "DE", "FR", "GB", "IN", "BR"];

const dir = mkdtempSync(join(tmpdir(), "ringlink-analytics-write-"));
const path = join(dir, "ringlink.sqlite");
try {
  await new SqliteLinkStore(path).close(); // the schema
  const db = openDatabase(path);
  const insert = db.query("INSERT INTO links (id, code, url, url_hash, created_at) VALUES (?, ?, ?, ?, ?)");
  const codes = Array.from({ length: linkCount }, (_, i) => `w${i.toString(36)}`);
  const fill = progressBar(`filling ${linkCount} links`, linkCount);
  for (let i = 0; i < linkCount; i += 50_000) {
    db.transaction(() => {
      for (let j = i; j < Math.min(linkCount, i + 50_000); j++) insert.run(j + 1, codes[j]!, `https://example.com/${j}`, `h${j}`, Date.now());
    })();
    fill.tick(Math.min(50_000, linkCount - i));
  }
  fill.done();
  db.close();

  const store = new SqliteAnalyticsStore(path);
  let seq = 0;
  // xorshift32: seeded, so a run repeats (an LCG in doubles loses its low bits past 2^53)
  let x = 12345 | 1;
  const rand = (k: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % k;
  };
  const rows: string[] = [];
  for (let w = 0; w < windows; w++) {
    const events: LinkEvent[] = Array.from({ length: perWindow }, () => ({
      event_id: `b${seq++}`,
      type: "read",
      status: "OK",
      node: "bench",
      redis: null,
      db: null,
      short_code: codes[rand(linkCount)]!,
      latency_ms: 0.1,
      ts: Date.now(),
      referrer: REFERRERS[rand(REFERRERS.length)],
      user_agent: AGENTS[rand(AGENTS.length)],
      country: COUNTRIES[rand(COUNTRIES.length)],
      visitor: rand(1 << 30).toString(36),
    }));
    const window = new ClickWindow();
    let t = performance.now();
    for (const e of events) window.add(e);
    const addUs = ((performance.now() - t) * 1000) / perWindow;
    let rollUs = 0;
    let writeUs = 0;
    let rowCount = 0;
    let parts = 0;
    t = performance.now();
    for (const part of window.rollUp(partRows)) {
      const built = performance.now();
      rollUs += built - t;
      rowCount += part.minutes.length + part.visitors.length + part.dimensions.length + part.clicksByCode.size;
      parts++;
      if ((await store.applyDelta(part)) !== null) throw new Error("a part was not written");
      t = performance.now();
      writeUs += t - built;
    }
    rollUs = (rollUs * 1000) / perWindow;
    writeUs = (writeUs * 1000) / perWindow;
    const line = `window ${w + 1}: ${perWindow} clicks, ${rowCount} rows in ${parts} parts: append ${addUs.toFixed(2)} µs, roll-up ${rollUs.toFixed(2)} µs, SQLite ${writeUs.toFixed(2)} µs per click`;
    console.log(line);
    rows.push(line);
  }
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
