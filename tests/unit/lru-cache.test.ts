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
