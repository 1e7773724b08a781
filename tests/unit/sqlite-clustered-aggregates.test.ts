/**
 * Migration 010 (embedded only) rebuilds the click aggregates as WITHOUT ROWID tables: a store
 * written before it keeps every row and answers the same stats after it.
 */
import { afterAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteAnalyticsStore } from "../../src/analytics/sqlite-analytics-store";
import { DAY_MS, MINUTE_MS } from "../../src/analytics/click-aggregation";
import { MIGRATIONS, MIGRATIONS_TABLE_DDL } from "../../src/storage/migrations";
import { SqliteLinkStore } from "../../src/storage";

const dir = mkdtempSync(join(tmpdir(), "ringlink-clustered-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a store at version 9 keeps its aggregates, clustered on their keys, after migration 010", async () => {
  const path = join(dir, "ringlink.sqlite");
  const day = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const old = new Database(path, { strict: true });
  old.exec("PRAGMA journal_mode = WAL");
  old.exec(MIGRATIONS_TABLE_DDL);
  for (const m of MIGRATIONS.filter((m) => m.version <= 9)) {
    old.exec(m.sqlite ?? m.sql);
    old.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(m.version, m.name, Date.now());
  }
  old.exec(`INSERT INTO links (id, code, url, url_hash, created_at, clicks) VALUES (1, 'abc', 'https://example.com/', 'h', ${Date.now()}, 5)`);
  old.exec(`INSERT INTO click_minutes (code, minute_start, human, bot) VALUES ('abc', ${day + 10 * MINUTE_MS}, 3, 1), ('abc', ${day + 11 * MINUTE_MS}, 1, 0)`);
  old.exec(`INSERT INTO click_visitors (code, day_start, visitor) VALUES ('abc', ${day}, 'v1'), ('abc', ${day}, 'v2')`);
  old.exec(`INSERT INTO click_dimensions (code, day_start, dimension, dim_value, clicks) VALUES
    ('abc', ${day}, 'browser', 'Chrome', 3), ('abc', ${day}, 'browser', 'Firefox', 1), ('abc', ${day}, 'country', 'GB', 4)`);
  expect(old.query("SELECT sql FROM sqlite_master WHERE name = 'click_minutes'").get()).not.toMatchObject({ sql: expect.stringContaining("WITHOUT ROWID") });
  old.close();

  const links = new SqliteLinkStore(path);
  const analytics = new SqliteAnalyticsStore(path);
  try {
    const db = new Database(path, { readonly: true });
    for (const table of ["click_minutes", "click_visitors", "click_dimensions"]) {
      expect((db.query("SELECT sql FROM sqlite_master WHERE name = ?").get(table) as { sql: string }).sql).toContain("WITHOUT ROWID");
    }
    db.close();
    const stats = await analytics.read({ code: "abc", from: day, to: day + DAY_MS, stepMs: DAY_MS, topLimit: 10 });
    expect(stats.series).toEqual([{ t: day, human: 4, bot: 1 }]);
    expect(stats.unique).toBe(2);
    expect(stats.top.browser).toEqual([
      { value: "Chrome", clicks: 3 },
      { value: "Firefox", clicks: 1 },
    ]);
    expect(stats.top.country).toEqual([{ value: "GB", clicks: 4 }]);
    expect(await analytics.humanClickTotal()).toBe(4);
    // Upserts land on the rebuilt tables' keys as before.
    await analytics.applyDelta({
      counted: 1,
      clicksByCode: new Map([["abc", 1]]),
      minutes: [{ code: "abc", minute: day + 10 * MINUTE_MS, human: 1, bot: 0 }],
      visitors: [{ code: "abc", day, visitor: "v1" }],
      dimensions: [{ code: "abc", day, dimension: "browser", value: "Firefox", clicks: 1 }],
    });
    const after = await analytics.read({ code: "abc", from: day, to: day + DAY_MS, stepMs: DAY_MS, topLimit: 10 });
    expect(after.series).toEqual([{ t: day, human: 5, bot: 1 }]);
    expect(after.unique).toBe(2);
    expect(after.top.browser).toEqual([
      { value: "Chrome", clicks: 3 },
      { value: "Firefox", clicks: 2 },
    ]);
    expect((await links.findByCode("abc"))?.clicks).toBe(6);
  } finally {
    await analytics.close();
    await links.close();
  }
});
