/**
 * Applies a policy to a request: works out the client's key, takes a token, and either lets the
 * request through (with RateLimit headers to add) or throws RateLimited (429 + Retry-After).
 */
import { RateLimited } from "../errors";
import { clientAddress, type Cidr } from "./client-address";
import { rateLimitHeaders, type RatePolicy } from "./policy";
import type { RateLimiter } from "./rate-limiter";

export interface PeerAddressSource {
  requestIP(request: Request): { address: string } | null;
}

/**
 * Takes `cost` tokens (default 1) from the bucket of the request's client, or of the client and a
 * `subject` (password attempts: per client and link); resolves to the RateLimit headers to add.
 */
export type RateLimitGuard = (request: Request, peer: PeerAddressSource | null, cost?: number, subject?: string) => Promise<Record<string, string>>;

export function rateLimitGuard(limiter: RateLimiter, policy: RatePolicy | null, trusted: readonly Cidr[]): RateLimitGuard {
  if (policy === null) return async () => ({});
  return async (request, peer, cost = 1, subject) => {
    const client = clientAddress(peer?.requestIP(request)?.address ?? null, request.headers.get("x-forwarded-for"), trusted);
    const key = subject === undefined ? client : `${client}|${subject}`;
    const decision = await limiter.take(key, policy, cost);
    const headers = rateLimitHeaders(policy, decision);
    if (!decision.allowed) throw new RateLimited(decision.retryAfterMs / 1000, headers);
    return headers;
  };
}

/** The per-client budgets the HTTP routes apply (README "Limits on expensive requests"). */
export interface RequestGuards {
  /** POST /api/v1/links, /bulk, /create, /shorten */
  create: RateLimitGuard;
  /** GET /api/v1/links/:code/qr */
  qr: RateLimitGuard;
  /** GET /api/v1/links (listing pages) and GET /api/v1/links/:code/stats */
  reads: RateLimitGuard;
  /** one token per new link password (create, bulk, PATCH): each costs an argon2id hash */
  passwordHash: RateLimitGuard;
  /** POST /:code: password attempts, per client and link */
  password: RateLimitGuard;
  /** GET|HEAD /:code; null (the default): redirects are not limited */
  redirect: RateLimitGuard | null;
}

interface GuardContext {
  request: Request;
  server: PeerAddressSource | null;
  set: { headers: Record<string, string | number> };
}

/** A route's beforeHandle that spends one token of `guard` and adds the RateLimit headers. */
export function limitedBy(guard: RateLimitGuard) {
  return async ({ request, server, set }: GuardContext) => {
    Object.assign(set.headers, await guard(request, server));
  };
}
