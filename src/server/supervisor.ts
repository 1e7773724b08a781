/**
 * `serve --processes N`: spawns N copies of this executable, each binding the port with reusePort,
 * restarts one that dies (with backoff, so a crash loop cannot spin the CPU), relays invalidations
 * and the live stream (event samples, per-second reports) between them, and on SIGTERM/SIGINT
 * drains them all before exiting 0. The instance lock (instance-lock.ts) names the children as
 * they are spawned; each child watches for its supervisor's death (supervisor-watch.ts).
 */
import type { Subprocess } from "bun";
import { isRelayMessage } from "../realtime";
import type { InstanceLock } from "./instance-lock";
import { isInvalidateMessage } from "./ipc-invalidation";
import { MetricsFanoutHub, isFanoutMessage } from "./metrics-fanout";
import { runService } from "../lifecycle";
import { log as processLog } from "../log";

export interface SupervisorOptions {
  processes: number;
  /** argv for one child, given its process index */
  childArgv: (index: number) => string[];
  drainTimeoutMs?: number;
  /** this instance's lock: told the children's pids, released after the drain */
  lock?: InstanceLock;
}

const supervisorLog = processLog.child({ role: "supervisor" });

/** Runs the children until stopped; resolves with the exit status (1 when a child did not drain cleanly). */
export function runSupervisor(options: SupervisorOptions): Promise<number> {
  const drainTimeoutMs = options.drainTimeoutMs ?? 15_000;
  const children = new Map<number, Subprocess>();
  const restarts = new Map<number, number>();
  let stopping = false;

  // A child that is exiting has closed its IPC channel before `exited` settles: a message for it is
  // dropped (it is going away), never allowed to throw in the supervisor.
  const sendTo = (child: Subprocess | undefined, message: unknown) => {
    try {
      child?.send(message);
    } catch {
      // channel closed
    }
  };
  const broadcast = (from: number, message: unknown) => {
    for (const [index, child] of children) if (index !== from) sendTo(child, message);
  };
  const metrics = new MetricsFanoutHub(
    (index, message) => sendTo(children.get(index), message),
    () => [...children.keys()],
  );

  const spawn = (index: number) => {
    const child = Bun.spawn(options.childArgv(index), {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, RINGLINK_SUPERVISED: "1" },
      ipc(message) {
        // Forwarded to every other child as received (a realtime message may also arrive over Redis; children drop repeats).
        if (isInvalidateMessage(message) || isRelayMessage(message)) broadcast(index, message);
        else if (isFanoutMessage(message)) metrics.handle(index, message);
      },
      serialization: "json",
    });
    children.set(index, child);
    options.lock?.setChildren([...children.values()].map((c) => c.pid));
    void child.exited.then((code) => {
      if (children.get(index) === child) children.delete(index);
      if (stopping) return;
      const n = (restarts.get(index) ?? 0) + 1;
      restarts.set(index, n);
      const delay = Math.min(100 * 2 ** Math.min(n - 1, 6), 5_000);
      supervisorLog.info("child exited, restarting", { index, pid: child.pid, code, restartInMs: delay });
      setTimeout(() => {
        if (!stopping) spawn(index);
      }, delay);
    });
  };

  return runService(
    async () => {
      for (let i = 0; i < options.processes; i++) spawn(i);
      supervisorLog.info("started", { processes: options.processes, pids: [...children.values()].map((c) => c.pid) });
      return {
        async drain() {
          stopping = true;
          const all = [...children.values()];
          for (const child of all) child.kill("SIGTERM");
          let timer: ReturnType<typeof setTimeout> | undefined;
          const timeout = new Promise<"timeout">((resolve) => {
            timer = setTimeout(() => resolve("timeout"), drainTimeoutMs);
          });
          const result = await Promise.race([Promise.all(all.map((c) => c.exited)), timeout]);
          clearTimeout(timer);
          if (result === "timeout") for (const child of all) child.kill("SIGKILL");
          const codes = result === "timeout" ? [] : result;
          options.lock?.release();
          return { exitCode: result === "timeout" || codes.some((c) => c !== 0) ? 1 : 0, fields: { codes } };
        },
      };
    },
    // The children's own drains are bounded by drainTimeoutMs (then SIGKILL); this bounds the rest.
    { log: supervisorLog, drainDeadlineMs: drainTimeoutMs + 5_000 },
  );
}
