import { describe, expect, test } from "bun:test";
import HashRing from "hashring";
import { ShardRing } from "../../src/cluster";
import { randomCode } from "../../src/ids";

describe("shard ring", () => {
  test("spreads 30,000 codes over 3 shards with each shard within 33% ± 5%", () => {
    const ring = new ShardRing(3);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[ring.shardOf(randomCode(7))]!++;
    for (const n of counts) {
      expect(n / 30_000).toBeGreaterThan(1 / 3 - 0.05);
      expect(n / 30_000).toBeLessThan(1 / 3 + 0.05);
    }
  });

  test("maps a key to the same shard in every process and release (md5 over fixed member names)", () => {
    // Golden values: if these change, every stored link would be looked for on the wrong shard.
    const ring = new ShardRing(3);
    expect(["abc", "abd", "xyz", "Y3XPe20", "9kdDA4j"].map((k) => ring.shardOf(k))).toEqual([2, 0, 2, 0, 0]);
    const other = new ShardRing(3);
    for (let i = 0; i < 1000; i++) {
      const code = randomCode(7);
      expect(other.shardOf(code)).toBe(ring.shardOf(code));
    }
  });

  test("answers as hashring's own get() does, for every size and 20,000 keys each", () => {
    for (const size of [2, 3, 4, 7]) {
      const ring = new ShardRing(size);
      const members: Record<string, { vnodes: number }> = {};
      for (let i = 0; i < size; i++) members[ShardRing.nodeName(i)] = { vnodes: 256 };
      const reference = new HashRing(members, "md5");
      for (let i = 0; i < 20_000; i++) {
        const key = i % 10 === 0 ? `links.example/${randomCode(7)}` : randomCode(7);
        expect(ring.shardOf(key)).toBe(Number(reference.get(key)?.slice("shard-".length)));
      }
    }
  });

  test("adding a shard moves about a quarter of the keys, and only onto the new shard", () => {
    const three = new ShardRing(3);
    const four = new ShardRing(4);
    let moved = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const code = randomCode(7);
      const before = three.shardOf(code);
      const after = four.shardOf(code);
      if (before !== after) {
        moved++;
        expect(after).toBe(3);
      }
    }
    expect(moved / n).toBeGreaterThan(0.18);
    expect(moved / n).toBeLessThan(0.32);
  });

  test("a single shard owns every key", () => {
    const ring = new ShardRing(1);
    expect(ring.shardOf("anything")).toBe(0);
  });

  test("co-locating a code with a URL hash takes about as many draws as there are shards", () => {
    const ring = new ShardRing(3);
    let draws = 0;
    const urls = 2_000;
    for (let i = 0; i < urls; i++) {
      const target = ring.shardOf(`hash-${i}`);
      do draws++;
      while (ring.shardOf(randomCode(7)) !== target);
    }
    expect(draws / urls).toBeGreaterThan(2.5);
    expect(draws / urls).toBeLessThan(3.5);
  });

  test("refuses an empty ring", () => {
    expect(() => new ShardRing(0)).toThrow(RangeError);
  });
});
