import { describe, expect, test } from "bun:test";
import { BASE62, SnowflakeIds, isWellFormedCode, randomCode } from "../../src/ids";
import { decodeSnowflake } from "../../src/ids/snowflake";

describe("snowflake ids", () => {
  test("are strictly increasing within one generator, even many per millisecond", () => {
    const ids = new SnowflakeIds(1, 0, () => 1_800_000_000_000);
    let last = -1n;
    for (let i = 0; i < 10_000; i++) {
      const id = ids.next();
      expect(id > last).toBe(true);
      last = id;
    }
  });

  test("carry node id and process index in their worker bits", () => {
    const id = new SnowflakeIds(42, 7).next();
    const parts = decodeSnowflake(id);
    expect(parts.nodeId).toBe(42);
    expect(parts.processIndex).toBe(7);
    expect(Math.abs(parts.timestampMs - Date.now())).toBeLessThan(1000);
  });

  test("never collide between processes or instances minting in the same millisecond", () => {
    const clock = () => 1_800_000_000_000;
    const seen = new Set<bigint>();
    for (const [node, proc] of [
      [0, 0],
      [0, 1],
      [1, 0],
      [63, 15],
    ] as const) {
      const gen = new SnowflakeIds(node, proc, clock);
      for (let i = 0; i < 2000; i++) seen.add(gen.next());
    }
    expect(seen.size).toBe(8000);
  });

  test("keep increasing when the clock steps backwards", () => {
    let now = 1_800_000_000_000;
    const gen = new SnowflakeIds(0, 0, () => now);
    const a = gen.next();
    now -= 5000;
    const b = gen.next();
    expect(b > a).toBe(true);
  });

  test("stay positive 63-bit integers", () => {
    const id = new SnowflakeIds(63, 15).next();
    expect(id > 0n).toBe(true);
    expect(id < 2n ** 63n).toBe(true);
  });

  test("refuse node ids and process indexes outside their bit width", () => {
    expect(() => new SnowflakeIds(64, 0)).toThrow();
    expect(() => new SnowflakeIds(0, 16)).toThrow();
    expect(() => new SnowflakeIds(-1, 0)).toThrow();
  });
});

describe("short codes", () => {
  test("are 7 base62 characters by default", () => {
    for (let i = 0; i < 1000; i++) {
      const code = randomCode();
      expect(code).toMatch(/^[0-9A-Za-z]{7}$/);
    }
  });

  test("are not sequential: consecutive codes share no common prefix pattern", () => {
    const codes = Array.from({ length: 200 }, () => randomCode());
    expect(new Set(codes).size).toBe(200);
    const samePrefix = codes.slice(1).filter((c, i) => c.slice(0, 3) === codes[i]!.slice(0, 3)).length;
    expect(samePrefix).toBeLessThan(3);
  });

  test("use every base62 character with roughly equal frequency (no modulo bias)", () => {
    const counts = new Map<string, number>();
    const n = 62_000;
    const s = randomCode(n);
    for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    for (const ch of BASE62) {
      const c = counts.get(ch)!;
      expect(c).toBeGreaterThan(800);
      expect(c).toBeLessThan(1200);
    }
  });

  test("honour a configured length", () => {
    expect(randomCode(12)).toHaveLength(12);
  });

  test("well-formedness accepts codes and aliases and rejects junk before any lookup", () => {
    for (const ok of ["abc", "Ab3_-x", "a".repeat(64), randomCode()]) expect(isWellFormedCode(ok)).toBe(true);
    for (const bad of ["", "ab", "a".repeat(65), "a.b", "a/b", "ünï", "a b", "%41bc", "abc?"]) expect(isWellFormedCode(bad)).toBe(false);
  });
});
