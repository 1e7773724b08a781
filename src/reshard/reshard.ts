/**
 * `ringlink reshard`: moves the running cluster from its stored topology to a target map.
 *
 * planned -> copying -> done, each step recorded in the stored topology so a killed run resumes:
 *  - copying (version v+1): members = target, move.from = the old map. Every process routes
 *    writes and first reads to the new owner and falls back to the old one (src/storage). The run
 *    waits SETTLE_MS so every process has seen it before a single link moves.
 *  - links whose owner changes are moved in batches (link-mover.ts); progress goes to the topology
 *    row for `ringlink topology` and the dashboard.
 *  - done (version v+2): members = target, no move. A second run finds nothing to do.
 */
import { ShardRing, announceTopology, readStoredTopology, sameMembers, writeProgress, writeTopology, type ShardMembers, type Topology } from "../cluster";
import { migrateShard } from "../storage";
import { applyPendingClicks, moveBatch, type MoveTarget } from "./link-mover";
import type { ShardConnections } from "./shard-connections";

export interface ProgressSink {
  tick(n: number): void;
  done(): void;
}

export interface ReshardOptions {
  conn: ShardConnections;
  batch: number;
  /** how long processes get to learn a new map before links move (2 s check interval + margin) */
  settleMs: number;
  dryRun?: boolean;
  progress?: (total: number) => ProgressSink;
  say?: (line: string) => void;
}

export type ReshardResult =
  | { kind: "nothing-to-do"; version: number }
  | { kind: "dry-run"; moves: Map<string, number>; total: number }
  | { kind: "done"; version: number; moved: number; seconds: number };

const SCAN_PAGE = 5000;

function unionPrimaries(...maps: ShardMembers[][]): string[] {
  return [...new Set(maps.flat().map((m) => m.primary))];
}

/** Existing shards keep their index (and address): a map only grows or shrinks at the end. */
export function checkTarget(from: readonly ShardMembers[], target: readonly ShardMembers[]): void {
  if (target.length === 0) throw new Error("the target map needs at least one shard");
  const kept = Math.min(from.length, target.length);
  for (let i = 0; i < kept; i++) {
    if (from[i]!.primary !== target[i]!.primary || from[i]!.replica !== target[i]!.replica) {
      throw new Error(
        `shard-${i} must keep its nodes (a move adds or removes shards at the end; shard-${i} is ${from[i]!.primary.replace(/\/\/[^@]*@/, "//")})`,
      );
    }
  }
  if (
    (from.some((m) => m.redis === null) || target.some((m) => m.redis === null)) &&
    !(from.every((m) => m.redis === null) && target.every((m) => m.redis === null))
  ) {
    throw new Error("either every shard has a Redis node or none has (REDIS_NODES / --redis-nodes)");
  }
}

/** Codes whose owner under `target` differs from the shard they are on, by (from, to). */
async function planMoves(conn: ShardConnections, shards: ShardMembers[], ring: ShardRing): Promise<Map<number, Map<number, string[]>>> {
  const plan = new Map<number, Map<number, string[]>>();
  await Promise.all(
    shards.map(async (members, from) => {
      const sql = conn.primary(members);
      const out = new Map<number, string[]>();
      let cursor = -1n;
      for (;;) {
        const rows = await sql<{ id: bigint; code: string }[]>`SELECT id, code FROM links WHERE id > ${cursor.toString()} ORDER BY id LIMIT ${SCAN_PAGE}`.catch(
          (error: { code?: string }) => {
            // A new shard before its migrations (a dry run does not apply them) holds nothing.
            if (error.code === "42P01") return [];
            throw error;
          },
        );
        for (const r of rows) {
          const to = ring.shardOf(r.code);
          if (to === from) continue;
          let list = out.get(to);
          if (!list) {
            list = [];
            out.set(to, list);
          }
          list.push(r.code);
        }
        if (rows.length < SCAN_PAGE) break;
        cursor = rows[rows.length - 1]!.id;
      }
      plan.set(from, out);
    }),
  );
  return plan;
}

async function withRetry<T>(what: string, attempt: () => Promise<T>, say: (line: string) => void): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= 5) throw error;
      say(`${what} failed (${error instanceof Error ? error.message : String(error)}); retrying in ${i} s`);
      await Bun.sleep(i * 1000);
    }
  }
}

export async function runReshard(known: Topology, target: ShardMembers[], opts: ReshardOptions): Promise<ReshardResult> {
  const say = opts.say ?? (() => {});
  const knownMaps = [known.members, ...(known.move ? [known.move.from] : [])];
  const read = await readStoredTopology(unionPrimaries(...knownMaps, target));
  const stored = read.topology;
  if (stored === null) throw new Error("no topology is stored in the cluster yet: run `ringlink migrate` first");

  let from: ShardMembers[];
  let resumed = false;
  if (stored.move) {
    if (!sameMembers(stored.members, target)) {
      throw new Error(
        `a move to another map (v${stored.version}, ${stored.members.length} shards) is in progress: finish it by rerunning it with its nodes first`,
      );
    }
    from = stored.move.from;
    resumed = true;
  } else if (sameMembers(stored.members, target)) {
    return { kind: "nothing-to-do", version: stored.version };
  } else {
    from = stored.members;
  }
  checkTarget(from, target);
  const ring = new ShardRing(target.length);
  // Every shard of either map may hold rows that must move.
  const all: ShardMembers[] = Array.from({ length: Math.max(from.length, target.length) }, (_, i) => target[i] ?? from[i]!);

  if (opts.dryRun) {
    const plan = await planMoves(opts.conn, all, ring);
    const moves = new Map<string, number>();
    let total = 0;
    for (const [f, tos] of plan) {
      for (const [t, codes] of tos) {
        moves.set(`shard-${f} -> shard-${t}`, codes.length);
        total += codes.length;
      }
    }
    return { kind: "dry-run", moves, total };
  }

  const urls = unionPrimaries(from, target);
  let version = stored.version;
  if (!resumed) {
    for (let i = from.length; i < target.length; i++) {
      await migrateShard(opts.conn.primary(target[i]!), `shard-${i} primary`, say);
    }
    const copying: Topology = { version: version + 1, members: target, move: { state: "copying", from, startedAt: Date.now() }, updatedAt: Date.now() };
    await writeTopology(urls, version, copying);
    version = copying.version;
    say(`topology v${version}: moving from ${from.length} to ${target.length} shard(s)`);
  } else {
    say(`resuming the move recorded in topology v${version}`);
  }
  await announceTopology([...from, ...target].map((m) => m.redis));
  // Every process must route by the new map before the first link moves (README: why the wait).
  await Bun.sleep(opts.settleMs);

  const started = performance.now();
  const plan = await planMoves(opts.conn, all, ring);
  let total = 0;
  for (const tos of plan.values()) for (const codes of tos.values()) total += codes.length;
  const bar = opts.progress?.(total);
  let moved = 0;
  let lastProgress = 0;
  for (const [f, tos] of plan) {
    const source: MoveTarget = { index: f, members: all[f]! };
    for (const [t, codes] of tos) {
      const dest: MoveTarget = { index: t, members: target[t]! };
      const ownsUrl = (hash: string) => ring.shardOf(hash) === t;
      for (let i = 0; i < codes.length; i += opts.batch) {
        const chunk = codes.slice(i, i + opts.batch);
        const n = await withRetry(`batch shard-${f} -> shard-${t}`, () => moveBatch(opts.conn, source, dest, chunk, ownsUrl), say);
        moved += n;
        bar?.tick(chunk.length);
        if (performance.now() - lastProgress > 1000) {
          lastProgress = performance.now();
          await writeProgress(urls, { moved, total, updatedAt: Date.now() });
        }
      }
    }
  }
  bar?.done();
  // Counts that waited for rows which have now arrived.
  for (const m of target) await applyPendingClicks(opts.conn.primary(m));
  // A canonical link that stayed while its URL hash moved is no longer found by reuse lookups
  // (they ask the hash's shard): it stops being canonical, so a URL never has two canonical rows.
  for (const [index, m] of target.entries()) {
    const sql = opts.conn.primary(m);
    const rows = await sql<{ code: string; url_hash: string }[]>`SELECT code, url_hash FROM links WHERE canonical = 1 AND deleted_at IS NULL`;
    const stale = rows.filter((r) => ring.shardOf(r.url_hash) !== index).map((r) => r.code);
    for (let i = 0; i < stale.length; i += 1000) {
      await sql`UPDATE links SET canonical = 0 WHERE code = ANY(${stale.slice(i, i + 1000)}::text[]) AND canonical = 1`;
    }
    if (stale.length > 0) say(`shard-${index}: ${stale.length} link(s) no longer reused for their URL (code and URL now on different shards)`);
  }
  const done: Topology = { version: version + 1, members: target, move: null, updatedAt: Date.now() };
  await writeTopology(urls, version, done);
  await announceTopology([...from, ...target].map((m) => m.redis));
  return { kind: "done", version: done.version, moved, seconds: (performance.now() - started) / 1000 };
}
