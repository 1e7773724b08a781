/**
 * A link's click statistics over a time range: validates the range, rounds it out to whole
 * buckets, reads the aggregates (never raw events) and fills the gaps so the series is dense.
 * Knows nothing of HTTP: it takes strings and throws the typed errors of src/errors.
 */
import { InvalidInput } from "../errors";
import type { LinkRecord } from "../storage";
import type { AnalyticsStore, TopEntry } from "./analytics-store";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "./click-aggregation";

export const INTERVALS = ["minute", "hour", "day"] as const;
export type Interval = (typeof INTERVALS)[number];

const STEP_MS: Record<Interval, number> = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS };
/** The range used when `from` is left out, per interval: about 60, 24 and 30 buckets. */
const DEFAULT_SPAN_MS: Record<Interval, number> = { minute: HOUR_MS, hour: DAY_MS, day: 30 * DAY_MS };
/** A dense series is sent whole, so its length is capped (10,000 minutes is about a week). */
export const MAX_BUCKETS = 10_000;
export const DEFAULT_TOP = 10;
export const MAX_TOP = 100;

export interface StatsRequest {
  code: string;
  from?: string;
  to?: string;
  interval?: Interval;
  top?: number;
}

export interface LinkStats {
  code: string;
  from: string;
  to: string;
  interval: Interval;
  totals: { clicks: number; human: number; bot: number; unique: number };
  series: Array<{ t: string; human: number; bot: number }>;
  top: { referrers: TopEntry[]; browsers: TopEntry[]; os: TopEntry[]; devices: TopEntry[]; countries: TopEntry[]; variants: TopEntry[] };
}

export interface StatsServiceDeps {
  store: AnalyticsStore;
  /** throws NotFound / Gone like the link API does, so stats answer the same statuses */
  findLink(code: string): Promise<LinkRecord>;
  now?: () => number;
}

/** ISO 8601 (a date or a date-time) or epoch milliseconds. */
export function parseInstant(raw: string, field: "from" | "to"): number {
  const value = raw.trim();
  const ms = /^\d{1,15}$/.test(value) ? Number(value) : /^\d{4}-\d{2}-\d{2}([Tt ][\d:.]+([Zz]|[+-]\d{2}:?\d{2})?)?$/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) {
    throw new InvalidInput(
      `invalid_${field}`,
      `${field} must be an ISO 8601 date-time (2026-01-31T12:00:00Z) or epoch milliseconds (got '${value.slice(0, 40)}')`,
    );
  }
  return ms;
}

export class StatsService {
  private readonly now: () => number;

  constructor(private readonly deps: StatsServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** The bucket-aligned range [from, to) a request stands for; `to`'s own bucket is included. */
  resolveRange(req: Omit<StatsRequest, "code">): { from: number; to: number; interval: Interval; stepMs: number } {
    const interval = req.interval ?? "hour";
    const stepMs = STEP_MS[interval];
    const to = req.to === undefined ? this.now() : parseInstant(req.to, "to");
    const from = req.from === undefined ? to - DEFAULT_SPAN_MS[interval] + stepMs : parseInstant(req.from, "from");
    if (from > to) throw new InvalidInput("invalid_range", "from must not be later than to");
    const alignedFrom = Math.floor(from / stepMs) * stepMs;
    const alignedTo = Math.floor(to / stepMs) * stepMs + stepMs;
    const buckets = (alignedTo - alignedFrom) / stepMs;
    if (buckets > MAX_BUCKETS) {
      throw new InvalidInput(
        "too_many_buckets",
        `the range holds ${buckets} ${interval} buckets; at most ${MAX_BUCKETS} are allowed (use a coarser interval or a shorter range)`,
      );
    }
    return { from: alignedFrom, to: alignedTo, interval, stepMs };
  }

  async stats(req: StatsRequest): Promise<LinkStats> {
    const range = this.resolveRange(req);
    await this.deps.findLink(req.code);
    const data = await this.deps.store.read({ code: req.code, from: range.from, to: range.to, stepMs: range.stepMs, topLimit: req.top ?? DEFAULT_TOP });

    const byBucket = new Map(data.series.map((p) => [p.t, p]));
    const series: LinkStats["series"] = [];
    let human = 0;
    let bot = 0;
    for (let t = range.from; t < range.to; t += range.stepMs) {
      const point = byBucket.get(t);
      human += point?.human ?? 0;
      bot += point?.bot ?? 0;
      series.push({ t: new Date(t).toISOString(), human: point?.human ?? 0, bot: point?.bot ?? 0 });
    }
    return {
      code: req.code,
      from: new Date(range.from).toISOString(),
      to: new Date(range.to).toISOString(),
      interval: range.interval,
      totals: { clicks: human + bot, human, bot, unique: data.unique },
      series,
      top: {
        referrers: data.top.referrer,
        browsers: data.top.browser,
        os: data.top.os,
        devices: data.top.device,
        countries: data.top.country,
        variants: data.top.variant,
      },
    };
  }
}
