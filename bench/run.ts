/**
 * `bun run bench`: the load-test matrix. For each target (embedded, distributed) it starts what it
 * needs, seeds N links with a progress bar, then runs five scenarios with wrk — (a) hot: 1,000
 * codes, (b) cold: all N codes uniformly, (c) unknown codes (404s from the negative cache),
 * (d) creates, (e) 90% redirects / 10% creates — closed-loop for throughput and paced at half that
 * rate for latency. A bare Bun.serve answering 302 from a Map runs in the same invocation as the
 * baseline. Results: bench/results/<date>.{json,md,svg} and latest.{json,md,svg}.
 *
 *   bun run bench [--targets embedded,distributed] [--links 1000000] [--seconds 10] [--quick]
 *                 [--scenarios hot,cold,unknown,create,mix] [--processes 1]
 *   bun run bench --url http://host:port     (an already running ringlink; seeds over HTTP)
 *   bun run bench --scenarios reshard        (links moved/s and redirect p99 before/during a 3 -> 4
 *                                             shard move on a cluster of its own: bench/reshard.ts)
 */
import { $ } from "bun";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { progressBar } from "../src/cli/progress";
import { randomCode } from "../src/ids";
import { writeScenarioScript, type Scenario } from "./lib/lua";
import { hasTaskset, startProcess, stopProcess } from "./lib/processes";
import { markdownTable, svgChart, type ScenarioResult } from "./lib/report";
import { processTree, sampleRss } from "./lib/rss";
import { findOha, runOha } from "./lib/oha";
import { runWrk, type LoadResult } from "./lib/wrk";

const root = join(import.meta.dir, "..");
const { values } = parseArgs({
  options: {
    targets: { type: "string", default: "embedded,distributed" },
    links: { type: "string" },
    seconds: { type: "string" },
    connections: { type: "string", default: "64" },
    url: { type: "string" },
    quick: { type: "boolean", default: false },
    scenarios: { type: "string", default: "hot,cold,unknown,create,mix" },
    // The server gets one core (the load generator the other): one process fits it best.
    processes: { type: "string", default: "1" },
  },
});
const quick = values.quick;
const linkCount = Number(values.links ?? (quick ? 20_000 : 1_000_000));
const seconds = Number(values.seconds ?? (quick ? 3 : 10));
const connections = Number(values.connections);
const SERVER_CPU = "0";
const WRK_CPU = hasTaskset ? "1" : undefined;
const ALL_SCENARIOS: Scenario[] = ["hot", "cold", "unknown", "create", "mix"];
const requested = values.scenarios!.split(",").map((s) => s.trim());
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
const SCENARIOS = requested.filter((s) => s !== "reshard") as Scenario[];
for (const s of SCENARIOS) {
  if (!ALL_SCENARIOS.includes(s)) {
    console.error(`unknown scenario ${s}: choose from ${ALL_SCENARIOS.join(",")}`);
    process.exit(2);
  }
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

function record(target: string, scenario: Scenario | "hot-baseline", load: "closed" | "rate", r: LoadResult, rss: number | null): void {
  const expected404 = scenario === "unknown";
  // Only closed-loop throughput compares with the baseline; paced runs are at a rate we chose.
  const base = target === "baseline" || load === "rate" ? null : (baselineRps.get("closed") ?? null);
  results.push({
    target,
    scenario: scenario === "hot-baseline" ? LABELS.hot : LABELS[scenario],
    load,
    requestsPerSecond: r.requestsPerSecond,
    p50Ms: r.latencyP50Ms,
    p90Ms: r.latencyP90Ms,
    p99Ms: r.latencyP99Ms,
    p999Ms: r.latencyP999Ms,
    errors: r.socketErrors,
    non3xx: expected404 ? Math.max(0, r.requests - r.non2xx3xx) : r.non2xx3xx,
    rssMb: rss,
    ratioToBaseline: base ? r.requestsPerSecond / base : null,
  });
  const last = results[results.length - 1]!;
  console.log(
    `${target.padEnd(11)} ${last.scenario.padEnd(34)} ${load.padEnd(6)} ${Math.round(r.requestsPerSecond).toString().padStart(7)} req/s  p50 ${r.latencyP50Ms.toFixed(2)} ms  p99 ${r.latencyP99Ms.toFixed(2)} ms${last.ratioToBaseline ? `  ratio ${last.ratioToBaseline.toFixed(2)}` : ""}${last.non3xx || last.errors ? `  unexpected ${last.non3xx} errors ${last.errors}` : ""}`,
  );
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

async function runScenarios(target: string, base: string, pid: number | null, files: Record<Scenario, ScenarioFiles>): Promise<void> {
  const opts = { connections, seconds, cpu: WRK_CPU };
  await runWrk(base, { ...opts, script: files.hot.script, seconds: 2 }); // warm: JIT and the hot set into L1
  for (const scenario of SCENARIOS) {
    const rss = sampleRss(() => (pid ? processTree(pid) : []));
    const closed = await runWrk(base, { ...opts, script: files[scenario].script });
    record(target, scenario, "closed", closed, rss.stop());
    const rssPaced = sampleRss(() => (pid ? processTree(pid) : []));
    const paced = await runPaced(scenario, base, files[scenario], Math.max(100, Math.round(closed.requestsPerSecond / 2)));
    record(target, scenario, "rate", paced, rssPaced.stop());
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

/** oha takes full URLs: the code list becomes a URL list for a base address. */
function urlList(files: ScenarioFiles, base: string): string {
  const out = `${files.script}.urls`;
  const codes = readFileSync(files.codes, "utf8").trim().split("\n");
  writeFileSync(out, `${codes.map((c) => `${base}/${c}`).join("\n")}\n`);
  return out;
}

function createBodies(files: ScenarioFiles, count: number): string {
  const out = `${files.script}.bodies`;
  const prefix = randomCode(8);
  writeFileSync(out, `${Array.from({ length: count }, (_, i) => JSON.stringify({ url: `https://example.com/paced/${prefix}/${i}` })).join("\n")}\n`);
  return out;
}

/** Constant rate: oha's open loop with latency correction when installed, else paced wrk. */
async function runPaced(scenario: Scenario, base: string, files: ScenarioFiles, rate: number): Promise<LoadResult> {
  const opts = { connections, seconds, cpu: WRK_CPU };
  if (!OHA || scenario === "mix") return runWrk(base, { ...opts, script: files.script, pacedRate: rate });
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
    await $`bun ${join(root, "src/main.ts")} migrate`.env({ ...process.env, ...env }).quiet();
  }
  const codesFile = join(work, `${target}-codes.txt`);
  console.log(`\n## ${target}: seeding ${linkCount} links`);
  await $`bun ${join(root, "src/main.ts")} seed ${linkCount} --out ${codesFile}`.env({ ...process.env, ...env });
  const codes = readFileSync(codesFile, "utf8").trim().split("\n");
  const port = await freePort();
  const server = await startProcess(["bun", join(root, "src/main.ts"), "serve", "--port", String(port), "--processes", values.processes!], {
    env,
    readyUrl: `http://127.0.0.1:${port}/healthz`,
    cpu: SERVER_CPU,
  });
  try {
    await runScenarios(target, `http://127.0.0.1:${port}`, server.pid, scenarioFiles(join(work, target), codes));
  } finally {
    await stopProcess(server);
  }
}

async function benchBaseline(hotCodes: string[]): Promise<void> {
  const map = Object.fromEntries(hotCodes.map((c, i) => [c, `https://example.com/seed/${i}`]));
  const file = join(work, "baseline.json");
  writeFileSync(file, JSON.stringify(map));
  const port = await freePort();
  const proc = await startProcess(["bun", join(import.meta.dir, "baseline-server.ts"), String(port), file], {
    readyUrl: `http://127.0.0.1:${port}/${hotCodes[0]}`,
    cpu: SERVER_CPU,
  });
  try {
    const dir = join(work, "baseline");
    mkdirSync(dir, { recursive: true });
    const list = join(dir, "hot.txt");
    writeFileSync(list, `${hotCodes.join("\n")}\n`);
    const files: ScenarioFiles = { script: writeScenarioScript(dir, "hot", list), codes: list };
    const opts = { connections, seconds, cpu: WRK_CPU, script: files.script };
    await runWrk(`http://127.0.0.1:${port}`, { ...opts, seconds: 2 });
    const rss = sampleRss(() => [proc.pid]);
    const closed = await runWrk(`http://127.0.0.1:${port}`, opts);
    baselineRps.set("closed", closed.requestsPerSecond);
    record("baseline", "hot-baseline", "closed", closed, rss.stop());
    const paced = await runPaced("hot", `http://127.0.0.1:${port}`, files, Math.round(closed.requestsPerSecond / 2));
    baselineRps.set("rate", paced.requestsPerSecond);
    record("baseline", "hot-baseline", "rate", paced, null);
  } finally {
    await stopProcess(proc);
  }
}

try {
  console.log(
    `ringlink bench: ${linkCount} links, ${seconds} s per run, ${connections} connections, server on CPU ${SERVER_CPU}${WRK_CPU ? `, wrk on CPU ${WRK_CPU}` : ""}`,
  );
  if (values.url) {
    const codes = await seedOverHttp(values.url, Math.min(linkCount, 20_000));
    await benchBaseline(codes.slice(0, 1000));
    await runScenarios("remote", values.url, null, scenarioFiles(join(work, "remote"), codes));
  } else {
    const hot = Array.from({ length: 1000 }, () => randomCode(7));
    await benchBaseline(hot);
    for (const target of values.targets!.split(",").map((t) => t.trim()) as Array<"embedded" | "distributed">) {
      await benchTarget(target);
    }
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
  const md = `# ringlink bench, ${meta.date}\n\n${machine}; ${linkCount} links; ${seconds} s per run; ${connections} connections; load generator${hasTaskset ? " pinned to its own core" : ""}. "closed" = wrk closed loop (max throughput); "rate" = constant rate at half the closed-loop throughput, ${pacedBy}.\n\n${markdownTable(results)}\n`;
  const svg = svgChart(results, `ringlink bench ${meta.date.slice(0, 10)} (${machine})`);
  for (const [name, content] of [
    [`${date}.json`, JSON.stringify({ ...meta, results }, null, 2)],
    [`${date}.md`, md],
    [`${date}.svg`, svg],
  ] as const) {
    writeFileSync(join(outDir, name), content);
    copyFileSync(join(outDir, name), join(outDir, `latest.${name.split(".").pop()}`));
  }
  console.log(`\n${markdownTable(results)}\n\nwritten: bench/results/${date}.{json,md,svg} (and latest.*)`);
  if (existsSync(join(import.meta.dir, "classifier.ts")) && !values.url) {
    console.log("\n## URL classifier throughput");
    await $`bun ${join(import.meta.dir, "classifier.ts")}`;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
