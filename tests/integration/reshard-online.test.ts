/**
 * Growing a running cluster from 3 to 4 shards and shrinking it back, with two server processes
 * under redirect and create load the whole time, on a cluster of the suite's own (scripts/cluster.sh,
 * own CLUSTER_DIR, ports 500 above CLUSTER_PORT_OFFSET). Faults: the reshard SIGKILLed mid-move
 * and rerun; a replica crashed while links move.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import postgres from "postgres";
import { ROOT, describeCluster, follow, startRinglink, waitFor, type ServerProcess } from "../support/cluster";
import { startOwnCluster, type OwnCluster } from "../support/own-cluster";
import { clickEvent } from "../support/events";
import { PostgresAnalyticsStore } from "../../src/analytics";
import type { LinkEvent } from "../../src/events";
import { ShardConnections, moveBatch } from "../../src/reshard";
import { ShardRing, ShardRouter, topologyFromNodes } from "../../src/cluster";

const SETUP_MS = 120_000;
let cluster: OwnCluster;
let env: Record<string, string>;
const servers: ServerProcess[] = [];
const dataDir = `/tmp/ringlink-reshard-test-${process.pid}`;

function ringlink(args: string[], extra: Record<string, string> = {}) {
  return Bun.spawn(["bun", join(ROOT, "src/main.ts"), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, DATA_DIR: dataDir, LOG_FORMAT: "json", ...extra },
    stdout: "pipe",
    stderr: "pipe",
  });
}

async function run(args: string[], extra: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const proc = ringlink(args, extra);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out: out + err };
}

/** Rows per shard primary and codes present on more than one shard. */
async function census(databaseNodes: string): Promise<{ perShard: number[]; duplicated: string[]; frozen: number; canonicalTwice: string[] }> {
  const urls = databaseNodes.split(",").filter((_, i) => i % 2 === 0);
  const seen = new Map<string, number>();
  const perShard: number[] = [];
  let frozen = 0;
  const canonical = new Map<string, number>();
  for (const url of urls) {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<{ code: string; moving: number }[]>`SELECT code, moving FROM links`;
      for (const r of await sql<{ url_hash: string }[]>`SELECT url_hash FROM links WHERE canonical = 1 AND deleted_at IS NULL`) {
        canonical.set(r.url_hash, (canonical.get(r.url_hash) ?? 0) + 1);
      }
      perShard.push(rows.length);
      for (const r of rows) {
        seen.set(r.code, (seen.get(r.code) ?? 0) + 1);
        frozen += r.moving;
      }
    } finally {
      await sql.end({ timeout: 1 });
    }
  }
  return {
    perShard,
    duplicated: [...seen].filter(([, n]) => n > 1).map(([c]) => c),
    frozen,
    canonicalTwice: [...canonical].filter(([, n]) => n > 1).map(([h]) => h),
  };
}

interface Load {
  links: Map<string, string>;
  redirects: number;
  failures: string[];
  creates: number;
  createFailures: string[];
  /** maxClicks links: code -> redirects granted */
  granted: Map<string, number>;
  stop(): Promise<void>;
}

/** Bounded mixed load on loopback servers: redirects of acknowledged links, creates, budgeted clicks. */
function startLoad(bases: string[], links: Map<string, string>, budgeted: string[], maxMs: number): Load {
  const load: Load = { links, redirects: 0, failures: [], creates: 0, createFailures: [], granted: new Map(budgeted.map((c) => [c, 0])), stop: async () => {} };
  const codes = [...links.keys()];
  let stopped = false;
  const until = Date.now() + maxMs;
  let n = 0;
  const redirector = async () => {
    while (!stopped && Date.now() < until) {
      const i = n++;
      const code = codes[(i * 7919) % codes.length]!;
      try {
        const r = await follow(bases[i % bases.length]!, code);
        load.redirects++;
        if (r.status !== 302 || r.location !== links.get(code)) load.failures.push(`${code}: ${r.status} ${r.location}`);
      } catch (error) {
        load.failures.push(`${code}: ${String(error)}`);
      }
    }
  };
  const creator = async (w: number) => {
    let k = 0;
    while (!stopped && Date.now() < until) {
      const url = `https://load.example/${w}/${k++}/${Date.now()}`;
      try {
        const res = await fetch(`${bases[k % bases.length]}/api/v1/links`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ url }),
        });
        const body = (await res.json()) as { code?: string };
        load.creates++;
        if (res.status === 201 && body.code) {
          links.set(body.code, url);
          codes.push(body.code);
        } else load.createFailures.push(`${res.status} ${JSON.stringify(body)}`);
      } catch (error) {
        load.createFailures.push(String(error));
      }
      await Bun.sleep(5);
    }
  };
  const clicker = async () => {
    let i = 0;
    while (!stopped && Date.now() < until) {
      for (const code of budgeted) {
        const r = await follow(bases[i++ % bases.length]!, code).catch(() => ({ status: 0 }));
        if (r.status === 302) load.granted.set(code, load.granted.get(code)! + 1);
      }
      await Bun.sleep(150);
    }
  };
  const done = Promise.all([...Array.from({ length: 6 }, redirector), creator(0), creator(1), clicker()]);
  load.stop = async () => {
    stopped = true;
    await done;
  };
  return load;
}

async function createMany(base: string, count: number, body: (i: number) => Record<string, unknown>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < count; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, async (_, j) => {
        const b = body(i + j);
        const res = await fetch(`${base}/api/v1/links`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(b) });
        const json = (await res.json()) as { code: string };
        if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(json)}`);
        out.set(json.code, String(b.url));
      }),
    );
  }
  return out;
}

describeCluster("reshard: growing and shrinking a serving cluster", () => {
  const links = new Map<string, string>();
  let budgeted: string[] = [];
  let threeShards: Record<string, string>;

  beforeAll(async () => {
    cluster = await startOwnCluster(3);
    env = await cluster.env();
    threeShards = env;
    const m = await run(["migrate"]);
    if (m.code !== 0) throw new Error(`migrate failed:\n${m.out}`);
    for (let i = 0; i < 2; i++)
      servers.push(await startRinglink({ ...env, DATA_DIR: `${dataDir}-s${i}`, NODE_ID: String(10 + i), RATE_LIMIT_REDIRECT: "off" }));
    for (const [c, u] of await createMany(servers[0]!.base, 1500, (i) => ({ url: `https://before.example/${i}` }))) links.set(c, u);
    const budget = await createMany(servers[1]!.base, 20, (i) => ({ url: `https://budget.example/${i}`, maxClicks: 3 }));
    budgeted = [...budget.keys()];
  }, SETUP_MS);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await cluster?.down();
  }, 60_000);

  test("grows 3 -> 4: every acknowledged link keeps redirecting, a quarter moves to shard 3, budgets stay exact", async () => {
    const grown = await cluster.resize(4);
    expect(grown).toContain("shards: 3 -> 4");
    const target = await cluster.env();
    const load = startLoad(
      servers.map((s) => s.base),
      links,
      budgeted,
      60_000,
    );
    await Bun.sleep(1000);
    const dry = await run(["reshard", "--database-nodes", target.DATABASE_NODES!, "--redis-nodes", target.REDIS_NODES!, "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/-> shard-3: \d+/);
    const r = await run(["reshard", "--database-nodes", target.DATABASE_NODES!, "--redis-nodes", target.REDIS_NODES!], { RESHARD_BATCH: "100" });
    expect(r.out).toContain("links moved");
    expect(r.code).toBe(0);
    // Every server routes by the finished map within 2 s (pub/sub notice + 1 s periodic check).
    const version = Number(r.out.match(/topology v(\d+)\n/)?.[1]);
    const reported = Date.now();
    for (const s of servers) {
      await waitFor(
        `${s.base} to use topology v${version}`,
        async () => (await (await fetch(`${s.base}/metrics`)).text()).match(/^ringlink_topology_version (\d+)/m)?.[1] === String(version),
        2000,
        50,
      );
    }
    expect(Date.now() - reported).toBeLessThan(2500);
    expect(await (await fetch(`${servers[0]!.base}/metrics`)).text()).toMatch(/^ringlink_topology_shards 4$/m);
    await Bun.sleep(2500);
    await load.stop();
    env = target;

    expect(load.failures.slice(0, 10)).toEqual([]);
    expect(load.createFailures.slice(0, 10)).toEqual([]);
    expect(load.redirects).toBeGreaterThan(500);
    expect(load.creates).toBeGreaterThan(20);
    const c = await census(target.DATABASE_NODES!);
    expect(c.duplicated).toEqual([]);
    expect(c.canonicalTwice).toEqual([]);
    expect(c.frozen).toBe(0);
    const total = c.perShard.reduce((a, b) => a + b, 0);
    expect(total).toBe(links.size + budgeted.length);
    expect(c.perShard[3]! / total).toBeGreaterThan(0.17);
    expect(c.perShard[3]! / total).toBeLessThan(0.33);
    for (const code of budgeted) expect(load.granted.get(code)).toBe(3);
    // Every acknowledged link, once more, after the move.
    for (const [code, url] of [...links].slice(0, 300)) expect((await follow(servers[0]!.base, code)).location).toBe(url);
    // Same-URL reuse after the move: a URL gets its old code back or (its code and URL now on
    // different shards) one new code, never two canonical rows.
    let reused = 0;
    for (const [code, url] of [...links].slice(0, 200)) {
      const res = await fetch(`${servers[1]!.base}/api/v1/links`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ url }),
      });
      const body = (await res.json()) as { code: string };
      expect(res.status).toBeLessThan(300);
      if (body.code === code) reused++;
      else links.set(body.code, url);
    }
    expect(reused).toBeGreaterThan(100);
    expect((await census(target.DATABASE_NODES!)).canonicalTwice).toEqual([]);
    const again = await run(["reshard", "--database-nodes", target.DATABASE_NODES!, "--redis-nodes", target.REDIS_NODES!]);
    expect(again.out).toContain("nothing to do");
    const topo = JSON.parse((await run(["topology", "--json"])).out.replace(/^[^{]*/, "")) as {
      topology: { version: number; members: unknown[]; move: unknown };
    };
    expect(topo.topology.members.length).toBe(4);
    expect(topo.topology.move).toBeNull();
  }, 180_000);

  test("an analytics batch for a link mid-move lands on its new shard, is folded into the row when it arrives, and counts once", async () => {
    // A move 3 -> 4 as the worker sees it; the rows of these codes are still on their old shards.
    const nodes = (list: string) => list.split(",");
    const four = topologyFromNodes(
      nodes(env.DATABASE_NODES!).flatMap((u, i, all) => (i % 2 === 0 ? [{ primary: u, replica: all[i + 1]! }] : [])),
      nodes(env.REDIS_NODES!),
    );
    const router = new ShardRouter({ ...four, version: 1000, move: { state: "copying", from: four.members.slice(0, 3), startedAt: Date.now() } });
    const oldRing = new ShardRing(3);
    const codes: string[] = [];
    expect(router.size).toBe(4);
    for (let i = 0; codes.length < 5 && i < 10_000; i++) {
      const code = `mv${process.pid % 1000}x${i}`;
      if (router.shardOf(code) === 3) codes.push(code);
    }
    const conn = new ShardConnections();
    const store = new PostgresAnalyticsStore({
      nodesOf: (i) => router.members(i),
      shardIndices: () => router.indices(),
      shardOf: (c) => router.shardOf(c),
      moving: () => router.moving,
      previousShardOf: (c) => router.previousShardOf(c),
      connectTimeoutMs: 2000,
      queryTimeoutMs: 5000,
      poolMax: 2,
    });
    try {
      for (const [i, code] of codes.entries()) {
        const old = conn.primary(four.members[oldRing.shardOf(code)]!);
        await old`INSERT INTO links (id, code, url, url_hash, created_at, clicks) VALUES (${String(9_000_000_000 + i)}, ${code}, ${`https://mv.example/${i}`}, ${`h-${code}`}, ${Date.now()}, 10)`;
        await old`INSERT INTO click_minutes (code, minute_start, human, bot) VALUES (${code}, 60000, 10, 0)`;
      }
      const T = Date.now();
      const events: LinkEvent[] = codes.flatMap((code) =>
        [0, 1, 2].map((k) => clickEvent({ event_id: `mv-${process.pid}-${code}-${k}`, short_code: code, ts: T, visitor: `v${k}` })),
      );
      const batch = {
        events,
        kafka: { source: { group: `mv-${process.pid}`, topic: "link.clicked", partition: 0 }, offsets: events.map((_, i) => i), nextOffset: events.length },
      };
      await store.apply(batch);
      const target = conn.primary(four.members[3]!);
      const pending = await target<{ n: string }[]>`SELECT coalesce(sum(clicks), 0) AS n FROM pending_clicks WHERE code = ANY(${codes}::text[])`;
      expect(Number(pending[0]!.n)).toBe(15);
      // Stats mid-move add up both shards: 10 clicks on the old one, 3 new ones on the new one.
      const mid = await store.read({ code: codes[0]!, from: 0, to: T + 3_600_000, stepMs: 3_600_000, topLimit: 5 });
      expect(mid.series.reduce((n, p) => n + p.human + p.bot, 0)).toBe(13);
      // The reshard moves them: rows arrive with 10 + 3 clicks each and their aggregates merged.
      for (const code of codes) {
        const from = oldRing.shardOf(code);
        expect(await moveBatch(conn, { index: from, members: four.members[from]! }, { index: 3, members: four.members[3]! }, [code], () => false)).toBe(1);
      }
      // The same batch delivered again (a worker restart): counted once.
      await store.apply(batch);
      const rows = await target<{ code: string; clicks: string }[]>`SELECT code, clicks FROM links WHERE code = ANY(${codes}::text[])`;
      expect(rows.map((r) => Number(r.clicks))).toEqual(codes.map(() => 13));
      const minutes = await target<{ n: string }[]>`SELECT sum(human + bot) AS n FROM click_minutes WHERE code = ANY(${codes}::text[])`;
      expect(Number(minutes[0]!.n)).toBe(5 * 13);
      expect((await target`SELECT 1 FROM pending_clicks WHERE code = ANY(${codes}::text[])`).length).toBe(0);
      for (const [i, code] of codes.entries()) {
        const old = conn.primary(four.members[oldRing.shardOf(code)]!);
        expect((await old`SELECT 1 FROM links WHERE code = ${code}`).length).toBe(0);
        await target`DELETE FROM links WHERE code = ${code}`;
        await target`DELETE FROM click_minutes WHERE code = ${code}`;
        await target`DELETE FROM click_visitors WHERE code = ${code}`;
        await target`DELETE FROM click_dimensions WHERE code = ${code}`;
        void i;
      }
    } finally {
      await store.close();
      await conn.close();
    }
  }, 60_000);

  test("shrinks 4 -> 3 with the reshard SIGKILLed mid-move and rerun, and a replica crashed during the move", async () => {
    const target = threeShards;
    const load = startLoad(
      servers.map((s) => s.base),
      links,
      [],
      90_000,
    );
    // Small batches so the move is still running when it is killed.
    const first = ringlink(["reshard", "--database-nodes", target.DATABASE_NODES!, "--redis-nodes", target.REDIS_NODES!], { RESHARD_BATCH: "5" });
    let output = "";
    void new Response(first.stderr).text().then((t) => {
      output = t;
    });
    const sql3 = postgres(env.DATABASE_NODES!.split(",")[6]!, { max: 1, onnotice: () => {} });
    try {
      const before = Number((await sql3<{ n: string }[]>`SELECT count(*) AS n FROM links`)[0]!.n);
      for (let i = 0; i < 400; i++) {
        const left = Number((await sql3<{ n: string }[]>`SELECT count(*) AS n FROM links`)[0]!.n);
        if (left < before * 0.7) break;
        await Bun.sleep(25);
      }
    } finally {
      await sql3.end({ timeout: 1 });
    }
    first.kill("SIGKILL");
    await first.exited;
    const mid = await census(env.DATABASE_NODES!);
    expect(mid.perShard[3]!).toBeGreaterThan(0);
    // A replica dies while the rerun moves links: redirects fall back to its primary.
    const crash = await cluster.sh(["stop-node", "replica", "1", "--hard"]);
    expect(crash.code).toBe(0);
    const rerun = await run(["reshard", "--database-nodes", target.DATABASE_NODES!, "--redis-nodes", target.REDIS_NODES!], { RESHARD_BATCH: "50" });
    expect(rerun.out).toContain("resuming the move");
    expect(rerun.code).toBe(0);
    await Bun.sleep(2500);
    await load.stop();
    expect((await cluster.sh(["start-node", "replica", "1"])).code).toBe(0);

    expect(output.length).toBeGreaterThan(0);
    expect(load.failures.slice(0, 10)).toEqual([]);
    expect(load.createFailures.slice(0, 10)).toEqual([]);
    const c = await census(env.DATABASE_NODES!);
    expect(c.perShard[3]).toBe(0);
    expect(c.duplicated).toEqual([]);
    expect(c.canonicalTwice).toEqual([]);
    expect(c.frozen).toBe(0);
    expect(c.perShard.reduce((a, b) => a + b, 0)).toBe(links.size + budgeted.length);
    const again = await run(["reshard", "--database-nodes", target.DATABASE_NODES!, "--redis-nodes", target.REDIS_NODES!]);
    expect(again.out).toContain("nothing to do");
    const shrunk = await cluster.resize(3);
    expect(shrunk).toContain("shard 3 removed");
    env = target;
    for (const [code, url] of [...links].slice(-300)) expect((await follow(servers[1]!.base, code)).location).toBe(url);
  }, 180_000);

  test("verify finds wrong-shard rows, duplicates, stale Redis entries and orphan aggregates, and --repair fixes them", async () => {
    const urls = env.DATABASE_NODES!.split(",").filter((_, i) => i % 2 === 0);
    const shards = urls.map((u) => postgres(u, { max: 1, onnotice: () => {} }));
    try {
      const clean = await run(["verify"]);
      expect(clean.out).toContain("no findings");
      expect(clean.code).toBe(0);
      // A row moved by hand to the wrong shard, a row copied to a second shard, an orphan aggregate.
      const [a, b] = await shards[1]!<{ code: string }[]>`SELECT code FROM links ORDER BY id LIMIT 2`;
      await shards[1]!.begin(async (tx) => {
        const [row] = await tx`SELECT * FROM links WHERE code = ${a!.code}`;
        await shards[2]!`INSERT INTO links ${shards[2]!(row!)}`;
        await tx`DELETE FROM links WHERE code = ${a!.code}`;
      });
      const [copy] = await shards[1]!`SELECT * FROM links WHERE code = ${b!.code}`;
      await shards[0]!`INSERT INTO links ${shards[0]!(copy!)}`;
      await shards[0]!`INSERT INTO click_minutes (code, minute_start, human, bot) VALUES ('zzOrphan', 0, 3, 0)`;
      // A cache entry on a node that does not own the code (shard 1's code on node 0).
      const stale = new Redis(env.REDIS_NODES!.split(",")[0]!);
      await stale.set(`rl:link:${b!.code}`, JSON.stringify({ u: "https://stale.example/", t: 302 }));
      stale.disconnect();
      const found = await run(["verify"]);
      expect(found.code).toBe(1);
      expect(found.out).toMatch(/wrong-shard\s+1/);
      expect(found.out).toMatch(/duplicate\s+1/);
      // the zz code, plus the hand-moved row's aggregates left on its old shard if it had clicks
      expect(found.out).toMatch(/orphan-aggregates\s+[12]/);
      // the injected entry, plus the hand-moved row's entry left on its old node if it was cached
      expect(found.out).toMatch(/redis-disagrees\s+[12]/);
      expect(found.out).toContain(`${b!.code}: redis-disagrees: cached on shard-0's node`);
      const repaired = await run(["verify", "--repair"]);
      expect(repaired.code).toBe(0);
      const after = await run(["verify"]);
      expect(after.out).toContain("no findings");
      expect(after.code).toBe(0);
      for (const code of [a!.code, b!.code]) expect((await follow(servers[0]!.base, code)).location).toBe(links.get(code)!);
    } finally {
      await Promise.all(shards.map((s) => s.end({ timeout: 1 })));
    }
  }, 60_000);

  test("copies an embedded DATA_DIR of 10,000 links with clicks and aggregates into the cluster, killed once and rerun", async () => {
    const embedded = mkdtempSync(join(tmpdir(), "ringlink-embedded-"));
    const local = { DATABASE_NODES: "", DB_NODES: "", REDIS_NODES: "", KAFKA_BROKERS: "", DATA_DIR: embedded };
    expect((await run(["seed", "10000"], local)).code).toBe(0);
    const key = await run(["keys", "create", "--name", "imported", "--scopes", "create,stats"], local);
    expect(key.code).toBe(0);
    const db = new Database(join(embedded, "ringlink.sqlite"));
    db.run("UPDATE links SET clicks = id % 7");
    db.run("INSERT INTO click_minutes (code, minute_start, human, bot) SELECT code, 60000, id % 7, 1 FROM links");
    const expected = db.query("SELECT count(*) AS n, sum(clicks) AS clicks FROM links").get() as { n: number; clicks: number };
    const sample = db.query("SELECT code, url FROM links ORDER BY random() LIMIT 50").all() as Array<{ code: string; url: string }>;
    db.close();
    expect(expected.n).toBe(10_000);

    const before = await census(env.DATABASE_NODES!);
    const first = ringlink(["reshard", "--from-embedded", embedded], { RESHARD_BATCH: "50" });
    await Bun.sleep(1500);
    first.kill("SIGKILL");
    await first.exited;
    const r = await run(["reshard", "--from-embedded", embedded]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("10000 links");
    const again = await run(["reshard", "--from-embedded", embedded]);
    expect(again.out).toContain("(0 new, 10000 already there)");
    const after = await census(env.DATABASE_NODES!);
    expect(after.duplicated).toEqual([]);
    expect(after.perShard.reduce((x, y) => x + y, 0) - before.perShard.reduce((x, y) => x + y, 0)).toBe(10_000);

    const urls = env.DATABASE_NODES!.split(",").filter((_, i) => i % 2 === 0);
    let clicks = 0;
    let minutes = 0;
    for (const u of urls) {
      const sql = postgres(u, { max: 1, onnotice: () => {} });
      try {
        const [c] = await sql<{ n: string | null }[]>`SELECT sum(clicks) AS n FROM links WHERE url LIKE 'https://example.com/seed/%'`;
        const [m] = await sql<{ n: string | null }[]>`SELECT sum(human + bot) AS n FROM click_minutes WHERE minute_start = 60000`;
        clicks += Number(c!.n ?? 0);
        minutes += Number(m!.n ?? 0);
      } finally {
        await sql.end({ timeout: 1 });
      }
    }
    expect(clicks).toBe(Number(expected.clicks));
    expect(minutes).toBe(Number(expected.clicks) + 10_000);
    const shard0 = postgres(urls[0]!, { max: 1, onnotice: () => {} });
    try {
      expect((await shard0`SELECT 1 FROM api_keys WHERE name = 'imported'`).length).toBe(1);
    } finally {
      await shard0.end({ timeout: 1 });
    }
    for (const { code, url } of sample) expect((await follow(servers[0]!.base, code)).location).toBe(url);
  }, 120_000);
});
