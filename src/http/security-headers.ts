/**
 * Headers every HTML answer carries (dashboard, /docs, the 404/410 and password pages). Built once:
 * pages spread a constant object, so a page costs a few more header copies and a plain redirect
 * nothing (redirects are not HTML and carry none of these).
 *
 * - The policy allows only our own files: no inline script or style, no plugins, no framing, no
 *   <base> rewriting. `connect-src 'self'` covers fetch() and the same-origin WebSocket (/ws).
 * - `no-referrer`: our pages' addresses carry short codes and the visitor's query string
 *   (`/<code>?ref=...`, `/?created=<code>`); nobody else needs them.
 */
const POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
];

const COMMON = {
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
} as const;

/** Pages whose forms post to ourselves only (the dashboard's /shorten form). */
export const HTML_SECURITY_HEADERS = {
  ...COMMON,
  "content-security-policy": [...POLICY, "form-action 'self'"].join("; "),
} as const;

/**
 * The password interstitial posts to `/<code>`, which answers 303 to the link's target; browsers
 * apply form-action to that redirect too, so the form may lead to any http(s) address.
 */
export const PASSWORD_PAGE_SECURITY_HEADERS = {
  ...COMMON,
  "content-security-policy": [...POLICY, "form-action 'self' http: https:"].join("; "),
} as const;

/** Files that are not pages (scripts, styles, images): the browser must not guess another type. */
export const ASSET_SECURITY_HEADERS = { "x-content-type-options": "nosniff" } as const;
