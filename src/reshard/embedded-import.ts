/**
 * `ringlink reshard --from-embedded DATA_DIR`: an embedded deployment's SQLite file into the
 * cluster. Links go to their owner under the stored map with their counters, category and
 * aggregates (the same copy as a move, link-mover.ts: a row already there is skipped with its
 * aggregates, so a rerun after a kill neither duplicates nor double-counts); API keys go to
 * shard 0, where the cluster keeps them. The SQLite file is only read.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ShardRing, type Topology } from "../cluster";
import { openDatabase } from "../sqlite";
import { copyLinks, type Aggregates, type LinkCopy } from "./link-mover";
import type { ProgressSink } from "./reshard";
import type { ShardConnections } from "./shard-connections";

export interface EmbeddedImportOptions {
  conn: ShardConnections;
  batch: number;
  progress?: (total: number) => ProgressSink;
  say?: (line: string) => void;
}

export interface EmbeddedImportResult {
  links: number;
  inserted: number;
  keys: number;
  keysInserted: number;
  seconds: number;
}

export async function importEmbedded(dataDir: string, topology: Topology, opts: EmbeddedImportOptions): Promise<EmbeddedImportResult> {
  const file = join(dataDir, "ringlink.sqlite");
  if (!existsSync(file)) throw new Error(`no embedded database at ${file}`);
  if (topology.move) throw new Error("the cluster is in the middle of a move: finish it (ringlink reshard) first");
  const started = performance.now();
  const db = openDatabase(file, { create: false, safeIntegers: true });
  try {
    const ring = new ShardRing(topology.members.length);
    const keys = db.query("SELECT id, name, secret_hash, scopes, created_at, expires_at, revoked_at FROM api_keys").all() as Record<
      string,
      string | bigint | null
    >[];
    const shard0 = opts.conn.primary(topology.members[0]!);
    let keysInserted = 0;
    if (keys.length > 0) {
      const rows =
        await shard0`INSERT INTO api_keys ${shard0(keys, ["id", "name", "secret_hash", "scopes", "created_at", "expires_at", "revoked_at"])} ON CONFLICT (id) DO NOTHING RETURNING id`;
      keysInserted = rows.length;
    }
    const total = Number((db.query("SELECT count(*) AS n FROM links").get() as { n: bigint }).n);
    const bar = opts.progress?.(total);
    const page = db.query("SELECT * FROM links WHERE id > ? ORDER BY id LIMIT ?");
    const agg = (table: string, columns: string) => db.query(`SELECT ${columns} FROM ${table} WHERE code IN (SELECT value FROM json_each(?))`);
    const minutesQ = agg("click_minutes", "code, minute_start, human, bot");
    const visitorsQ = agg("click_visitors", "code, day_start, visitor");
    const dimensionsQ = agg("click_dimensions", "code, day_start, dimension, dim_value, clicks");
    let cursor = -1n;
    let links = 0;
    let inserted = 0;
    for (;;) {
      const rows = page.all(cursor, opts.batch) as Array<LinkCopy & { id: bigint; moving?: unknown }>;
      if (rows.length === 0) break;
      cursor = rows[rows.length - 1]!.id;
      const byShard = new Map<number, LinkCopy[]>();
      for (const r of rows) {
        const { moving: _ignored, ...copy } = r;
        const s = ring.shardOf(String(r.code));
        const list = byShard.get(s) ?? [];
        list.push(copy as LinkCopy);
        byShard.set(s, list);
      }
      for (const [s, list] of byShard) {
        const codes = JSON.stringify(list.map((r) => String(r.code)));
        const aggregates: Aggregates = {
          minutes: minutesQ.all(codes) as Aggregates["minutes"],
          visitors: visitorsQ.all(codes) as Aggregates["visitors"],
          dimensions: dimensionsQ.all(codes) as Aggregates["dimensions"],
        };
        const fresh = await copyLinks(opts.conn.primary(topology.members[s]!), list, aggregates, (hash) => ring.shardOf(hash) === s);
        inserted += fresh.size;
        // A lookup before the import may have cached "no such code" on the code's node.
        const redis = opts.conn.cache(topology.members[s]!);
        if (redis && fresh.size > 0) await redis.del(...[...fresh].map((c) => `rl:link:${c}`)).catch(() => 0);
      }
      links += rows.length;
      bar?.tick(rows.length);
    }
    bar?.done();
    return { links, inserted, keys: keys.length, keysInserted, seconds: (performance.now() - started) / 1000 };
  } finally {
    db.close();
  }
}
