/**
 * Support for the event-pipeline integration tests (tests/integration/events-*.test.ts): the guard
 * that needs PostgreSQL *and* Kafka, a ringlink server and analytics worker wired to one run's own
 * topics and consumer group, the broker's stop/start through scripts/cluster.sh (by its recorded
 * PID, never by name), a bounded redirect load, the stats endpoint, and click events made by hand.
 */
import { describe, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKafka, physicalTopic, type LinkEvent } from "../../src/events";
import { EVENT_TOPICS } from "../../src/events/kafka/kafka-topics";
import { ROOT, startServer, startWorker, type RunningServer, type RunningWorker } from "./processes";

export const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
export const IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";

/**
 * A click as a served redirect publishes it (a `read` event, OK, from Chrome in NL, no cache or
 * database detail) for the tests that feed the analytics store directly; `fields` say which click.
 */
export function clickEvent(fields: Pick<LinkEvent, "event_id" | "short_code" | "ts" | "visitor"> & Partial<LinkEvent>): LinkEvent {
  return {
    type: "read",
    status: "OK",
    node: "it",
    redis: null,
    db: null,
    latency_ms: 0,
    user_agent: CHROME,
    referrer: null,
    country: "NL",
    ...fields,
  };
}

const MISSING = [
  "the event-pipeline integration tests need the local cluster with Kafka, but {VARS} not set.",
  'Start it and export its environment:  scripts/cluster.sh up && eval "$(scripts/cluster.sh env)"',
  "(or run `bun run test`, which does both), or set RINGLINK_SKIP_INTEGRATION=1 to skip these suites.",
].join("\n");

/** Fails (does not skip) without DATABASE_NODES and KAFKA_BROKERS, unless RINGLINK_SKIP_INTEGRATION=1. */
export function describeWithKafka(name: string, body: () => void): void {
  if (process.env.RINGLINK_SKIP_INTEGRATION === "1") {
    describe.skip(name, body);
    return;
  }
  const missing = [!process.env.DATABASE_NODES && !process.env.DB_NODES ? "DATABASE_NODES" : null, !process.env.KAFKA_BROKERS ? "KAFKA_BROKERS" : null].filter(
    (v): v is string => v !== null,
  );
  if (missing.length > 0) {
    describe(name, () => {
      test(`needs the local cluster (${missing.join(", ")})`, () => {
        throw new Error(MISSING.replace("{VARS}", `${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"}`));
      });
    });
    return;
  }
  describe(name, body);
}

/** One test run's own topics and consumer group, so runs (and other suites) never see each other's events. */
export function runEnv(label: string): Record<string, string> {
  const run = `${label}-${randomBytes(4).toString("hex")}`;
  return {
    KAFKA_TOPIC_PREFIX: `it.${run}.`,
    ANALYTICS_GROUP: `it-${run}`,
    HOST: "127.0.0.1",
    ACCESS_LOG: "off",
    RATE_LIMIT_CREATE: "off",
    VISITOR_SALT: "integration",
  };
}

export async function runMain(args: string[], env: Record<string, string>): Promise<string> {
  const proc = Bun.spawn(["bun", join(ROOT, "src/main.ts"), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`ringlink ${args.join(" ")} exited ${code}:\n${out}${err}`);
  return out;
}

/** A server (serve) and the analytics worker over the cluster, with their own DATA_DIR. */
export class Pipeline {
  server!: RunningServer;
  worker!: RunningWorker;
  readonly dataDir = mkdtempSync(join(tmpdir(), "ringlink-events-it-"));

  constructor(readonly env: Record<string, string>) {}

  async start(): Promise<void> {
    // Tables on every shard primary and this run's topics (ringlink migrate creates both).
    await runMain(["migrate"], this.env);
    this.server = await startServer(["bun", join(ROOT, "src/main.ts"), "serve"], {
      cwd: ROOT,
      env: { ...this.env, DATA_DIR: this.dataDir },
      readyPath: "/healthz",
      timeoutMs: 30_000,
    });
    await this.startWorker();
  }

  async startWorker(): Promise<RunningWorker> {
    this.worker = await startWorker(["bun", join(ROOT, "src/main.ts"), "worker", "analytics"], {
      cwd: ROOT,
      env: { ...this.env, DATA_DIR: this.dataDir },
      timeoutMs: 40_000,
    });
    return this.worker;
  }

  async stop(): Promise<void> {
    await Promise.all([this.server?.stop(), this.worker?.stop()]);
    rmSync(this.dataDir, { recursive: true, force: true });
    await deleteRunTopics(this.env.KAFKA_TOPIC_PREFIX!).catch(() => {});
  }

  get base(): string {
    return this.server.base;
  }

  async createLink(url: string): Promise<string> {
    const res = await fetch(`${this.base}/api/v1/links`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url, reuse: false }),
    });
    const body = (await res.json()) as { code?: string };
    if (res.status !== 201 || !body.code) throw new Error(`create failed: ${res.status} ${JSON.stringify(body)}`);
    return body.code;
  }

  async stats(code: string, query = "?interval=minute"): Promise<LinkStatsBody> {
    const res = await fetch(`${this.base}/api/v1/links/${code}/stats${query}`);
    if (res.status !== 200) throw new Error(`stats ${code}: ${res.status} ${await res.text()}`);
    return (await res.json()) as LinkStatsBody;
  }

  async clicks(code: string): Promise<number> {
    return ((await (await fetch(`${this.base}/api/v1/links/${code}`)).json()) as { clicks: number }).clicks;
  }

  /**
   * Waits until the stats show `clicks` in total, then until the worker has nothing left to read,
   * and returns the stats seen after that: a count that overshoots is caught, not just awaited.
   */
  async settle(code: string, clicks: number, timeoutMs = 60_000): Promise<LinkStatsBody> {
    const deadline = Date.now() + timeoutMs;
    let last: LinkStatsBody | null = null;
    while (Date.now() < deadline) {
      last = await this.stats(code).catch(() => last);
      if (last && last.totals.clicks >= clicks) break;
      await Bun.sleep(100);
    }
    for (;;) {
      const health = await this.worker.health().catch(() => null);
      if ((health && health.lagMessages === 0) || Date.now() > deadline) break;
      await Bun.sleep(100);
    }
    await Bun.sleep(500); // replica catch-up, and room for a double count to show
    return this.stats(code);
  }
}

export interface LinkStatsBody {
  code: string;
  from: string;
  to: string;
  interval: string;
  totals: { clicks: number; human: number; bot: number; unique: number };
  series: Array<{ t: string; human: number; bot: number }>;
  top: Record<"referrers" | "browsers" | "os" | "devices" | "countries", Array<{ value: string; clicks: number }>>;
}

export function seriesSum(stats: LinkStatsBody): { human: number; bot: number } {
  return stats.series.reduce((acc, p) => ({ human: acc.human + p.human, bot: acc.bot + p.bot }), { human: 0, bot: 0 });
}

export interface FireResult {
  sent: number;
  statuses: Record<number, number>;
  /** the slowest redirect, ms */
  maxMs: number;
}

/**
 * `total` GET redirects to one code from `concurrency` loops, or until `stop()` when `total` is
 * Infinity (bounded anyway by `maxMs`). `userAgent` may vary per request.
 */
export function fireRedirects(
  base: string,
  code: string,
  opts: { total: number; concurrency: number; userAgent: (i: number) => string | null; maxMs?: number },
) {
  const result: FireResult = { sent: 0, statuses: {}, maxMs: 0 };
  let next = 0;
  let stopped = false;
  const until = Date.now() + (opts.maxMs ?? 60_000);
  const loop = async () => {
    while (!stopped && Date.now() < until) {
      const i = next++;
      if (i >= opts.total) return;
      const ua = opts.userAgent(i);
      const started = performance.now();
      let status = 0;
      try {
        const res = await fetch(`${base}/${code}`, { redirect: "manual", headers: ua === null ? { "user-agent": "" } : { "user-agent": ua } });
        await res.arrayBuffer();
        status = res.status;
      } catch {
        status = 0;
      }
      result.maxMs = Math.max(result.maxMs, performance.now() - started);
      result.sent++;
      result.statuses[status] = (result.statuses[status] ?? 0) + 1;
    }
  };
  const done = Promise.all(Array.from({ length: opts.concurrency }, loop)).then(() => result);
  return {
    result,
    done,
    async stop(): Promise<FireResult> {
      stopped = true;
      return done;
    },
  };
}

// ------------------------------------------------------------------ the broker

/** A run's topics are its own: delete them so repeated runs do not pile up partitions on the broker. */
async function deleteRunTopics(prefix: string): Promise<void> {
  const admin = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? "").split(","), clientId: "ringlink-tests" }).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: EVENT_TOPICS.map((t) => physicalTopic(prefix, t)), timeout: 5_000 });
  } finally {
    await admin.disconnect();
  }
}

async function clusterSh(args: string[]): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn(["bash", join(ROOT, "scripts/cluster.sh"), ...args], { cwd: ROOT, env: process.env, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out: out + err };
}

export async function kafkaPid(): Promise<number | null> {
  const r = await clusterSh(["pid", "kafka"]);
  const pid = Number(r.out.trim().split("\n")[0]);
  return r.code === 0 && Number.isInteger(pid) && pid > 0 ? pid : null;
}

export async function stopKafka(): Promise<void> {
  if ((await kafkaPid()) === null) throw new Error("kafka is not running before the fault test");
  const r = await clusterSh(["stop-node", "kafka"]);
  if (r.code !== 0) throw new Error(`stop-node kafka failed:\n${r.out}`);
}

export async function startKafka(): Promise<void> {
  const r = await clusterSh(["start-node", "kafka"]);
  if (r.code !== 0) throw new Error(`start-node kafka failed:\n${r.out}`);
}

/** Leaves the broker running for whatever runs next, even after a failed test. */
export async function ensureKafkaUp(): Promise<void> {
  if ((await kafkaPid()) === null) await startKafka();
}
