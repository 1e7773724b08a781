/**
 * `ringlink verify [--repair] [--json]`: one reconciliation pass over every shard (src/reshard/verify.ts).
 * Exit 1 when something is found that is still wrong (with --repair: that could not be repaired).
 */
import { closeTopologyPools, shardIndices, writeVerifySummary, type Topology } from "../cluster";
import { ShardConnections, formatReport, verifyCluster, type VerifyReport } from "../reshard";
import { UsageError } from "./argv";
import { loadTopologyView } from "./topology";

/** Runs verify against the stored topology and records its summary beside it. */
export async function verifyOnce(known: Topology, repair: boolean): Promise<VerifyReport> {
  const { topology } = await loadTopologyView(known);
  const conn = new ShardConnections();
  try {
    const report = await verifyCluster(topology, { conn, repair, say: (line) => console.error(line) });
    const urls = shardIndices(topology).map((i) => (topology.members[i] ?? topology.move!.from[i]!).primary);
    await writeVerifySummary(urls, { at: report.at, version: report.version, found: report.found, repaired: report.repaired });
    return report;
  } finally {
    await conn.close();
  }
}

export function unrepaired(report: VerifyReport): number {
  const total = Object.values(report.found).reduce((a, b) => a + b, 0);
  return total - report.repaired;
}

export async function runVerifyCommand(topology: Topology | null, flags: { repair: boolean; json: boolean }): Promise<number> {
  if (topology === null) throw new UsageError("verify needs the distributed mode (DATABASE_NODES): an embedded file has one shard");
  try {
    const report = await verifyOnce(topology, flags.repair);
    console.log(flags.json ? JSON.stringify(report, null, 2) : formatReport(report));
    return unrepaired(report) > 0 ? 1 : 0;
  } finally {
    await closeTopologyPools();
  }
}
