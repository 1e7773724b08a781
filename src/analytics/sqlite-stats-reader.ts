/**
 * Reads a link's stats from the embedded aggregates: the series per bucket, unique visitors and
 * the top lists, in one read transaction so they describe the same moment. Runs on the stats
 * thread (stats-thread.ts) over a connection of its own: a year of minute rows plus 200,000
 * distinct referrers of one day took ~1.1 s, all of it on the serving thread before.
 */
import type { Database, Statement } from "bun:sqlite";
import { topFromRows, type StatsData, type StatsQuery } from "./analytics-store";
import { DAY_MS } from "./click-aggregation";

type Row<T> = Statement<T, [Record<string, string | number | bigint | null>]>;

export class SqliteStatsReader {
  private readonly series: Row<{ t: number; human: number; bot: number }>;
  private readonly unique: Row<{ n: number }>;
  private readonly top: Row<{ dimension: string; value: string; clicks: number }>;

  constructor(private readonly db: Database) {
    this.series = db.query(
      `SELECT minute_start - (minute_start % $step) AS t, SUM(human) AS human, SUM(bot) AS bot FROM click_minutes
       WHERE code = $code AND minute_start >= $from AND minute_start < $to GROUP BY t ORDER BY t`,
    );
    this.unique = db.query("SELECT COUNT(*) AS n FROM click_visitors WHERE code = $code AND day_start >= $from AND day_start < $to");
    this.top = db.query(
      `SELECT dimension, value, clicks FROM (
         SELECT dimension, dim_value AS value, SUM(clicks) AS clicks,
                ROW_NUMBER() OVER (PARTITION BY dimension ORDER BY SUM(clicks) DESC, dim_value) AS rank
         FROM click_dimensions WHERE code = $code AND day_start >= $from AND day_start < $to
         GROUP BY dimension, dim_value) ranked
       WHERE rank <= $limit`,
    );
  }

  read(q: StatsQuery): StatsData {
    const days = { code: q.code, from: Math.floor(q.from / DAY_MS) * DAY_MS, to: Math.ceil(q.to / DAY_MS) * DAY_MS };
    return this.db
      .transaction((): StatsData => {
        const series = this.series.all({ code: q.code, from: q.from, to: q.to, step: q.stepMs }).map((r) => ({
          t: Number(r.t),
          human: Number(r.human),
          bot: Number(r.bot),
        }));
        const unique = Number(this.unique.get(days)?.n ?? 0);
        const top = topFromRows(
          this.top.all({ ...days, limit: q.topLimit }).map((r) => ({ dimension: r.dimension, value: r.value, clicks: Number(r.clicks) })),
        );
        return { series, unique, top };
      })
      .deferred();
  }
}
