import { describe, expect, test } from "bun:test";
import postgres from "postgres";
import { ReplyError } from "ioredis";
import { everyShardReadable } from "../../src/adapters";
import { MISSING, type CachedLink } from "../../src/cache";
import { MISSING_VALUE, decodeEntry, encodeLink } from "../../src/cache/redis/cached-link-codec";
import { isRedisNodeFailure } from "../../src/cache/redis/redis-node";
import { ShardUnavailable } from "../../src/cluster";
import { toErrorResponse } from "../../src/errors";
import type { LinkRecord } from "../../src/storage";
import type { DependencyHealth } from "../../src/cluster";
import { mergeShardPages } from "../../src/storage/postgres/link-rows";
import { isPgNodeFailure } from "../../src/storage/postgres/pg-errors";

const link: CachedLink = {
  code: "abc1234",
  url: "https://example.com/x",
  redirectType: 302,
  expiresAt: null,
  maxClicks: null,
  deleted: false,
  disabled: null,
  password: false,
  forwardQuery: false,
};

describe("Redis value codec", () => {
  test("a link round-trips, optional fields left out when unset", () => {
    expect(encodeLink(link)).toBe('{"u":"https://example.com/x","t":302}');
    expect(decodeEntry("abc1234", encodeLink(link))).toEqual(link);
    const full = { ...link, redirectType: 308 as const, expiresAt: 1_900_000_000_000, maxClicks: 5, deleted: true };
    expect(decodeEntry("abc1234", encodeLink(full))).toEqual(full);
  });

  test("the negative entry is distinct from every link", () => {
    expect(decodeEntry("abc1234", MISSING_VALUE)).toBe(MISSING);
    expect(encodeLink(link)).not.toBe(MISSING_VALUE);
  });

  test("anything unrecognisable decodes to null (a miss), never to a wrong link", () => {
    for (const raw of ["", "{", "1", '{"u":1,"t":302}', '{"u":"https://x","t":200}', "null"]) expect(decodeEntry("c", raw)).toBeNull();
  });
});

describe("readiness", () => {
  const dep = (kind: DependencyHealth["kind"], shard: number, up: boolean): DependencyHealth => ({ name: `${shard}/${kind}`, kind, shard, up, latencyMs: 1 });

  test("ready while every shard has its primary or its replica", () => {
    const deps = [
      dep("postgres-primary", 0, false),
      dep("postgres-replica", 0, true),
      dep("postgres-primary", 1, true),
      dep("postgres-replica", 1, false),
      dep("redis", 0, false),
    ];
    expect(everyShardReadable(deps, 2)).toBe(true);
  });

  test("not ready when a shard has no readable node, whatever Redis says", () => {
    const deps = [dep("postgres-primary", 0, true), dep("postgres-primary", 1, false), dep("postgres-replica", 1, false), dep("redis", 1, true)];
    expect(everyShardReadable(deps, 2)).toBe(false);
  });
});

describe("error classification", () => {
  const pgError = (code: string, constraint_name?: string) =>
    Object.assign(Object.create(postgres.PostgresError.prototype), { code, constraint_name, message: code });

  test("connection and server-state errors are node failures; statement errors are not", () => {
    for (const e of [
      pgError("57P01"),
      pgError("08006"),
      pgError("53300"),
      pgError("3D000"),
      { code: "ECONNREFUSED" },
      { code: "CONNECTION_CLOSED" },
      { code: "CONNECT_TIMEOUT" },
    ]) {
      expect(isPgNodeFailure(e)).toBe(true);
    }
    for (const e of [pgError("23505"), pgError("42P01"), pgError("22P02"), new Error("plain")]) expect(isPgNodeFailure(e)).toBe(false);
  });

  test("Redis replies are the caller's problem unless the server is not ready", () => {
    expect(isRedisNodeFailure(new ReplyError("WRONGTYPE Operation against a key holding the wrong kind of value"))).toBe(false);
    expect(isRedisNodeFailure(new ReplyError("LOADING Redis is loading the dataset in memory"))).toBe(true);
    expect(isRedisNodeFailure(new Error("Connection is closed."))).toBe(true);
  });

  test("ShardUnavailable maps to 503 with Retry-After through the one error mapping", async () => {
    const res = toErrorResponse(new ShardUnavailable(1, "primary", new Error("ECONNREFUSED")));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unavailable");
  });
});

describe("listing across shards", () => {
  const rec = (id: number) => ({ id: BigInt(id) }) as LinkRecord;
  const page = (ids: number[], floor: number | null = null) => ({ records: ids.map(rec), floor: floor === null ? null : BigInt(floor) });
  test("merges per-shard newest-first lists into one newest-first page", () => {
    const merged = mergeShardPages([page([9, 4]), page([8, 7, 1]), page([5])], 4);
    expect(merged.records.map((r) => Number(r.id))).toEqual([9, 8, 7, 5]);
    expect(merged.scannedTo).toBeNull();
  });

  test("after limited scans the page stops at the highest floor, where the next page starts", () => {
    // Shard A looked down to id 6, shard B down to 3, shard C reached its oldest link.
    const merged = mergeShardPages([page([9], 6), page([8, 5, 4], 3), page([7, 2])], 10);
    expect(merged.records.map((r) => Number(r.id))).toEqual([9, 8, 7]);
    expect(merged.scannedTo).toBe(6n);
    expect(mergeShardPages([page([9, 8], 6), page([7], 3)], 2).scannedTo).toBeNull();
  });
});
