/**
 * Reads `Authorization: Bearer <token>` (or else the dashboard's session cookie) once per request: the ADMIN_TOKEN (compared in constant
 * time) is the super-key, anything else must be an API key. No header means anonymous (null);
 * a token that is not valid is refused (403) rather than treated as anonymous, so a client with a
 * revoked key finds out instead of silently creating unowned links.
 *
 * Every refused credential (malformed header, unknown, revoked or expired key, wrong admin token)
 * spends one of the client's failures (RATE_LIMIT_AUTH_FAILURES); once they are spent the client's
 * credentials are not even looked at until the bucket refills (429 + Retry-After).
 */
import { timingSafeEqual } from "node:crypto";
import { AppError, Forbidden, Unauthorized } from "../errors";
import type { FailureGuard, PeerAddressSource } from "../ratelimit";
import type { KeyService } from "./key-service";
import { ADMIN_PRINCIPAL, hasScope, type Principal } from "./principal";
import type { Scope } from "./scopes";

/** `peer` (Bun's server) names the client whose failures are counted. */
export type Authenticate = (request: Request, peer: PeerAddressSource | null) => Promise<Principal | null>;

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  if (header === null) return null;
  const m = BEARER.exec(header);
  if (!m?.[1]) throw new Unauthorized("Authorization must be 'Bearer <token>'");
  return m[1];
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Who a token names: the ADMIN_TOKEN, or an API key (403 when it is neither). `request` and `peer` name the client whose failures count. */
export type TokenAuthenticator = (token: string, request: Request, peer: PeerAddressSource | null) => Promise<Principal>;

const isRefusal = (error: unknown) => error instanceof AppError && (error.status === 401 || error.status === 403);

/** Runs one credential check, spending a failure of the client's budget when it is refused. */
async function counted<T>(failures: FailureGuard | null, request: Request, peer: PeerAddressSource | null, check: () => Promise<T>): Promise<T> {
  if (failures === null) return check();
  failures.assertAllowed(request, peer);
  try {
    return await check();
  } catch (error) {
    if (isRefusal(error)) await failures.recordFailure(request, peer);
    throw error;
  }
}

export function createTokenAuthenticator(keys: KeyService, adminToken: string | undefined, failures: FailureGuard | null = null): TokenAuthenticator {
  const byToken = async (token: string): Promise<Principal> => {
    if (adminToken !== undefined && sameToken(token, adminToken)) return ADMIN_PRINCIPAL;
    return keys.authenticate(token);
  };
  return (token, request, peer) => counted(failures, request, peer, () => byToken(token));
}

/**
 * A credential the browser sends by itself (the dashboard's session cookie, src/sessions): it
 * stands for the key it names. `principal` refuses (401/403) an invalid, expired or ended session
 * and a state-changing request without its CSRF token.
 */
export interface SessionCredential {
  present(request: Request): boolean;
  principal(request: Request): Promise<Principal>;
}

export function createAuthenticator(
  keys: KeyService,
  adminToken: string | undefined,
  failures: FailureGuard | null = null,
  session: SessionCredential | null = null,
): Authenticate {
  const byToken = createTokenAuthenticator(keys, adminToken);
  return async (request, peer) => {
    // An explicit Authorization header wins over a cookie the browser happens to send.
    if (request.headers.has("authorization")) return counted(failures, request, peer, () => byToken(bearerToken(request)!, request, peer));
    if (session?.present(request)) return counted(failures, request, peer, () => session.principal(request));
    return null;
  };
}

/** 401 without credentials, 403 with credentials that lack the scope. */
export function requireScope(principal: Principal | null, scope: Scope, action: string): Principal {
  if (principal === null) throw new Unauthorized(`${action} needs an API key (Authorization: Bearer <token>)`);
  if (!hasScope(principal, scope)) throw new Forbidden(`${action} needs the '${scope}' scope`);
  return principal;
}
