export { ShardRing } from "./shard-ring";
export { Deadline, withTimeout } from "./deadline";
export { withRetries, type RetryPolicy } from "./retry";
export { GuardedNode } from "./guarded-node";
export { HealthProber } from "./health-prober";
export { RecentChanges } from "./recent-changes";
export { CircuitOpenError, ShardUnavailable, errorSummary } from "./errors";
export { addressOf } from "./address";
export type { DependencyHealth, NodeState } from "./dependency-health";
