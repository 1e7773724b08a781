/**
 * The AnalyticsStore for the storage mode: the links' SQLite file when embedded, the links' shards
 * when distributed (same ring, so a code's aggregates sit beside its row).
 */
import { join } from "node:path";
import { ShardRing } from "../cluster";
import type { Config } from "../config";
import type { AnalyticsStore } from "./analytics-store";
import { PostgresAnalyticsStore } from "./postgres-analytics-store";
import { SqliteAnalyticsStore } from "./sqlite-analytics-store";

/** The embedded database file: the one adapters.ts opens for the SqliteLinkStore (which migrates it). */
export function embeddedDatabasePath(config: Config): string {
  return join(config.dataDir, "ringlink.sqlite");
}

export function createAnalyticsStore(config: Config, poolMax = 4): AnalyticsStore {
  if (config.mode === "embedded") return new SqliteAnalyticsStore(embeddedDatabasePath(config));
  const ring = new ShardRing(config.shards.length);
  return new PostgresAnalyticsStore({
    shards: config.shards,
    shardOf: (code) => ring.shardOf(code),
    connectTimeoutMs: config.resilience.dbConnectTimeoutMs,
    queryTimeoutMs: config.resilience.dbQueryTimeoutMs,
    poolMax,
  });
}
