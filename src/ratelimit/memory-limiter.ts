/**
 * Token buckets in this process's memory. The map is bounded: when it is full, buckets that have
 * refilled completely are dropped first (forgetting a full bucket changes nothing), then the oldest.
 */
import { takeToken, type BucketState, type Decision, type RatePolicy } from "./policy";
import type { RateLimiter } from "./rate-limiter";

export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, BucketState>();

  constructor(
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string, policy: RatePolicy, cost = 1): Decision {
    const id = `${policy.name}:${key}`;
    const { state, decision } = takeToken(this.buckets.get(id), policy, this.now(), cost);
    this.buckets.delete(id);
    this.buckets.set(id, state);
    if (this.buckets.size > this.maxKeys) this.prune(policy);
    return decision;
  }

  private prune(policy: RatePolicy): void {
    const now = this.now();
    for (const [id, s] of this.buckets) {
      if (this.buckets.size <= this.maxKeys * 0.9) return;
      if (s.tokens + ((now - s.updatedAt) * policy.limit) / policy.windowMs >= policy.limit) this.buckets.delete(id);
    }
    while (this.buckets.size > this.maxKeys * 0.9) {
      const oldest = this.buckets.keys().next();
      if (oldest.done) break;
      this.buckets.delete(oldest.value);
    }
  }

  async close(): Promise<void> {
    this.buckets.clear();
  }
}
