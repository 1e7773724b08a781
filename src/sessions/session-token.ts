/**
 * The session cookie's value: `<payload>.<mac>`, both base64url, where the payload is
 * `{ sub, iat, exp, adm? }` as JSON and the mac is HMAC-SHA256 of the payload under SESSION_SECRET.
 * Stateless on purpose: any process of any instance that shares the secret can check a session
 * without a lookup of its own, and the key it names is re-checked through the key cache anyway,
 * so revoking the key is what ends a session early (there is no session table to purge).
 *
 * The CSRF token is a second HMAC of the whole cookie value under a label of its own: a page can
 * learn it only from our own JSON answers (same-origin), never compute it from the cookie, which
 * page scripts cannot read (HttpOnly).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface SessionClaims {
  /** `admin` for the ADMIN_TOKEN, otherwise the API key's id */
  sub: string;
  /** issued at, epoch ms */
  iat: number;
  /** expires at, epoch ms */
  exp: number;
  /** admin sessions: a fingerprint of the ADMIN_TOKEN they were opened with, so changing it ends them */
  adm?: string;
}

export const ADMIN_SUBJECT = "admin";

const mac = (secret: string, label: string, data: string) => createHmac("sha256", secret).update(label).update("\0").update(data).digest("base64url");

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function signSession(secret: string, claims: SessionClaims): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  return `${payload}.${mac(secret, "session", payload)}`;
}

/** The claims of a value this secret signed, or null (malformed, tampered or signed by another secret). Expiry is the caller's check. */
export function verifySession(secret: string, value: string): SessionClaims | null {
  if (value.length > 1024) return null;
  const dot = value.indexOf(".");
  if (dot <= 0 || dot !== value.lastIndexOf(".")) return null;
  const payload = value.slice(0, dot);
  if (!sameText(value.slice(dot + 1), mac(secret, "session", payload))) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Partial<SessionClaims>;
    if (typeof claims.sub !== "string" || typeof claims.iat !== "number" || typeof claims.exp !== "number") return null;
    if (claims.adm !== undefined && typeof claims.adm !== "string") return null;
    return claims as SessionClaims;
  } catch {
    return null;
  }
}

export function csrfTokenOf(secret: string, sessionValue: string): string {
  return mac(secret, "csrf", sessionValue);
}

export function csrfTokenMatches(secret: string, sessionValue: string, token: string | null): boolean {
  return token !== null && sameText(token, csrfTokenOf(secret, sessionValue));
}

/** A fingerprint of the admin token: names which token an admin session was opened with, without revealing it. */
export function adminFingerprint(secret: string, adminToken: string): string {
  return mac(secret, "admin-token", adminToken).slice(0, 22);
}
