/**
 * How a dependency is doing, in one shape for /readyz, /metrics and the dashboard: the database
 * and cache nodes the cluster module guards, and the embedded file and the broker beside them.
 */
export type NodeKind = "postgres-primary" | "postgres-replica" | "redis";

export interface DependencyHealth {
  name: string;
  kind: "sqlite" | NodeKind | "kafka";
  shard?: number;
  up: boolean;
  latencyMs: number;
  detail?: string;
  /** circuit breaker of a remote node (distributed mode) */
  breaker?: "closed" | "open" | "half-open";
}

/** A remote node's breaker, for metrics: read with `nodeStates()` on the store and the cache. */
export interface NodeState {
  name: string;
  kind: NodeKind;
  shard: number;
  address: string;
  state: "closed" | "open" | "half-open";
  /** consecutive failures seen by requests */
  failures: number;
  /** whether the last health probe reached the node */
  up: boolean;
  lastError?: string;
}
