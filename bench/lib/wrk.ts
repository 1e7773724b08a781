/** Runs wrk (never following redirects: wrk does not) and reads its summary. */
import { $ } from "bun";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface WrkResult {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP90Ms: number;
  latencyP99Ms: number;
  non2xx3xx: number;
  socketErrors: number;
  requests: number;
}

/** A Lua script that requests random codes from a list (one per line). */
export function randomCodeScript(codes: string[]): string {
  const list = join(tmpdir(), `ringlink-bench-codes-${process.pid}.txt`);
  writeFileSync(list, codes.join("\n") + "\n");
  const script = join(tmpdir(), `ringlink-bench-${process.pid}.lua`);
  writeFileSync(
    script,
    `local codes = {}
for line in io.lines("${list}") do codes[#codes + 1] = "/" .. line end
local n = #codes
request = function() return wrk.format("GET", codes[math.random(n)]) end
done = function(summary, latency, requests)
  io.write(string.format("RL_LAT %f %f %f\\n", latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
`,
  );
  return script;
}


export async function runWrk(url: string, opts: { script: string; connections: number; seconds: number; threads?: number; cpu?: string }): Promise<WrkResult> {
  const args = ["-t", String(opts.threads ?? 1), "-c", String(opts.connections), "-d", `${opts.seconds}s`, "-s", opts.script, url];
  const cmd = opts.cpu ? ["taskset", "-c", opts.cpu, "wrk", ...args] : ["wrk", ...args];
  const out = await $`${cmd}`.quiet().text();
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const lat = /RL_LAT ([\d.]+) ([\d.]+) ([\d.]+)/.exec(out);
  const non = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  if (!Number.isFinite(rps)) throw new Error(`could not read wrk output:\n${out}`);
  return {
    requestsPerSecond: rps,
    // wrk's Lua latency object reports microseconds
    latencyP50Ms: lat ? Number(lat[1]) / 1000 : NaN,
    latencyP90Ms: lat ? Number(lat[2]) / 1000 : NaN,
    latencyP99Ms: lat ? Number(lat[3]) / 1000 : NaN,
    non2xx3xx: non,
    socketErrors: sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    requests,
  };
}
