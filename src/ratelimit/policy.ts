/**
 * A rate-limit policy is a token bucket: `limit` tokens, refilled evenly over `windowMs`, so bursts
 * of up to `limit` pass and the sustained rate is limit/window. Written as "60/min", "10/s", "off".
 */
export interface RatePolicy {
  name: string;
  limit: number;
  windowMs: number;
}

const UNITS: Record<string, number> = { s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, hour: 3_600_000 };

/** Returns null for "off"; throws a plain Error describing the expected form otherwise. */
export function parsePolicy(name: string, raw: string): RatePolicy | null {
  const v = raw.trim().toLowerCase();
  if (v === "off" || v === "0" || v === "none") return null;
  const m = /^(\d+)\s*\/\s*(\d+)?\s*([a-z]+)$/.exec(v);
  const unit = m?.[3] ? UNITS[m[3]] : undefined;
  if (!m || unit === undefined || Number(m[1]) < 1) throw new Error(`must look like 60/min, 10/s, 1000/h or off (got '${raw}')`);
  return { name, limit: Number(m[1]), windowMs: unit * Number(m[2] ?? 1) };
}

export interface Decision {
  allowed: boolean;
  remaining: number;
  /** ms until a token is available (0 when allowed) */
  retryAfterMs: number;
  /** ms until the bucket is full again */
  resetMs: number;
}

export interface BucketState {
  tokens: number;
  updatedAt: number;
}

/**
 * The pure token-bucket step; the Redis Lua script mirrors it line for line. `cost` tokens are
 * taken at once (a bulk request's password hashes); a cost above the bucket's size takes the whole
 * bucket, so a large request waits for a full bucket instead of never passing.
 */
export function takeToken(state: BucketState | undefined, policy: RatePolicy, now: number, cost = 1): { state: BucketState; decision: Decision } {
  const ratePerMs = policy.limit / policy.windowMs;
  const need = Math.min(Math.max(cost, 1), policy.limit);
  const elapsed = state ? Math.max(0, now - state.updatedAt) : 0;
  const available = state ? Math.min(policy.limit, state.tokens + elapsed * ratePerMs) : policy.limit;
  const allowed = available >= need;
  const tokens = allowed ? available - need : available;
  return {
    state: { tokens, updatedAt: now },
    decision: {
      allowed,
      remaining: Math.floor(tokens),
      retryAfterMs: allowed ? 0 : Math.ceil((need - tokens) / ratePerMs),
      resetMs: Math.ceil((policy.limit - tokens) / ratePerMs),
    },
  };
}

/** IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers), sent on every limited answer. */
export function rateLimitHeaders(policy: RatePolicy, d: Decision): Record<string, string> {
  return {
    "ratelimit-policy": `"${policy.name}";q=${policy.limit};w=${Math.round(policy.windowMs / 1000)}`,
    ratelimit: `"${policy.name}";r=${d.remaining};t=${Math.ceil((d.allowed ? d.resetMs : d.retryAfterMs) / 1000)}`,
  };
}
