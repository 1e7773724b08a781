/**
 * Two ringlink server processes (separate instances: own L1, own NODE_ID) over the same cluster:
 * links across shards, one code per URL under concurrent creates, and cross-instance invalidation.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { ShardRing } from "../../src/cluster";
import {
  clusterConfig,
  createLink,
  deleteLink,
  describeCluster,
  follow,
  migrateOnce,
  openNodes,
  startRinglink,
  waitFor,
  type ServerProcess,
} from "../support/cluster";

/** bun test 1.4.4 ignores bunfig's [test] timeout (5 s default applies): each test states its own budget. */
const SETUP_MS = 60_000;
const TEST_MS = 30_000;

describeCluster("ringlink instances over the sharded cluster", () => {
  let a: ServerProcess;
  let b: ServerProcess;
  let ring: ShardRing;
  const run = randomBytes(4).toString("hex");

  beforeAll(async () => {
    await migrateOnce();
    ring = new ShardRing(clusterConfig().shards.length);
    [a, b] = await Promise.all([startRinglink({ NODE_ID: "11" }), startRinglink({ NODE_ID: "12" })]);
  }, SETUP_MS);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  }, SETUP_MS);

  test(
    "creates, resolves and deletes links on every shard through either instance",
    async () => {
      const made = await Promise.all(Array.from({ length: 24 }, (_, i) => createLink(a.base, { url: `https://example.com/servers/${run}/${i}` })));
      for (const m of made) expect(m.status).toBe(201);
      const codes = made.map((m) => m.body.code!);
      expect(new Set(codes.map((c) => ring.shardOf(c))).size).toBe(ring.size);

      for (const [i, code] of codes.entries()) {
        expect(await follow(b.base, code)).toEqual({ status: 302, location: `https://example.com/servers/${run}/${i}` });
      }
      // One deletion per shard, made on A and seen on B.
      const victims = [...new Map(codes.map((c) => [ring.shardOf(c), c])).values()];
      for (const code of victims) expect(await deleteLink(a.base, code)).toBe(204);
      for (const code of victims) {
        await waitFor(`${code} to be gone on B`, async () => (await follow(b.base, code)).status === 410, 1_000, 20);
        const api = await fetch(`${b.base}/api/v1/links/${code}`);
        expect(api.status).toBe(410);
      }
      expect((await follow(b.base, "zzzzzzz")).status).toBe(404);
    },
    TEST_MS,
  );

  test(
    "every row lives on its code's shard primary and reaches that shard's replica",
    async () => {
      const made = await Promise.all(
        Array.from({ length: 12 }, (_, i) => createLink(b.base, { url: `https://example.com/replicated/${run}/${i}`, reuse: false })),
      );
      const nodes = openNodes();
      try {
        for (const m of made) {
          expect(m.status).toBe(201);
          const code = m.body.code!;
          const home = ring.shardOf(code);
          for (const [i, shard] of nodes.shards.entries()) {
            expect((await shard.primary`SELECT 1 FROM links WHERE code = ${code}`).length).toBe(i === home ? 1 : 0);
          }
          await waitFor(
            `${code} on replica ${home}`,
            async () => (await nodes.shards[home]!.replica`SELECT url FROM links WHERE code = ${code}`)[0]?.url === m.body.url,
            5_000,
            20,
          );
        }
      } finally {
        await nodes.close();
      }
    },
    TEST_MS,
  );

  test(
    "the same URL created concurrently on two instances gets exactly one code",
    async () => {
      for (let round = 0; round < 12; round++) {
        const url = `https://example.com/race/${run}/${round}`;
        const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => createLink(i % 2 === 0 ? a.base : b.base, { url })));
        for (const r of answers) expect([200, 201]).toContain(r.status);
        expect(new Set(answers.map((r) => r.body.code)).size).toBe(1);
        expect(answers.filter((r) => r.status === 201).length).toBe(1);
      }
    },
    TEST_MS,
  );

  test(
    "a delete on instance A makes instance B answer 410 within one second, though B had the link cached",
    async () => {
      const links = await Promise.all(Array.from({ length: 6 }, (_, i) => createLink(a.base, { url: `https://example.com/invalidate/${run}/${i}` })));
      for (const l of links) {
        const code = l.body.code!;
        // Twice on B: the second answer comes from B's own L1.
        expect((await follow(b.base, code)).status).toBe(302);
        expect((await follow(b.base, code)).status).toBe(302);
      }
      for (const l of links) {
        const code = l.body.code!;
        const started = performance.now();
        expect(await deleteLink(a.base, code)).toBe(204);
        await waitFor(`B to answer 410 for ${code}`, async () => (await follow(b.base, code)).status === 410, 1_000, 10);
        expect(performance.now() - started).toBeLessThan(1_000);
        // And it stays gone: nothing stale came back from Redis or a replica.
        await Bun.sleep(50);
        expect((await follow(b.base, code)).status).toBe(410);
        expect((await follow(a.base, code)).status).toBe(410);
      }
    },
    TEST_MS,
  );

  test(
    "/readyz lists every node of every shard with its breaker",
    async () => {
      const res = await fetch(`${a.base}/readyz`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { status: string; dependencies: Array<{ name: string; kind: string; shard: number; up: boolean; breaker: string }> };
      expect(body.status).toBe("ready");
      const config = clusterConfig();
      // Other dependencies (the event broker) may be listed too; these are the shard nodes.
      const nodes = body.dependencies.filter((d) => d.kind.startsWith("postgres") || d.kind === "redis");
      expect(nodes.length).toBe(config.shards.length * 2 + config.redisNodes.length);
      for (let i = 0; i < config.shards.length; i++) {
        for (const role of ["primary", "replica", ...(config.redisNodes.length ? ["redis"] : [])]) {
          expect(body.dependencies.find((d) => d.name === `shard-${i}/${role}`)).toMatchObject({ shard: i, up: true, breaker: "closed" });
        }
      }
    },
    TEST_MS,
  );
});
