/** Answers shared by GET /:code and the password form's POST: why a link is gone, and where it points. */
import type { CachedLink } from "../cache";
import { jsonError } from "../http/errors";
import { HTML_SECURITY_HEADERS, PASSWORD_PAGE_SECURITY_HEADERS } from "../http/security-headers";
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

export type GoneReason = "expired" | "click_limit_reached" | "deleted" | "disabled" | "unsafe_url";
const GONE_MESSAGES: Record<GoneReason, string> = {
  expired: "This short link has expired.",
  click_limit_reached: "This short link has been used the maximum number of times.",
  deleted: "This short link was deleted.",
  disabled: "This short link has been disabled by its owner.",
  unsafe_url: "This short link was disabled because its destination looks unsafe (phishing or malware). It will not be followed.",
};
const GONE_TITLES: Record<GoneReason, string> = {
  expired: "Link no longer available",
  click_limit_reached: "Link no longer available",
  deleted: "Link no longer available",
  disabled: "Link disabled",
  unsafe_url: "Warning: link disabled",
};

export function gone(request: Request, reason: GoneReason): Response {
  if (acceptsHtml(request)) return new Response(htmlPage(GONE_TITLES[reason], GONE_MESSAGES[reason]), { status: 410, headers: HTML_HEADERS });
  return jsonError(410, reason, GONE_MESSAGES[reason]);
}

/** Why a cached entry does not redirect, cheapest checks first; null = it does. */
export function goneReason(entry: CachedLink, now: number): GoneReason | null {
  if (entry.deleted) return "deleted";
  if (entry.expiresAt !== null && entry.expiresAt <= now) return "expired";
  if (entry.disabled !== null) return entry.disabled === "unsafe" ? "unsafe_url" : "disabled";
  if (entry.blocked === true) return "unsafe_url";
  return null;
}

/** The Location of a link for this request: the target, plus the visitor's query when the link forwards it. */
export function locationFor(link: CachedLink, request: Request): string {
  if (!link.forwardQuery) return link.url;
  const q = request.url.indexOf("?");
  return q === -1 ? link.url : forwardQuery(link.url, request.url.slice(q));
}
