export { ShardRing } from "./shard-ring";
export { CircuitBreaker, type BreakerState, type BreakerChange } from "./circuit-breaker";
export { Deadline, withTimeout } from "./deadline";
export { withRetries, backoffDelay, type RetryPolicy } from "./retry";
export { GuardedNode, type GuardedNodeOptions } from "./guarded-node";
export { HealthProber } from "./health-prober";
export { RecentChanges } from "./recent-changes";
export { CircuitOpenError, CallTimeoutError, ShardUnavailable, errorSummary } from "./errors";
export { addressOf } from "./address";
