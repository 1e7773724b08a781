/**
 * `bun run bench`: the load-test matrix. For each target (embedded, distributed) it starts what it
 * needs, seeds N links with a progress bar, then runs five scenarios with wrk — (a) hot: 1,000
 * codes, (b) cold: all N codes uniformly, (c) unknown codes (404s from the negative cache),
 * (d) creates, (e) 90% redirects / 10% creates — closed-loop for throughput and paced at half that
 * rate for latency. A bare Bun.serve answering 302 from a Map runs in the same invocation as the
 * baseline. Every run reports the server's CPU per request, and every redirect run checks that the
 * human clicks recorded equal the 3xx answers received (a mismatch fails the run: exit code 1).
 * Results: bench/results/<date>.{json,md,svg} and latest.{json,md,svg}. Options: --help.
 */
import { $ } from "bun";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { progressBar } from "../src/cli/progress";
import { randomCode } from "../src/ids";
import { checkedOption, parseBenchArgs, usageError } from "./lib/args";
import { settledTotal, statsClickCounter, storeClickCounter, waitForCount, type ClickCounter, type CountCheck } from "./lib/click-count";
import { cpuMeter, microsPerRequest } from "./lib/cpu";
import { assertLoopbackServices, assertLoopbackUrlFile, loopbackBase, loopbackOrigin } from "./lib/loopback";
import { writeScenarioScript, type Scenario } from "./lib/lua";
import { hasTaskset, startProcess, stopProcess } from "./lib/processes";
import { markdownTable, svgChart, type ScenarioResult } from "./lib/report";
import { processTree, sampleRss } from "./lib/rss";
import { findOha, runOha } from "./lib/oha";
import { runWrk, type LoadResult } from "./lib/wrk";

const root = join(import.meta.dir, "..");
const USAGE = `
usage: bun run bench [options]

The load-test matrix against a bare Bun.serve baseline measured in the same run. Loopback only:
targets are servers this bench starts on 127.0.0.1, or --url naming 127.0.0.1, ::1 or localhost.

  bun run bench --quick --targets embedded --scenarios hot,unknown --seconds 2 --links 2000
  bun run bench --url http://127.0.0.1:8080     (an already running ringlink; seeds over HTTP)
  bun run bench --scenarios reshard             (links moved/s and redirect p99 during a 3 -> 4 shard move)
`;
const values = parseBenchArgs(USAGE, {
  targets: { type: "string", default: "embedded,distributed", help: "embedded and/or distributed, comma-separated" },
  links: { type: "string", help: "links to seed (default 1000000; 20000 with --quick)" },
  seconds: { type: "string", help: "seconds per measured run (default 10; 3 with --quick)" },
  connections: { type: "string", default: "64", help: "connections of the load generator" },
  url: { type: "string", help: "bench a ringlink already running on loopback instead of starting one" },
  quick: { type: "boolean", default: false, help: "fewer links and shorter runs" },
  scenarios: { type: "string", default: "hot,cold,unknown,create,mix", help: "any of hot,cold,unknown,create,mix,reshard" },
  // The server gets one core (the load generator the other): one process fits it best.
  processes: { type: "string", default: "1", help: "serving processes of each ringlink started" },
});
// Checked before anything starts: a --url off this machine is refused without a request sent.
const remoteBase = values.url === undefined ? null : checkedOption("url", values.url, loopbackOrigin);
const quick = values.quick;
const linkCount = Number(values.links ?? (quick ? 20_000 : 1_000_000));
const seconds = Number(values.seconds ?? (quick ? 3 : 10));
const connections = Number(values.connections);
const processes = Number(values.processes);
const bounded = (n: number, lo: number, hi: number) => Number.isInteger(n) && n >= lo && n <= hi;
if (!bounded(linkCount, 1, 10_000_000) || !bounded(seconds, 1, 120) || !bounded(connections, 1, 1024) || !bounded(processes, 1, 64)) {
  usageError("--links 1..10000000, --seconds 1..120, --connections 1..1024 and --processes 1..64 keep the load bounded");
}
const TARGETS = values.targets.split(",").map((t) => t.trim()) as Array<"embedded" | "distributed">;
for (const t of TARGETS) {
  if (t !== "embedded" && t !== "distributed") {
    usageError(`unknown target ${t}: choose from embedded,distributed`);
  }
}
const SERVER_CPU = "0";
const WRK_CPU = hasTaskset ? "1" : undefined;
const ALL_SCENARIOS: Scenario[] = ["hot", "cold", "unknown", "create", "mix"];
const requested = values.scenarios.split(",").map((s) => s.trim());
for (const s of requested) {
  if (s !== "reshard" && !ALL_SCENARIOS.includes(s as Scenario)) usageError(`unknown scenario ${s}: choose from ${ALL_SCENARIOS.join(",")},reshard`);
}
const SCENARIOS = requested.filter((s) => s !== "reshard") as Scenario[];
if (requested.includes("reshard")) {
  const { runReshardBench, reshardMarkdown } = await import("./reshard");
  const r = await runReshardBench({ links: Number(values.links ?? (quick ? 20_000 : 50_000)), seconds: Number(values.seconds ?? (quick ? 4 : 8)) });
  const dir = join(root, "bench/results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "reshard-latest.json"), JSON.stringify({ date: new Date().toISOString(), ...r }, null, 2));
  writeFileSync(join(dir, "reshard-latest.md"), `# ringlink reshard bench, ${new Date().toISOString()}\n\n${reshardMarkdown(r)}\n`);
  console.log(`\n${reshardMarkdown(r)}\n\nwritten: bench/results/reshard-latest.{json,md}`);
  if (requested.length === 1) process.exit(0);
}
const OHA = findOha();
const LABELS: Record<Scenario, string> = {
  hot: "(a) redirect, hot 1k codes",
  cold: "(b) redirect, all codes uniform",
  unknown: "(c) unknown codes (404)",
  create: "(d) creates",
  mix: "(e) 90% redirect / 10% create",
};

if (!Bun.which("wrk")) {
  console.error("wrk is not installed: apt-get install wrk");
  process.exit(1);
}

async function freePort(): Promise<number> {
  const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const p = s.port!;
  s.stop(true);
  return p;
}

function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/^export ([A-Z_][A-Z0-9_]*)='([^']*)'$/gm)) env[m[1]!] = m[2]!;
  return env;
}

const work = mkdtempSync(join(tmpdir(), "ringlink-bench-"));
const results: ScenarioResult[] = [];
const baselineRps = new Map<string, number>();
const baselineCpu = new Map<string, number>();

/**
 * Distributed mode's `worker analytics`, paused (SIGSTOP) while a run is measured: the server's
 * figures stay those of serving and producing to Kafka, as in runs without a worker, and the
 * worker catches up before the count is read. Kafka keeps the events meanwhile; a pause is
 * shorter than the consumer's session timeout, so no rebalance follows.
 */
let analyticsWorker: Awaited<ReturnType<typeof startProcess>> | null = null;

/** The scenarios whose 3xx answers are people's clicks to be found in the store afterwards. */
const COUNTED_SCENARIOS: ReadonlySet<Scenario> = new Set(["hot", "cold", "unknown", "mix"]);
const failedChecks: string[] = [];

interface Measured {
  load: LoadResult;
  rssMb: number | null;
  /** server CPU (all its processes) over the run, µs */
  cpuUs: number | null;
  count: CountCheck | null;
}

function record(target: string, scenario: Scenario | "hot-baseline", loadKind: "closed" | "rate", m: Measured): void {
  const r = m.load;
  const expected404 = scenario === "unknown";
  // Only closed-loop throughput compares with the baseline; paced runs are at a rate we chose.
  const base = target === "baseline" || loadKind === "rate" ? null : (baselineRps.get("closed") ?? null);
  const cpuPerRequest = m.cpuUs === null ? null : microsPerRequest(m.cpuUs, r.requests);
  const baseCpu = target === "baseline" ? null : (baselineCpu.get(loadKind) ?? null);
  results.push({
    target,
    scenario: scenario === "hot-baseline" ? LABELS.hot : LABELS[scenario],
    load: loadKind,
    requestsPerSecond: r.requestsPerSecond,
    p50Ms: r.latencyP50Ms,
    p90Ms: r.latencyP90Ms,
    p99Ms: r.latencyP99Ms,
    p999Ms: r.latencyP999Ms,
    errors: r.socketErrors,
    non3xx: expected404 ? Math.max(0, r.requests - r.non2xx3xx) : r.non2xx3xx,
    rssMb: m.rssMb,
    ratioToBaseline: base ? r.requestsPerSecond / base : null,
    cpuMicrosPerRequest: cpuPerRequest,
    baselineCpuMicrosPerRequest: baseCpu,
    clickCheck: m.count,
  });
  const last = results[results.length - 1]!;
  if (m.count && !m.count.ok)
    failedChecks.push(`${target} ${last.scenario} ${loadKind}: ${m.count.recorded} clicks recorded for ${m.count.expected} redirects`);
  const cpu = cpuPerRequest === null ? "" : `  CPU ${cpuPerRequest.toFixed(2)} µs/req${baseCpu ? ` (baseline ${baseCpu.toFixed(2)})` : ""}`;
  const check = m.count ? `  clicks ${m.count.ok ? "ok" : "MISMATCH"} ${m.count.recorded}/${m.count.expected}` : "";
  console.log(
    `${target.padEnd(11)} ${last.scenario.padEnd(34)} ${loadKind.padEnd(6)} ${Math.round(r.requestsPerSecond).toString().padStart(7)} req/s  p50 ${r.latencyP50Ms.toFixed(2)} ms  p99 ${r.latencyP99Ms.toFixed(2)} ms${last.ratioToBaseline ? `  ratio ${last.ratioToBaseline.toFixed(2)}` : ""}${cpu}${check}${last.non3xx || last.errors ? `  unexpected ${last.non3xx} errors ${last.errors}` : ""}`,
  );
}

/**
 * One run with what the matrix measures around it: peak RSS and CPU of the server's processes
 * and, for a redirect scenario with a counter, the exact-count check (the total is read once it
 * holds still before the run, and waited for after it).
 */
async function measuredRun(pids: () => number[], counter: ClickCounter | null, scenario: Scenario, run: () => Promise<LoadResult>): Promise<Measured> {
  const check = counter !== null && COUNTED_SCENARIOS.has(scenario);
  const before = check ? await settledTotal(counter!, analyticsWorker ? { quietMs: 5_000 } : {}) : 0;
  const rss = sampleRss(pids);
  const cpu = pids().length > 0 ? cpuMeter(pids) : null;
  analyticsWorker?.kill("SIGSTOP");
  const load = await run().finally(() => analyticsWorker?.kill("SIGCONT"));
  const duringRun = cpu?.stop() ?? null;
  // In-process aggregation may write the run's last clicks after the run: the count check waits for
  // them, and the CPU column includes them (the server's CPU until the count settled), so a write
  // deferred past the end of a short run is still paid for in the figure.
  const after = check ? cpuMeter(pids) : null;
  const rssMb = rss.stop();
  let count: CountCheck | null = null;
  if (check) {
    if (load.redirects === null) throw new Error("the load generator did not count its 3xx answers");
    // With Kafka the clicks reach the store through the worker, resumed just now: its first commit
    // after a run over uniformly random codes holds one delta row set per code and may take
    // seconds, so "no change for a while" means stuck only after much longer than in-process.
    count = await waitForCount(counter!, before, load.redirects, analyticsWorker ? { settleMs: 30_000 } : {});
  }
  const cpuUs = duringRun === null ? null : duringRun + (after?.stop() ?? 0);
  return { load, rssMb, cpuUs, count };
}

async function seedOverHttp(base: string, n: number): Promise<string[]> {
  const codes: string[] = [];
  const bar = progressBar("seeding over HTTP", n);
  for (let i = 0; i < n; i += 100) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, n - i) }, async (_, j) => {
        const res = await fetch(`${base}/api/v1/links`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ url: `https://example.com/seed/${Date.now()}/${i + j}` }),
        });
        if (!res.ok) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
        return ((await res.json()) as { code: string }).code;
      }),
    );
    codes.push(...batch);
    bar.tick(batch.length);
  }
  bar.done();
  return codes;
}

async function runScenarios(
  target: string,
  base: string,
  pid: number | null,
  files: Record<Scenario, ScenarioFiles>,
  counterFor: (scenario: Scenario) => ClickCounter | null,
): Promise<void> {
  const opts = { connections, seconds, cpu: WRK_CPU, counted: true };
  // A supervisor and its serving children all count: CPU and RSS are summed/peaked over them.
  const pids = () => (pid ? [...new Set([pid, ...processTree(pid)])] : []);
  await runWrk(base, { ...opts, script: files.hot.script, seconds: 2 }); // warm: JIT and the hot set into L1
  for (const scenario of SCENARIOS) {
    const counter = counterFor(scenario);
    const closed = await measuredRun(pids, counter, scenario, () => runWrk(base, { ...opts, script: files[scenario].script }));
    record(target, scenario, "closed", closed);
    const rate = Math.max(100, Math.round(closed.load.requestsPerSecond / 2));
    const paced = await measuredRun(pids, counter, scenario, () => runPaced(scenario, base, files[scenario], rate));
    record(target, scenario, "rate", paced);
  }
}

function scenarioFiles(dir: string, codes: string[]): Record<Scenario, ScenarioFiles> {
  mkdirSync(dir, { recursive: true });
  const write = (name: string, list: string[]) => {
    const f = join(dir, name);
    writeFileSync(f, `${list.join("\n")}\n`);
    return f;
  };
  const hot = write("hot.txt", codes.slice(0, 1000));
  const cold = write("cold.txt", codes);
  const unknown = write(
    "unknown.txt",
    Array.from({ length: 1000 }, () => `zz${randomCode(6)}`),
  );
  const lists: Record<Scenario, string> = { hot, cold, unknown, create: hot, mix: hot };
  return Object.fromEntries(ALL_SCENARIOS.map((s) => [s, { script: writeScenarioScript(dir, s, lists[s]), codes: lists[s] }])) as Record<
    Scenario,
    ScenarioFiles
  >;
}

interface ScenarioFiles {
  /** wrk Lua script */
  script: string;
  /** the codes it picks from, one per line */
  codes: string;
}

/**
 * oha takes full URLs: the code list becomes a URL list on a checked loopback origin, each line
 * the literal origin and a code (never a load tool's regex URL generator), checked again once written.
 */
function urlList(files: ScenarioFiles, base: string): string {
  const out = `${files.script}.urls`;
  const origin = loopbackOrigin(base);
  const codes = readFileSync(files.codes, "utf8").trim().split("\n");
  writeFileSync(out, `${codes.map((c) => `${origin}/${encodeURIComponent(c)}`).join("\n")}\n`);
  assertLoopbackUrlFile(out);
  return out;
}

function createBodies(files: ScenarioFiles, count: number): string {
  const out = `${files.script}.bodies`;
  const prefix = randomCode(8);
  writeFileSync(out, `${Array.from({ length: count }, (_, i) => JSON.stringify({ url: `https://example.com/paced/${prefix}/${i}` })).join("\n")}\n`);
  return out;
}

/** Constant rate: oha's open loop with latency correction when installed, else paced wrk. */
async function runPaced(scenario: Scenario, base: string, files: ScenarioFiles, rate: number, counted = true): Promise<LoadResult> {
  const opts = { connections, seconds, cpu: WRK_CPU };
  if (!OHA || scenario === "mix") return runWrk(base, { ...opts, script: files.script, pacedRate: rate, counted });
  if (scenario === "create") {
    return runOha(OHA, { url: `${base}/api/v1/links`, method: "POST", bodiesFile: createBodies(files, Math.ceil(rate * seconds * 1.5)) }, { ...opts, rate });
  }
  return runOha(OHA, { urlsFile: urlList(files, base) }, { ...opts, rate });
}

async function benchTarget(target: "embedded" | "distributed"): Promise<void> {
  // Embedded must not inherit a cluster's variables from the shell; distributed sets them below.
  const env: Record<string, string> = {
    ACCESS_LOG: "off",
    RATE_LIMIT_CREATE: "off",
    DATA_DIR: join(work, `${target}-data`),
    DATABASE_NODES: "",
    REDIS_NODES: "",
    KAFKA_BROKERS: "",
  };
  if (target === "distributed") {
    if (!process.env.DATABASE_NODES) {
      console.log("starting the local cluster (scripts/cluster.sh up)");
      await $`${join(root, "scripts/cluster.sh")} up`.quiet();
      Object.assign(env, parseExports(await $`${join(root, "scripts/cluster.sh")} env`.text()));
    } else {
      for (const k of ["DATABASE_NODES", "REDIS_NODES", "KAFKA_BROKERS"]) if (process.env[k]) env[k] = process.env[k]!;
    }
    // The bench seeds and loads these services through the server: on this machine, or not at all.
    assertLoopbackServices(env);
    await $`bun ${join(root, "src/main.ts")} migrate`.env({ ...process.env, ...env }).quiet();
  }
  const codesFile = join(work, `${target}-codes.txt`);
  console.log(`\n## ${target}: seeding ${linkCount} links`);
  await $`bun ${join(root, "src/main.ts")} seed ${linkCount} --out ${codesFile}`.env({ ...process.env, ...env });
  const codes = readFileSync(codesFile, "utf8").trim().split("\n");
  const port = await freePort();
  const base = loopbackBase(port);
  const server = await startProcess(["bun", join(root, "src/main.ts"), "serve", "--port", String(port), "--processes", String(processes)], {
    env,
    readyUrl: `${base}/healthz`,
    cpu: SERVER_CPU,
  });
  // With Kafka the clicks reach the store through `worker analytics`: it runs beside the server
  // (unpinned, as the cluster's services are; paused during measured runs) so the count check has
  // something to wait for.
  const counter = storeClickCounter(env);
  try {
    if (env.KAFKA_BROKERS) {
      const workerPort = await freePort();
      analyticsWorker = await startProcess(["bun", join(root, "src/main.ts"), "worker", "analytics"], {
        env: { ...env, WORKER_PORT: String(workerPort), HOST: "127.0.0.1" },
        readyUrl: `${loopbackBase(workerPort)}/healthz`,
      });
    }
    await runScenarios(target, base, server.pid, scenarioFiles(join(work, target), codes), () => counter);
  } finally {
    await stopProcess(server);
    if (analyticsWorker) {
      analyticsWorker.kill("SIGCONT");
      await stopProcess(analyticsWorker);
      analyticsWorker = null;
    }
    await counter.close();
  }
}

async function benchBaseline(hotCodes: string[]): Promise<void> {
  const map = Object.fromEntries(hotCodes.map((c, i) => [c, `https://example.com/seed/${i}`]));
  const file = join(work, "baseline.json");
  writeFileSync(file, JSON.stringify(map));
  const port = await freePort();
  const proc = await startProcess(["bun", join(import.meta.dir, "baseline-server.ts"), String(port), file], {
    readyUrl: `${loopbackBase(port)}/${hotCodes[0]}`,
    cpu: SERVER_CPU,
  });
  try {
    const dir = join(work, "baseline");
    mkdirSync(dir, { recursive: true });
    const list = join(dir, "hot.txt");
    writeFileSync(list, `${hotCodes.join("\n")}\n`);
    // Without the counting hooks: the baseline has no clicks to count, and its wrk must not be
    // slowed by them (a load-generator-bound baseline would flatter every ratio).
    const files: ScenarioFiles = { script: writeScenarioScript(dir, "hot", list, { counted: false }), codes: list };
    const base = loopbackBase(port);
    const opts = { connections, seconds, cpu: WRK_CPU, script: files.script };
    await runWrk(base, { ...opts, seconds: 2 });
    const pids = () => [proc.pid];
    const closed = await measuredRun(pids, null, "hot", () => runWrk(base, opts));
    baselineRps.set("closed", closed.load.requestsPerSecond);
    if (closed.cpuUs !== null) baselineCpu.set("closed", microsPerRequest(closed.cpuUs, closed.load.requests));
    record("baseline", "hot-baseline", "closed", closed);
    const paced = await measuredRun(pids, null, "hot", () => runPaced("hot", base, files, Math.round(closed.load.requestsPerSecond / 2), false));
    baselineRps.set("rate", paced.load.requestsPerSecond);
    if (paced.cpuUs !== null) baselineCpu.set("rate", microsPerRequest(paced.cpuUs, paced.load.requests));
    record("baseline", "hot-baseline", "rate", { ...paced, rssMb: null });
  } finally {
    await stopProcess(proc);
  }
}

try {
  console.log(
    `ringlink bench: ${linkCount} links, ${seconds} s per run, ${connections} connections, server on CPU ${SERVER_CPU}${WRK_CPU ? `, wrk on CPU ${WRK_CPU}` : ""}`,
  );
  if (remoteBase) {
    const codes = await seedOverHttp(remoteBase, Math.min(linkCount, 20_000));
    await benchBaseline(codes.slice(0, 1000));
    // No store to read on a server the bench did not start: the stats API over the codes the
    // scenario asks for (its RATE_LIMIT_READS must let that many through).
    const hotCounter = statsClickCounter(remoteBase, codes.slice(0, 1000));
    const allCounter = statsClickCounter(remoteBase, codes);
    await runScenarios("remote", remoteBase, null, scenarioFiles(join(work, "remote"), codes), (s) => (s === "cold" ? allCounter : hotCounter));
  } else {
    const hot = Array.from({ length: 1000 }, () => randomCode(7));
    await benchBaseline(hot);
    for (const target of TARGETS) await benchTarget(target);
  }
  const date = new Date().toISOString().replace(/[:.]/g, "-");
  const outDir = join(root, "bench/results");
  mkdirSync(outDir, { recursive: true });
  const machine = `${navigator.hardwareConcurrency} cores, bun ${Bun.version}, ${process.platform}`;
  const pacedBy = OHA ? "oha -q with latency correction (mix: paced wrk)" : "paced wrk (install oha for an open loop)";
  const meta = {
    date: new Date().toISOString(),
    machine,
    links: linkCount,
    seconds,
    connections,
    pinned: hasTaskset,
    closedLoop: "wrk",
    constantRate: pacedBy,
  };
  const md = `# ringlink bench, ${meta.date}\n\n${machine}; ${linkCount} links; ${seconds} s per run; ${connections} connections; load generator${hasTaskset ? " pinned to its own core" : ""}. "closed" = wrk closed loop (max throughput); "rate" = constant rate at half the closed-loop throughput, ${pacedBy}. "CPU µs/req" = the server processes' CPU time (user + system) over the run per answered request; "clicks" = human clicks recorded over the run against the 3xx answers received.\n\n${markdownTable(results)}\n${failedChecks.length > 0 ? `\n**Click count check failed:** ${failedChecks.join("; ")}\n` : ""}`;
  const svg = svgChart(results, `ringlink bench ${meta.date.slice(0, 10)} (${machine})`);
  for (const [name, content] of [
    [`${date}.json`, JSON.stringify({ ...meta, results, failedChecks }, null, 2)],
    [`${date}.md`, md],
    [`${date}.svg`, svg],
  ] as const) {
    writeFileSync(join(outDir, name), content);
    copyFileSync(join(outDir, name), join(outDir, `latest.${name.split(".").pop()}`));
  }
  console.log(`\n${markdownTable(results)}\n\nwritten: bench/results/${date}.{json,md,svg} (and latest.*)`);
  if (failedChecks.length > 0) {
    // The figures above stand, but a run whose clicks do not add up is a failed run.
    console.error(`\nclick count check FAILED:\n${failedChecks.map((f) => `  ${f}`).join("\n")}`);
    process.exitCode = 1;
  }
  if (existsSync(join(import.meta.dir, "classifier.ts")) && !remoteBase) {
    console.log("\n## URL classifier throughput");
    await $`bun ${join(import.meta.dir, "classifier.ts")}`;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
