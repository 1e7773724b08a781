/**
 * Time budgets. A `Deadline` is the whole budget of one operation (all attempts and backoffs);
 * `withTimeout` bounds one call. A timed-out call is abandoned, not cancelled: the caller gets its
 * answer on time and the client library settles the orphan when the socket answers or dies.
 */
import { CallTimeoutError } from "./errors";

export class Deadline {
  private constructor(
    private readonly at: number,
    private readonly now: () => number,
  ) {}

  static after(ms: number, now: () => number = performance.now.bind(performance)): Deadline {
    return new Deadline(now() + ms, now);
  }

  remaining(): number {
    return Math.max(0, this.at - this.now());
  }

  /** A single call's timeout: its own limit, clipped to what is left of the budget. */
  clip(callTimeoutMs: number): number {
    return Math.min(callTimeoutMs, this.remaining());
  }
}

export function withTimeout<T>(work: Promise<T>, ms: number, node: string): Promise<T> {
  if (ms <= 0) {
    work.catch(() => {}); // abandoned: keep its eventual rejection from going unhandled
    return Promise.reject(new CallTimeoutError(node, 0));
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CallTimeoutError(node, ms)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
