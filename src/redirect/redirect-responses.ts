/** Answers shared by GET /:code and the password form's POST: a link that is gone, and where one points. */
import type { CachedLink } from "../cache";
import { jsonError } from "../errors";
import { GONE, type GoneState } from "../links";
import { HTML_SECURITY_HEADERS, PASSWORD_PAGE_SECURITY_HEADERS } from "../http";
import { acceptsHtml, htmlPage } from "./pages";
import { forwardQuery } from "./query-forwarding";

export const HTML_HEADERS = { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...HTML_SECURITY_HEADERS };
/** The password interstitial (GET /:code, and a wrong password on POST /:code). */
export const PASSWORD_PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "x-robots-tag": "noindex",
  ...PASSWORD_PAGE_SECURITY_HEADERS,
};

/** 410 for a link that does not redirect (links/link-state.ts decides which state, and what it says). */
export function gone(request: Request, state: GoneState): Response {
  const { code, title, message } = GONE[state];
  if (acceptsHtml(request)) return new Response(htmlPage(title, message), { status: 410, headers: HTML_HEADERS });
  return jsonError(410, code, message);
}

/**
 * The Location of a link for this request: the target (or the one its rules or split chose), plus
 * the visitor's query when the link forwards it.
 */
export function locationFor(link: CachedLink, request: Request, target: string = link.url): string {
  if (!link.forwardQuery) return target;
  const q = request.url.indexOf("?");
  return q === -1 ? target : forwardQuery(target, request.url.slice(q));
}

/** The preview page for crawlers: never cached (the same URL redirects people), never indexed. */
export const PREVIEW_PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "x-robots-tag": "noindex, nofollow",
  ...HTML_SECURITY_HEADERS,
};
