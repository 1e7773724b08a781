/**
 * `ringlink verify [--repair]`: checks the invariants a move must keep, after the fact.
 *
 *  - wrong-shard: a row on a shard the current map does not route its code to
 *  - duplicate: a code on two shards
 *  - frozen: a row left with moving = 1 by a reshard that stopped (writes to it wait)
 *  - replica-differs: a replica row that still differs from its primary after a second look (lag)
 *  - redis-disagrees: a cached entry on the wrong node, or one that says something the row does not
 *  - orphan-aggregates: aggregates of a code no shard has; pending-clicks: counts still waiting
 *
 * Repairs (--repair) are the ones that cannot lose an acknowledged write: a wrong-shard or frozen
 * row is moved by the reshard's own freeze/copy/cut-over (link-mover.ts); of a duplicate the copy
 * off its owner is dropped only when it is frozen (an interrupted cut-over); Redis entries are
 * deleted (the database refills them); orphan aggregates are deleted; pending clicks are applied.
 * A differing replica is reported only (rebuild it with scripts/cluster.sh or pg_basebackup).
 * While a move runs, wrong-shard rows are expected and only reported as "move in progress".
 */
import { ShardRing, type ShardMembers, type Topology } from "../cluster";
import { decodeEntry, MISSING } from "../cache";
import { applyPendingClicks, moveBatch } from "./link-mover";
import type { ShardConnections, Sql } from "./shard-connections";

export const FINDING_KINDS = ["wrong-shard", "duplicate", "frozen", "replica-differs", "redis-disagrees", "orphan-aggregates", "pending-clicks"] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Finding {
  kind: FindingKind;
  shard: number;
  code: string;
  detail: string;
  repaired: boolean;
}

export interface VerifyReport {
  version: number;
  moving: boolean;
  at: number;
  seconds: number;
  links: number;
  found: Record<FindingKind, number>;
  repaired: number;
  /** the first findings, for the summary (every finding is counted in `found`) */
  sample: Finding[];
}

export interface VerifyOptions {
  conn: ShardConnections;
  repair: boolean;
  /** a replica or cache difference is looked at again after this long before it counts */
  recheckMs?: number;
  redisScanLimit?: number;
  /** notes about checks that could not run */
  say?: (line: string) => void;
}

interface Row {
  code: string;
  moving: number;
  h: string;
}

const rowsOf = (sql: Sql, codes?: string[]) =>
  sql<Row[]>`
    SELECT code, moving, md5(concat_ws('|', url, redirect_type, expires_at, max_clicks, clicks_consumed, deleted_at, disabled, password_hash IS NULL, forward_query)) AS h
    FROM links ${codes ? sql`WHERE code = ANY(${codes}::text[])` : sql``}`;

export async function verifyCluster(topology: Topology, opts: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const recheckMs = opts.recheckMs ?? 1000;
  const members: ShardMembers[] = Array.from(
    { length: Math.max(topology.members.length, topology.move?.from.length ?? 0) },
    (_, i) => topology.members[i] ?? topology.move!.from[i]!,
  );
  const ring = new ShardRing(topology.members.length);
  const moving = topology.move !== null;
  const findings: Finding[] = [];
  const add = (f: Omit<Finding, "repaired">, repaired = false) => findings.push({ ...f, repaired });

  // ---- rows per shard
  const byShard = await Promise.all(members.map((m) => rowsOf(opts.conn.primary(m))));
  const rowMaps = byShard.map((rows) => new Map(rows.map((r) => [r.code, r])));
  const homes = new Map<string, number[]>();
  byShard.forEach((rows, shard) => {
    for (const r of rows) homes.set(r.code, [...(homes.get(r.code) ?? []), shard]);
  });
  const links = homes.size;

  const toMove = new Map<string, string[]>(); // "from>to" -> codes
  for (const [code, shards] of homes) {
    const owner = ring.shardOf(code);
    if (shards.length > 1) {
      for (const s of shards.filter((x) => x !== owner)) {
        const row = rowMaps[s]!.get(code)!;
        let repaired = false;
        const ownerRow = rowMaps[owner]?.get(code);
        // Safe to drop: an interrupted cut-over's frozen copy, or a copy identical to the owner's
        // (deleted only if it is still unchanged, so no write to it is lost).
        if (opts.repair && !moving && ownerRow && (row.moving === 1 || row.h === ownerRow.h)) {
          const sql = opts.conn.primary(members[s]!);
          const gone =
            await sql`DELETE FROM links WHERE code = ${code} AND (moving = 1 OR md5(concat_ws('|', url, redirect_type, expires_at, max_clicks, clicks_consumed, deleted_at, disabled, password_hash IS NULL, forward_query)) = ${row.h})`;
          repaired = gone.count > 0;
        }
        add({ kind: "duplicate", shard: s, code, detail: `also on shard-${shards.filter((x) => x !== s).join(",shard-")} (owner shard-${owner})` }, repaired);
      }
      continue;
    }
    const shard = shards[0]!;
    const row = rowMaps[shard]!.get(code)!;
    if (shard !== owner) {
      if (moving) continue;
      add({ kind: "wrong-shard", shard, code, detail: `belongs on shard-${owner}` }, opts.repair);
      if (opts.repair) toMove.set(`${shard}>${owner}`, [...(toMove.get(`${shard}>${owner}`) ?? []), code]);
    } else if (row.moving === 1 && !moving) {
      add({ kind: "frozen", shard, code, detail: "left frozen by a stopped reshard on its own shard" }, opts.repair);
      if (opts.repair) await opts.conn.primary(members[shard]!)`UPDATE links SET moving = 0 WHERE code = ${code} AND moving = 1`;
    }
  }
  for (const [pair, codes] of toMove) {
    const [from, to] = pair.split(">").map(Number) as [number, number];
    for (let i = 0; i < codes.length; i += 500) {
      await moveBatch(
        opts.conn,
        { index: from, members: members[from]! },
        { index: to, members: members[to]! },
        codes.slice(i, i + 500),
        (h) => ring.shardOf(h) === to,
      );
    }
  }

  // ---- replicas against their primaries (a difference must survive a second look: lag)
  await Promise.all(
    members.map(async (m, shard) => {
      const primary = new Map(byShard[shard]!.map((r) => [r.code, r.h]));
      let replicaRows: Row[];
      try {
        replicaRows = [...(await rowsOf(opts.conn.replica(m)))];
      } catch {
        return; // a replica that is down is the health checks' business, not a data finding
      }
      const replica = new Map(replicaRows.map((r) => [r.code, r.h]));
      let suspects = [...new Set([...primary.keys(), ...replica.keys()])].filter((c) => primary.get(c) !== replica.get(c));
      if (suspects.length === 0) return;
      await Bun.sleep(recheckMs);
      const [p2, r2] = await Promise.all([rowsOf(opts.conn.primary(m), suspects), rowsOf(opts.conn.replica(m), suspects)]);
      const pm = new Map(p2.map((r) => [r.code, r.h]));
      const rm = new Map(r2.map((r) => [r.code, r.h]));
      suspects = suspects.filter((c) => pm.get(c) !== rm.get(c));
      for (const code of suspects)
        add({
          kind: "replica-differs",
          shard,
          code,
          detail: rm.has(code) ? (pm.has(code) ? "row differs" : "row only on the replica") : "row missing on the replica",
        });
    }),
  );

  // ---- Redis entries against the rows
  const limit = opts.redisScanLimit ?? 200_000;
  await Promise.all(
    members.map(async (m, shard) => {
      const redis = opts.conn.cache(m);
      if (!redis) return;
      const rows = rowMaps[shard]!;
      let cursor = "0";
      let scanned = 0;
      const bad: Array<{ code: string; detail: string }> = [];
      try {
        do {
          const [next, keys] = await redis.scan(cursor, "MATCH", "rl:link:*", "COUNT", 1000);
          cursor = next;
          scanned += keys.length;
          if (keys.length === 0) continue;
          const values = await redis.mget(...keys);
          const codes = keys.map((k) => k.slice("rl:link:".length));
          const urls = new Map<string, string>();
          const needUrl = codes.filter((c, i) => values[i] !== null && values[i] !== "0" && rows.has(c));
          if (needUrl.length > 0) {
            const sql = opts.conn.primary(m);
            for (const r of await sql<
              { code: string; url: string; deleted_at: bigint | null }[]
            >`SELECT code, url, deleted_at FROM links WHERE code = ANY(${needUrl}::text[])`) {
              urls.set(r.code, r.deleted_at === null ? r.url : "\u0000deleted");
            }
          }
          codes.forEach((code, i) => {
            const issue = cacheIssue(code, values[i]);
            if (issue) bad.push({ code, detail: issue });
          });
          function cacheIssue(code: string, raw: string | null | undefined): string | null {
            if (raw === null || raw === undefined) return null;
            const owner = moving ? null : ring.shardOf(code);
            if (owner !== null && owner !== shard) return `cached on shard-${shard}'s node, owned by shard-${owner}`;
            const entry = decodeEntry(code, raw);
            if (entry === null) return "undecodable entry";
            if (entry === MISSING) return rows.has(code) && !moving ? "cached as missing, but the row exists" : null;
            const url = urls.get(code);
            if (!moving && url === undefined) return "cached link with no row";
            if (url !== undefined && !entry.deleted && url !== entry.url) return url === "\u0000deleted" ? "cached as live, row deleted" : "cached URL differs";
            return null;
          }
        } while (cursor !== "0" && scanned < limit);
      } catch (error) {
        // Redis down: nothing to compare (the health checks report the node).
        opts.say?.(`shard-${shard} Redis not checked: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      if (bad.length === 0) return;
      // Second look: an invalidation may have been in flight.
      await Bun.sleep(recheckMs);
      const still = await redis.mget(...bad.map((b) => `rl:link:${b.code}`)).catch(() => bad.map(() => null));
      const confirmed = bad.filter((_, i) => still[i] !== null);
      if (opts.repair && confirmed.length > 0) await redis.del(...confirmed.map((b) => `rl:link:${b.code}`)).catch(() => 0);
      for (const b of confirmed) add({ kind: "redis-disagrees", shard, code: b.code, detail: b.detail }, opts.repair);
    }),
  );

  // ---- aggregates without a link, and counts still waiting for their row
  await Promise.all(
    members.map(async (m, shard) => {
      const sql = opts.conn.primary(m);
      const orphans = await sql<{ code: string }[]>`
        SELECT code FROM (SELECT code FROM click_minutes UNION SELECT code FROM click_dimensions UNION SELECT code FROM click_visitors) a
        WHERE NOT EXISTS (SELECT 1 FROM links l WHERE l.code = a.code)`;
      const nowhere = orphans.map((o) => o.code).filter((c) => !homes.has(c));
      const elsewhere = orphans.map((o) => o.code).filter((c) => homes.has(c));
      if (opts.repair && nowhere.length > 0) {
        await sql.begin(async (tx) => {
          await tx`DELETE FROM click_minutes WHERE code = ANY(${nowhere}::text[])`;
          await tx`DELETE FROM click_dimensions WHERE code = ANY(${nowhere}::text[])`;
          await tx`DELETE FROM click_visitors WHERE code = ANY(${nowhere}::text[])`;
        });
      }
      for (const code of nowhere) add({ kind: "orphan-aggregates", shard, code, detail: "aggregates of a code no shard has" }, opts.repair);
      for (const code of elsewhere) {
        if (moving) continue;
        add({ kind: "orphan-aggregates", shard, code, detail: `aggregates here, link on shard-${homes.get(code)!.join(",")}` });
      }
      const pending = await sql<{ code: string }[]>`SELECT code FROM pending_clicks`;
      if (pending.length > 0 && !moving) {
        if (opts.repair) await applyPendingClicks(sql);
        for (const p of pending)
          add({ kind: "pending-clicks", shard, code: p.code, detail: "click counts waiting for their row" }, opts.repair && homes.has(p.code));
      }
    }),
  );

  const found = Object.fromEntries(FINDING_KINDS.map((k) => [k, 0])) as Record<FindingKind, number>;
  for (const f of findings) found[f.kind]++;
  return {
    version: topology.version,
    moving,
    at: Date.now(),
    seconds: (performance.now() - started) / 1000,
    links,
    found,
    repaired: findings.filter((f) => f.repaired).length,
    sample: findings.slice(0, 50),
  };
}

export function formatReport(r: VerifyReport): string {
  const total = Object.values(r.found).reduce((a, b) => a + b, 0);
  const lines = [
    `verify: topology v${r.version}${r.moving ? " (move in progress: rows off their new shard are expected and not reported)" : ""}, ${r.links} links checked in ${r.seconds.toFixed(1)} s: ${total === 0 ? "no findings" : `${total} finding(s), ${r.repaired} repaired`}`,
  ];
  for (const k of FINDING_KINDS) if (r.found[k] > 0) lines.push(`  ${k.padEnd(18)} ${r.found[k]}`);
  for (const f of r.sample.slice(0, 20)) lines.push(`  shard-${f.shard} ${f.code}: ${f.kind}: ${f.detail}${f.repaired ? " (repaired)" : ""}`);
  return lines.join("\n");
}
