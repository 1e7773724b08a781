import type { Decision, RatePolicy } from "./policy";

/** The RateLimiter port: in-memory in embedded mode, one shared bucket in Redis when distributed. */
export interface RateLimiter {
  take(key: string, policy: RatePolicy): Decision | Promise<Decision>;
  close(): Promise<void>;
}
