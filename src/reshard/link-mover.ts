/**
 * Moves a batch of links from one shard to another without ever having two live copies that both
 * take writes:
 *
 *  1. freeze: `moving = 1` on the source rows. Every write statement in the store carries
 *     `moving = 0`, so from here on the source rows cannot change; writers wait for step 4 and then
 *     find the row on its new shard (reads keep being served from the frozen copy).
 *  2. copy: one transaction on the target inserts the rows (ON CONFLICT (code) DO NOTHING) and,
 *     only for rows it inserted, adds their aggregates to what the analytics worker may already
 *     have written there, and folds in pending_clicks. A rerun after a crash finds the row and
 *     skips it, so nothing is counted twice.
 *  3. verify: every frozen code is present on the target.
 *  4. cut over: one transaction on the source deletes the frozen rows (only rows still frozen)
 *     and their aggregates; Redis entries of the codes on both nodes are dropped.
 *
 * A canonical link (the one reused for its URL) keeps the mark only where its URL hash lives
 * under the new map and no other canonical row for that URL is there; otherwise it becomes a
 * plain link, so "one live canonical row per URL, on the URL's shard" still holds.
 */
import type { ShardMembers } from "../cluster";
import type { Sql } from "./shard-connections";
import type { ShardConnections } from "./shard-connections";

/** Columns of `links`, all copied as they are (moving is reset on the copy). */
const LINK_COLUMNS = [
  "id",
  "code",
  "url",
  "url_hash",
  "is_alias",
  "canonical",
  "redirect_type",
  "created_at",
  "expires_at",
  "max_clicks",
  "clicks_consumed",
  "clicks",
  "deleted_at",
  "category",
  "category_confidence",
  "owner_key",
  "disabled",
  "password_hash",
  "forward_query",
  "tags",
  "updated_at",
  "rules",
  "variants",
  "preview",
] as const;

export type LinkCopy = Record<(typeof LINK_COLUMNS)[number], unknown>;
/** A row handed to postgres.js's multi-row insert helper. */
type Row = Record<string, string | number | bigint | boolean | null>;

export interface Aggregates {
  minutes: Array<{ code: string; minute_start: unknown; human: unknown; bot: unknown }>;
  visitors: Array<{ code: string; day_start: unknown; visitor: string }>;
  dimensions: Array<{ code: string; day_start: unknown; dimension: string; dim_value: string; clicks: unknown }>;
}

export interface MoveTarget {
  index: number;
  members: ShardMembers;
}

/**
 * Inserts rows on the target with their aggregates, in one transaction; returns the codes it
 * inserted (rows already there are left alone, with their aggregates). `ownsUrl(hash)` says
 * whether the target is the URL hash's shard under the new map.
 */
export async function copyLinks(target: Sql, rows: LinkCopy[], aggregates: Aggregates, ownsUrl: (urlHash: string) => boolean): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  return (await target.begin(async (tx) => {
    const hashes = rows.filter((r) => Number(r.canonical) === 1).map((r) => String(r.url_hash));
    const taken = new Set(
      hashes.length === 0
        ? []
        : (await tx<{ url_hash: string }[]>`SELECT url_hash FROM links WHERE url_hash = ANY(${hashes}::text[]) AND canonical = 1 AND deleted_at IS NULL`).map(
            (r) => r.url_hash,
          ),
    );
    const values = rows.map((r) => {
      const keep = Number(r.canonical) === 1 && ownsUrl(String(r.url_hash)) && !taken.has(String(r.url_hash)) && r.deleted_at === null;
      return { ...r, canonical: keep ? 1 : 0, moving: 0 };
    });
    const inserted = await tx<{ code: string }[]>`
      INSERT INTO links ${tx(values as Row[], [...LINK_COLUMNS, "moving"])}
      ON CONFLICT (code) DO NOTHING RETURNING code`;
    const fresh = new Set(inserted.map((r) => r.code));
    const minutes = aggregates.minutes.filter((m) => fresh.has(m.code));
    if (minutes.length > 0) {
      await tx`
        INSERT INTO click_minutes ${tx(minutes as Row[], ["code", "minute_start", "human", "bot"])}
        ON CONFLICT (code, minute_start) DO UPDATE SET human = click_minutes.human + EXCLUDED.human, bot = click_minutes.bot + EXCLUDED.bot`;
    }
    const visitors = aggregates.visitors.filter((v) => fresh.has(v.code));
    if (visitors.length > 0) {
      await tx`INSERT INTO click_visitors ${tx(visitors as Row[], ["code", "day_start", "visitor"])} ON CONFLICT DO NOTHING`;
    }
    const dimensions = aggregates.dimensions.filter((d) => fresh.has(d.code));
    if (dimensions.length > 0) {
      await tx`
        INSERT INTO click_dimensions ${tx(dimensions as Row[], ["code", "day_start", "dimension", "dim_value", "clicks"])}
        ON CONFLICT (code, day_start, dimension, dim_value) DO UPDATE SET clicks = click_dimensions.clicks + EXCLUDED.clicks`;
    }
    await applyPendingClicks(
      tx as unknown as Sql,
      rows.map((r) => String(r.code)),
    );
    return fresh;
  })) as Set<string>;
}

/** Counts the analytics worker kept for rows that had not arrived; only for rows now here and not frozen. */
export async function applyPendingClicks(sql: Sql, codes?: string[]): Promise<number> {
  const filter = codes === undefined ? sql`` : sql`AND p.code = ANY(${codes}::text[])`;
  const rows = await sql`
    WITH taken AS (
      DELETE FROM pending_clicks p USING links l
      WHERE l.code = p.code AND l.moving = 0 ${filter}
      RETURNING p.code, p.clicks)
    UPDATE links SET clicks = links.clicks + taken.clicks FROM taken WHERE links.code = taken.code
    RETURNING links.code`;
  return rows.length;
}

export async function readAggregates(sql: Sql, codes: string[]): Promise<Aggregates> {
  const [minutes, visitors, dimensions] = await Promise.all([
    sql<Aggregates["minutes"]>`SELECT code, minute_start, human, bot FROM click_minutes WHERE code = ANY(${codes}::text[])`,
    sql<Aggregates["visitors"]>`SELECT code, day_start, visitor FROM click_visitors WHERE code = ANY(${codes}::text[])`,
    sql<Aggregates["dimensions"]>`SELECT code, day_start, dimension, dim_value, clicks FROM click_dimensions WHERE code = ANY(${codes}::text[])`,
  ]);
  return { minutes: [...minutes], visitors: [...visitors], dimensions: [...dimensions] };
}

export async function readLinks(sql: Sql, codes: string[], frozenOnly: boolean): Promise<LinkCopy[]> {
  const rows = await sql<LinkCopy[]>`
    SELECT ${sql(LINK_COLUMNS as unknown as string[])} FROM links
    WHERE code = ANY(${codes}::text[]) ${frozenOnly ? sql`AND moving = 1` : sql``}`;
  return [...rows];
}

/** The four steps above for codes that live on `from` and belong on `to`; returns codes moved. */
export async function moveBatch(
  conn: ShardConnections,
  from: MoveTarget,
  to: MoveTarget,
  codes: string[],
  ownsUrl: (urlHash: string) => boolean,
): Promise<number> {
  const source = conn.primary(from.members);
  const target = conn.primary(to.members);
  await source`UPDATE links SET moving = 1 WHERE code = ANY(${codes}::text[]) AND moving = 0`;
  const rows = await readLinks(source, codes, true);
  if (rows.length === 0) return 0;
  const frozen = rows.map((r) => String(r.code));
  const aggregates = await readAggregates(source, frozen);
  await copyLinks(target, rows, aggregates, ownsUrl);
  const present = await target<{ code: string }[]>`SELECT code FROM links WHERE code = ANY(${frozen}::text[])`;
  if (present.length !== frozen.length) {
    throw new Error(`copy to shard-${to.index} incomplete: ${frozen.length - present.length} of ${frozen.length} links missing after the copy`);
  }
  await source.begin(async (tx) => {
    await tx`DELETE FROM links WHERE code = ANY(${frozen}::text[]) AND moving = 1`;
    await tx`DELETE FROM click_minutes WHERE code = ANY(${frozen}::text[])`;
    await tx`DELETE FROM click_visitors WHERE code = ANY(${frozen}::text[])`;
    await tx`DELETE FROM click_dimensions WHERE code = ANY(${frozen}::text[])`;
  });
  const keys = frozen.map((c) => `rl:link:${c}`);
  await Promise.all([conn.cache(from.members), conn.cache(to.members)].map((r) => (r ? r.del(...keys).catch(() => 0) : Promise.resolve(0))));
  return frozen.length;
}
