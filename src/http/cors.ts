/**
 * Cross-origin access to the API (CORS_ORIGINS). By default there is none: browsers keep other
 * sites' pages from reading our answers (same-origin only). Listed origins (or `*`) may call
 * `/api/...` and read `/openapi.json` from their pages:
 *
 * - a preflight (OPTIONS with Origin and Access-Control-Request-Method) answers 204 with the
 *   allowed methods and headers and a Max-Age; from an origin not listed it answers 403;
 * - every answer of those paths says `Vary: Origin` (a cache must not hand one origin's answer to
 *   another) and, for a listed origin, `Access-Control-Allow-Origin` with the headers a client
 *   reads (Location, Retry-After, the rate-limit fields);
 * - credentials are never allowed cross-origin: other sites' pages call with a bearer token of
 *   their own, and the dashboard's session cookie (SameSite=Strict) stays with our own pages;
 * - redirects (`/<code>`), pages and metrics are untouched: a short link behaves the same from
 *   everywhere.
 */
import { Elysia } from "elysia";
import { jsonError } from "../errors";

export const CORS_METHODS = "GET, POST, PATCH, DELETE";
export const CORS_REQUEST_HEADERS = "authorization, content-type";
export const CORS_EXPOSED_HEADERS = "location, retry-after, ratelimit-policy, ratelimit, www-authenticate";
/** How long a browser may reuse a preflight's answer (seconds). */
export const CORS_MAX_AGE = 600;

/** Paths that take part: the API and its description. */
export function corsApplies(pathname: string): boolean {
  return pathname.startsWith("/api/") || pathname === "/openapi.json";
}

export interface CorsPolicy {
  /** the Access-Control-Allow-Origin value for a request's Origin, or null when it may not read */
  allowOrigin(origin: string | null): string | null;
}

export function createCorsPolicy(origins: readonly string[]): CorsPolicy {
  const anyOrigin = origins.includes("*");
  const listed = new Set(origins);
  return {
    allowOrigin(origin) {
      if (origin === null || origin === "null") return null;
      if (anyOrigin) return "*";
      return listed.has(origin) ? origin : null;
    },
  };
}

function pathnameOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const end = url.search(/[?#]/);
  return url.slice(start, end === -1 ? undefined : end);
}

/** The answer to a preflight, or to a plain OPTIONS of an API path. */
export function preflightResponse(policy: CorsPolicy, request: Request): Response {
  const origin = request.headers.get("origin");
  const method = request.headers.get("access-control-request-method");
  if (origin === null || method === null) return new Response(null, { status: 204, headers: { allow: `${CORS_METHODS}, OPTIONS` } });
  const allowed = policy.allowOrigin(origin);
  if (allowed === null) {
    const refused = jsonError(403, "origin_not_allowed", `pages of ${origin.slice(0, 100)} may not call this API (CORS_ORIGINS)`);
    refused.headers.set("vary", "Origin");
    return refused;
  }
  return new Response(null, {
    status: 204,
    headers: {
      "access-control-allow-origin": allowed,
      "access-control-allow-methods": CORS_METHODS,
      "access-control-allow-headers": CORS_REQUEST_HEADERS,
      "access-control-max-age": String(CORS_MAX_AGE),
      vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    },
  });
}

/** The CORS headers of an API answer to `request` (Vary: Origin always; the rest for a listed origin). */
export function corsHeaders(policy: CorsPolicy, request: Request): Record<string, string> {
  const allowed = policy.allowOrigin(request.headers.get("origin"));
  if (allowed === null) return { vary: "Origin" };
  return { vary: "Origin", "access-control-allow-origin": allowed, "access-control-expose-headers": CORS_EXPOSED_HEADERS };
}

export function corsRoutes(origins: readonly string[]) {
  const policy = createCorsPolicy(origins);
  return new Elysia({ name: "cors" })
    .onRequest(({ request, set }) => {
      if (!corsApplies(pathnameOf(request.url))) return;
      if (request.method === "OPTIONS") return preflightResponse(policy, request);
      Object.assign(set.headers, corsHeaders(policy, request));
    })
    .as("global");
}
