/** The shard map as data: routing during a move, target checks, and how `ringlink topology` prints it. */
import { describe, expect, test } from "bun:test";
import { ShardRing, ShardRouter, describeDifference, redactUrl, sameMembers, topologyFromNodes, type ShardMembers, type Topology } from "../../src/cluster";
import { checkTarget } from "../../src/reshard";
import { targetFromFlags } from "../../src/cli/reshard";
import { formatTopology } from "../../src/cli/topology";
import { randomCode } from "../../src/ids";

const shard = (i: number): ShardMembers => ({
  primary: `postgres://u:secret@127.0.0.1:${5000 + 2 * i}/db`,
  replica: `postgres://u:secret@127.0.0.1:${5001 + 2 * i}/db`,
  redis: `redis://127.0.0.1:${6000 + i}`,
});
const map = (n: number) => Array.from({ length: n }, (_, i) => shard(i));
const stored = (version: number, members: ShardMembers[], from?: ShardMembers[]): Topology => ({
  version,
  members,
  move: from ? { state: "copying", from, startedAt: 1 } : null,
  updatedAt: 1,
});

describe("shard router", () => {
  test("routes by the new map and names the old owner only for keys whose owner changes", () => {
    const router = new ShardRouter(stored(2, map(4), map(3)));
    const old = new ShardRing(3);
    let moved = 0;
    for (let i = 0; i < 4000; i++) {
      const code = randomCode(7);
      const before = router.previousShardOf(code);
      if (before === null) expect(router.shardOf(code)).toBe(old.shardOf(code));
      else {
        moved++;
        expect(before).toBe(old.shardOf(code));
        // Growing moves keys onto the new shard only.
        expect(router.shardOf(code)).toBe(3);
      }
    }
    expect(moved / 4000).toBeGreaterThan(0.18);
    expect(moved / 4000).toBeLessThan(0.32);
    expect(router.indices()).toEqual([0, 1, 2, 3]);
  });

  test("takes only newer versions and tells its listeners", () => {
    const router = new ShardRouter(stored(1, map(3)));
    const seen: number[] = [];
    router.onChange((t) => seen.push(t.version));
    expect(router.apply(stored(1, map(4)))).toBe(false);
    expect(router.apply(stored(2, map(4), map(3)))).toBe(true);
    expect(router.moving).toBe(true);
    expect(router.apply(stored(3, map(4)))).toBe(true);
    expect(router.moving).toBe(false);
    expect(router.previousShardOf("abc1234")).toBeNull();
    expect(seen).toEqual([2, 3]);
    expect(router.size).toBe(4);
  });

  test("a shrink keeps the removed shard reachable until the move is done", () => {
    const router = new ShardRouter(stored(4, map(3), map(4)));
    expect(router.size).toBe(3);
    expect(router.indices()).toEqual([0, 1, 2, 3]);
    expect(router.members(3).primary).toContain(":5006/");
  });
});

describe("target maps", () => {
  test("a move adds or removes shards at the end and keeps every other shard's nodes", () => {
    expect(() => checkTarget(map(3), map(4))).not.toThrow();
    expect(() => checkTarget(map(4), map(3))).not.toThrow();
    const swapped = [shard(1), shard(0), shard(2), shard(3)];
    expect(() => checkTarget(map(3), swapped)).toThrow(/shard-0 must keep its nodes/);
    expect(() => checkTarget(map(3), [])).toThrow(/at least one shard/);
    const noRedis = map(4).map((m) => ({ ...m, redis: null }));
    expect(() => checkTarget(map(3), noRedis)).toThrow(/Redis/);
  });

  test("--database-nodes and --redis-nodes follow the DATABASE_NODES / REDIS_NODES rules", () => {
    const t = targetFromFlags("postgres://a/x,postgres://b/x,postgres://c/x,postgres://d/x", "redis://r1,redis://r2");
    expect(t).toEqual([
      { primary: "postgres://a/x", replica: "postgres://b/x", redis: "redis://r1" },
      { primary: "postgres://c/x", replica: "postgres://d/x", redis: "redis://r2" },
    ]);
    expect(() => targetFromFlags("postgres://a/x", undefined)).toThrow(/--database-nodes/);
    expect(() => targetFromFlags("postgres://a/x,postgres://b/x", "redis://r1,redis://r2")).toThrow(/--redis-nodes/);
  });

  test("env maps compare member by member, and a disagreement is one line naming both sizes", () => {
    const env = topologyFromNodes(
      map(3).map((m) => ({ primary: m.primary, replica: m.replica })),
      map(3).map((m) => m.redis!),
    );
    expect(env.version).toBe(0);
    expect(sameMembers(env.members, map(3))).toBe(true);
    expect(sameMembers(env.members, map(4))).toBe(false);
    const line = describeDifference(env.members, stored(3, map(4)));
    expect(line).toContain("3 shard(s)");
    expect(line).toContain("v3 has 4");
    expect(line).not.toContain("\n");
  });
});

describe("ringlink topology", () => {
  test("prints every shard of both maps mid-move, with passwords hidden", () => {
    const text = formatTopology({ topology: stored(2, map(4), map(3)), stored: true, progress: { moved: 10, total: 40, updatedAt: 1 }, unreachable: [] });
    expect(text).toContain("topology v2, 4 shard(s), moving from 3 shard(s)");
    expect(text).toContain("move progress: 10/40 links moved");
    expect(text).toMatch(/shard-3\s+joining/);
    expect(text).toMatch(/shard-0\s+serving/);
    expect(text).not.toContain("secret");
    expect(redactUrl("postgres://u:pw@h:1/d")).toBe("postgres://u:***@h:1/d");
  });
});
