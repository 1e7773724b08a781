/**
 * Fault tests: real node processes are crashed (scripts/cluster.sh stop-node --hard, by PID) while
 * a bounded redirect load runs against ringlink, then restarted. The tests run in order and share
 * the links acknowledged so far; the last one checks that every acknowledged link still resolves.
 *
 * Two servers, both with the in-process cache off so that every redirect really reaches the tier
 * under test: CACHED reads Redis then PostgreSQL, DIRECT (no REDIS_NODES) reads the replicas.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { ShardRing } from "../../src/cluster";
import { urlHash } from "../../src/links/link-service";
import {
  clusterConfig,
  crashNode,
  createLink,
  describeCluster,
  ensureNodesUp,
  follow,
  migrateOnce,
  redirectLoad,
  startNode,
  startRinglink,
  waitForNode,
  type ServerProcess,
} from "../support/cluster";

const FAULT_SHARD = 1;
const LOAD_CONCURRENCY = 8;

/** bun test 1.4.4 ignores bunfig's [test] timeout (5 s default applies): each test states its own budget. */
const SETUP_MS = 60_000;
const FAULT_TEST_MS = 45_000;

describeCluster("fault tolerance with real node crashes", () => {
  let cached: ServerProcess;
  let direct: ServerProcess;
  let ring: ShardRing;
  const run = randomBytes(4).toString("hex");
  /** every link acknowledged with 201: code -> URL */
  const acknowledged = new Map<string, string>();

  async function createAcknowledged(base: string, url: string) {
    const r = await createLink(base, { url });
    if (r.status === 201) acknowledged.set(r.body.code!, url);
    return r;
  }

  /** A URL whose canonical link (and so its create) is routed to `shard`. */
  function urlOnShard(shard: number, label: string): string {
    for (let i = 0; ; i++) {
      const url = `https://example.com/fault/${run}/${label}/${i}`;
      if (ring.shardOf(urlHash(url)) === shard) return url;
    }
  }

  beforeAll(async () => {
    await migrateOnce();
    ring = new ShardRing(clusterConfig().shards.length);
    [cached, direct] = await Promise.all([
      startRinglink({ NODE_ID: "21", CACHE_ENTRIES: "0" }),
      startRinglink({ NODE_ID: "22", CACHE_ENTRIES: "0", REDIS_NODES: "" }),
    ]);
    for (let i = 0; i < 45; i++) expect((await createAcknowledged(cached.base, `https://example.com/fault/${run}/seed/${i}`)).status).toBe(201);
    for (let shard = 0; shard < ring.size; shard++) expect([...acknowledged.keys()].some((c) => ring.shardOf(c) === shard)).toBe(true);
    // Warm Redis and let replication settle.
    for (const code of acknowledged.keys()) expect((await follow(cached.base, code)).status).toBe(302);
  }, SETUP_MS);

  afterAll(async () => {
    // A failed test must not leave the cluster broken for the next suite.
    await ensureNodesUp([
      ["redis", FAULT_SHARD],
      ["primary", FAULT_SHARD],
      ["replica", FAULT_SHARD],
    ]);
    await Promise.all([cached?.stop(), direct?.stop()]);
  }, SETUP_MS);

  test(
    "a crashed Redis node costs no redirect and no create; its breaker closes after restart",
    async () => {
      const load = redirectLoad([cached.base], acknowledged, LOAD_CONCURRENCY, 10_000);
      await Bun.sleep(300);
      await crashNode("redis", FAULT_SHARD);
      await waitForNode(cached, `shard-${FAULT_SHARD}/redis`, { up: false, breaker: "open" }, 3_000);
      for (let i = 0; i < 6; i++) expect((await createAcknowledged(cached.base, `https://example.com/fault/${run}/redis-down/${i}`)).status).toBe(201);
      await Bun.sleep(500);
      const result = await load.stop();
      expect(result.failures).toEqual([]);
      expect(result.total).toBeGreaterThan(100);

      await startNode("redis", FAULT_SHARD);
      await waitForNode(cached, `shard-${FAULT_SHARD}/redis`, { up: true, breaker: "closed" }, 5_000);
      for (const code of acknowledged.keys()) expect((await follow(cached.base, code)).status).toBe(302);
    },
    FAULT_TEST_MS,
  );

  test(
    "a crashed replica costs no redirect (its primary answers); a server started meanwhile is degraded, not down",
    async () => {
      const load = redirectLoad([direct.base, cached.base], acknowledged, LOAD_CONCURRENCY, 15_000);
      await Bun.sleep(300);
      await crashNode("replica", FAULT_SHARD);
      await waitForNode(direct, `shard-${FAULT_SHARD}/replica`, { up: false, breaker: "open" }, 3_000);

      const late = await startRinglink({ NODE_ID: "23", CACHE_ENTRIES: "0" });
      try {
        const res = await fetch(`${late.base}/readyz`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as { status: string; dependencies: Array<{ name: string; up: boolean }> };
        expect(body.status).toBe("degraded");
        expect(body.dependencies.find((d) => d.name === `shard-${FAULT_SHARD}/replica`)?.up).toBe(false);
        expect(late.output()).toContain("starting degraded");
      } finally {
        await late.stop();
      }

      await Bun.sleep(300);
      const result = await load.stop();
      expect(result.failures).toEqual([]);
      expect(result.total).toBeGreaterThan(100);

      await startNode("replica", FAULT_SHARD);
      for (const server of [cached, direct]) await waitForNode(server, `shard-${FAULT_SHARD}/replica`, { up: true, breaker: "closed" }, 8_000);
    },
    FAULT_TEST_MS,
  );

  test(
    "a crashed primary fails only the creates routed to its shard, fast, with 503 + Retry-After",
    async () => {
      const load = redirectLoad([direct.base, cached.base], acknowledged, LOAD_CONCURRENCY, 15_000);
      await Bun.sleep(300);
      await crashNode("primary", FAULT_SHARD);
      await waitForNode(cached, `shard-${FAULT_SHARD}/primary`, { up: false, breaker: "open" }, 3_000);

      const attempts = [];
      for (let shard = 0; shard < ring.size; shard++) {
        for (let i = 0; i < 4; i++) attempts.push({ shard, url: urlOnShard(shard, `primary-down-${shard}-${i}`) });
      }
      for (const { shard, url } of attempts) {
        const r = await createAcknowledged(cached.base, url);
        if (shard === FAULT_SHARD) {
          expect(r.status).toBe(503);
          expect(r.retryAfter).toBe("1");
          expect(r.body.error?.code).toBe("unavailable");
          expect(r.ms).toBeLessThan(1_000);
        } else {
          expect(r.status).toBe(201);
        }
      }
      // An alias is placed by its own name: the same rule applies.
      let alias = "";
      for (let i = 0; alias === ""; i++) if (ring.shardOf(`fault-${run}-${i}`) === FAULT_SHARD) alias = `fault-${run}-${i}`;
      expect((await createLink(cached.base, { url: `https://example.com/alias/${run}`, alias })).status).toBe(503);

      const ready = await fetch(`${cached.base}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { status: string }).status).toBe("degraded");

      await Bun.sleep(300);
      const result = await load.stop();
      expect(result.failures).toEqual([]);
      expect(result.total).toBeGreaterThan(100);

      await startNode("primary", FAULT_SHARD);
      for (const server of [cached, direct]) await waitForNode(server, `shard-${FAULT_SHARD}/primary`, { up: true, breaker: "closed" }, 8_000);
      const after = await createAcknowledged(cached.base, urlOnShard(FAULT_SHARD, "after-restart"));
      expect(after.status).toBe(201);
    },
    FAULT_TEST_MS,
  );

  test(
    "after all the faults, every link acknowledged with 201 resolves to its URL",
    async () => {
      expect(acknowledged.size).toBeGreaterThanOrEqual(60);
      const wrong: string[] = [];
      for (const [code, url] of acknowledged) {
        for (const server of [direct, cached]) {
          const r = await follow(server.base, code);
          if (r.status !== 302 || r.location !== url)
            wrong.push(`${code} (shard ${ring.shardOf(code)}): ${server === direct ? "direct" : "cached"} redirect ${r.status}`);
        }
        const api = await fetch(`${direct.base}/api/v1/links/${code}`);
        const body = (await api.json()) as { url?: string };
        if (api.status !== 200 || body.url !== url) wrong.push(`${code} (shard ${ring.shardOf(code)}): API ${api.status}`);
      }
      expect(wrong).toEqual([]);
    },
    FAULT_TEST_MS,
  );
});
