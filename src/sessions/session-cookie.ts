/**
 * Reading and writing the `ringlink_session` cookie. HttpOnly (page scripts never see the value),
 * SameSite=Strict (a page elsewhere cannot make the browser send it), Path=/ (the API and /ws),
 * Secure when the request reached us over https: directly, or as X-Forwarded-Proto from a
 * TRUSTED_PROXIES peer (anyone else could claim https and have the cookie marked for a scheme it
 * is not sent over).
 */
import { isTrustedPeer, type Cidr, type PeerAddressSource } from "../ratelimit";

export const SESSION_COOKIE = "ringlink_session";

export function sessionCookieOf(request: Request): string | null {
  const header = request.headers.get("cookie");
  if (header === null) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return value === "" ? null : value;
    }
  }
  return null;
}

export function isHttps(request: Request, peer: PeerAddressSource | null, trustedProxies: readonly Cidr[]): boolean {
  if (request.url.startsWith("https:")) return true;
  const forwarded = request.headers.get("x-forwarded-proto");
  if (forwarded === null) return false;
  const first = forwarded.split(",")[0]!.trim().toLowerCase();
  return first === "https" && isTrustedPeer(request, peer, trustedProxies);
}

export function setCookieHeader(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

export function clearCookieHeader(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}
