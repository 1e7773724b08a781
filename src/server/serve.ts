/**
 * One serving process: runtime + app + HTTP server, run by the common lifecycle (src/lifecycle):
 * SIGTERM/SIGINT, or the supervisor's death when supervised, stop accepting, let in-flight
 * requests finish, flush events and counters and close storage.
 */
import { buildApp } from "../app";
import type { Config } from "../config";
import { runService } from "../lifecycle";
import { log } from "../log";
import { createRuntime } from "../runtime";
import { IpcInvalidation } from "./ipc-invalidation";
import { IpcRealtimeRelay } from "./ipc-realtime-relay";
import { MetricsFanoutClient } from "./metrics-fanout";
import { startHttpServer } from "./http-server";
import type { InstanceLock } from "./instance-lock";
import { startMemoryGovernor } from "./memory-governor";
import { watchSupervisor } from "./supervisor-watch";

export interface ServeOptions {
  supervised: boolean;
  /** the instance lock of an unsupervised server, released once it has drained */
  lock?: InstanceLock;
}

/** How long a drain may take: in-flight requests, the event flush, the counters' last write. */
const DRAIN_DEADLINE_MS = 10_000;

/** Serves until stopped; resolves with the exit status. */
export function serveProcess(config: Config, options: ServeOptions): Promise<number> {
  // A supervised process drains and exits when its supervisor is gone, however it went.
  const triggers = options.supervised ? [(stop: (why: string) => void) => void watchSupervisor(stop)] : [];
  return runService(
    async () => {
      // The live stream reaches sibling processes through the supervisor (and other instances
      // through Redis, which the runtime adds); a distributed instance with several processes uses
      // both, and duplicates are dropped.
      const runtime = await createRuntime(
        config,
        options.supervised ? { invalidation: new IpcInvalidation(), realtimeRelays: [new IpcRealtimeRelay()], supervised: true } : {},
      );
      runtime.realtime.start();
      const fanout = options.supervised ? new MetricsFanoutClient(runtime.metrics) : null;
      const app = buildApp(runtime, fanout ? { renderMetrics: () => fanout.text() } : {});
      const server = startHttpServer(app, runtime, { port: config.port, hostname: config.host, reusePort: options.supervised });
      const memory = startMemoryGovernor(config.memorySoftLimitBytes);
      log.info("listening", {
        url: `http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${server.port}`,
        mode: config.mode,
        process: config.processIndex,
        pid: process.pid,
        store: runtime.store.description,
      });
      return {
        async drain() {
          memory.stop();
          await server.stop(false);
          await runtime.close();
          options.lock?.release();
          return undefined;
        },
      };
    },
    { drainDeadlineMs: DRAIN_DEADLINE_MS, triggers },
  );
}
