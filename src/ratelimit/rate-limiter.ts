import type { Decision, RatePolicy } from "./policy";

/** The RateLimiter port: in-memory in embedded mode, one shared bucket in Redis when distributed. */
export interface RateLimiter {
  /** takes `cost` tokens (default 1) from the key's bucket for this policy */
  take(key: string, policy: RatePolicy, cost?: number): Decision | Promise<Decision>;
  close(): Promise<void>;
}
