/**
 * The small HTTP side of a worker on WORKER_PORT: /healthz (503 until the consumer has joined its
 * group, so "healthy" means "consuming") and a Prometheus /metrics. None when WORKER_PORT is unset.
 */
import type { Config } from "../src/config";

export interface WorkerEndpoints {
  consuming(): boolean;
  health(): Record<string, unknown>;
  metrics(): string;
}

export function serveWorkerEndpoints(config: Config, endpoints: WorkerEndpoints) {
  if (config.analytics.workerPort === undefined) return null;
  return Bun.serve({
    port: config.analytics.workerPort,
    hostname: config.host,
    fetch(request) {
      const path = new URL(request.url).pathname;
      const ok = endpoints.consuming();
      if (path === "/healthz") return Response.json({ status: ok ? "ok" : "starting", ...endpoints.health() }, { status: ok ? 200 : 503 });
      if (path === "/metrics") return new Response(endpoints.metrics(), { headers: { "content-type": "text/plain; version=0.0.4" } });
      return new Response("not found\n", { status: 404 });
    },
  });
}
