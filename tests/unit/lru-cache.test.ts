import { expect, test } from "bun:test";
import { LruCache } from "../../src/lru";

test("evicts the least recently used entry when full", () => {
  const lru = new LruCache<string, number>(2);
  lru.set("a", 1, 10_000);
  lru.set("b", 2, 10_000);
  expect(lru.get("a")).toBe(1); // a is now the most recent
  lru.set("c", 3, 10_000);
  expect(lru.get("b")).toBeUndefined();
  expect(lru.get("a")).toBe(1);
  expect(lru.get("c")).toBe(3);
});

test("forgets entries after their time to live", () => {
  let now = 0;
  const lru = new LruCache<string, number>(10, () => now);
  lru.set("a", 1, 100);
  now = 99;
  expect(lru.get("a")).toBe(1);
  now = 100;
  expect(lru.get("a")).toBeUndefined();
  expect(lru.size).toBe(0);
});

test("a capacity of zero disables caching", () => {
  const lru = new LruCache<string, number>(0);
  lru.set("a", 1, 1000);
  expect(lru.get("a")).toBeUndefined();
});

test("entries used since they were last passed over outlive entries never used", () => {
  const lru = new LruCache<string, number>(3);
  for (const k of ["a", "b", "c"]) lru.set(k, 1, 10_000);
  lru.get("a");
  lru.get("b");
  lru.set("d", 1, 10_000); // a and b get a second chance, c was never read
  expect(lru.get("c")).toBeUndefined();
  lru.set("e", 1, 10_000); // d (unused) goes before a and b
  expect(lru.get("d")).toBeUndefined();
  expect([lru.get("a"), lru.get("b"), lru.get("e")]).toEqual([1, 1, 1]);
  expect(lru.size).toBe(3);
});

test("with a byte budget, entries of varying size are evicted until what is held fits, and the count stays exact", () => {
  const lru = new LruCache<string, string>(1_000, Date.now, { maxBytes: 1_000, sizeOf: (_key, value) => value.length });
  for (let i = 0; i < 10; i++) lru.set(`s${i}`, "x".repeat(50), 10_000); // 500 bytes
  expect(lru.bytes).toBe(500);
  expect(lru.get("s0")).toBeDefined(); // used: gets a second chance
  lru.set("big", "y".repeat(800), 10_000);
  expect(lru.bytes).toBeLessThanOrEqual(1_000);
  expect(lru.get("big")).toBeDefined();
  expect(lru.get("s0")).toBeDefined();
  expect(lru.get("s1")).toBeUndefined();
  lru.set("big", "z", 10_000); // replacing an entry counts its new size only
  lru.delete("s0");
  const held = [...Array(10).keys()].filter((i) => lru.get(`s${i}`) !== undefined).length;
  expect(lru.bytes).toBe(held * 50 + 1);
  lru.clear();
  expect(lru.bytes).toBe(0);
});

test("an entry larger than the whole budget is still kept alone, not refused", () => {
  const lru = new LruCache<string, string>(10, Date.now, { maxBytes: 10, sizeOf: (_key, value) => value.length });
  lru.set("a", "1", 1_000);
  lru.set("huge", "x".repeat(100), 1_000);
  expect(lru.get("huge")).toBeDefined();
  expect(lru.size).toBe(1);
});
