/**
 * CPU time a server process has used (user + system), read from /proc/<pid>/stat: what the
 * process's own process.cpuUsage() would report, without asking the process. On a machine shared
 * with other work throughput swings with the neighbours, while CPU time per request stays put.
 */
import { readFileSync } from "node:fs";

/** clock ticks per second of /proc's utime/stime (USER_HZ; 100 on every Linux build we run on) */
const CLOCK_TICKS = (() => {
  const out = Bun.spawnSync(["getconf", "CLK_TCK"], { stdout: "pipe", stderr: "ignore" });
  const n = Number(out.stdout.toString().trim());
  return Number.isInteger(n) && n > 0 ? n : 100;
})();

/** µs of CPU the process has used so far; null when it is gone. */
export function cpuMicros(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces): state is [0], utime [11], stime [12].
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/**
 * Measures the CPU the given processes use between start and stop (a supervisor and its serving
 * children: pass them all). Per request: divide by the requests answered over the same span.
 */
export function cpuMeter(pids: () => number[]): { stop(): number } {
  const start = new Map<number, number>();
  for (const pid of pids()) {
    const us = cpuMicros(pid);
    if (us !== null) start.set(pid, us);
  }
  return {
    stop() {
      let used = 0;
      for (const pid of new Set([...start.keys(), ...pids()])) {
        const now = cpuMicros(pid);
        if (now !== null) used += now - (start.get(pid) ?? 0);
      }
      return used;
    },
  };
}

/** µs of server CPU per answered request (NaN when nothing was answered). */
export function microsPerRequest(cpuUs: number, requests: number): number {
  return requests > 0 ? cpuUs / requests : Number.NaN;
}
