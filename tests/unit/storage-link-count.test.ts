/**
 * The store's total of live links (the dashboard's links tile): deleted links leave it, and the
 * SQLite count reads indexes only (sql/005), never the table's rows.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { startTestApp, type TestApp } from "../support/embedded-app";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe("countLinks", () => {
  test("counts live links and leaves deleted ones out", async () => {
    expect(await t.runtime.store.countLinks()).toBe(0);
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) codes.push((await t.createLink({ url: `https://example.com/count/${i}` })).json.code);
    expect(await t.runtime.store.countLinks()).toBe(4);
    expect(await t.runtime.store.softDelete(codes[1]!, Date.now())).toBe(true);
    expect(await t.runtime.store.countLinks()).toBe(3);
  });

  test("the SQLite plan counts the deleted links through their partial index", () => {
    const db = new Database(t.runtime.config.sqlitePath, { readonly: true });
    try {
      const plan = db.query<{ detail: string }, []>("EXPLAIN QUERY PLAN SELECT count(*) FROM links WHERE deleted_at IS NOT NULL").all();
      expect(plan.map((p) => p.detail).join(" ")).toContain("links_deleted_idx");
    } finally {
      db.close();
    }
  });

  test("the live stream's shard view carries the total once someone watches", async () => {
    t.runtime.realtime.watched();
    await Bun.sleep(50);
    expect(t.runtime.realtime.snapshot().shards.links_total).toBe(3);
  });
});
