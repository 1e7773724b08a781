/**
 * Embedded-mode redirects with a hot cache against a bare Bun.serve 302-from-a-Map, in one run.
 * Both servers get the same 1,000 codes; wrk asks for random ones; rounds alternate so drift in
 * the machine's speed hits both sides alike. Prints both figures and the ratio, writes JSON.
 *
 *   bun bench/redirect-vs-baseline.ts [--seconds 5] [--rounds 3] [--connections 64] [--codes 1000]
 *                                     [--no-publish] [--bot-traffic] [--trace-redirects RATIO] [--rules 5]
 *
 * --trace-redirects turns tracing on in the ringlink server (OTEL_EXPORTER_OTLP_ENDPOINT pointed
 * at a loopback OTLP sink in this process that counts and drops the exports) with TRACE_REDIRECTS
 * at RATIO (0.01 = 1% of redirects; 0 = the SDK loaded, redirects untraced). Without it tracing
 * is off and no tracing code is loaded.
 *
 * `--rules N` gives every link N redirect rules that the benchmark's requests never match (a phone,
 * a country, a language, a query parameter, an address range, cycled), so each redirect evaluates
 * all of them and falls through to the link's own target: the cost of rules at their worst.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseBenchArgs, usageError } from "./lib/args";
import { cpuMicros } from "./lib/cpu";
import { loopbackBase } from "./lib/loopback";
import { hasTaskset, startProcess, stopProcess } from "./lib/processes";
import { progressBar } from "../src/cli/progress";
import { randomCodeScript, runWrk, type LoadResult } from "./lib/wrk";

const root = join(import.meta.dir, "..");
const values = parseBenchArgs(
  `
usage: bun run bench:redirect [options]

Embedded redirects with a hot cache against a bare Bun.serve 302-from-a-Map, alternating rounds,
both servers on 127.0.0.1 ports this script starts. Prints both figures, the ratio and the server
CPU per request; writes bench/results/redirect-vs-baseline*.json.
`,
  {
    seconds: { type: "string", default: "5", help: "seconds per round and side" },
    rounds: { type: "string", default: "3", help: "alternating rounds (medians are reported)" },
    connections: { type: "string", default: "64", help: "wrk connections" },
    codes: { type: "string", default: "1000", help: "links seeded and requested at random" },
    rules: { type: "string", default: "0", help: "redirect rules per link that never match (0-20)" },
    "no-publish": { type: "boolean", default: false, help: "CLICK_EVENTS=false: no click events at all" },
    // wrk sends no User-Agent by default, which counts as a bot (no visitor hash): say so with --bot-traffic
    "bot-traffic": { type: "boolean", default: false, help: "send no User-Agent (clicks count as bots)" },
    "trace-redirects": { type: "string", help: "tracing on, TRACE_REDIRECTS at this ratio (0-1), spans to a loopback sink" },
  },
);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const codeCount = Number(values.codes);
const traceRatio = values["trace-redirects"] === undefined ? null : Number(values["trace-redirects"]);
if (traceRatio !== null && !(traceRatio >= 0 && traceRatio <= 1)) usageError("--trace-redirects takes a ratio from 0 to 1");
const ruleCount = Number(values.rules);
if (!Number.isInteger(ruleCount) || ruleCount < 0 || ruleCount > 20) usageError("--rules must be a whole number from 0 to 20");
if (!(seconds > 0 && seconds <= 120 && rounds >= 1 && rounds <= 20 && connections >= 1 && connections <= 1024 && codeCount >= 1 && codeCount <= 100_000)) {
  usageError("--seconds 1..120, --rounds 1..20, --connections 1..1024 and --codes 1..100000 keep the load bounded");
}

/** Conditions the load never meets (wrk sends a desktop Chrome User-Agent, no country, no query, from 127.0.0.1). */
const MISSED_CONDITIONS = [
  { type: "device", anyOf: ["mobile", "tablet"] },
  { type: "country", anyOf: ["DE", "AT", "CH"] },
  { type: "language", anyOf: ["fr"] },
  { type: "query", param: "campaign", op: "equals", value: "spring" },
  { type: "ip", anyOf: ["203.0.113.0/24", "2001:db8::/32"] },
];
const benchRules = Array.from({ length: ruleCount }, (_, i) => ({
  conditions: [MISSED_CONDITIONS[i % MISSED_CONDITIONS.length]],
  url: `https://example.com/rule/${i}`,
}));
// Server on core 0, load generator on core 1: neither steals the other's CPU.
const SERVER_CPU = "0";
const WRK_CPU = "1";

async function freePort(): Promise<number> {
  const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const p = s.port!;
  s.stop(true);
  return p;
}

async function seed(base: string, n: number): Promise<Record<string, string>> {
  const links: Record<string, string> = {};
  const bar = progressBar("seeding links", n);
  for (let i = 0; i < n; i += 50) {
    const batch = Array.from({ length: Math.min(50, n - i) }, (_, j) => `https://example.com/bench/${i + j}?ref=hot`);
    const created = await Promise.all(
      batch.map(async (url) => {
        const res = await fetch(`${base}/api/v1/links`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(ruleCount > 0 ? { url, rules: benchRules } : { url }),
        });
        if (res.status !== 201 && res.status !== 200) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
        return (await res.json()) as { code: string; url: string };
      }),
    );
    for (const c of created) links[c.code] = c.url;
    bar.tick(batch.length);
  }
  bar.done();
  return links;
}

/** One wrk round against `url` with the server's CPU time per answered request. */
async function measured(url: string, pid: number, opts: Parameters<typeof runWrk>[1]): Promise<LoadResult & { cpuMicrosPerRequest: number }> {
  const before = cpuMicros(pid) ?? Number.NaN;
  const result = await runWrk(url, opts);
  return { ...result, cpuMicrosPerRequest: ((cpuMicros(pid) ?? Number.NaN) - before) / Math.max(result.requests, 1) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Stands in for a collector: accepts OTLP/HTTP exports on loopback and counts them (spans are dropped). */
function startOtlpSink(): { endpoint: string; exports: () => { requests: number; bytes: number }; stop: () => void } {
  let requests = 0;
  let bytes = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      bytes += (await request.arrayBuffer()).byteLength;
      requests++;
      return Response.json({});
    },
  });
  return { endpoint: `http://127.0.0.1:${server.port}`, exports: () => ({ requests, bytes }), stop: () => server.stop(true) };
}

const sink = traceRatio === null ? null : startOtlpSink();
const work = mkdtempSync(join(tmpdir(), "ringlink-bench-"));
const ringPort = await freePort();
const basePort = await freePort();
const ringlink = await startProcess(["bun", join(root, "src/main.ts"), "serve", "--port", String(ringPort)], {
  env: {
    DATA_DIR: join(work, "data"),
    ACCESS_LOG: "off",
    RATE_LIMIT_CREATE: "off",
    DATABASE_NODES: "",
    REDIS_NODES: "",
    KAFKA_BROKERS: "",
    CLICK_EVENTS: values["no-publish"] ? "false" : "true",
    OTEL_EXPORTER_OTLP_ENDPOINT: sink?.endpoint ?? "",
    TRACE_REDIRECTS: String(traceRatio ?? 0),
  },
  readyUrl: `http://127.0.0.1:${ringPort}/healthz`,
  cpu: SERVER_CPU,
});
let baseline: Awaited<ReturnType<typeof startProcess>> | undefined;
try {
  const links = await seed(loopbackBase(ringPort), codeCount);
  const codesFile = join(work, "codes.json");
  writeFileSync(codesFile, JSON.stringify(links));
  baseline = await startProcess(["bun", join(root, "bench/baseline-server.ts"), String(basePort), codesFile], {
    readyUrl: `http://127.0.0.1:${basePort}/${Object.keys(links)[0]}`,
    cpu: SERVER_CPU,
  });
  const script = randomCodeScript(Object.keys(links));
  const opts = { script, connections, seconds, cpu: hasTaskset ? WRK_CPU : undefined, userAgent: values["bot-traffic"] ? null : undefined };

  // Warm both: JIT, and every code into ringlink's L1.
  await runWrk(loopbackBase(ringPort), { ...opts, seconds: 2 });
  await runWrk(loopbackBase(basePort), { ...opts, seconds: 2 });

  type Round = LoadResult & { cpuMicrosPerRequest: number };
  const results: { ringlink: Round[]; baseline: Round[] } = { ringlink: [], baseline: [] };
  for (let r = 0; r < rounds; r++) {
    results.baseline.push(await measured(loopbackBase(basePort), baseline.pid, opts));
    results.ringlink.push(await measured(loopbackBase(ringPort), ringlink.pid, opts));
    const [b, g] = [results.baseline[r]!, results.ringlink[r]!];
    console.error(
      `round ${r + 1}/${rounds}: baseline ${Math.round(b.requestsPerSecond)} req/s (${b.cpuMicrosPerRequest.toFixed(2)} µs CPU each), ringlink ${Math.round(g.requestsPerSecond)} req/s (${g.cpuMicrosPerRequest.toFixed(2)} µs CPU each)`,
    );
  }
  const ringCpu = median(results.ringlink.map((x) => x.cpuMicrosPerRequest));
  const baseCpu = median(results.baseline.map((x) => x.cpuMicrosPerRequest));
  const ring = median(results.ringlink.map((x) => x.requestsPerSecond));
  const base = median(results.baseline.map((x) => x.requestsPerSecond));
  const failures = results.ringlink.reduce((a, x) => a + x.non2xx3xx + x.socketErrors, 0);
  const summary = {
    scenario: ruleCount > 0 ? `embedded redirect, hot L1, 1 process, ${ruleCount} rules per link (none matching)` : "embedded redirect, hot L1, 1 process",
    date: new Date().toISOString(),
    machine: { cpus: navigator.hardwareConcurrency, bun: Bun.version, pinned: hasTaskset },
    wrk: { connections, seconds, rounds, codes: codeCount },
    publishClicks: !values["no-publish"],
    tracing: sink === null ? "off (no endpoint, SDK not loaded)" : { traceRedirects: traceRatio, otlpExports: sink.exports() },
    traffic: values["bot-traffic"] ? "no User-Agent (counted as bots)" : "desktop Chrome User-Agent (counted as people)",
    ringlinkReqPerSec: Math.round(ring),
    baselineReqPerSec: Math.round(base),
    ratio: Math.round((ring / base) * 1000) / 1000,
    ringlinkP99Ms: median(results.ringlink.map((x) => x.latencyP99Ms)),
    baselineP99Ms: median(results.baseline.map((x) => x.latencyP99Ms)),
    ringlinkCpuMicrosPerRequest: Math.round(ringCpu * 100) / 100,
    baselineCpuMicrosPerRequest: Math.round(baseCpu * 100) / 100,
    /** baseline CPU per request / ringlink's: what the ratio would be with a core each to themselves */
    cpuRatio: Math.round((baseCpu / ringCpu) * 1000) / 1000,
    ringlinkFailures: failures,
    rounds: results,
  };
  mkdirSync(join(root, "bench/results"), { recursive: true });
  const variantName = [ruleCount > 0 ? `${ruleCount}-rules` : null, traceRatio === null ? null : `trace-${traceRatio}`].filter(Boolean).join("-");
  const resultName = variantName === "" ? "redirect-vs-baseline.json" : `redirect-vs-baseline-${variantName}.json`;
  writeFileSync(join(root, "bench/results", resultName), JSON.stringify(summary, null, 2));
  console.log(`embedded redirect (hot cache): ${summary.ringlinkReqPerSec} req/s  p99 ${summary.ringlinkP99Ms.toFixed(2)} ms`);
  console.log(`bare Bun.serve baseline:       ${summary.baselineReqPerSec} req/s  p99 ${summary.baselineP99Ms.toFixed(2)} ms`);
  console.log(`ratio: ${summary.ratio.toFixed(3)}  (target >= 0.90)  non-3xx/socket errors: ${failures}`);
  console.log(
    `server CPU per request: ringlink ${summary.ringlinkCpuMicrosPerRequest} µs, baseline ${summary.baselineCpuMicrosPerRequest} µs (CPU ratio ${summary.cpuRatio.toFixed(3)})`,
  );
  if (sink) console.log(`tracing: TRACE_REDIRECTS=${traceRatio}, ${sink.exports().requests} OTLP exports (${sink.exports().bytes} bytes) received`);
} finally {
  if (baseline) await stopProcess(baseline);
  await stopProcess(ringlink);
  sink?.stop();
  rmSync(work, { recursive: true, force: true });
}
