/**
 * Binds one process's HTTP server. Redirects are a native Bun route (no framework routing on the
 * hot path); every single-segment path the app owns (/healthz, /docs, /openapi.json, ...) is bound
 * as a static route first, since Bun prefers static routes over `/:code`.
 */
import type { Server } from "bun";
import type { App } from "../app";
import { AppError, jsonError, toErrorResponse } from "../http/errors";
import { logRequest } from "../observability";
import type { Runtime } from "../runtime";

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

export function startHttpServer(app: App, runtime: Runtime, options: HttpServerOptions): Server<undefined> {
  const fetchApp = app.fetch;
  const forward = (req: Request) => fetchApp(req);
  const staticRoutes: Record<string, (req: Request) => Response | Promise<Response>> = {};
  for (const path of singleSegmentAppPaths(app)) staticRoutes[path] = forward;

  const logRedirects = runtime.config.accessLog === "all";
  const redirectRoute = (req: Bun.BunRequest<"/:code">, server: Server<undefined>) => {
    if (!logRedirects) return runtime.redirect(req, req.params.code, server);
    const started = performance.now();
    const done = (res: Response) => {
      logRequest({ method: req.method, route: "/:code", status: res.status, ms: performance.now() - started });
      return res;
    };
    const res = runtime.redirect(req, req.params.code, server);
    return res instanceof Promise ? res.then(done) : done(res);
  };

  return Bun.serve({
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
    // Errors thrown on the native routes (a rate-limit guard, a storage failure) get the same JSON
    // envelope as the app's; nothing internal leaks.
    error(error) {
      if (error instanceof AppError) return toErrorResponse(error);
      console.error(JSON.stringify({ level: "error", msg: "unhandled error on a native route", error: String(error?.stack ?? error) }));
      return jsonError(500, "internal", "something went wrong on our side");
    },
  });
}
