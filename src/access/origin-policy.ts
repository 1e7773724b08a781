/**
 * Which web pages may open a connection with a visitor's browser. Browsers always send `Origin`
 * on a WebSocket handshake and never let a page forge it, so a page elsewhere cannot read our
 * stream through a visitor; clients that are not browsers send none and are judged by their
 * credentials alone.
 *
 * Allowed: the origin of PUBLIC_BASE_URL, the origin the request itself was addressed to (its
 * Host header, http or https: the dashboard as reached through any name or proxy), and the
 * configured WS_ALLOWED_ORIGINS. `Origin: null` (sandboxed frames, files) is refused.
 */
export type OriginCheck = (request: Request) => boolean;

export interface OriginPolicyOptions {
  publicBaseUrl: string;
  /** extra origins, already normalised (scheme://host[:port]) */
  allowed: readonly string[];
}

export function createOriginCheck({ publicBaseUrl, allowed }: OriginPolicyOptions): OriginCheck {
  const fixed = new Set([new URL(publicBaseUrl).origin, ...allowed]);
  return (request) => {
    const origin = request.headers.get("origin");
    if (origin === null) return true;
    if (fixed.has(origin)) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return false;
    // An Origin is scheme://host[:port] and nothing else; a path or user name means it is not one.
    if (url.origin !== origin) return false;
    const host = request.headers.get("host");
    return host !== null && url.host === host.toLowerCase();
  };
}
