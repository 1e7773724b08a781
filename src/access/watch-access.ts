/**
 * Who may watch the live stream (GET /ws): one function from the handshake request to a principal
 * or a refusal, so the realtime module never reads credentials itself. A new way to sign in (a
 * dashboard session cookie) is one more credential source here.
 *
 * - The Origin is checked first, whatever else (origin-policy.ts).
 * - Credentials: `Authorization: Bearer <token>` (clients that can set headers), or, since browsers
 *   cannot set headers on a WebSocket, the subprotocol `ringlink.bearer.<token>` offered together
 *   with `ringlink.v1`. The answer names only `ringlink.v1`, never the token.
 * - Or the dashboard's session cookie (`ringlink_session`, src/sessions), which stands for its key.
 * - The token must be the ADMIN_TOKEN or an API key with the `stats` scope (admin keys have it).
 * - An allowed watcher with credentials gets `recheck`: the stream calls it while the socket is
 *   open and closes the socket once the credential is refused (a revoked key, an ended session).
 * - Without credentials: allowed only while no ADMIN_TOKEN and no API key exist (a fresh install
 *   watches as before keys), as an anonymous watcher.
 * What a watcher then sees (admins everything, everyone else without private targets, PIDs or
 * paths) is the realtime module's rule, decided from the principal.
 */
import { AppError, Forbidden, Unauthorized } from "../errors";
import { bearerToken, hasScope, type Principal, type SessionCredential, type TokenAuthenticator } from "../keys";
import type { PeerAddressSource } from "../ratelimit";
import type { OriginCheck } from "./origin-policy";

/** The subprotocol a client offers beside its token, and the one the server answers with. */
export const STREAM_PROTOCOL = "ringlink.v1";
export const BEARER_PROTOCOL_PREFIX = "ringlink.bearer.";

export type WatchDecision =
  | {
      allowed: true;
      principal: Principal | null;
      protocol: string | null;
      /** resolves false once the credential no longer allows watching; null for anonymous watchers */
      recheck: (() => Promise<boolean>) | null;
    }
  | { allowed: false; refusal: AppError };

export type WatchAccess = (request: Request, peer: PeerAddressSource | null) => Promise<WatchDecision>;

export interface WatchAccessDeps {
  authenticateToken: TokenAuthenticator;
  /** the dashboard's session cookie; absent: only tokens */
  session?: SessionCredential;
  /** true once an ADMIN_TOKEN or any API key exists: then watching needs credentials */
  credentialsRequired(): Promise<boolean>;
  originAllowed: OriginCheck;
}

const refuse = (refusal: AppError): WatchDecision => ({ allowed: false, refusal });

function offeredProtocols(request: Request): string[] {
  const header = request.headers.get("sec-websocket-protocol");
  return header === null
    ? []
    : header
        .split(",")
        .map((p) => p.trim())
        .filter((p) => p !== "");
}

export function createWatchAccess(deps: WatchAccessDeps): WatchAccess {
  return async (request, peer) => {
    if (!deps.originAllowed(request)) return refuse(new AppError(403, "origin_not_allowed", "this page's origin may not open the live stream"));
    const offered = offeredProtocols(request);
    const protocol = offered.includes(STREAM_PROTOCOL) ? STREAM_PROTOCOL : null;
    let token: string | null;
    try {
      token = bearerToken(request) ?? offered.find((p) => p.startsWith(BEARER_PROTOCOL_PREFIX))?.slice(BEARER_PROTOCOL_PREFIX.length) ?? null;
    } catch (error) {
      return refuse(error as AppError);
    }
    const stillAllowed = (check: () => Promise<Principal>) => async () => {
      try {
        return hasScope(await check(), "stats");
      } catch (error) {
        if (error instanceof AppError) return false;
        throw error;
      }
    };
    if ((token === null || token === "") && deps.session?.present(request)) {
      const session = deps.session;
      let principal: Principal;
      try {
        principal = await session.principal(request);
      } catch (error) {
        if (error instanceof AppError) return refuse(error);
        throw error;
      }
      if (!hasScope(principal, "stats")) return refuse(new Forbidden("watching the live stream needs the 'stats' scope"));
      return { allowed: true, principal, protocol, recheck: stillAllowed(() => session.principal(request)) };
    }
    if (token === null || token === "") {
      if (await deps.credentialsRequired()) {
        return refuse(
          new Unauthorized(
            "the live stream needs the admin token or an API key with the 'stats' scope: Authorization: Bearer <token>, or the subprotocols 'ringlink.v1' and 'ringlink.bearer.<token>'",
          ),
        );
      }
      return { allowed: true, principal: null, protocol, recheck: null };
    }
    let principal: Principal;
    try {
      principal = await deps.authenticateToken(token, request, peer);
    } catch (error) {
      if (error instanceof AppError) return refuse(error);
      throw error;
    }
    if (!hasScope(principal, "stats")) return refuse(new Forbidden("watching the live stream needs the 'stats' scope"));
    const proven = token;
    return { allowed: true, principal, protocol, recheck: stillAllowed(() => deps.authenticateToken(proven, request, peer)) };
  };
}
