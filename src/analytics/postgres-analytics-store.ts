/**
 * Distributed AnalyticsStore: a link's aggregates live on the link's own shard (the same ring as
 * the LinkStore), so `links.clicks` and the counters change in one local transaction and a shard
 * that is down delays only its own links' analytics.
 *
 * Writes: one transaction per shard touched by a batch. It locks the partition's row in
 * consumer_offsets (so a second worker handed the same partition during a rebalance waits, then
 * skips what the first applied), drops events below the stored offset, inserts event ids into
 * processed_events (a conflict = already counted), adds the counters, and stores the new offset.
 * Reads: the shard's replica within a timeout, then its primary.
 *
 * Pools are this module's own (small, lazily connected) rather than the LinkStore's, so a burst of
 * analytics writes never takes connections that redirects and creates need.
 */
import postgres from "postgres";
import { Deadline, withTimeout } from "../cluster";
import type { ShardNodes } from "../config";
import type { LinkEvent } from "../events";
import { aggregateClicks, isCountableClick, splitDelta, ClickTally, DAY_MS, type ClickDelta } from "./click-aggregation";
import {
  EMPTY_RESULT,
  addResults,
  eventsFromOffset,
  topFromRows,
  type AnalyticsStore,
  type ApplyResult,
  type ClickBatch,
  type StatsData,
  type StatsQuery,
} from "./analytics-store";
import { log } from "../log";

type Sql = postgres.Sql<Record<string, never>>;
type Tx = postgres.TransactionSql<Record<string, never>>;

export interface PostgresAnalyticsOptions {
  /** the nodes of shard i under the current topology (opened on first use) */
  nodesOf(index: number): ShardNodes;
  /** every shard index that may hold rows now */
  shardIndices(): number[];
  /**
   * The owner under the current map (the LinkStore's ring). Mid-move that is the link's new shard
   * even before its row arrives: aggregates then wait there for it (a reshard merges the old ones
   * in), and the links.clicks part goes to pending_clicks until the row has moved.
   */
  shardOf(code: string): number;
  /** whether a move runs (links.clicks misses are then kept in pending_clicks) */
  moving?(): boolean;
  /** mid-move: the code's shard under the map being moved from, when it differs (stats read both) */
  previousShardOf?(code: string): number | null;
  connectTimeoutMs: number;
  /** one read (per node) and one batch transaction */
  queryTimeoutMs: number;
  /** connections per node for this store */
  poolMax: number;
}

interface ShardPools {
  index: number;
  primary: Sql;
  replica: Sql;
}

function pool(url: string, max: number, connectTimeoutMs: number): Sql {
  return postgres(url, {
    max,
    connect_timeout: Math.max(1, Math.ceil(connectTimeoutMs / 1000)),
    idle_timeout: 30,
    onnotice: () => {},
    connection: { application_name: "ringlink-analytics" },
  });
}

export class PostgresAnalyticsStore implements AnalyticsStore {
  readonly description: string;
  private readonly pools = new Map<number, ShardPools & { urls: string }>();

  constructor(private readonly opts: PostgresAnalyticsOptions) {
    this.description = `postgres analytics: ${opts.shardIndices().length} shard(s)`;
  }

  private shardAt(index: number): ShardPools {
    const nodes = this.opts.nodesOf(index);
    const urls = `${nodes.primary} ${nodes.replica}`;
    let shard = this.pools.get(index);
    if (shard?.urls === urls) return shard;
    if (shard) void Promise.all([shard.primary.end({ timeout: 5 }), shard.replica.end({ timeout: 5 })]).catch(() => {});
    shard = {
      index,
      urls,
      primary: pool(nodes.primary, this.opts.poolMax, this.opts.connectTimeoutMs),
      replica: pool(nodes.replica, this.opts.poolMax, this.opts.connectTimeoutMs),
    };
    this.pools.set(index, shard);
    return shard;
  }

  private get shards(): ShardPools[] {
    return this.opts.shardIndices().map((i) => this.shardAt(i));
  }

  private shardFor(code: string): ShardPools {
    return this.shardAt(this.opts.shardOf(code));
  }

  /** Splits a batch by shard, keeping each event's offset and the batch's offset position. */
  private split(batch: ClickBatch): Map<ShardPools, ClickBatch> {
    const parts = new Map<ShardPools, { events: LinkEvent[]; offsets: number[] }>();
    batch.events.forEach((event, i) => {
      const shard = this.shardFor(event.short_code);
      let part = parts.get(shard);
      if (!part) {
        part = { events: [], offsets: [] };
        parts.set(shard, part);
      }
      part.events.push(event);
      if (batch.kafka) part.offsets.push(batch.kafka.offsets[i]!);
    });
    const out = new Map<ShardPools, ClickBatch>();
    for (const [shard, part] of parts) {
      out.set(shard, batch.kafka ? { events: part.events, kafka: { ...batch.kafka, offsets: part.offsets } } : { events: part.events });
    }
    return out;
  }

  async apply(batch: ClickBatch): Promise<ApplyResult> {
    const parts = this.split(batch);
    // Shards commit independently; if one fails the caller retries the whole batch, and the shards
    // that already committed skip it by offset and event id.
    const results = await Promise.all(
      [...parts].map(([shard, part]) => withTimeout(this.applyOnShard(shard, part), this.opts.queryTimeoutMs * 4, `shard-${shard.index}/primary`)),
    );
    return results.reduce(addResults, EMPTY_RESULT);
  }

  private applyOnShard(shard: ShardPools, batch: ClickBatch): Promise<ApplyResult> {
    const now = Date.now();
    return shard.primary.begin(async (tx: Tx): Promise<ApplyResult> => {
      let stored: number | null = null;
      const kafka = batch.kafka;
      if (kafka) {
        const { group, topic, partition } = kafka.source;
        await tx`INSERT INTO consumer_offsets (consumer_group, topic, partition_id, next_offset, updated_at)
                 VALUES (${group}, ${topic}, ${partition}, 0, ${now}) ON CONFLICT DO NOTHING`;
        const [row] = await tx<{ next_offset: string }[]>`
          SELECT next_offset FROM consumer_offsets WHERE consumer_group = ${group} AND topic = ${topic} AND partition_id = ${partition} FOR UPDATE`;
        stored = row ? Number(row.next_offset) : null;
      }
      const { events, skipped } = eventsFromOffset(batch, stored);

      // First occurrence per id: a batch can carry the same event twice (a producer retry).
      const candidates = new Map<string, LinkEvent>();
      let duplicates = 0;
      for (const e of events) {
        if (!isCountableClick(e)) continue;
        if (candidates.has(e.event_id)) duplicates++;
        else candidates.set(e.event_id, e);
      }
      let fresh: LinkEvent[] = [];
      if (candidates.size > 0) {
        const ids = [...candidates.keys()];
        const inserted = await tx<{ event_id: string }[]>`
          INSERT INTO processed_events (event_id, processed_at)
          SELECT id, ${now} FROM unnest(${ids}::text[]) AS id
          ON CONFLICT (event_id) DO NOTHING RETURNING event_id`;
        const newIds = new Set(inserted.map((r) => r.event_id));
        fresh = ids.filter((id) => newIds.has(id)).map((id) => candidates.get(id)!);
        duplicates += candidates.size - fresh.length;
      }

      const delta = aggregateClicks(fresh);
      await writeDelta(tx, delta, this.opts.moving?.() ?? false);
      if (kafka) {
        const { group, topic, partition } = kafka.source;
        await tx`UPDATE consumer_offsets SET next_offset = GREATEST(next_offset, ${kafka.nextOffset}), updated_at = ${now}
                 WHERE consumer_group = ${group} AND topic = ${topic} AND partition_id = ${partition}`;
      }
      return { counted: delta.counted, duplicates, alreadyApplied: skipped };
    }) as Promise<ApplyResult>;
  }

  async applyDelta(delta: ClickDelta): Promise<ClickDelta | null> {
    const parts = splitDelta(delta, Number.MAX_SAFE_INTEGER, (code) => this.opts.shardOf(code));
    const outcomes = await Promise.allSettled(
      parts.map((part) => {
        // No client-side timeout here: a transaction that timed out for us but committed later would
        // be merged back and counted twice. A dead primary fails the connection instead.
        const shard = this.shardFor(part.clicksByCode.keys().next().value!);
        return shard.primary.begin((tx: Tx) => writeDelta(tx, part, this.opts.moving?.() ?? false)) as Promise<void>;
      }),
    );
    const left = new ClickTally();
    outcomes.forEach((outcome, i) => {
      if (outcome.status !== "rejected") return;
      left.merge(parts[i]!);
      log.warn("click aggregates not written, will retry", { error: String(outcome.reason) });
    });
    return left.isEmpty ? null : left.take();
  }

  /**
   * Mid-move a link's aggregates may sit on two shards (the old one until its batch is copied, the
   * new one for clicks counted since the move began): both are read and added up.
   */
  async read(q: StatsQuery): Promise<StatsData> {
    const old = this.opts.previousShardOf?.(q.code) ?? null;
    const here = this.readShard(this.shardFor(q.code), q);
    if (old === null) return here;
    const [a, b] = await Promise.all([here, this.readShard(this.shardAt(old), q)]);
    return mergeStats(a, b, q.topLimit);
  }

  private async readShard(shard: ShardPools, q: StatsQuery): Promise<StatsData> {
    const deadline = Deadline.after(this.opts.queryTimeoutMs * 2);
    try {
      return await withTimeout(this.readFrom(shard.replica, q), deadline.clip(this.opts.queryTimeoutMs), `shard-${shard.index}/replica`);
    } catch {
      // Replica down, lagging into a conflict, or slow: the primary has the same rows (and newer ones).
      return withTimeout(this.readFrom(shard.primary, q), Math.max(deadline.remaining(), this.opts.queryTimeoutMs / 2), `shard-${shard.index}/primary`);
    }
  }

  private async readFrom(sql: Sql, q: StatsQuery): Promise<StatsData> {
    const dayFrom = Math.floor(q.from / DAY_MS) * DAY_MS;
    const dayTo = Math.ceil(q.to / DAY_MS) * DAY_MS;
    // REPEATABLE READ: the series and the top lists describe one snapshot.
    const [seriesRows, uniqueRows, topRows] = (await sql.begin("ISOLATION LEVEL REPEATABLE READ READ ONLY", (tx: Tx) => [
      tx<{ t: string; human: string; bot: string }[]>`
        SELECT minute_start - (minute_start % ${q.stepMs}) AS t, SUM(human) AS human, SUM(bot) AS bot FROM click_minutes
        WHERE code = ${q.code} AND minute_start >= ${q.from} AND minute_start < ${q.to} GROUP BY 1 ORDER BY 1`,
      tx<{ n: string }[]>`SELECT COUNT(*) AS n FROM click_visitors WHERE code = ${q.code} AND day_start >= ${dayFrom} AND day_start < ${dayTo}`,
      tx<{ dimension: string; value: string; clicks: string }[]>`
        SELECT dimension, value, clicks FROM (
          SELECT dimension, dim_value AS value, SUM(clicks) AS clicks,
                 ROW_NUMBER() OVER (PARTITION BY dimension ORDER BY SUM(clicks) DESC, dim_value) AS rank
          FROM click_dimensions WHERE code = ${q.code} AND day_start >= ${dayFrom} AND day_start < ${dayTo}
          GROUP BY dimension, dim_value) ranked
        WHERE rank <= ${q.topLimit}`,
    ])) as unknown as [Array<{ t: string; human: string; bot: string }>, Array<{ n: string }>, Array<{ dimension: string; value: string; clicks: string }>];
    return {
      series: seriesRows.map((r) => ({ t: Number(r.t), human: Number(r.human), bot: Number(r.bot) })),
      unique: Number(uniqueRows[0]?.n ?? 0),
      top: topFromRows(topRows.map((r) => ({ dimension: r.dimension, value: r.value, clicks: Number(r.clicks) }))),
    };
  }

  /** Summed on each shard's primary: a replica may lag the writes the caller waits for. */
  async humanClickTotal(): Promise<number> {
    const sums = await Promise.all(
      this.shards.map(async (shard) => Number((await shard.primary<{ n: string | null }[]>`SELECT SUM(human)::text AS n FROM click_minutes`)[0]?.n ?? 0)),
    );
    return sums.reduce((a, b) => a + b, 0);
  }

  async pruneProcessed(before: number): Promise<number> {
    let total = 0;
    for (const shard of this.shards) {
      // In slices, so pruning a large backlog never holds one long transaction on the primary.
      for (;;) {
        const result = await shard.primary`
          DELETE FROM processed_events WHERE event_id IN (
            SELECT event_id FROM processed_events WHERE processed_at < ${before} LIMIT 10000)`;
        total += result.count;
        if (result.count < 10_000) break;
      }
    }
    return total;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].flatMap((s) => [s.primary.end({ timeout: 2 }), s.replica.end({ timeout: 1 })]));
  }
}

function mergeStats(a: StatsData, b: StatsData, topLimit: number): StatsData {
  const series = new Map<number, { t: number; human: number; bot: number }>();
  for (const p of [...a.series, ...b.series]) {
    const s = series.get(p.t) ?? { t: p.t, human: 0, bot: 0 };
    s.human += p.human;
    s.bot += p.bot;
    series.set(p.t, s);
  }
  const rows = new Map<string, { dimension: string; value: string; clicks: number }>();
  for (const [dimension, list] of [...Object.entries(a.top), ...Object.entries(b.top)]) {
    for (const e of list) {
      const key = `${dimension}\u0000${e.value}`;
      const r = rows.get(key) ?? { dimension, value: e.value, clicks: 0 };
      r.clicks += e.clicks;
      rows.set(key, r);
    }
  }
  const top = topFromRows(rows.values());
  for (const list of Object.values(top)) list.splice(topLimit);
  // A visitor seen on both shards the same day counts twice here: only while the move runs.
  return { series: [...series.values()].sort((x, y) => x.t - y.t), unique: a.unique + b.unique, top };
}

/** Adds a delta's rows inside the caller's transaction, one statement per table (arrays via unnest). */
async function writeDelta(tx: Tx, delta: ClickDelta, moving: boolean): Promise<void> {
  if (delta.minutes.length > 0) {
    const m = delta.minutes;
    await tx`
      INSERT INTO click_minutes (code, minute_start, human, bot)
      SELECT * FROM unnest(${m.map((r) => r.code)}::text[], ${m.map((r) => r.minute)}::bigint[], ${m.map((r) => r.human)}::bigint[], ${m.map((r) => r.bot)}::bigint[])
      ON CONFLICT (code, minute_start) DO UPDATE SET human = click_minutes.human + EXCLUDED.human, bot = click_minutes.bot + EXCLUDED.bot`;
  }
  if (delta.visitors.length > 0) {
    const v = delta.visitors;
    await tx`
      INSERT INTO click_visitors (code, day_start, visitor)
      SELECT * FROM unnest(${v.map((r) => r.code)}::text[], ${v.map((r) => r.day)}::bigint[], ${v.map((r) => r.visitor)}::text[])
      ON CONFLICT DO NOTHING`;
  }
  if (delta.dimensions.length > 0) {
    const d = delta.dimensions;
    await tx`
      INSERT INTO click_dimensions (code, day_start, dimension, dim_value, clicks)
      SELECT * FROM unnest(${d.map((r) => r.code)}::text[], ${d.map((r) => r.day)}::bigint[], ${d.map((r) => r.dimension)}::text[],
                           ${d.map((r) => r.value)}::text[], ${d.map((r) => r.clicks)}::bigint[])
      ON CONFLICT (code, day_start, dimension, dim_value) DO UPDATE SET clicks = click_dimensions.clicks + EXCLUDED.clicks`;
  }
  if (delta.clicksByCode.size > 0) {
    const codes = [...delta.clicksByCode.keys()];
    const counts = [...delta.clicksByCode.values()];
    const updated = await tx<{ code: string }[]>`
      UPDATE links SET clicks = links.clicks + v.n
      FROM unnest(${codes}::text[], ${counts}::bigint[]) AS v(code, n) WHERE links.code = v.code AND links.moving = 0
      RETURNING links.code`;
    if (moving && updated.length < codes.length) {
      // The row is still on its old shard (or frozen for copying): keep the count for it here.
      const landed = new Set(updated.map((r) => r.code));
      const waiting = codes.map((c, i) => [c, counts[i]!] as const).filter(([c]) => !landed.has(c));
      await tx`
        INSERT INTO pending_clicks (code, clicks)
        SELECT * FROM unnest(${waiting.map(([c]) => c)}::text[], ${waiting.map(([, n]) => n)}::bigint[])
        ON CONFLICT (code) DO UPDATE SET clicks = pending_clicks.clicks + EXCLUDED.clicks`;
    }
  }
}
