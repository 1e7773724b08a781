/**
 * Bounded retries with "full jitter" backoff (sleep a random time up to base * 2^n, capped), so
 * clients that failed together do not retry together. Only for idempotent reads: a write that timed
 * out may have committed, and retrying it blindly could apply it twice.
 */
import type { Deadline } from "./deadline";

export interface RetryPolicy {
  /** attempts after the first */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  return random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
}

/**
 * Runs `attempt` until it succeeds, the error is not retryable, the retries are spent, or the
 * deadline would pass during the next backoff. The last error is what the caller sees.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  deadline: Deadline,
  retryable: (error: unknown) => boolean,
  random: () => number = Math.random,
): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt();
    } catch (error) {
      if (retry >= policy.retries || !retryable(error)) throw error;
      const delay = backoffDelay(retry, policy, random);
      if (delay >= deadline.remaining()) throw error;
      await Bun.sleep(delay);
    }
  }
}
