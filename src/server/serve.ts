/**
 * One serving process: runtime + app + HTTP server, and a graceful drain on SIGTERM/SIGINT
 * (stop accepting, let in-flight requests finish, flush events and counters, close storage).
 */
import { buildApp } from "../app";
import type { Config } from "../config";
import { RedisRelay, type RelayTransport } from "../realtime";
import { createRuntime } from "../runtime";
import { IpcInvalidation } from "./ipc-invalidation";
import { IpcRealtimeRelay } from "./ipc-realtime-relay";
import { MetricsFanoutClient } from "./metrics-fanout";
import { startHttpServer } from "./http-server";
import type { InstanceLock } from "./instance-lock";
import { startMemoryGovernor } from "./memory-governor";
import { watchSupervisor } from "./supervisor-watch";
import { log } from "../log";

export interface ServeOptions {
  supervised: boolean;
  /** the instance lock of an unsupervised server, released once it has drained */
  lock?: InstanceLock;
}

export async function serveProcess(config: Config, options: ServeOptions): Promise<void> {
  // A stop signal can come while the process is still starting (a supervisor stopping right after
  // restarting a child): remember it and drain as soon as there is something to drain, exit 0.
  let stopSignal: string | null = null;
  let onStop = (signal: string) => {
    stopSignal = signal;
  };
  process.on("SIGTERM", () => onStop("SIGTERM"));
  process.on("SIGINT", () => onStop("SIGINT"));
  // A supervised process drains and exits when its supervisor is gone, however it went.
  if (options.supervised) watchSupervisor((why) => onStop(why));
  // The live stream reaches sibling processes through the supervisor and other instances through
  // Redis; a distributed instance with several processes uses both (duplicates are dropped).
  const realtimeRelays: RelayTransport[] = [];
  if (options.supervised) realtimeRelays.push(new IpcRealtimeRelay());
  if (config.redisNodes.length > 0) realtimeRelays.push(new RedisRelay(config.redisNodes, config.resilience));
  const runtime = await createRuntime(config, { ...(options.supervised ? { invalidation: new IpcInvalidation() } : {}), realtimeRelays });
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

  let draining = false;
  const drain = async (signal: string) => {
    if (draining) return;
    draining = true;
    const timer = setTimeout(() => process.exit(1), 10_000);
    memory.stop();
    await server.stop(false);
    await runtime.close();
    options.lock?.release();
    clearTimeout(timer);
    log.info("stopped", { signal, pid: process.pid });
    process.exit(0);
  };
  onStop = (signal) => void drain(signal);
  if (stopSignal !== null) onStop(stopSignal);
}
