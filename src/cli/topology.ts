/** `ringlink topology [--json]`: the stored shard map, its version and any move in progress. */
import { readStoredTopology, redactUrl, shardIndices, type MoveProgress, type Topology } from "../cluster";
import { UsageError } from "./argv";

export interface TopologyView {
  topology: Topology;
  stored: boolean;
  progress: MoveProgress | null;
  unreachable: string[];
}

export async function loadTopologyView(fallback: Topology): Promise<TopologyView> {
  const urls = shardIndices(fallback).map((i) => (fallback.members[i] ?? fallback.move!.from[i]!).primary);
  const read = await readStoredTopology(urls);
  return { topology: read.topology ?? fallback, stored: read.topology !== null, progress: read.progress, unreachable: read.unreachable.map(redactUrl) };
}

function redacted(t: Topology): Topology {
  const strip = (ms: Topology["members"]) =>
    ms.map((m) => ({ primary: redactUrl(m.primary), replica: redactUrl(m.replica), redis: m.redis === null ? null : redactUrl(m.redis) }));
  return { ...t, members: strip(t.members), move: t.move ? { ...t.move, from: strip(t.move.from) } : null };
}

export function formatTopology(view: TopologyView): string {
  const t = view.topology;
  const lines = [
    `topology v${t.version}${view.stored ? "" : " (not stored yet: from DATABASE_NODES/REDIS_NODES; run `ringlink migrate`)"}, ${t.members.length} shard(s)` +
      (t.move ? `, moving from ${t.move.from.length} shard(s) since ${new Date(t.move.startedAt).toISOString()}` : ""),
  ];
  if (t.move && view.progress) lines.push(`move progress: ${view.progress.moved}/${view.progress.total} links moved`);
  const rows = shardIndices(t).map((i) => {
    const now = t.members[i];
    const before = t.move?.from[i];
    const m = now ?? before!;
    const state = !t.move ? "serving" : now && !before ? "joining" : !now ? "leaving" : "serving";
    return [`shard-${i}`, state, redactUrl(m.primary), redactUrl(m.replica), redactUrl(m.redis)];
  });
  const header = ["SHARD", "STATE", "PRIMARY", "REPLICA", "REDIS"];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  for (const r of [header, ...rows])
    lines.push(
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join("  ")
        .trimEnd(),
    );
  if (view.unreachable.length > 0) lines.push(`unreachable primaries: ${view.unreachable.join(", ")}`);
  return lines.join("\n");
}

export async function runTopologyCommand(fallback: Topology | null, json: boolean): Promise<number> {
  if (fallback === null) throw new UsageError("topology needs the distributed mode (DATABASE_NODES); embedded mode has one shard");
  const view = await loadTopologyView(fallback);
  if (json) console.log(JSON.stringify({ ...view, topology: redacted(view.topology) }, null, 2));
  else console.log(formatTopology(view));
  return 0;
}
