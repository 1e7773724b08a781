/** Starting and stopping real server processes for e2e and integration tests. */
import type { Subprocess } from "bun";
import { existsSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(import.meta.dir, "../..");
export const BINARY = join(ROOT, "dist/ringlink");

/** Overrides that force the embedded mode even when the test runner exported the cluster's env. */
export const EMBEDDED_ENV: Record<string, string> = { DATABASE_NODES: "", DB_NODES: "", REDIS_NODES: "", KAFKA_BROKERS: "" };

export async function freePort(): Promise<number> {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  return port;
}

export async function ensureBinary(): Promise<string> {
  if (!existsSync(BINARY)) {
    const build = Bun.spawnSync(["bun", join(ROOT, "scripts/build.ts")], { cwd: ROOT, stdout: "inherit", stderr: "inherit" });
    if (build.exitCode !== 0) throw new Error("bun run build failed");
  }
  return BINARY;
}

export interface RunningServer {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  base: string;
  port: number;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/** A child process whose stdout and stderr are kept (the tail) for failure messages. */
function spawnWatched(argv: string[], cwd: string, env: Record<string, string | undefined>, keep: number) {
  const proc = Bun.spawn(argv, { cwd, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  let log = "";
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) log = (log + decoder.decode(chunk)).slice(-keep);
  };
  void collect(proc.stdout);
  void collect(proc.stderr);
  return { proc, output: () => log };
}

/** Polls `url` until it answers 2xx; fails fast with the output when the process exits first. */
async function waitUntilReady(what: string, proc: Subprocess, url: string, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${what} exited with ${proc.exitCode} before it was ready:\n${output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`${what} not ready within the deadline:\n${output()}`);
    }
    await Bun.sleep(50);
  }
}

/** SIGTERM (or `signal`), SIGKILL after 15 s; resolves with the exit code. */
async function stopProcess(proc: Subprocess, signal: NodeJS.Signals): Promise<number> {
  if (proc.exitCode === null) proc.kill(signal);
  const timer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
  const code = await proc.exited;
  clearTimeout(timer);
  return code;
}

export async function startServer(
  argv: string[],
  opts: { cwd: string; env?: Record<string, string>; port?: number; readyPath?: string; timeoutMs?: number },
): Promise<RunningServer> {
  const port = opts.port ?? (await freePort());
  // Tests create links in bulk from one address; they set a create limit explicitly when they test it.
  const env = { ...process.env, ACCESS_LOG: "off", RATE_LIMIT_CREATE: "off", ...opts.env };
  const { proc, output } = spawnWatched([...argv, "--port", String(port)], opts.cwd, env, 20_000);
  const base = `http://127.0.0.1:${port}`;
  await waitUntilReady("server", proc, `${base}${opts.readyPath ?? "/healthz"}`, opts.timeoutMs ?? 15_000, output);
  return { proc, base, port, output, stop: (signal: NodeJS.Signals = "SIGTERM") => stopProcess(proc, signal) };
}

/** pid of each child of a supervisor by process index, from the "listening" lines in its output (latest wins) */
export function childPids(server: RunningServer): Map<number, number> {
  const pids = new Map<number, number>();
  for (const line of server.output().split("\n")) {
    if (!line.includes('"msg":"listening"')) continue;
    try {
      const entry = JSON.parse(line) as { process: number; pid: number };
      pids.set(entry.process, entry.pid);
    } catch {
      // a line cut by the output's tail buffer
    }
  }
  return pids;
}

export interface RunningWorker {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  /** its /healthz and /metrics (WORKER_PORT) */
  base: string;
  output(): string;
  health(): Promise<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/**
 * A worker process (`ringlink worker analytics`) with WORKER_PORT on a free loopback port; resolves
 * once its /healthz answers 200 (for the analytics worker: its consumer has joined the group).
 */
export async function startWorker(argv: string[], opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<RunningWorker> {
  const port = await freePort();
  const env = { ...process.env, HOST: "127.0.0.1", ...opts.env, WORKER_PORT: String(port) };
  const { proc, output } = spawnWatched(argv, opts.cwd, env, 50_000);
  const base = `http://127.0.0.1:${port}`;
  await waitUntilReady("worker", proc, `${base}/healthz`, opts.timeoutMs ?? 30_000, output);
  return {
    proc,
    base,
    output,
    health: async () => (await (await fetch(`${base}/healthz`)).json()) as Record<string, unknown>,
    stop: (signal: NodeJS.Signals = "SIGTERM") => stopProcess(proc, signal),
  };
}
