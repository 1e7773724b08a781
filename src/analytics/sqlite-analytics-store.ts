/**
 * Embedded AnalyticsStore: the aggregates live in the same SQLite file as the links (its own
 * connection, WAL mode), so `links.clicks` and the minute counters move in one transaction.
 * The schema comes from sql/002_analytics.sql, applied by the SqliteLinkStore on open.
 */
import type { Database, Statement } from "bun:sqlite";
import { openDatabase } from "../sqlite";
import { aggregateClicks, isCountableClick, type ClickDelta } from "./click-aggregation";
import { EMPTY_RESULT, eventsFromOffset, type AnalyticsStore, type ApplyResult, type ClickBatch, type StatsData, type StatsQuery } from "./analytics-store";
import { ThreadPool, threadEntryUrl } from "../threads";
import type { StatsReadJob } from "./stats-thread";
import { log } from "../log";

type Row<T> = Statement<T, [Record<string, string | number | bigint | null>]>;

export class SqliteAnalyticsStore implements AnalyticsStore {
  readonly description: string;
  private readonly db: Database;
  private readonly stmts: {
    markProcessed: Row<{ event_id: string }>;
    addMinute: Row<unknown>;
    addVisitor: Row<unknown>;
    addDimension: Row<unknown>;
    addLinkClicks: Row<unknown>;
    readOffset: Row<{ next_offset: number }>;
    writeOffset: Row<unknown>;
    prune: Row<unknown>;
    humanTotal: Row<{ n: number | null }>;
  };

  private readonly readers = new ThreadPool<StatsReadJob, StatsData>({
    name: "stats reading",
    entry: threadEntryUrl("analytics/stats-thread.ts"),
    threads: 1,
    maxWaiting: 8,
    timeoutMs: 10_000,
  });

  constructor(private readonly path: string) {
    this.description = `sqlite:${path}`;
    this.db = openDatabase(path);
    this.stmts = {
      markProcessed: this.db.query(
        "INSERT INTO processed_events (event_id, processed_at) VALUES ($id, $at) ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
      ),
      addMinute: this.db.query(
        `INSERT INTO click_minutes (code, minute_start, human, bot) VALUES ($code, $minute, $human, $bot)
         ON CONFLICT (code, minute_start) DO UPDATE SET human = human + excluded.human, bot = bot + excluded.bot`,
      ),
      addVisitor: this.db.query("INSERT INTO click_visitors (code, day_start, visitor) VALUES ($code, $day, $visitor) ON CONFLICT DO NOTHING"),
      addDimension: this.db.query(
        `INSERT INTO click_dimensions (code, day_start, dimension, dim_value, clicks) VALUES ($code, $day, $dimension, $value, $clicks)
         ON CONFLICT (code, day_start, dimension, dim_value) DO UPDATE SET clicks = clicks + excluded.clicks`,
      ),
      addLinkClicks: this.db.query("UPDATE links SET clicks = clicks + $n WHERE code = $code"),
      readOffset: this.db.query("SELECT next_offset FROM consumer_offsets WHERE consumer_group = $group AND topic = $topic AND partition_id = $partition"),
      writeOffset: this.db.query(
        `INSERT INTO consumer_offsets (consumer_group, topic, partition_id, next_offset, updated_at) VALUES ($group, $topic, $partition, $next, $at)
         ON CONFLICT (consumer_group, topic, partition_id) DO UPDATE SET next_offset = MAX(next_offset, excluded.next_offset), updated_at = excluded.updated_at`,
      ),
      prune: this.db.query("DELETE FROM processed_events WHERE processed_at < $before"),
      humanTotal: this.db.query("SELECT SUM(human) AS n FROM click_minutes"),
    };
  }

  async apply(batch: ClickBatch): Promise<ApplyResult> {
    if (batch.events.length === 0 && !batch.kafka) return EMPTY_RESULT;
    const now = Date.now();
    // IMMEDIATE takes the write lock up front, so two writers queue on busy_timeout instead of one
    // failing with SQLITE_BUSY when it upgrades a read transaction.
    return this.db
      .transaction((): ApplyResult => {
        const kafka = batch.kafka;
        const key = kafka ? { group: kafka.source.group, topic: kafka.source.topic, partition: kafka.source.partition } : null;
        const stored = key ? (this.stmts.readOffset.get(key)?.next_offset ?? null) : null;
        const { events, skipped } = eventsFromOffset(batch, stored === null ? null : Number(stored));
        const fresh = [];
        let duplicates = 0;
        for (const event of events) {
          if (!isCountableClick(event)) continue;
          if (this.stmts.markProcessed.all({ id: event.event_id, at: now }).length > 0) fresh.push(event);
          else duplicates++;
        }
        const delta = aggregateClicks(fresh);
        this.writeDelta(delta);
        if (key && kafka) this.stmts.writeOffset.run({ ...key, next: kafka.nextOffset, at: now });
        return { counted: delta.counted, duplicates, alreadyApplied: skipped };
      })
      .immediate();
  }

  async applyDelta(delta: ClickDelta): Promise<ClickDelta | null> {
    try {
      this.db.transaction(() => this.writeDelta(delta)).immediate();
      return null;
    } catch (error) {
      log.warn("click aggregates not written, will retry", { error });
      return delta;
    }
  }

  private writeDelta(delta: ClickDelta): void {
    for (const r of delta.minutes) this.stmts.addMinute.run({ code: r.code, minute: r.minute, human: r.human, bot: r.bot });
    for (const r of delta.visitors) this.stmts.addVisitor.run({ code: r.code, day: r.day, visitor: r.visitor });
    for (const r of delta.dimensions) this.stmts.addDimension.run({ code: r.code, day: r.day, dimension: r.dimension, value: r.value, clicks: r.clicks });
    for (const [code, n] of delta.clicksByCode) this.stmts.addLinkClicks.run({ code, n });
  }

  /** On the stats thread: a long range or a link with many distinct referrers must not hold the serving thread. */
  read(q: StatsQuery): Promise<StatsData> {
    return this.readers.run({ path: this.path, query: q });
  }

  async humanClickTotal(): Promise<number> {
    return Number(this.stmts.humanTotal.get({})?.n ?? 0);
  }

  async pruneProcessed(before: number): Promise<number> {
    return this.stmts.prune.run({ before }).changes;
  }

  async close(): Promise<void> {
    this.readers.close();
    this.db.close();
  }
}
