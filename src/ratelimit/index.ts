export { parsePolicy, takeToken, rateLimitHeaders, type RatePolicy, type Decision } from "./policy";
export type { RateLimiter } from "./rate-limiter";
export { MemoryRateLimiter } from "./memory-limiter";
export { RedisRateLimiter, type RedisDownBehaviour } from "./redis-limiter";
export { clientAddress, parseCidr, isTrusted, type Cidr } from "./client-address";
export { rateLimitGuard, limitedBy, type RateLimitGuard, type RequestGuards, type PeerAddressSource } from "./rate-limit-guard";
export { failureGuard, type FailureGuard } from "./failure-guard";
