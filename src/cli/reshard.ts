/**
 * `ringlink reshard --database-nodes LIST --redis-nodes LIST [--dry-run]` and
 * `ringlink reshard --from-embedded DATA_DIR`: the operator's side of src/reshard.
 */
import { closeTopologyPools, topologyFromNodes, type ShardMembers, type Topology } from "../cluster";
import { ConfigError, loadConfig, type Config } from "../config";
import { ShardConnections, importEmbedded, runReshard } from "../reshard";
import { UsageError, type ParsedArgs } from "./argv";
import { progressBar } from "./progress";

/** The target map from the flags, validated by the same rules as DATABASE_NODES / REDIS_NODES. */
export function targetFromFlags(databaseNodes: string, redisNodes: string | undefined): ShardMembers[] {
  try {
    const parsed = loadConfig({ DATABASE_NODES: databaseNodes, REDIS_NODES: redisNodes ?? "" });
    if (parsed.shards.length === 0) throw new UsageError("--database-nodes names no shard");
    return topologyFromNodes(parsed.shards, parsed.redisNodes).members;
  } catch (error) {
    if (error instanceof ConfigError)
      throw new UsageError(`invalid target map: ${error.message.replace(/^DATABASE_NODES/, "--database-nodes").replace(/^REDIS_NODES/, "--redis-nodes")}`);
    throw error;
  }
}

/** Processes check every TOPOLOGY_CHECK_INTERVAL_MS (at most 2 s); the move waits a little longer. */
function settleMs(config: Config): number {
  return Number(process.env.RESHARD_SETTLE_MS ?? config.topologyCheckIntervalMs * 2 + 500);
}

export async function runReshardCommand(config: Config, topology: Topology | null, args: ParsedArgs): Promise<number> {
  if (topology === null) throw new UsageError("reshard needs the cluster's DATABASE_NODES (and REDIS_NODES) to reach the stored topology");
  const conn = new ShardConnections();
  try {
    const fromEmbedded = args.flags["from-embedded"];
    if (typeof fromEmbedded === "string") {
      const r = await importEmbedded(fromEmbedded, topology, {
        conn,
        batch: config.reshardBatch,
        progress: (total) => progressBar("embedded -> cluster", total),
        say: (line) => console.error(line),
      });
      console.log(
        `copied ${fromEmbedded} into the cluster: ${r.links} links (${r.inserted} new, ${r.links - r.inserted} already there), ${r.keys} API keys (${r.keysInserted} new) in ${r.seconds.toFixed(1)} s`,
      );
      return 0;
    }
    const db = args.flags["database-nodes"];
    if (typeof db !== "string") throw new UsageError("reshard needs --database-nodes LIST (and --redis-nodes LIST), or --from-embedded DATA_DIR");
    const target = targetFromFlags(db, args.flags["redis-nodes"] as string | undefined);
    const result = await runReshard(topology, target, {
      conn,
      batch: config.reshardBatch,
      settleMs: settleMs(config),
      dryRun: args.flags["dry-run"] === true,
      progress: (total) => progressBar("links moved", total),
      say: (line) => console.error(line),
    });
    switch (result.kind) {
      case "nothing-to-do":
        console.log(`nothing to do: topology v${result.version} already is the target map`);
        return 0;
      case "dry-run":
        console.log(`dry run: ${result.total} link(s) would move`);
        for (const [pair, n] of result.moves) console.log(`  ${pair}: ${n}`);
        return 0;
      case "done":
        console.log(
          `moved ${result.moved} link(s) in ${result.seconds.toFixed(1)} s (${Math.round(result.moved / Math.max(result.seconds, 0.001))}/s); topology v${result.version}`,
        );
        return 0;
    }
  } finally {
    await conn.close();
    await closeTopologyPools();
  }
}
