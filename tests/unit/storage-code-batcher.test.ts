import { expect, test } from "bun:test";
import { CodeBatcher } from "../../src/storage/postgres/code-batcher";
import type { LinkRow } from "../../src/storage/postgres/link-rows";

const row = (code: string) => ({ code, url: `https://example.com/${code}` }) as unknown as LinkRow;

test("lookups of one turn share one query; a code asked twice is asked once; misses are null", async () => {
  const queries: Array<{ codes: string[]; timeoutMs: number }> = [];
  const batcher = new CodeBatcher(async (codes, timeoutMs) => {
    queries.push({ codes, timeoutMs });
    return codes.filter((c) => c !== "missing").map(row);
  });
  const results = await Promise.all([batcher.get("a", 500), batcher.get("b", 200), batcher.get("a", 900), batcher.get("missing", 500)]);
  expect(results.map((r) => r?.code ?? null)).toEqual(["a", "b", "a", null]);
  expect(queries).toEqual([{ codes: ["a", "b", "missing"], timeoutMs: 200 }]);
  await batcher.get("c", 100);
  expect(queries.length).toBe(2);
});

test("a failed query fails every lookup in its batch, and the next turn queries again", async () => {
  let fail = true;
  const batcher = new CodeBatcher(async (codes) => {
    if (fail) throw new Error("node down");
    return codes.map(row);
  });
  const outcomes = await Promise.allSettled([batcher.get("a", 100), batcher.get("b", 100)]);
  expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
  fail = false;
  expect((await batcher.get("a", 100))?.code).toBe("a");
});
