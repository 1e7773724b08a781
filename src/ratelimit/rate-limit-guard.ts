/**
 * Applies a policy to a request: works out the client's key, takes a token, and either lets the
 * request through (with RateLimit headers to add) or throws RateLimited (429 + Retry-After).
 */
import { RateLimited } from "../http/errors";
import { clientAddress, type Cidr } from "./client-address";
import { rateLimitHeaders, type RatePolicy } from "./policy";
import type { RateLimiter } from "./rate-limiter";

export interface PeerAddressSource {
  requestIP(request: Request): { address: string } | null;
}

export type RateLimitGuard = (request: Request, peer: PeerAddressSource | null) => Promise<Record<string, string>>;

export function rateLimitGuard(limiter: RateLimiter, policy: RatePolicy | null, trusted: readonly Cidr[]): RateLimitGuard {
  if (policy === null) return async () => ({});
  return async (request, peer) => {
    const key = clientAddress(peer?.requestIP(request)?.address ?? null, request.headers.get("x-forwarded-for"), trusted);
    const decision = await limiter.take(key, policy);
    const headers = rateLimitHeaders(policy, decision);
    if (!decision.allowed) throw new RateLimited(decision.retryAfterMs / 1000, headers);
    return headers;
  };
}
