export { ShardConnections } from "./shard-connections";
export { runReshard, checkTarget, type ReshardResult, type ProgressSink } from "./reshard";
export { importEmbedded, type EmbeddedImportResult } from "./embedded-import";
export { moveBatch, applyPendingClicks } from "./link-mover";
export { verifyCluster, formatReport, FINDING_KINDS, type VerifyReport, type Finding, type FindingKind } from "./verify";
