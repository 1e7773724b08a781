/**
 * How every long-running mode stops: `serve` (one process or the supervisor) and both workers.
 * SIGTERM, SIGINT or another trigger (a supervised process whose supervisor is gone) starts one
 * drain. A stop that arrives while the service is still starting is kept: it aborts waits that
 * could last (a worker waiting for its broker) and drains as soon as start-up is done, so a
 * supervisor that stops a child it has just restarted still gets exit status 0. A drain that
 * overruns its deadline gives exit status 1.
 */
import { log as processLog, type LogFields, type Logger } from "../log";

export interface Running {
  /** Finishes in-flight work and releases what the service holds. */
  drain(): Promise<StopReport | undefined>;
}

export interface StopReport {
  /** exit status after a complete drain (default 0) */
  exitCode?: number;
  /** added to the "stopped" line */
  fields?: LogFields;
}

export interface LifecycleOptions {
  log?: Logger;
  /** how long a drain may take before the process gives up on it (exit status 1) */
  drainDeadlineMs: number;
  /** reasons to stop besides SIGTERM and SIGINT; each gets the function that starts the drain */
  triggers?: ReadonlyArray<(stop: (why: string) => void) => void>;
}

/** Thrown by a start-up that gave up because a stop arrived first. */
export class StoppedWhileStarting extends Error {
  constructor() {
    super("stopped while starting");
    this.name = "StoppedWhileStarting";
  }
}

/** Starts the service, waits for a stop, drains; resolves with the process's exit status. */
export async function runService(start: (stopping: AbortSignal) => Promise<Running>, options: LifecycleOptions): Promise<number> {
  const log = options.log ?? processLog;
  const stopping = new AbortController();
  let reason = "";
  let requested: (why: string) => void = () => {};
  const stopRequested = new Promise<string>((resolve) => {
    requested = resolve;
  });
  const stop = (why: string) => {
    if (stopping.signal.aborted) return;
    reason = why;
    stopping.abort();
    requested(why);
  };
  const onSignal = (signal: NodeJS.Signals) => stop(signal);
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  for (const trigger of options.triggers ?? []) trigger(stop);

  let running: Running;
  try {
    running = await start(stopping.signal);
  } catch (error) {
    if (!(error instanceof StoppedWhileStarting)) throw error;
    log.info("stopped", { signal: reason, pid: process.pid, before: "started" });
    return 0;
  }

  const why = await stopRequested;
  log.info("draining", { signal: why });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const overrun = new Promise<"overrun">((resolve) => {
    timer = setTimeout(() => resolve("overrun"), options.drainDeadlineMs);
  });
  const drained = running.drain().then(
    (report): StopReport => report ?? {},
    (error: unknown): StopReport => {
      log.error("drain failed", { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      return { exitCode: 1 };
    },
  );
  const outcome = await Promise.race([drained, overrun]);
  clearTimeout(timer);
  if (outcome === "overrun") {
    log.error("drain overran its deadline", { signal: why, deadlineMs: options.drainDeadlineMs });
    return 1;
  }
  log.info("stopped", { signal: why, pid: process.pid, ...outcome.fields });
  return outcome.exitCode ?? 0;
}
