/**
 * oha for the constant-rate runs: a true open loop (-q) with latency correction, so a slow answer
 * delays nobody's start time and queueing shows up in the percentiles (no coordinated omission).
 * Found on PATH or in ~/.cargo/bin (`cargo install oha`); the bench falls back to paced wrk without it.
 */
import { $ } from "bun";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { assertLoopback, assertLoopbackUrlFile } from "./loopback";
import { BROWSER_UA, type LoadResult } from "./wrk";

export function findOha(): string | null {
  const onPath = Bun.which("oha");
  if (onPath) return onPath;
  const cargo = join(homedir(), ".cargo/bin/oha");
  return existsSync(cargo) ? cargo : null;
}

export interface OhaRequest {
  /** file with one full URL per line */
  urlsFile?: string;
  url?: string;
  method?: "GET" | "POST";
  /** file with one request body per line (POST) */
  bodiesFile?: string;
}

export async function runOha(oha: string, req: OhaRequest, opts: { rate: number; connections: number; seconds: number; cpu?: string }): Promise<LoadResult> {
  // Every URL oha will request is checked here: the file line by line, or the one URL.
  if (req.urlsFile) assertLoopbackUrlFile(req.urlsFile);
  else assertLoopback(req.url ?? "");
  const args = [
    // requests in flight at the deadline are answered and counted, so the 3xx count is exact
    "--wait-ongoing-requests-after-deadline",
    "-z",
    `${opts.seconds}s`,
    "-c",
    String(opts.connections),
    "-q",
    String(opts.rate),
    "--latency-correction",
    "--no-tui",
    "-r",
    "0",
    "--output-format",
    "json",
    // A browser, as wrk sends: oha's own User-Agent is a load tool's, rightly counted as a bot,
    // so without this no click of a paced run would be a person's.
    "-H",
    `user-agent: ${BROWSER_UA}`,
  ];
  if (req.method === "POST") args.push("-m", "POST", "-H", "content-type: application/json");
  if (req.bodiesFile) args.push("-Z", req.bodiesFile);
  if (req.urlsFile) args.push("--urls-from-file", req.urlsFile);
  else args.push(req.url!);
  const cmd = opts.cpu ? ["taskset", "-c", opts.cpu, oha, ...args] : [oha, ...args];
  const out = JSON.parse(await $`${cmd}`.quiet().text()) as {
    summary: { requestsPerSec: number };
    latencyPercentiles: Record<string, number | null>;
    statusCodeDistribution?: Record<string, number>;
    errorDistribution?: Record<string, number>;
  };
  const statuses = out.statusCodeDistribution ?? {};
  const requests = Object.values(statuses).reduce((a, b) => a + b, 0);
  const redirects = Object.entries(statuses).reduce((a, [code, n]) => (Number(code) >= 300 && Number(code) < 400 ? a + n : a), 0);
  const non2xx3xx = Object.entries(statuses).reduce((a, [code, n]) => (Number(code) >= 400 ? a + n : a), 0);
  // Requests cut off by the end of the run (none with --wait-ongoing-requests-after-deadline) are not failures of the server.
  const errors = Object.entries(out.errorDistribution ?? {}).reduce((a, [what, n]) => (what.includes("deadline") ? a : a + n), 0);
  const ms = (k: string) => (out.latencyPercentiles[k] ?? NaN) * 1000;
  return {
    requestsPerSecond: out.summary.requestsPerSec,
    latencyP50Ms: ms("p50"),
    latencyP90Ms: ms("p90"),
    latencyP99Ms: ms("p99"),
    latencyP999Ms: ms("p99.9"),
    non2xx3xx,
    socketErrors: errors,
    requests,
    redirects,
  };
}
