/**
 * The distributed adapters in-process against the real cluster: ShardedPostgresLinkStore,
 * RedisLinkCache and RedisInvalidation, checked against what actually lands on each node.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { LocalInvalidation, MISSING, RedisInvalidation, RedisLinkCache, RedisNode, type CachedLink } from "../../src/cache";
import { RecentChanges, ShardRing, ShardRouter, topologyFromNodes } from "../../src/cluster";
import { randomCode } from "../../src/ids";
import { urlHash } from "../../src/links/link-service";
import { RedisRateLimiter, parsePolicy } from "../../src/ratelimit";
import { ShardedPostgresLinkStore } from "../../src/storage";
import { MIGRATIONS } from "../../src/storage/migrations";
import { clusterConfig, describeCluster, linkFactory, freePort, migrateOnce, openNodes, runMigrate, waitFor } from "../support/cluster";

/** bun test 1.4.4 ignores bunfig's [test] timeout (5 s default applies): each test states its own budget. */
const SETUP_MS = 60_000;
const TEST_MS = 30_000;

describeCluster("distributed adapters against the real cluster", () => {
  const config = process.env.DATABASE_NODES || process.env.DB_NODES ? clusterConfig() : null;
  let ring: ShardRing;
  let store: ShardedPostgresLinkStore;
  let nodes: ReturnType<typeof openNodes>;
  const run = randomBytes(4).toString("hex");
  const newLink = linkFactory("store", 8, run);

  beforeAll(async () => {
    await migrateOnce();
    ring = new ShardRing(config!.shards.length);
    store = new ShardedPostgresLinkStore({
      router: new ShardRouter(topologyFromNodes(config!.shards, [])),
      resilience: config!.resilience,
      recentChanges: new RecentChanges(),
    });
    nodes = openNodes();
  }, SETUP_MS);

  afterAll(async () => {
    await store?.close();
    await nodes?.close();
  }, SETUP_MS);

  test(
    "`ringlink migrate` prints a line per shard and leaves every primary at the latest version",
    async () => {
      const out = await runMigrate();
      for (let i = 0; i < config!.shards.length; i++) expect(out).toMatch(new RegExp(`shard-${i} primary \\S+: (up to date|\\d+ migration)`));
      for (const shard of nodes.shards) {
        const rows = await shard.primary`SELECT version FROM schema_migrations ORDER BY version`;
        expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
      }
      // The replicas got the schema through replication only.
      for (const shard of nodes.shards) expect((await shard.replica`SELECT pg_is_in_recovery() AS r`)[0]!.r).toBe(true);
    },
    TEST_MS,
  );

  test(
    "two migrators racing on empty databases apply each migration exactly once per shard",
    async () => {
      const db = `rl_migrate_${run}`;
      const withDb = (url: string) => Object.assign(new URL(url), { pathname: `/${db}` }).href;
      for (const shard of nodes.shards) await shard.primary.unsafe(`CREATE DATABASE ${db}`);
      const shards = config!.shards.map((s) => ({ primary: withDb(s.primary), replica: withDb(s.replica) }));
      const racers = [0, 1].map(() => new ShardedPostgresLinkStore({ router: new ShardRouter(topologyFromNodes(shards, [])), resilience: config!.resilience }));
      try {
        const [first, second] = await Promise.all(racers.map((r) => r.migrate()));
        const names = MIGRATIONS.map((m) => m.name);
        for (let i = 0; i < shards.length; i++) {
          const reports = [first![i]!, second![i]!];
          // One of them applied everything under the lock; the other then found it all done.
          expect(reports.map((r) => r.applied.length).sort()).toEqual([0, names.length]);
          expect(reports.find((r) => r.applied.length === 0)!.alreadyApplied).toEqual(names);
        }
      } finally {
        await Promise.all(racers.map((r) => r.close()));
        for (const shard of nodes.shards) await shard.primary.unsafe(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      }
    },
    TEST_MS,
  );

  test(
    "each link is written to its code's shard only, and the row appears on that shard's replica",
    async () => {
      const links = Array.from({ length: 24 }, () => newLink());
      for (const l of links) expect((await store.insert(l)).kind).toBe("inserted");
      const shardsUsed = new Set(links.map((l) => ring.shardOf(l.code)));
      expect(shardsUsed.size).toBe(config!.shards.length);
      for (const l of links) {
        const home = ring.shardOf(l.code);
        for (const [i, shard] of nodes.shards.entries()) {
          const rows = await shard.primary`SELECT code FROM links WHERE code = ${l.code}`;
          expect(rows.length).toBe(i === home ? 1 : 0);
        }
        await waitFor(
          `${l.code} on replica ${home}`,
          async () => (await nodes.shards[home]!.replica`SELECT 1 FROM links WHERE code = ${l.code}`).length === 1,
          5_000,
          20,
        );
      }
    },
    TEST_MS,
  );

  test(
    "lookup reads a settled link from the replica and a just-changed one from the primary",
    async () => {
      const settled = newLink();
      await store.insert(settled);
      const home = ring.shardOf(settled.code);
      await waitFor("replication", async () => (await nodes.shards[home]!.replica`SELECT 1 FROM links WHERE code = ${settled.code}`).length === 1, 5_000, 20);
      // A fresh store has no memory of the write, so it trusts the replica.
      const other = new ShardedPostgresLinkStore({ router: new ShardRouter(topologyFromNodes(config!.shards, [])), resilience: config!.resilience });
      try {
        const viaReplica = await other.lookup(settled.code);
        expect(viaReplica.source).toBe("replica");
        expect(viaReplica.record?.url).toBe(settled.url);
      } finally {
        await other.close();
      }
      // The writing store reads its own recent write from the primary (replica lag cannot hide it).
      const recent = await store.lookup(settled.code);
      expect(recent.source).toBe("primary");
      expect((await store.lookup("neverMade1")).record).toBeNull();
    },
    TEST_MS,
  );

  test(
    "a unique violation becomes code_taken or url_exists, on the right shard",
    async () => {
      const first = newLink();
      await store.insert(first);
      expect(await store.insert(newLink({ code: first.code }))).toEqual({ kind: "code_taken" });

      const url = `https://example.com/store/${run}/canonical`;
      const hash = urlHash(url);
      let code = randomCode(8);
      while (!store.colocated(code, hash)) code = randomCode(8);
      const canonical = await store.insert(newLink({ code, url, urlHash: hash, canonical: true }));
      expect(canonical.kind).toBe("inserted");
      let second = randomCode(8);
      while (!store.colocated(second, hash)) second = randomCode(8);
      const again = await store.insert(newLink({ code: second, url, urlHash: hash, canonical: true }));
      expect(again.kind).toBe("url_exists");
      if (again.kind === "url_exists") expect(again.link.code).toBe(code);
      expect((await store.findCanonical(hash))?.code).toBe(code);
    },
    TEST_MS,
  );

  test(
    "soft delete, click budget and click counts are applied on each code's shard",
    async () => {
      const before = await store.countLinks();
      const links = Array.from({ length: 9 }, () => newLink());
      for (const l of links) await store.insert(l);
      // The total sums every shard (the links land on several).
      expect(await store.countLinks()).toBe(before + 9);
      await store.addClicks(new Map(links.map((l, i) => [l.code, i + 1])));
      for (const [i, l] of links.entries()) expect((await store.findByCode(l.code))?.clicks).toBe(i + 1);

      const limited = newLink({ maxClicks: 2 });
      await store.insert(limited);
      expect([await store.takeClick(limited.code), await store.takeClick(limited.code), await store.takeClick(limited.code)]).toEqual([
        "granted",
        "granted",
        "exhausted",
      ]);
      expect(await store.takeClick("neverMade2")).toBe("missing");

      expect(await store.softDelete(links[0]!.code, Date.now())).toBe(true);
      expect(await store.softDelete(links[0]!.code, Date.now())).toBe(false);
      expect((await store.findByCode(links[0]!.code))?.deletedAt).not.toBeNull();
      expect(await store.countLinks()).toBe(before + 9); // 9 + the limited link - the deleted one
    },
    TEST_MS,
  );

  test(
    "listing merges all shards newest first and pages with the id cursor",
    async () => {
      const links = Array.from({ length: 12 }, () => newLink());
      for (const l of links) await store.insert(l);
      const first = await store.listRecent(5);
      const second = await store.listRecent(5, first[first.length - 1]!.id);
      const ids = [...first, ...second].map((r) => r.id);
      expect(ids).toEqual([...ids].sort((a, b) => (a > b ? -1 : 1)));
      expect(new Set(ids).size).toBe(10);
      expect(ids.slice(0, 10)).toEqual(
        links
          .slice(-10)
          .reverse()
          .map((l) => l.id),
      );
    },
    TEST_MS,
  );

  test(
    "text search skips the URLs of password links when asked to, on every shard",
    async () => {
      const marker = `pw-${run}`;
      const locked = Array.from({ length: 6 }, () => newLink({ passwordHash: "$argon2id$stand-in", url: `https://example.com/${marker}/${randomCode(12)}` }));
      const open = newLink({ url: `https://example.com/${marker}/open` });
      for (const l of [...locked, open]) await store.insert(l);
      const codes = async (filter: { q: string; searchProtectedUrls?: boolean }) =>
        (await store.listLinks({ limit: 50, ...filter })).records.map((l) => l.code).sort();
      expect(await codes({ q: marker })).toEqual([...locked, open].map((l) => l.code).sort());
      expect(await codes({ q: marker, searchProtectedUrls: false })).toEqual([open.code]);
      expect(await codes({ q: locked[0]!.code, searchProtectedUrls: false })).toEqual([locked[0]!.code]);
    },
    TEST_MS,
  );

  test(
    "a scan-limited listing ends where every shard has looked, resumes there, and finds each match once",
    async () => {
      const marker = `scan${run}`;
      const links = Array.from({ length: 40 }, (_, i) => newLink({ url: `https://example.com/${i % 4 === 0 ? marker : "other"}/${run}/${i}` }));
      for (const l of links) await store.insert(l);
      const wanted = links
        .filter((l) => l.url.includes(marker))
        .map((l) => l.id)
        .reverse();
      const found: bigint[] = [];
      let before: bigint | undefined = links[links.length - 1]!.id + 1n;
      let shortPages = 0;
      while (before !== undefined && before > links[0]!.id) {
        const page = await store.listLinks({ limit: 3, q: marker, beforeId: before, scanLimit: 5 });
        expect(page.records.length).toBeLessThanOrEqual(3);
        found.push(...page.records.map((r) => r.id));
        if (page.scannedTo !== null) shortPages++;
        before = page.scannedTo ?? (page.records.length === 3 ? page.records[2]!.id : undefined);
      }
      expect(found).toEqual(wanted);
      expect(shortPages).toBeGreaterThan(0);
    },
    TEST_MS,
  );

  test(
    "the shared rate-limit bucket takes several tokens at once (the Lua script mirrors takeToken)",
    async () => {
      const client = new Redis(config!.redisNodes[0]!);
      try {
        const limiter = new RedisRateLimiter(
          () => client,
          () => "closed",
        );
        const policy = parsePolicy("cost-test", "10/min")!;
        const key = `cost-${run}`;
        expect(await limiter.take(key, policy, 4)).toMatchObject({ allowed: true, remaining: 6 });
        expect(await limiter.take(key, policy, 7)).toMatchObject({ allowed: false, remaining: 6 });
        expect(await limiter.take(key, policy, 6)).toMatchObject({ allowed: true, remaining: 0 });
        expect(await limiter.take(`${key}-whole`, policy, 25)).toMatchObject({ allowed: true, remaining: 0 });
      } finally {
        client.disconnect();
      }
    },
    TEST_MS,
  );

  test(
    "health lists every node with its shard and kind",
    async () => {
      const health = await store.health();
      expect(health.length).toBe(config!.shards.length * 2);
      for (const h of health) expect(h).toMatchObject({ up: true, breaker: "closed" });
      expect(store.nodeStates().every((s) => s.state === "closed")).toBe(true);
    },
    TEST_MS,
  );

  test(
    "cache reads of one turn share one MGET per Redis node, each code answered with its own entry",
    async () => {
      if (config!.redisNodes.length === 0) throw new Error("REDIS_NODES is not set");
      const redisNodes = config!.redisNodes.map((url, i) => new RedisNode(url, i, config!.resilience));
      const router = new ShardRouter(topologyFromNodes(config!.shards, config!.redisNodes));
      const cache = new RedisLinkCache({ router, nodeAt: (i) => redisNodes[i]!, probeIntervalMs: config!.resilience.probeIntervalMs });
      const direct = config!.redisNodes.map((url) => new Redis(url));
      const mgets = async () => Promise.all(direct.map(async (c) => Number(/cmdstat_mget:calls=(\d+)/.exec(await c.info("commandstats"))?.[1] ?? 0)));
      try {
        await cache.connected(2_000);
        const links: CachedLink[] = Array.from({ length: 60 }, (_, i) => ({
          code: randomCode(8),
          url: `https://example.com/batched/${i}`,
          redirectType: 302,
          expiresAt: null,
          maxClicks: null,
          deleted: false,
          disabled: null,
          password: false,
          forwardQuery: false,
        }));
        await Promise.all(links.map((l) => cache.set(l, 60_000)));
        const unknown = Array.from({ length: 20 }, () => randomCode(9));
        const before = await mgets();
        const answers = await Promise.all([...links.map((l) => cache.get(l.code)), ...unknown.map((c) => cache.get(c))]);
        const after = await mgets();
        expect(answers.slice(0, links.length)).toEqual(links);
        expect(answers.slice(links.length).every((a) => a === undefined)).toBe(true);
        // 80 reads in one turn: one MGET on each node that holds any of them, not 80 GETs.
        const used = new Set([...links.map((l) => l.code), ...unknown].map((c) => ring.shardOf(c)));
        expect(after.map((n, i) => n - before[i]!)).toEqual(after.map((_, i) => (used.has(i) ? 1 : 0)));
        expect(cache.stats().errors).toBe(0);
      } finally {
        for (const c of direct) c.disconnect();
        await cache.close();
      }
    },
    TEST_MS,
  );

  test(
    "the Redis cache keeps each code on its ring node, with a distinct negative entry",
    async () => {
      if (config!.redisNodes.length === 0) throw new Error("REDIS_NODES is not set");
      const redisNodes = config!.redisNodes.map((url, i) => new RedisNode(url, i, config!.resilience));
      const router = new ShardRouter(topologyFromNodes(config!.shards, config!.redisNodes));
      const cache = new RedisLinkCache({ router, nodeAt: (i) => redisNodes[i]!, probeIntervalMs: config!.resilience.probeIntervalMs });
      const direct = config!.redisNodes.map((url) => new Redis(url));
      try {
        await cache.connected(2_000);
        const link: CachedLink = {
          code: randomCode(8),
          url: "https://example.com/cached",
          redirectType: 301,
          expiresAt: null,
          maxClicks: 3,
          deleted: false,
          disabled: null,
          password: false,
          forwardQuery: false,
        };
        await cache.set(link, 60_000);
        expect(await cache.get(link.code)).toEqual(link);
        const home = ring.shardOf(link.code);
        for (const [i, client] of direct.entries()) expect((await client.exists(`rl:link:${link.code}`)) === 1).toBe(i === home);

        const missing = randomCode(8);
        await cache.setMissing(missing, 5_000);
        expect(await cache.get(missing)).toBe(MISSING);
        // A negative entry never overwrites a link that exists.
        await cache.setMissing(link.code, 5_000);
        expect(await cache.get(link.code)).toEqual(link);
        await cache.delete(link.code);
        expect(await cache.get(link.code)).toBeUndefined();
        expect(cache.stats().errors).toBe(0);
      } finally {
        for (const c of direct) c.disconnect();
        await cache.close();
      }
    },
    TEST_MS,
  );

  test(
    "a cache node that refuses connections costs a miss, never an error, and its breaker then skips it",
    async () => {
      const dead = new RedisNode(`redis://127.0.0.1:${await freePort()}`, 0, { ...config!.resilience, breakerFailures: 3 });
      const one = new ShardRouter(topologyFromNodes([{ primary: "postgres://unused", replica: "postgres://unused" }], ["redis://unused"]));
      const cache = new RedisLinkCache({ router: one, nodeAt: () => dead, probeIntervalMs: 60_000 });
      try {
        for (let i = 0; i < 10; i++) expect(await cache.get(`code${i}`)).toBeUndefined();
        await cache.set(
          {
            code: "abc1234",
            url: "https://example.com/",
            redirectType: 302,
            expiresAt: null,
            maxClicks: null,
            deleted: false,
            disabled: null,
            password: false,
            forwardQuery: false,
          },
          1_000,
        );
        await cache.delete("abc1234");
        const stats = cache.stats();
        expect(stats.errors).toBe(3);
        expect(stats.skipped).toBe(9);
        expect(cache.nodeStates()[0]).toMatchObject({ state: "open", kind: "redis", shard: 0 });
      } finally {
        await cache.close();
      }
    },
    TEST_MS,
  );

  test(
    "an invalidation reaches another instance once, though it travels through every Redis node",
    async () => {
      const make = () => {
        const redisNodes = config!.redisNodes.map((url, i) => new RedisNode(url, i, config!.resilience));
        return { redisNodes, inv: new RedisInvalidation({ nodes: redisNodes, local: new LocalInvalidation() }) };
      };
      const a = make();
      const b = make();
      const heardByB: string[] = [];
      const heardByA: string[] = [];
      b.inv.subscribe((code) => heardByB.push(code));
      a.inv.subscribe((code) => heardByA.push(code));
      try {
        // Subscriptions are asynchronous: publish until the first message arrives, then count.
        await waitFor(
          "subscriptions",
          async () => {
            a.inv.publish("warmup");
            await Bun.sleep(30);
            return heardByB.includes("warmup");
          },
          5_000,
        );
        await Bun.sleep(100);
        heardByB.length = 0;
        heardByA.length = 0;
        a.inv.publish("abcdef1");
        await Bun.sleep(200);
        expect(heardByB).toEqual(["abcdef1"]);
        expect(heardByA).toEqual(["abcdef1"]); // the publisher's own listeners run locally, once
        expect(b.inv.stats().duplicates).toBeGreaterThan(0);
      } finally {
        for (const x of [a, b]) {
          await x.inv.close();
          for (const n of x.redisNodes) n.close();
        }
      }
    },
    TEST_MS,
  );
});
