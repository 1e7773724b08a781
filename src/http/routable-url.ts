/**
 * Elysia finds a request's path by offset, not by parsing: the first "/" at or after index 11 of
 * `request.url`, which assumes "http://" and a host of at least four characters. Bun writes the
 * url as "http://<Host header><path>" for a valid Host and as the bare "<path>" for a missing or
 * malformed one, so `Host: a` with `GET /xx/metrics` was routed as `/metrics`, and a long first
 * segment behind an empty Host was cut the same way. A url whose path starts before index 11 is
 * given a placeholder origin (only the path and query are ever read from it), so the route is
 * always chosen by the path that was requested, whatever the Host. Redirects do not pass here:
 * Bun's router matches `/:code` on the request line itself.
 */

/** `.invalid` can never name a real host (RFC 2606); long enough that the path starts past index 11. */
const PLACEHOLDER_ORIGIN = "http://host.invalid";
/** Elysia's `standardHostname` offset: where it starts looking for the path's first "/". */
const ELYSIA_PATH_SEARCH_START = 11;

function pathStart(url: string): number {
  if (url.charCodeAt(0) === 47 /* "/" */) return 0;
  const authority = url.indexOf("//");
  return authority === -1 ? -1 : url.indexOf("/", authority + 2);
}

/** Makes `request.url` safe for Elysia's router, in place (the request object keeps its socket, body and peer address). */
export function ensureRoutableUrl(request: Request): Request {
  const url = request.url;
  const start = pathStart(url);
  if (start >= ELYSIA_PATH_SEARCH_START) return request;
  const path = start === -1 ? "/" : url.slice(start);
  Object.defineProperty(request, "url", { value: PLACEHOLDER_ORIGIN + path, configurable: true, enumerable: true });
  return request;
}
