/**
 * One remote node (a PostgreSQL primary or replica, a Redis node) behind its circuit breaker.
 * Every call to the node goes through `run`, which fails fast while the breaker is open, bounds the
 * call's time, and tells the breaker whether the *node* failed (an error the node answered with,
 * such as a unique violation, is the caller's problem and counts as the node being fine).
 */
import type { DependencyHealth, NodeKind, NodeState } from "./dependency-health";
import { CircuitBreaker, type BreakerChange } from "./circuit-breaker";
import { withTimeout } from "./deadline";
import { CallTimeoutError, CircuitOpenError, errorSummary } from "./errors";
import { log, type Logger } from "../log";

export interface GuardedNodeOptions {
  /** e.g. "shard-1/primary": the ring member plus the role, never the address */
  name: string;
  kind: NodeKind;
  shard: number;
  /** host:port, for logs and /readyz (no credentials) */
  address: string;
  failureThreshold: number;
  probeTimeoutMs: number;
  /** true when the error means the node is unreachable or unable to serve */
  isNodeFailure(error: unknown): boolean;
  /** a cheap round trip on a connection that request traffic cannot starve */
  ping(): Promise<unknown>;
  /** where breaker changes are reported (default: the process's log) */
  log?: Logger;
}

export class GuardedNode {
  readonly name: string;
  readonly kind: NodeKind;
  readonly shard: number;
  readonly address: string;
  private readonly breaker: CircuitBreaker;
  private lastProbe: DependencyHealth;

  constructor(private readonly opts: GuardedNodeOptions) {
    this.name = opts.name;
    this.kind = opts.kind;
    this.shard = opts.shard;
    this.address = opts.address;
    this.breaker = new CircuitBreaker(opts.failureThreshold, (change) => this.logChange(change));
    this.lastProbe = {
      name: this.name,
      kind: this.kind,
      shard: this.shard,
      up: true,
      latencyMs: 0,
      detail: `${this.address} (not probed yet)`,
      breaker: "closed",
    };
  }

  /** Whether a call would be let through right now (open breakers are skipped by callers that have a fallback). */
  get available(): boolean {
    return this.breaker.state !== "open";
  }

  async run<T>(op: () => Promise<T>, timeoutMs?: number): Promise<T> {
    if (!this.breaker.tryAcquire()) throw new CircuitOpenError(this.name);
    try {
      const result = await (timeoutMs === undefined ? op() : withTimeout(op(), timeoutMs, this.name));
      this.breaker.onSuccess();
      return result;
    } catch (error) {
      if (this.isFailure(error)) this.breaker.onFailure(errorSummary(error));
      else this.breaker.onSuccess();
      throw error;
    }
  }

  /** Errors that say "this node could not serve", as opposed to "this request was wrong". */
  isFailure(error: unknown): boolean {
    return error instanceof CircuitOpenError || error instanceof CallTimeoutError || this.opts.isNodeFailure(error);
  }

  async probe(): Promise<DependencyHealth> {
    const started = performance.now();
    let up = true;
    let problem = "";
    try {
      await withTimeout(this.opts.ping(), this.opts.probeTimeoutMs, this.name);
      this.breaker.probeSucceeded();
    } catch (error) {
      up = false;
      problem = errorSummary(error);
      this.breaker.probeFailed(problem);
    }
    this.lastProbe = {
      name: this.name,
      kind: this.kind,
      shard: this.shard,
      up,
      latencyMs: performance.now() - started,
      detail: up ? this.address : `${this.address}: ${problem}`,
      breaker: this.breaker.state,
    };
    return this.lastProbe;
  }

  health(): DependencyHealth {
    return { ...this.lastProbe, breaker: this.breaker.state };
  }

  state(): NodeState {
    return {
      name: this.name,
      kind: this.kind,
      shard: this.shard,
      address: this.address,
      state: this.breaker.state,
      failures: this.breaker.failures,
      up: this.lastProbe.up,
      lastError: this.breaker.reason || undefined,
    };
  }

  private logChange(change: BreakerChange): void {
    const out = this.opts.log ?? log;
    (change.to === "closed" ? out.info : out.warn)("node breaker changed", {
      node: this.name,
      kind: this.kind,
      shard: this.shard,
      address: this.address,
      from: change.from,
      to: change.to,
      reason: change.reason,
    });
  }
}
