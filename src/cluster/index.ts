export { ShardRing } from "./shard-ring";
export { Deadline, withTimeout } from "./deadline";
export { withRetries, type RetryPolicy } from "./retry";
export { GuardedNode } from "./guarded-node";
export { KeyBatcher } from "./key-batcher";
export { HealthProber } from "./health-prober";
export { RecentChanges } from "./recent-changes";
export { CircuitOpenError, ShardUnavailable, errorSummary } from "./errors";
export { addressOf } from "./address";
export type { DependencyHealth, NodeState } from "./dependency-health";
export { ShardRouter } from "./shard-router";
export { TopologyWatcher, announceTopology, TOPOLOGY_CHANNEL } from "./topology-watcher";
export {
  readStoredTopology,
  readTopologyAt,
  writeTopology,
  writeProgress,
  writeVerifySummary,
  closeTopologyPools,
  TopologyConflict,
  type VerifySummary,
} from "./topology-table";
export {
  topologyFromNodes,
  sameMembers,
  redactUrl,
  describeDifference,
  parseTopology,
  shardIndices,
  membersOf,
  type Topology,
  type ShardMembers,
  type MoveState,
  type MoveProgress,
} from "./topology";
export { bootTopology, resolveBootTopology } from "./topology-boot";
