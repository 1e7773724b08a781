/**
 * `bun bench/profile.ts --scenario cold`: where a scenario's time goes. Seeds an embedded store,
 * starts one server under Bun's sampling profiler (`--cpu-prof-md`), loads it with the matrix's
 * own wrk script for the scenario, and writes the profile (markdown, heaviest functions first) to
 * bench/results/profile-<scenario>.md. Loopback only: the server is one this script starts on 127.0.0.1.
 */
import { $ } from "bun";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseBenchArgs, usageError } from "./lib/args";
import { cpuMeter, microsPerRequest } from "./lib/cpu";
import { assertLoopbackServices, loopbackBase } from "./lib/loopback";
import { writeScenarioScript, type Scenario } from "./lib/lua";
import { hasTaskset, startProcess, stopProcess } from "./lib/processes";
import { runWrk } from "./lib/wrk";

const USAGE = `
usage: bun bench/profile.ts [options]

Profiles one scenario of the matrix on an embedded ringlink this script starts on 127.0.0.1.

  bun bench/profile.ts --scenario cold --links 200000 --seconds 5
`;
const values = parseBenchArgs(USAGE, {
  scenario: { type: "string", default: "hot", help: "hot, cold, unknown, create or mix" },
  links: { type: "string", default: "100000", help: "links to seed" },
  seconds: { type: "string", default: "5", help: "seconds of load" },
  connections: { type: "string", default: "64", help: "connections of the load generator" },
  interval: { type: "string", default: "200", help: "sampling interval of the profiler, µs" },
  distributed: { type: "boolean", default: false, help: "profile against the local cluster (scripts/cluster.sh up; its env is read here)" },
});
const scenario = values.scenario as Scenario;
if (!["hot", "cold", "unknown", "create", "mix"].includes(scenario)) usageError(`unknown scenario ${scenario}`);
const links = Number(values.links);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
if (!(links >= 1 && links <= 2_000_000 && seconds >= 1 && seconds <= 60 && connections >= 1 && connections <= 512)) {
  usageError("--links 1..2000000, --seconds 1..60 and --connections 1..512 keep the load bounded");
}

const root = join(import.meta.dir, "..");
const work = mkdtempSync(join(tmpdir(), "ringlink-profile-"));
const env: Record<string, string> = {
  ACCESS_LOG: "off",
  RATE_LIMIT_CREATE: "off",
  DATA_DIR: join(work, "data"),
  DATABASE_NODES: "",
  REDIS_NODES: "",
  KAFKA_BROKERS: "",
};
if (values.distributed) {
  const exports = await $`${join(root, "scripts/cluster.sh")} env`.text();
  for (const m of exports.matchAll(/^export ([A-Z_][A-Z0-9_]*)='([^']*)'$/gm)) env[m[1]!] = m[2]!;
  // The bench loads services through the server: on this machine, or not at all.
  assertLoopbackServices(env);
  await $`bun ${join(root, "src/main.ts")} migrate`.env({ ...process.env, ...env }).quiet();
}
try {
  const codesFile = join(work, "codes.txt");
  await $`bun ${join(root, "src/main.ts")} seed ${links} --out ${codesFile}`.env({ ...process.env, ...env });
  const codes = readFileSync(codesFile, "utf8").trim().split("\n");
  const list = join(work, "list.txt");
  const chosen = scenario === "cold" ? codes : scenario === "unknown" ? codes.slice(0, 1000).map((c) => `zz${c}`) : codes.slice(0, 1000);
  writeFileSync(list, `${chosen.join("\n")}\n`);
  const script = writeScenarioScript(work, scenario, list);
  const port = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const base = loopbackBase(port.port!);
  port.stop(true);
  const profiles = join(work, "prof");
  const server = await startProcess(
    [
      "bun",
      "--cpu-prof-md",
      `--cpu-prof-dir=${profiles}`,
      `--cpu-prof-interval=${values.interval}`,
      join(root, "src/main.ts"),
      "serve",
      "--port",
      base.split(":").pop()!,
    ],
    { env, readyUrl: `${base}/healthz`, cpu: "0" },
  );
  await runWrk(base, { script, connections, seconds: 2, cpu: hasTaskset ? "1" : undefined, counted: true });
  const cpu = cpuMeter(() => [server.pid]);
  const load = await runWrk(base, { script, connections, seconds, cpu: hasTaskset ? "1" : undefined, counted: true });
  const us = cpu.stop();
  await stopProcess(server);
  const file = readdirSync(profiles).find((f) => f.endsWith(".md"));
  if (!file) throw new Error("the server wrote no profile");
  const out = join(root, "bench/results", `profile-${values.distributed ? "distributed-" : ""}${scenario}.md`);
  mkdirSync(join(root, "bench/results"), { recursive: true });
  renameSync(join(profiles, file), out);
  console.log(
    `${scenario}: ${Math.round(load.requestsPerSecond)} req/s, ${microsPerRequest(us, load.requests).toFixed(2)} µs CPU/request (profiled, so slower than the matrix); profile: ${out}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
