/**
 * One JSON line per request (the canonical log line): route template, status, duration. Redirects
 * are logged only with ACCESS_LOG=all because at tens of thousands per second the log would cost
 * more than the redirect.
 */
import { Elysia } from "elysia";
import type { AccessLog } from "../config";

export function logRequest(fields: { method: string; route: string; status: number; ms: number }): void {
  console.log(JSON.stringify({ ts: new Date().toISOString(), level: "info", msg: "request", ...fields, ms: Math.round(fields.ms * 100) / 100 }));
}

export function requestLog(mode: AccessLog) {
  const plugin = new Elysia({ name: "request-log" });
  if (mode === "off") return plugin;
  return plugin
    .derive({ as: "global" }, () => ({ startedAt: performance.now() }))
    .onAfterResponse({ as: "global" }, ({ request, route, set, startedAt }) => {
      if (mode === "api" && route === "/:code") return;
      const status = typeof set.status === "number" ? set.status : 200;
      logRequest({ method: request.method, route: route || "unmatched", status, ms: performance.now() - (startedAt ?? performance.now()) });
    });
}
