/** Samples a process's resident set size while a load runs; reports the peak in MB. */
import { readFileSync } from "node:fs";

export function rssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export function sampleRss(pids: () => number[], everyMs = 200): { stop(): number | null } {
  let peak: number | null = null;
  const timer = setInterval(() => {
    for (const pid of pids()) {
      const mb = rssMb(pid);
      if (mb !== null && (peak === null || mb > peak)) peak = mb;
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

/** The server processes behind a PID: itself, or a supervisor's children. */
export function processTree(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    return children.length > 0 ? children : [pid];
  } catch {
    return [pid];
  }
}
