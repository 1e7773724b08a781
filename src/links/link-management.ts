/**
 * Wires the link-management features for a runtime: API keys over the store's key port, the
 * request authenticator (ADMIN_TOKEN as super-key), the access rules, abuse protection (blocklist
 * file + in-process classifier) and the password-attempt limiter. One call from the composition
 * root; everything here is built from Config and the store, nothing reads the environment.
 */
import { DomainBlocklist, UrlSafety } from "../abuse";
import { UrlClassifier, classifierLoadOptions } from "../classifier";
import type { Config } from "../config";
import { RateLimited } from "../http/errors";
import { KeyService, createAuthenticator, createTokenAuthenticator, type Authenticate, type TokenAuthenticator } from "../keys";
import { clientAddress, failureGuard, rateLimitHeaders, type RateLimiter } from "../ratelimit";
import type { PasswordGuard } from "../redirect/unlock-handler";
import type { LinkStore } from "../storage";
import { LinkAccess } from "./link-access";

export interface LinkManagement {
  keys: KeyService;
  authenticate: Authenticate;
  /** the same check for a token that arrives another way (the live stream's subprotocol) */
  authenticateToken: TokenAuthenticator;
  access: LinkAccess;
  safety: UrlSafety;
  close(): void;
}

export function createLinkManagement(
  config: Config,
  store: LinkStore,
  rateLimiter: RateLimiter,
  loadClassifier: () => Promise<UrlClassifier> = () => UrlClassifier.load(classifierLoadOptions()),
): LinkManagement {
  const lm = config.linkManagement;
  const keys = new KeyService({ store: store.apiKeys });
  const safety = new UrlSafety({
    blocklist: lm.blocklistFile === undefined ? null : DomainBlocklist.fromFile(lm.blocklistFile),
    threshold: lm.unsafeUrlThreshold,
    loadClassifier,
  });
  const authFailures = failureGuard(
    rateLimiter,
    lm.rateLimitAuthFailures,
    config.trustedProxies,
    "too many failed authentications from this address; wait before trying again",
  );
  return {
    keys,
    authenticate: createAuthenticator(keys, config.adminToken, authFailures),
    authenticateToken: createTokenAuthenticator(keys, config.adminToken, authFailures),
    access: new LinkAccess({ keys, adminToken: config.adminToken, anonCreate: lm.anonCreate, anonAliases: lm.anonAliases }),
    safety,
    close: () => safety.close(),
  };
}

/** Password attempts, per client and link, from the runtime's limiter (Redis-shared when distributed). */
export function passwordAttemptGuard(limiter: RateLimiter, config: Config): PasswordGuard | undefined {
  const policy = config.linkManagement.rateLimitPassword;
  if (policy === null) return undefined;
  return async (request, code, peer) => {
    const client = clientAddress(peer?.requestIP(request)?.address ?? null, request.headers.get("x-forwarded-for"), config.trustedProxies);
    const decision = await limiter.take(`${client}|${code}`, policy);
    if (!decision.allowed) throw new RateLimited(decision.retryAfterMs / 1000, rateLimitHeaders(policy, decision));
  };
}
