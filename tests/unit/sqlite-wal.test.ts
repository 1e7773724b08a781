/**
 * The embedded database's write-ahead log must be checkpointed while the server runs: a statement
 * left unfinished (bun:sqlite's get() on INSERT ... RETURNING) kept a transaction open and the WAL
 * grew without bound (5 GB after 300k creates) while the database file stayed empty.
 */
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteAnalyticsStore } from "../../src/analytics/sqlite-analytics-store";
import { urlHash } from "../../src/links";
import { SqliteLinkStore } from "../../src/storage";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

test("creates, click-limited redirects and processed events leave the WAL checkpointable", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ringlink-wal-"));
  dirs.push(dir);
  const file = join(dir, "ringlink.sqlite");
  const store = new SqliteLinkStore(file);
  const analytics = new SqliteAnalyticsStore(file);
  try {
    for (let i = 0; i < 6_000; i++) {
      const url = `https://example.com/wal/${i}`;
      const code = `w${i.toString(36)}`;
      const outcome = await store.insert({
        id: BigInt(i + 1),
        code,
        url,
        urlHash: urlHash(url),
        isAlias: false,
        canonical: true,
        redirectType: 302,
        createdAt: Date.now(),
        expiresAt: null,
        maxClicks: 5,
      });
      expect(outcome.kind).toBe("inserted");
      expect(await store.takeClick(code)).toBe("granted");
    }
    const ev = (i: number) => ({
      event_id: `e${i}`,
      type: "read" as const,
      status: "OK" as const,
      node: "t",
      redis: null,
      db: null,
      short_code: "w1",
      latency_ms: 0,
      ts: Date.now(),
    });
    await analytics.apply({ events: Array.from({ length: 2_000 }, (_, i) => ev(i)) });
    // ~6,000 rows of a few hundred bytes: the data belongs in the database file, and the log is
    // recycled by automatic checkpoints (1,000 pages, ~4 MB) instead of holding every commit.
    expect(statSync(file).size).toBeGreaterThan(1_000_000);
    expect(statSync(`${file}-wal`).size).toBeLessThan(16 * 1024 * 1024);
  } finally {
    await analytics.close();
    await store.close();
  }
});
