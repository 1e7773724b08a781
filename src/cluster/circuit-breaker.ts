/**
 * A per-node circuit breaker. Closed: calls pass; `threshold` consecutive node failures open it.
 * Open: calls fail at once (no socket, no timeout to wait out) until the background health probe
 * reaches the node again, which moves it to half-open. Half-open: calls pass, but the first failure
 * reopens it and the first success (or a second good probe, for an idle node) closes it.
 *
 * Half-open lets every call through rather than one trial at a time: the probe has already shown
 * the node answers, and a half-open replica is often the only source left for its shard (primary
 * down), where refusing calls would turn a recovering node into 503s.
 */
export type BreakerState = "closed" | "open" | "half-open";

export interface BreakerChange {
  from: BreakerState;
  to: BreakerState;
  reason: string;
}

export class CircuitBreaker {
  private current: BreakerState = "closed";
  private consecutiveFailures = 0;
  private lastReason = "";

  constructor(
    private readonly threshold: number,
    private readonly onChange: (change: BreakerChange) => void = () => {},
  ) {
    if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError(`breaker threshold must be >= 1 (got ${threshold})`);
  }

  get state(): BreakerState {
    return this.current;
  }

  get failures(): number {
    return this.consecutiveFailures;
  }

  get reason(): string {
    return this.lastReason;
  }

  /** Whether a call may go to the node now. */
  tryAcquire(): boolean {
    return this.current !== "open";
  }

  /** The node answered (even with an error that is the caller's fault). */
  onSuccess(): void {
    this.consecutiveFailures = 0;
    if (this.current !== "closed") this.move("closed", "a call succeeded");
  }

  /** The node failed (refused, reset, timed out, shutting down). */
  onFailure(reason: string): void {
    this.consecutiveFailures++;
    this.lastReason = reason;
    if (this.current === "half-open") this.move("open", `call failed while half-open: ${reason}`);
    else if (this.current === "closed" && this.consecutiveFailures >= this.threshold) {
      this.move("open", `${this.consecutiveFailures} consecutive failures: ${reason}`);
    }
  }

  /** The health probe reached the node. */
  probeSucceeded(): void {
    if (this.current === "open") this.move("half-open", "health probe answered");
    else if (this.current === "half-open") {
      this.consecutiveFailures = 0;
      this.move("closed", "health probe answered twice");
    }
  }

  /**
   * The health probe could not reach the node. The probe runs on its own connection, so a failure
   * means the node is down, not busy: open at once rather than let requests find out one by one.
   */
  probeFailed(reason: string): void {
    this.lastReason = reason;
    if (this.current !== "open") this.move("open", `health probe failed: ${reason}`);
  }

  private move(to: BreakerState, reason: string): void {
    const from = this.current;
    this.current = to;
    this.onChange({ from, to, reason });
  }
}
