/**
 * The `reshard` scenario of `bun run bench`: links moved per second while `ringlink reshard`
 * grows a cluster from 3 to 4 shards, and the redirect latency (p50/p99) of a server before the
 * move and during it.
 *
 * It starts a cluster of its own (scripts/cluster.sh, own CLUSTER_DIR, ports 500 above
 * CLUSTER_PORT_OFFSET, no Kafka), one `ringlink serve` on a free loopback port, seeds N links,
 * requests every code once (warm caches), then drives a bounded redirect load with fetch from this
 * process (16 concurrent requests, codes uniform over all N) against 127.0.0.1 only, for a fixed
 * time before the move and for the whole `reshard` run (settle wait, planning and copy), so the
 * two latency figures compare like with like. The load generator shares the machine's cores with
 * the server, PostgreSQL and the reshard: absolute numbers are this machine's, the comparison is
 * the point.
 *
 *   bun bench/reshard.ts [--links 50000] [--seconds 8]      (also: bun run bench --scenarios reshard)
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseBenchArgs, usageError } from "./lib/args";
import { assertLoopback, assertLoopbackServices, loopbackBase } from "./lib/loopback";

const root = join(import.meta.dir, "..");
const SCRIPT = join(root, "scripts/cluster.sh");

export interface ReshardBenchResult {
  links: number;
  moved: number;
  moveSeconds: number;
  movedPerSecond: number;
  before: LatencyStats;
  during: LatencyStats;
  failures: number;
}

interface LatencyStats {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  requestsPerSecond: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function sh(args: string[], env: Record<string, string>): Promise<string> {
  const proc = Bun.spawn(["bash", SCRIPT, ...args], { cwd: root, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`cluster.sh ${args.join(" ")} failed:\n${out}${err}`);
  return out;
}

function exportsOf(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/^export ([A-Z_][A-Z0-9_]*)='([^']*)'$/gm)) env[m[1]!] = m[2]!;
  return env;
}

async function ringlink(args: string[], env: Record<string, string>): Promise<string> {
  const proc = Bun.spawn(["bun", join(root, "src/main.ts"), ...args], { cwd: root, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`ringlink ${args.join(" ")} exited ${code}:\n${out}${err}`);
  return out + err;
}

/** Redirects of random known codes until `until()` says stop (bounded by maxMs in any case). */
async function redirectLoad(base: string, codes: string[], until: () => boolean, maxMs: number): Promise<{ stats: LatencyStats; failures: number }> {
  const origin = assertLoopback(base).origin;
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const worker = async () => {
    while (!until() && performance.now() - started < maxMs) {
      const code = codes[Math.floor(Math.random() * codes.length)]!;
      const t0 = performance.now();
      try {
        const res = await fetch(`${origin}/${code}`, { redirect: "manual" });
        await res.arrayBuffer();
        if (res.status !== 302) failures++;
      } catch {
        failures++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    stats: { requests: latencies.length, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), requestsPerSecond: latencies.length / seconds },
    failures,
  };
}

export async function runReshardBench(opts: { links: number; seconds: number }): Promise<ReshardBenchResult> {
  const offset = Number(process.env.CLUSTER_PORT_OFFSET ?? 0) + 500;
  const dir = mkdtempSync(join(tmpdir(), "ringlink-bench-reshard-"));
  const clusterEnv = { CLUSTER_DIR: dir, CLUSTER_PORT_OFFSET: String(offset), WITH_KAFKA: "0" };
  const dataDir = join(dir, "data");
  mkdirSync(dataDir, { recursive: true });
  let server: ReturnType<typeof Bun.spawn> | null = null;
  try {
    console.log(`reshard bench: starting a 3-shard cluster (offset ${offset}, ${dir})`);
    await sh(["up"], { ...clusterEnv, SHARDS: "3" });
    const three = exportsOf(await sh(["env"], clusterEnv));
    assertLoopbackServices(three);
    const env = { ...three, KAFKA_BROKERS: "", DATA_DIR: dataDir, LOG_FORMAT: "json" };
    await ringlink(["migrate"], env);
    const codesFile = join(dir, "codes.txt");
    console.log(`reshard bench: seeding ${opts.links} links`);
    await ringlink(["seed", String(opts.links), "--out", codesFile], env);
    const codes = readFileSync(codesFile, "utf8").split("\n").filter(Boolean);
    const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
    const port = probe.port!;
    probe.stop(true);
    const base = loopbackBase(port);
    server = Bun.spawn(["bun", join(root, "src/main.ts"), "serve", "--port", String(port)], {
      cwd: root,
      env: { ...process.env, ...env, HOST: "127.0.0.1", PUBLIC_BASE_URL: base, ACCESS_LOG: "off", RATE_LIMIT_REDIRECT: "off", CLICK_EVENTS: "false" },
      stdout: "ignore",
      stderr: "ignore",
    });
    for (let i = 0; i < 200; i++) {
      if ((await fetch(`${base}/readyz`).catch(() => null))?.status === 200) break;
      await Bun.sleep(100);
    }
    // Every code once first, so "before" measures warm caches (as "during" does), not a cold start.
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < codes.length)
          await fetch(`${base}/${codes[next++]}`, { redirect: "manual" }).then(
            (r) => r.arrayBuffer(),
            () => null,
          );
      }),
    );
    const before = await redirectLoad(base, codes, () => false, opts.seconds * 1000);
    console.log(
      `before the move: p50 ${before.stats.p50Ms.toFixed(2)} ms, p99 ${before.stats.p99Ms.toFixed(2)} ms, ${Math.round(before.stats.requestsPerSecond)} req/s`,
    );

    await sh(["up"], { ...clusterEnv, SHARDS: "4" });
    const four = exportsOf(await sh(["env"], clusterEnv));
    assertLoopbackServices(four);
    let moving = true;
    const during = redirectLoad(base, codes, () => !moving, 600_000);
    const out = await ringlink(["reshard", "--database-nodes", four.DATABASE_NODES!, "--redis-nodes", four.REDIS_NODES!], env).finally(() => {
      moving = false;
    });
    const duringResult = await during;
    const m = out.match(/moved (\d+) link\(s\) in ([\d.]+) s/);
    const moved = Number(m?.[1] ?? 0);
    const moveSeconds = Number(m?.[2] ?? 0);
    const result: ReshardBenchResult = {
      links: opts.links,
      moved,
      moveSeconds,
      movedPerSecond: moveSeconds > 0 ? moved / moveSeconds : 0,
      before: before.stats,
      during: duringResult.stats,
      failures: before.failures + duringResult.failures,
    };
    console.log(
      `during the move: p50 ${result.during.p50Ms.toFixed(2)} ms, p99 ${result.during.p99Ms.toFixed(2)} ms, ${Math.round(result.during.requestsPerSecond)} req/s; ${moved} links moved in ${moveSeconds.toFixed(1)} s (${Math.round(result.movedPerSecond)}/s); ${result.failures} failed redirects`,
    );
    return result;
  } finally {
    if (server) {
      server.kill("SIGTERM");
      await server.exited;
    }
    await sh(["down", "--purge"], clusterEnv).catch((e) => console.error(String(e)));
    rmSync(dir, { recursive: true, force: true });
  }
}

export function reshardMarkdown(r: ReshardBenchResult): string {
  return [
    "| reshard 3 -> 4 shards | value |",
    "| --- | --- |",
    `| links in the cluster | ${r.links} |`,
    `| links moved | ${r.moved} in ${r.moveSeconds.toFixed(1)} s (copy phase; the 2.5 s settle wait before it not included) |`,
    `| links moved per second | ${Math.round(r.movedPerSecond)} |`,
    `| redirect p50 / p99 before | ${r.before.p50Ms.toFixed(2)} / ${r.before.p99Ms.toFixed(2)} ms (${Math.round(r.before.requestsPerSecond)} req/s) |`,
    `| redirect p50 / p99 during | ${r.during.p50Ms.toFixed(2)} / ${r.during.p99Ms.toFixed(2)} ms (${Math.round(r.during.requestsPerSecond)} req/s) |`,
    `| failed redirects | ${r.failures} |`,
  ].join("\n");
}

if (import.meta.main) {
  const values = parseBenchArgs(
    `
usage: bun bench/reshard.ts [options]          (also: bun run bench --scenarios reshard)

Links moved per second and redirect p50/p99 before and during a 3 -> 4 shard move, on a cluster of
its own (ports 500 above CLUSTER_PORT_OFFSET) and one server on 127.0.0.1.
`,
    {
      links: { type: "string", default: "50000", help: "links to seed (1-1000000)" },
      seconds: { type: "string", default: "8", help: "seconds of redirect load before the move (1-120)" },
    },
  );
  const links = Number(values.links);
  const seconds = Number(values.seconds);
  if (!(Number.isInteger(links) && links >= 1 && links <= 1_000_000 && seconds > 0 && seconds <= 120)) {
    usageError("--links 1..1000000 and --seconds 1..120 keep the load bounded");
  }
  const result = await runReshardBench({ links, seconds });
  const outDir = join(root, "bench/results");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, "reshard-latest.json"),
    JSON.stringify({ date: new Date().toISOString(), machine: `${navigator.hardwareConcurrency} cores, bun ${Bun.version}`, ...result }, null, 2),
  );
  writeFileSync(join(outDir, "reshard-latest.md"), `# ringlink reshard bench, ${new Date().toISOString()}\n\n${reshardMarkdown(result)}\n`);
  console.log(`\n${reshardMarkdown(result)}\n\nwritten: bench/results/reshard-latest.{json,md}`);
}
