/**
 * The live stream in distributed mode, over the local cluster: two instances (one of them with two
 * processes) share their events and reports over Redis pub/sub, so one dashboard client sees every
 * process of every instance, each shard's nodes and key distribution, and the cluster-wide cache
 * metrics. Also checks the analytics worker's /metrics against the names the Grafana dashboards and
 * alert rules use. Fails without DATABASE_NODES unless RINGLINK_SKIP_INTEGRATION=1.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ServerFrame, SnapshotFrame, TickFrame } from "../../src/realtime/wire";
import {
  ADMIN_TOKEN,
  ROOT,
  clusterConfig,
  createLink,
  describeCluster,
  follow,
  freePort,
  migrateOnce,
  startRinglink,
  waitFor,
  type ServerProcess,
} from "../support/cluster";

/** bun test 1.4.4 applies its 5 s default despite bunfig's timeout: every hook and test states its budget. */
const SETUP_MS = 60_000;
const TEST_MS = 45_000;

class Stream {
  readonly frames: ServerFrame[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  constructor(base: string) {
    // The instances run with an ADMIN_TOKEN, so watching needs it (and an admin sees every field).
    this.ws = new WebSocket(`${base.replace("http", "ws")}/ws`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    this.opened = new Promise((resolve, reject) => {
      this.ws.onopen = () => resolve();
      this.ws.onerror = () => reject(new Error("websocket failed"));
    });
    this.ws.onmessage = (e) => this.frames.push(JSON.parse(String(e.data)) as ServerFrame);
  }
  events() {
    return this.frames.flatMap((f) => (f.kind === "events" ? f.events : []));
  }
  lastTick(): TickFrame | undefined {
    return this.frames.filter((f): f is TickFrame => f.kind === "tick").at(-1);
  }
}

describeCluster("the live stream across instances (Redis relay)", () => {
  let a: ServerProcess;
  let b: ServerProcess;
  const run = randomBytes(4).toString("hex");

  beforeAll(async () => {
    await migrateOnce();
    // A has two processes: its siblings hear each other over IPC and over Redis (duplicates dropped).
    [a, b] = await Promise.all([startRinglink({ NODE_ID: "31", PROCESSES: "2" }), startRinglink({ NODE_ID: "32" })]);
  }, SETUP_MS);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  }, SETUP_MS);

  test(
    "a client on one instance sees the events, processes and shards of all of them",
    async () => {
      const client = new Stream(a.base);
      await client.opened;
      // Other instances on the same cluster (someone else's test run) may show up too: look at ours.
      const ours = (t: TickFrame | undefined) => (t?.nodes ?? []).filter((n) => /#3[12]$/.test(n.instance) && n.status === "live");
      await waitFor("all three processes in a tick", async () => ours(client.lastTick()).length === 3, 15_000, 100);

      const codes: string[] = [];
      for (let i = 0; i < 6; i++) {
        const made = await createLink(b.base, { url: `https://example.com/realtime/${run}/${i}` });
        expect(made.status).toBe(201);
        codes.push(made.body.code!);
      }
      for (const code of codes) expect((await follow(b.base, code)).status).toBe(302);

      // Events made on B arrive on A's client; they carry the cluster's cache metrics.
      await waitFor(
        "B's write and read events on A's client",
        async () => {
          const fromB = client.events().filter((e) => e.node.endsWith("#32.0") && codes.includes(e.short_code));
          return fromB.some((e) => e.type === "write") && fromB.some((e) => e.type === "read");
        },
        10_000,
        100,
      );
      const read = client.events().find((e) => e.type === "read" && codes.includes(e.short_code))!;
      expect(read.cache_metrics!.total).toBe(read.cache_metrics!.hits + read.cache_metrics!.misses);
      expect(new Set(client.events().map((e) => e.event_id)).size).toBe(client.events().length);

      const tick = await waitFor(
        "totals with B's redirects",
        async () => {
          const t = client.lastTick();
          return t && t.totals.instances >= 2 && t.totals.requests >= codes.length ? t : null;
        },
        10_000,
        100,
      );
      expect(
        ours(tick)
          .map((n) => n.instance.split("#")[1])
          .sort(),
      ).toEqual(["31", "31", "32"]);
      expect(tick.cache_metrics.total).toBeGreaterThanOrEqual(codes.length);

      // A fresh client starts from a snapshot with every shard's nodes and key distribution.
      const late = new Stream(a.base);
      await late.opened;
      const snap = await waitFor("a snapshot", async () => late.frames.find((f): f is SnapshotFrame => f.kind === "snapshot"), 5_000);
      const shards = clusterConfig().shards.length;
      expect(snap.shards.shards.length).toBe(shards);
      for (const s of snap.shards.shards) {
        expect(s.nodes.map((n) => n.kind).sort()).toEqual(["postgres-primary", "postgres-replica", "redis"]);
      }
      await waitFor(
        "key distribution",
        async () => {
          const frame = late.frames.filter((f): f is TickFrame => f.kind === "tick").find((t) => t.shards && t.shards.sample > 0);
          return frame ? frame : snap.shards.sample > 0 ? snap : null;
        },
        10_000,
        100,
      );
      client.ws.close();
      late.ws.close();
    },
    TEST_MS,
  );

  test(
    "/metrics shows the Redis relay, dropped duplicates and every node's breaker",
    async () => {
      const client = new Stream(a.base);
      await client.opened;
      await Bun.sleep(2_500);
      const text = await (await fetch(`${a.base}/metrics`)).text();
      client.ws.close();
      expect(text).toMatch(/^ringlink_realtime_relay_messages_total\{transport="redis",result="received"\} [1-9]/m);
      expect(text).toMatch(/^ringlink_realtime_relay_duplicates_total [1-9]/m);
      expect(Number(/^ringlink_realtime_peers (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(3);
      const breakers = [...text.matchAll(/^ringlink_breaker_state\{name="([^"]+)"/gm)].map((m) => m[1]);
      expect(breakers.length).toBe(clusterConfig().shards.length * 3);
      expect(text).toMatch(/^ringlink_cache_hit_ratio\{scope="cluster"\} [0-9.]+$/m);
    },
    TEST_MS,
  );

  test(
    "the analytics worker's /metrics has every worker metric the dashboards and alert rules use",
    async () => {
      if (!process.env.KAFKA_BROKERS) throw new Error("KAFKA_BROKERS is not set: the worker needs the cluster's Kafka (scripts/cluster.sh env)");
      const port = await freePort();
      const worker = Bun.spawn(["bun", join(ROOT, "src/main.ts"), "worker", "analytics"], {
        cwd: ROOT,
        env: { ...process.env, WORKER_PORT: String(port), HOST: "127.0.0.1", ANALYTICS_GROUP: `realtime-test-${run}` },
        stdout: "pipe",
        stderr: "pipe",
      });
      try {
        const text = await waitFor(
          "the worker's /metrics",
          async () => {
            const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => null);
            return res?.ok ? res.text() : null;
          },
          30_000,
          200,
        );
        const served = new Set([...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]));
        const dir = join(ROOT, "monitoring/grafana/dashboards");
        const sources = [
          ...readdirSync(dir).map((f) => readFileSync(join(dir, f), "utf8")),
          readFileSync(join(ROOT, "monitoring/prometheus/alerts.yml"), "utf8"),
        ];
        const wanted = new Set(sources.flatMap((s) => s.match(/\bringlink_analytics_[a-z0-9_]+/g) ?? []));
        expect(wanted.size).toBeGreaterThan(3);
        expect([...wanted].filter((name) => !served.has(name))).toEqual([]);
      } finally {
        worker.kill("SIGTERM");
        await worker.exited;
      }
    },
    TEST_MS,
  );
});
