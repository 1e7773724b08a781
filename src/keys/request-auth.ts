/**
 * Reads `Authorization: Bearer <token>` once per request: the ADMIN_TOKEN (compared in constant
 * time) is the super-key, anything else must be an API key. No header means anonymous (null);
 * a token that is not valid is refused (403) rather than treated as anonymous, so a client with a
 * revoked key finds out instead of silently creating unowned links.
 */
import { timingSafeEqual } from "node:crypto";
import { Forbidden, Unauthorized } from "../http/errors";
import type { KeyService } from "./key-service";
import { ADMIN_PRINCIPAL, hasScope, type Principal } from "./principal";
import type { Scope } from "./scopes";

export type Authenticate = (request: Request) => Promise<Principal | null>;

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

/** Who a token names: the ADMIN_TOKEN, or an API key (403 when it is neither). */
export type TokenAuthenticator = (token: string) => Promise<Principal>;

export function createTokenAuthenticator(keys: KeyService, adminToken: string | undefined): TokenAuthenticator {
  return async (token) => {
    if (adminToken !== undefined && sameToken(token, adminToken)) return ADMIN_PRINCIPAL;
    return keys.authenticate(token);
  };
}

export function createAuthenticator(keys: KeyService, adminToken: string | undefined): Authenticate {
  const byToken = createTokenAuthenticator(keys, adminToken);
  return async (request) => {
    const token = bearerToken(request);
    return token === null ? null : byToken(token);
  };
}

/** 401 without credentials, 403 with credentials that lack the scope. */
export function requireScope(principal: Principal | null, scope: Scope, action: string): Principal {
  if (principal === null) throw new Unauthorized(`${action} needs an API key (Authorization: Bearer <token>)`);
  if (!hasScope(principal, scope)) throw new Forbidden(`${action} needs the '${scope}' scope`);
  return principal;
}
