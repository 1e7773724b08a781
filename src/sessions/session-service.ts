/**
 * Dashboard sessions: a signed-in browser holds a `ringlink_session` cookie instead of the key
 * itself. The cookie names the key (or the admin token) it was opened with; every request checks
 * its signature and expiry and then the key again, through the key cache, so a revoked or expired
 * key ends its sessions within KEY_CACHE_MS on every process, and an admin session ends when
 * ADMIN_TOKEN changes or is removed.
 *
 * CSRF: SameSite=Strict already keeps the cookie off requests other sites start; on top of that a
 * state-changing request (anything but GET, HEAD, OPTIONS) that authenticates by the cookie must
 * carry X-CSRF-Token, which only our own pages learn (from POST and GET /api/v1/session).
 */
import { AppError } from "../errors";
import { ADMIN_PRINCIPAL, SCOPES, type KeyService, type Principal, type SessionCredential } from "../keys";
import { sessionCookieOf } from "./session-cookie";
import { ADMIN_SUBJECT, adminFingerprint, csrfTokenMatches, csrfTokenOf, signSession, verifySession } from "./session-token";

export const CSRF_HEADER = "x-csrf-token";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface SessionServiceOptions {
  /** SESSION_SECRET (or the one generated in DATA_DIR) */
  secret: string;
  ttlMs: number;
  keys: KeyService;
  adminToken: string | undefined;
  now?: () => number;
}

export interface OpenedSession {
  /** the cookie's value */
  value: string;
  csrfToken: string;
  expiresAt: number;
  principal: Principal;
}

/** What GET and POST /api/v1/session answer about a session. */
export interface SessionView {
  key: { id: string; name: string; scopes: string[] } | null;
  admin: boolean;
  scopes: string[];
  csrfToken: string;
  expiresAt: string;
}

const sessionRefused = (code: string, message: string) => new AppError(401, code, message);

export class SessionService {
  private readonly now: () => number;

  constructor(private readonly opts: SessionServiceOptions) {
    this.now = opts.now ?? Date.now;
  }

  get ttlMs(): number {
    return this.opts.ttlMs;
  }

  /** A new session for a principal that has just proved its token. */
  open(principal: Principal): OpenedSession {
    const iat = this.now();
    const exp = iat + this.opts.ttlMs;
    const claims =
      principal.kind === "admin"
        ? { sub: ADMIN_SUBJECT, iat, exp, adm: adminFingerprint(this.opts.secret, this.opts.adminToken ?? "") }
        : { sub: principal.id, iat, exp };
    const value = signSession(this.opts.secret, claims);
    return { value, csrfToken: csrfTokenOf(this.opts.secret, value), expiresAt: exp, principal };
  }

  /** The principal of a cookie value, or 401: malformed or tampered, expired, or its key is gone. */
  async check(value: string): Promise<OpenedSession> {
    const claims = verifySession(this.opts.secret, value);
    if (claims === null) throw sessionRefused("session_invalid", "this session is not valid; sign in again");
    if (claims.exp <= this.now()) throw sessionRefused("session_expired", "this session has expired; sign in again");
    let principal: Principal;
    if (claims.sub === ADMIN_SUBJECT) {
      const token = this.opts.adminToken;
      if (token === undefined || claims.adm !== adminFingerprint(this.opts.secret, token)) {
        throw sessionRefused("session_ended", "the admin token of this session has changed; sign in again");
      }
      principal = ADMIN_PRINCIPAL;
    } else {
      try {
        principal = await this.opts.keys.principalById(claims.sub);
      } catch (error) {
        if (error instanceof AppError) throw sessionRefused("session_ended", `${error.message}: this session has ended; sign in again`);
        throw error;
      }
    }
    return { value, csrfToken: csrfTokenOf(this.opts.secret, value), expiresAt: claims.exp, principal };
  }

  /** The request-auth credential: the cookie, with the CSRF rule for state-changing methods. */
  credential(): SessionCredential {
    return {
      present: (request) => sessionCookieOf(request) !== null,
      principal: async (request) => {
        const value = sessionCookieOf(request)!;
        const session = await this.check(value);
        if (!SAFE_METHODS.has(request.method) && !csrfTokenMatches(this.opts.secret, value, request.headers.get(CSRF_HEADER))) {
          throw new AppError(403, "csrf_token_invalid", "a request signed in by the session cookie must carry the X-CSRF-Token header from /api/v1/session");
        }
        return session.principal;
      },
    };
  }

  view(session: OpenedSession): SessionView {
    const p = session.principal;
    const scopes = p.kind === "admin" ? [...SCOPES] : p.scopes.has("admin") ? [...SCOPES] : [...p.scopes];
    return {
      key: p.kind === "key" ? { id: p.id, name: p.name, scopes: [...p.scopes] } : null,
      admin: p.kind === "admin",
      scopes,
      csrfToken: session.csrfToken,
      expiresAt: new Date(session.expiresAt).toISOString(),
    };
  }
}
