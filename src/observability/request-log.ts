/**
 * One log line per request (the canonical log line): route template, status, duration. Redirects
 * are logged only with ACCESS_LOG=all because at tens of thousands per second the log would cost
 * more than the redirect; the redirect handler writes their line itself.
 */
import { Elysia } from "elysia";
import type { AccessLog } from "../config";
import type { Metrics } from "./metrics";
import { log } from "../log";

export function logRequest(fields: { method: string; route: string; status: number; ms: number }): void {
  log.info("request", { ...fields, ms: Math.round(fields.ms * 100) / 100 });
}

/** Logs (per ACCESS_LOG) and times every request the app routes; labels use the route template. */
export function requestLog(mode: AccessLog, metrics: Metrics) {
  return new Elysia({ name: "request-log" })
    .derive({ as: "global" }, () => ({ startedAt: performance.now() }))
    .onAfterResponse({ as: "global" }, ({ request, route, set, startedAt, responseValue }) => {
      const ms = performance.now() - (startedAt ?? performance.now());
      const status = responseValue instanceof Response ? responseValue.status : typeof set.status === "number" ? set.status : 200;
      const template = route || "unmatched";
      if (template !== "/:code") metrics.observeHttp(template, request.method, status, ms / 1000);
      if (mode === "off" || (mode === "api" && template === "/:code")) return;
      // A redirect writes its own line (redirect/redirect-handler.ts), whichever route served it.
      if (template === "/:code" && (request.method === "GET" || request.method === "HEAD")) return;
      logRequest({ method: request.method, route: template, status, ms });
    });
}
