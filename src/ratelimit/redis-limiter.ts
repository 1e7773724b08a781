/**
 * One token bucket per key shared by every instance: the bucket lives on the Redis node the key
 * hashes to and is updated by a Lua script, so the read-modify-write is atomic across instances.
 * When Redis cannot answer, the configured fallback decides (see README "Rate limiting").
 */
import type Redis from "ioredis";
import { MemoryRateLimiter } from "./memory-limiter";
import type { Decision, RatePolicy } from "./policy";
import type { RateLimiter } from "./rate-limiter";

/** Mirrors takeToken() in policy.ts. Time comes from Redis so instance clocks cannot disagree. */
const TAKE_SCRIPT = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local need = math.min(math.max(tonumber(ARGV[3] or '1'), 1), limit)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = limit / window
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = limit
if state[1] then
  local elapsed = math.max(0, now - tonumber(state[2]))
  tokens = math.min(limit, tonumber(state[1]) + elapsed * rate)
end
local allowed = 0
if tokens >= need then
  allowed = 1
  tokens = tokens - need
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('PEXPIRE', KEYS[1], window)
local retry = 0
if allowed == 0 then retry = math.ceil((need - tokens) / rate) end
return { allowed, math.floor(tokens), retry, math.ceil((limit - tokens) / rate) }
`;

export type RedisDownBehaviour = "local" | "open" | "closed";

export class RedisRateLimiter implements RateLimiter {
  private readonly local = new MemoryRateLimiter();

  constructor(
    private readonly clientFor: (key: string) => Redis,
    private readonly onRedisDown: (policy: RatePolicy) => RedisDownBehaviour,
  ) {}

  async take(key: string, policy: RatePolicy, cost = 1): Promise<Decision> {
    const id = `rl:${policy.name}:${key}`;
    try {
      const client = this.clientFor(id) as Redis & { rlTake?: (key: string, limit: number, window: number, cost: number) => Promise<number[]> };
      if (!client.rlTake) client.defineCommand("rlTake", { numberOfKeys: 1, lua: TAKE_SCRIPT });
      const [allowed, remaining, retryAfterMs, resetMs] = (await client.rlTake!(id, policy.limit, policy.windowMs, cost)) as number[];
      return { allowed: allowed === 1, remaining: remaining!, retryAfterMs: retryAfterMs!, resetMs: resetMs! };
    } catch {
      switch (this.onRedisDown(policy)) {
        case "open":
          return { allowed: true, remaining: policy.limit, retryAfterMs: 0, resetMs: 0 };
        case "closed":
          return { allowed: false, remaining: 0, retryAfterMs: 1000, resetMs: 1000 };
        default:
          return this.local.take(key, policy, cost);
      }
    }
  }

  async close(): Promise<void> {
    await this.local.close();
  }
}
