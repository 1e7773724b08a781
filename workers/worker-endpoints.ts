/**
 * The small HTTP side of a worker on WORKER_PORT: /healthz (503 until the consumer has joined its
 * group, so "healthy" means "consuming") and a Prometheus /metrics. None when WORKER_PORT is unset.
 */
import { collectDefaultMetrics, Registry } from "prom-client";
import type { Config } from "../src/config";

export interface WorkerEndpoints {
  consuming(): boolean;
  health(): Record<string, unknown>;
  /** the worker's prom-client registry */
  metrics: Registry;
}

export function serveWorkerEndpoints(config: Config, endpoints: WorkerEndpoints) {
  if (config.analytics.workerPort === undefined) return null;
  return Bun.serve({
    port: config.analytics.workerPort,
    hostname: config.host,
    async fetch(request) {
      const path = new URL(request.url).pathname;
      const ok = endpoints.consuming();
      if (path === "/healthz") return Response.json({ status: ok ? "ok" : "starting", ...endpoints.health() }, { status: ok ? 200 : 503 });
      if (path === "/metrics") return new Response(await endpoints.metrics.metrics(), { headers: { "content-type": endpoints.metrics.contentType } });
      return new Response("not found\n", { status: 404 });
    },
  });
}

/** A worker's registry, with the process metrics the server's /metrics has too (ringlink_process_*, ...). */
export function workerRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "ringlink_" });
  return registry;
}
