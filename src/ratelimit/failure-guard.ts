/**
 * A budget of failures per client (failed authentication): each failure spends a token from the
 * client's bucket in the shared limiter (Redis when distributed, this process's memory otherwise);
 * a failure that finds the bucket empty is answered 429, and from then on this process refuses the
 * client at once, before any credential is looked at, until the bucket has a token again. The
 * refusal is remembered locally so a request that succeeds costs no limiter round-trip; another
 * instance learns of the block at the client's next failure there (one more attempt at most).
 */
import { RateLimited } from "../errors";
import { clientAddress, type Cidr } from "./client-address";
import { rateLimitHeaders, type RatePolicy } from "./policy";
import type { PeerAddressSource } from "./rate-limit-guard";
import type { RateLimiter } from "./rate-limiter";

export interface FailureGuard {
  /** Throws RateLimited (429 + Retry-After) while the client has used up its failures. */
  assertAllowed(request: Request, peer: PeerAddressSource | null): void;
  /** Spends one failure; throws RateLimited when there was none left to spend. */
  recordFailure(request: Request, peer: PeerAddressSource | null): Promise<void>;
}

/** Blocked clients remembered per process; past this many, expired blocks are dropped, then the oldest. */
const MAX_BLOCKED = 10_000;

export function failureGuard(
  limiter: RateLimiter,
  policy: RatePolicy | null,
  trusted: readonly Cidr[],
  message: string,
  now: () => number = Date.now,
): FailureGuard | null {
  if (policy === null) return null;
  const blockedUntil = new Map<string, number>();
  const clientOf = (request: Request, peer: PeerAddressSource | null) =>
    clientAddress(peer?.requestIP(request)?.address ?? null, request.headers.get("x-forwarded-for"), trusted);
  const refuse = (retryAfterMs: number, headers: Record<string, string>) => new RateLimited(retryAfterMs / 1000, headers, message);
  const remember = (client: string, until: number) => {
    blockedUntil.delete(client);
    blockedUntil.set(client, until);
    if (blockedUntil.size <= MAX_BLOCKED) return;
    const t = now();
    for (const [c, u] of blockedUntil) if (u <= t) blockedUntil.delete(c);
    while (blockedUntil.size > MAX_BLOCKED) blockedUntil.delete(blockedUntil.keys().next().value!);
  };

  return {
    assertAllowed(request, peer) {
      if (blockedUntil.size === 0) return;
      const client = clientOf(request, peer);
      const until = blockedUntil.get(client);
      if (until === undefined) return;
      const left = until - now();
      if (left <= 0) blockedUntil.delete(client);
      else throw refuse(left, {});
    },
    async recordFailure(request, peer) {
      const client = clientOf(request, peer);
      const decision = await limiter.take(client, policy);
      if (decision.allowed) return;
      remember(client, now() + decision.retryAfterMs);
      throw refuse(decision.retryAfterMs, rateLimitHeaders(policy, decision));
    },
  };
}
