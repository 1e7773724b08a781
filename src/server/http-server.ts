/**
 * Binds one process's HTTP server. Redirects are a native Bun route (no framework routing on the
 * hot path); every single-segment path the app owns (/healthz, /docs, /openapi.json, /ws, ...) is
 * bound as a static route first, since Bun prefers static routes over `/:code`.
 *
 * WebSockets (/ws) stay Elysia's: its `websocket` object dispatches Bun's socket callbacks to the
 * handlers the route attached at upgrade time, and the route upgrades through `app.server`, which
 * only `app.listen()` would set, so it is set here to the server we bind ourselves.
 */
import type { Server } from "bun";
import { websocket } from "elysia/ws";
import type { App } from "../app";
import { AppError, jsonError, toErrorResponse } from "../errors";
import type { Runtime } from "../runtime";
import { log } from "../log";

export interface HttpServerOptions {
  port: number;
  hostname: string;
  reusePort: boolean;
}

function singleSegmentAppPaths(app: App): string[] {
  const paths = new Set<string>();
  for (const route of app.routes) {
    if (/^\/[^/:*]+$/.test(route.path)) paths.add(route.path);
  }
  return [...paths];
}

/**
 * Socket limits for dashboard clients. The hub keeps at most 256 KiB unsent on a socket (and a
 * bounded queue of frames behind it), so Bun's own limit is only the outer fence; clients send
 * nothing, so a large incoming message is refused.
 */
const WEBSOCKET_LIMITS = {
  backpressureLimit: 1024 * 1024,
  closeOnBackpressureLimit: true,
  maxPayloadLength: 16 * 1024,
  idleTimeout: 120,
  sendPings: true,
} as const;

export function startHttpServer(app: App, runtime: Runtime, options: HttpServerOptions): Server<unknown> {
  const fetchApp = app.fetch;
  const forward = (req: Request) => fetchApp(req);
  const staticRoutes: Record<string, (req: Request) => Response | Promise<Response>> = {};
  for (const path of singleSegmentAppPaths(app)) staticRoutes[path] = forward;

  const redirect = runtime.redirect;
  const redirectRoute = (req: Bun.BunRequest<"/:code">, server: Server<unknown>) => redirect(req, req.params.code, server);

  const server: Server<unknown> = Bun.serve({
    port: options.port,
    hostname: options.hostname,
    reusePort: options.reusePort,
    development: false,
    // The largest body any endpoint accepts is checked per route; this is only the outer fence.
    maxRequestBodySize: Math.max(runtime.config.maxBodyBytes * 4, 1024 * 1024),
    routes: {
      ...staticRoutes,
      "/:code": { GET: redirectRoute, HEAD: redirectRoute },
    },
    fetch: forward,
    // Elysia types its handler object with its own copy of Bun's socket type; at run time it is Bun's.
    websocket: { ...(websocket as unknown as Bun.WebSocketHandler<unknown>), ...WEBSOCKET_LIMITS },
    // Errors thrown on the native routes (a rate-limit guard, a storage failure) get the same JSON
    // envelope as the app's; nothing internal leaks.
    error(error) {
      if (error instanceof AppError) return toErrorResponse(error);
      log.error("unhandled error on a native route", { error: String(error?.stack ?? error) });
      return jsonError(500, "internal", "something went wrong on our side");
    },
  });
  app.server = server;
  return server;
}
