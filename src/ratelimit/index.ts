export { parsePolicy, type RatePolicy } from "./policy";
export type { RateLimiter } from "./rate-limiter";
export { MemoryRateLimiter } from "./memory-limiter";
export { RedisRateLimiter } from "./redis-limiter";
export { clientAddress, isTrustedPeer, parseCidr, type Cidr } from "./client-address";
export { rateLimitGuard, limitedBy, type RateLimitGuard, type RequestGuards, type PeerAddressSource } from "./rate-limit-guard";
export { failureGuard, type FailureGuard } from "./failure-guard";
