/**
 * Integration-test support for the distributed tier: the cluster's environment, fault injection
 * through scripts/cluster.sh (stop-node / start-node / pid, by PID, never by name), ringlink server
 * subprocesses on free loopback ports, and small HTTP helpers. Nothing here mocks PostgreSQL or Redis.
 */
import { describe, test } from "bun:test";
import type { Subprocess } from "bun";
import { join } from "node:path";
import postgres from "postgres";
import { randomBytes } from "node:crypto";
import { loadConfig } from "../../src/config";
import { randomCode } from "../../src/ids";
import { urlHash } from "../../src/links/link-service";
import type { NewLink } from "../../src/storage/link-store";

export const ROOT = join(import.meta.dir, "../..");
const CLUSTER_SCRIPT = join(ROOT, "scripts/cluster.sh");
export const ADMIN_TOKEN = "integration-admin-token-0123456789ab";

const MISSING_CLUSTER = [
  "integration tests need the local cluster, but DATABASE_NODES is not set.",
  'Start it and export its environment:  scripts/cluster.sh up && eval "$(scripts/cluster.sh env)"',
  "(or run `bun run test`, which does both), or set RINGLINK_SKIP_INTEGRATION=1 to skip these suites.",
].join("\n");

/**
 * `describe` for suites that need the cluster. Without DATABASE_NODES the suite fails loudly with
 * instructions (a silently skipped integration suite looks like a green one); with
 * RINGLINK_SKIP_INTEGRATION=1 it is skipped on purpose.
 */
export function describeCluster(name: string, body: () => void): void {
  if (process.env.RINGLINK_SKIP_INTEGRATION === "1") {
    describe.skip(name, body);
    return;
  }
  if (!process.env.DATABASE_NODES && !process.env.DB_NODES) {
    describe(name, () => {
      test("needs the local cluster (DATABASE_NODES)", () => {
        throw new Error(MISSING_CLUSTER);
      });
    });
    return;
  }
  describe(name, body);
}

/** The cluster as the servers will see it (parsed by the real config loader). */
export function clusterConfig() {
  return loadConfig(process.env);
}

// ------------------------------------------------------------------ cluster.sh

export type NodeKind = "primary" | "replica" | "redis";

async function clusterSh(args: string[]): Promise<{ code: number; out: string }> {
  // Async on purpose: a load generator runs in this same process while nodes stop and start.
  const proc = Bun.spawn(["bash", CLUSTER_SCRIPT, ...args], { cwd: ROOT, env: process.env, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out: out + err };
}

export async function nodePid(kind: NodeKind, index: number): Promise<number | null> {
  const r = await clusterSh(["pid", kind, String(index)]);
  const pid = Number(r.out.trim().split("\n")[0]);
  return r.code === 0 && Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Crash a node (SIGKILL for Redis, `pg_ctl -m immediate` for PostgreSQL) through the cluster script. */
export async function crashNode(kind: NodeKind, index: number): Promise<number> {
  const pid = await nodePid(kind, index);
  if (pid === null) throw new Error(`${kind} ${index} is not running before the fault test`);
  const r = await clusterSh(["stop-node", kind, String(index), "--hard"]);
  if (r.code !== 0) throw new Error(`stop-node ${kind} ${index} failed:\n${r.out}`);
  if (await nodePid(kind, index)) throw new Error(`${kind} ${index} (pid ${pid}) is still running after stop-node --hard`);
  return pid;
}

export async function startNode(kind: NodeKind, index: number): Promise<void> {
  const r = await clusterSh(["start-node", kind, String(index)]);
  if (r.code !== 0) throw new Error(`start-node ${kind} ${index} failed:\n${r.out}`);
}

/** Restarts whatever a failed test may have left down, so the next suite finds a whole cluster. */
export async function ensureNodesUp(nodes: Array<[NodeKind, number]>): Promise<void> {
  for (const [kind, index] of nodes) {
    if ((await nodePid(kind, index)) === null) await startNode(kind, index);
  }
}

// ------------------------------------------------------------------ migrations

let migrated: Promise<string> | null = null;

/** `ringlink migrate` once per test process (idempotent, so a runner that already ran it is fine). */
export function migrateOnce(): Promise<string> {
  migrated ??= runMigrate();
  return migrated;
}

export async function runMigrate(): Promise<string> {
  const proc = Bun.spawn(["bun", join(ROOT, "src/main.ts"), "migrate"], { cwd: ROOT, env: process.env, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`ringlink migrate exited ${code}:\n${out}${err}`);
  return out;
}

/**
 * `ringlink ARGS` from source over the cluster the environment names, as an operator runs it; no
 * broker, so a command's events stay in-process instead of waiting on Kafka.
 */
export async function runRinglink(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const proc = Bun.spawn(["bun", join(ROOT, "src/main.ts"), ...args], {
    cwd: ROOT,
    env: { ...process.env, KAFKA_BROKERS: "" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out, err };
}

// ------------------------------------------------------------------ servers

export interface ServerProcess {
  base: string;
  pid: number;
  output(): string;
  readyz(): Promise<ReadyzBody>;
  stop(): Promise<void>;
}

export interface ReadyzBody {
  status: "ready" | "degraded" | "unavailable";
  dependencies: Array<{ name: string; kind: string; shard?: number; up: boolean; breaker?: string; detail?: string }>;
}

const running = new Set<Subprocess>();
process.on("exit", () => {
  for (const proc of running) proc.kill("SIGKILL");
});

export async function freePort(): Promise<number> {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  return port;
}

/**
 * `bun src/main.ts serve --port P` with the cluster's environment plus `env`, on a free loopback
 * port; resolves once /readyz answers 200 (ready or degraded).
 */
export async function startRinglink(env: Record<string, string> = {}, timeoutMs = 20_000): Promise<ServerProcess> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const proc = Bun.spawn(["bun", join(ROOT, "src/main.ts"), "serve", "--port", String(port)], {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      PUBLIC_BASE_URL: base,
      ACCESS_LOG: "off",
      ADMIN_TOKEN,
      RATE_LIMIT_CREATE: "off",
      VISITOR_SALT: "integration",
      ...env,
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  running.add(proc);
  let log = "";
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      log = (log + decoder.decode(value)).slice(-50_000);
    }
  };
  void collect(proc.stdout);
  void collect(proc.stderr);

  let stopping = false;
  void proc.exited.then((code) => {
    // A server that dies mid-test would otherwise surface only as ECONNREFUSED somewhere later.
    if (!stopping) console.error(`ringlink pid ${proc.pid} (${base}) exited unexpectedly with ${code}; its output:\n${log}`);
  });
  const server: ServerProcess = {
    base,
    pid: proc.pid,
    output: () => log,
    readyz: async () => (await (await fetch(`${base}/readyz`)).json()) as ReadyzBody,
    async stop() {
      stopping = true;
      if (proc.exitCode === null) process.kill(proc.pid, "SIGTERM");
      const timer = setTimeout(() => proc.exitCode === null && process.kill(proc.pid, "SIGKILL"), 5_000);
      await proc.exited;
      clearTimeout(timer);
      running.delete(proc);
    },
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`ringlink exited with ${proc.exitCode} before it was ready:\n${log}`);
    try {
      if ((await fetch(`${base}/readyz`)).status === 200) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`ringlink was not ready within ${timeoutMs} ms:\n${log}`);
    }
    await Bun.sleep(50);
  }
}

// ------------------------------------------------------------------ HTTP helpers

export interface Created {
  status: number;
  ms: number;
  retryAfter: string | null;
  body: { code?: string; url?: string; error?: { code: string; message: string } };
}

export async function createLink(base: string, body: Record<string, unknown>): Promise<Created> {
  const started = performance.now();
  const res = await fetch(`${base}/api/v1/links`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = (await res.json()) as Created["body"];
  return { status: res.status, ms: performance.now() - started, retryAfter: res.headers.get("retry-after"), body: json };
}

export async function follow(base: string, code: string): Promise<{ status: number; location: string | null }> {
  const res = await fetch(`${base}/${code}`, { redirect: "manual" });
  await res.arrayBuffer();
  return { status: res.status, location: res.headers.get("location") };
}

export async function deleteLink(base: string, code: string): Promise<number> {
  const res = await fetch(`${base}/api/v1/links/${code}`, { method: "DELETE", headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  await res.arrayBuffer();
  return res.status;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== null && value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ""}`);
    await Bun.sleep(everyMs);
  }
}

/** Waits until /readyz shows `name` (e.g. "shard-1/redis") in the wanted state. */
export function waitForNode(server: ServerProcess, name: string, want: { up: boolean; breaker?: string }, timeoutMs: number) {
  return waitFor(
    `${name} to be ${want.up ? "up" : "down"}${want.breaker ? ` with breaker ${want.breaker}` : ""} on ${server.base}`,
    async () => {
      const dep = (await server.readyz()).dependencies.find((d) => d.name === name);
      return dep !== undefined && dep.up === want.up && (want.breaker === undefined || dep.breaker === want.breaker) ? dep : null;
    },
    timeoutMs,
  );
}

// ------------------------------------------------------------------ load

export interface LoadResult {
  total: number;
  failures: Array<{ base: string; code: string; status: number; location: string | null; error?: string }>;
  statuses: Record<number, number>;
}

/**
 * A bounded redirect load: `concurrency` loops over the known codes until `stop()` is called or
 * `maxMs` passes. A redirect that is not the link's status and Location counts as a failure.
 */
export function redirectLoad(bases: string[], links: ReadonlyMap<string, string>, concurrency: number, maxMs: number) {
  const codes = [...links.keys()];
  const result: LoadResult = { total: 0, failures: [], statuses: {} };
  let stopped = false;
  const until = Date.now() + maxMs;
  let next = 0;
  const worker = async () => {
    while (!stopped && Date.now() < until) {
      const i = next++;
      const code = codes[i % codes.length]!;
      const base = bases[i % bases.length]!;
      try {
        const r = await follow(base, code);
        result.total++;
        result.statuses[r.status] = (result.statuses[r.status] ?? 0) + 1;
        if (r.status !== 302 || r.location !== links.get(code)) result.failures.push({ base, code, ...r });
      } catch (error) {
        result.total++;
        result.failures.push({ base, code, status: 0, location: null, error: String(error) });
      }
    }
  };
  const done = Promise.all(Array.from({ length: concurrency }, worker)).then(() => result);
  return {
    result,
    async stop(): Promise<LoadResult> {
      stopped = true;
      return done;
    },
  };
}

// ------------------------------------------------------------------ direct database access

/** Plain connections to the cluster's nodes, for checking what landed where (read-only use). */
export function openNodes() {
  const config = clusterConfig();
  const connect = (url: string) => postgres(url, { max: 1, types: { bigint: postgres.BigInt }, onnotice: () => {}, connect_timeout: 2 });
  const shards = config.shards.map((s) => ({ primary: connect(s.primary), replica: connect(s.replica) }));
  return {
    shards,
    async close() {
      await Promise.all(shards.flatMap((s) => [s.primary.end({ timeout: 1 }), s.replica.end({ timeout: 1 })]));
    },
  };
}

/**
 * New plain links for store tests: unique URLs under `https://example.com/<area>/<run>/` (a cluster
 * kept from an earlier run never reuses one) and time-ordered ids; `overrides` set the rest.
 */
export function linkFactory(area: string, codeLength = 8, run = randomBytes(4).toString("hex")): (overrides?: Partial<NewLink>) => NewLink {
  let nextId = BigInt(Date.now()) << 20n;
  return (overrides = {}) => {
    const url = `https://example.com/${area}/${run}/${nextId}`;
    return {
      id: nextId++,
      code: randomCode(codeLength),
      url,
      urlHash: urlHash(url),
      isAlias: false,
      canonical: false,
      redirectType: 302,
      createdAt: Date.now(),
      expiresAt: null,
      maxClicks: null,
      ...overrides,
    };
  };
}
