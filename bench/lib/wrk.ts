/** Runs wrk (which never follows redirects) and reads its summary and our Lua latency line. */
import { $ } from "bun";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loopbackOrigin } from "./loopback";

export interface LoadResult {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP90Ms: number;
  latencyP99Ms: number;
  latencyP999Ms: number;
  /** responses outside 2xx/3xx */
  non2xx3xx: number;
  socketErrors: number;
  requests: number;
  /** 3xx answers received, when the load tool counted them exactly (every request sent answered or failed); else null */
  redirects: number | null;
}

/** Seconds a counted run goes on after its measured window so the last answers come in. */
export const DRAIN_SECONDS = 2;

/** A Lua script that requests random codes from a list (one per line). */
export function randomCodeScript(codes: string[]): string {
  const list = join(tmpdir(), `ringlink-bench-codes-${process.pid}.txt`);
  writeFileSync(list, `${codes.join("\n")}\n`);
  const script = join(tmpdir(), `ringlink-bench-${process.pid}.lua`);
  writeFileSync(
    script,
    `local codes = {}
for line in io.lines("${list}") do codes[#codes + 1] = "/" .. line end
local n = #codes
request = function() return wrk.format("GET", codes[math.random(n)]) end
done = function(summary, latency, requests)
  io.write(string.format("RL_LAT %f %f %f %f\\n", latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))
end
`,
  );
  return script;
}

/**
 * `pacedRate` (requests/s over all connections) adds wrk's delay() hook so each connection waits
 * connections/rate between requests: a paced load, not a true open loop (use oha -q for that).
 */
/** A desktop Chrome: benchmarks send it so clicks count as people (visitor hash and all), as real traffic does. */
export const BROWSER_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

export async function runWrk(
  url: string,
  opts: {
    script: string;
    connections: number;
    seconds: number;
    threads?: number;
    cpu?: string;
    pacedRate?: number;
    userAgent?: string | null;
    /** the script is one of lib/lua's (COUNTED): stop sending after `seconds`, drain, count exactly */
    counted?: boolean;
  },
): Promise<LoadResult> {
  // The URL wrk gets is rebuilt from a checked loopback origin, whatever the caller passed.
  const origin = loopbackOrigin(url);
  let script = opts.script;
  const paceMs = opts.pacedRate ? (opts.connections / opts.pacedRate) * 1000 : 0;
  if (opts.pacedRate && !opts.counted) {
    script = `${opts.script}.paced.lua`;
    // wrk truncates a delay to whole ms: carry the fraction so sub-ms paces average out right.
    writeFileSync(
      script,
      `${await Bun.file(opts.script).text()}\nlocal rl_carry = 0\ndelay = function()\n  rl_carry = rl_carry + ${paceMs.toFixed(3)}\n  local whole = math.floor(rl_carry)\n  rl_carry = rl_carry - whole\n  return whole\nend\n`,
    );
  }
  const ua = opts.userAgent === undefined ? BROWSER_UA : opts.userAgent;
  const args = [
    "-t",
    String(opts.threads ?? 1),
    "-c",
    String(opts.connections),
    "-d",
    `${opts.seconds + (opts.counted ? DRAIN_SECONDS : 0)}s`,
    "--timeout",
    "5s",
    ...(ua ? ["-H", `User-Agent: ${ua}`] : []),
    "-s",
    script,
    origin,
    ...(opts.counted ? ["--", String(Math.round(opts.seconds * 1000)), paceMs.toFixed(3)] : []),
  ];
  const cmd = opts.cpu ? ["taskset", "-c", opts.cpu, "wrk", ...args] : ["wrk", ...args];
  const out = await $`${cmd}`.quiet().text();
  const count = /RL_COUNT (\d+) (\d+) (\d+)/.exec(out);
  if (opts.counted && !count) throw new Error(`wrk printed no counts (is the script from bench/lib/lua?):\n${out}`);
  // Counted: throughput over the measured window only (wrk's own figure includes the idle drain).
  const rps = count ? Number(count[3]) / opts.seconds : Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const lat = /RL_LAT ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)/.exec(out);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  if (!Number.isFinite(rps)) throw new Error(`could not read wrk output:\n${out}`);
  // wrk's Lua latency object reports microseconds
  const ms = (i: number) => (lat ? Number(lat[i]) / 1000 : NaN);
  return {
    requestsPerSecond: rps,
    latencyP50Ms: ms(1),
    latencyP90Ms: ms(2),
    latencyP99Ms: ms(3),
    latencyP999Ms: ms(4),
    non2xx3xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
    socketErrors: sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN),
    redirects: count ? Number(count[2]) : null,
  };
}
