/**
 * The AnalyticsStore port: where click aggregates are added and read. Embedded mode implements it
 * over the SQLite file the links live in; distributed mode over the link's PostgreSQL shard. Both
 * apply a batch in one transaction per database that dedupes by event id and (for a Kafka batch)
 * records the partition offset beside the counters, which is what makes a redelivery harmless.
 */
import type { LinkEvent } from "../events";
import type { ClickDelta } from "./click-aggregation";
import type { Dimension } from "./click-dimensions";

/** Where a Kafka batch came from: the key of its stored offset. */
export interface BatchSource {
  group: string;
  topic: string;
  partition: number;
}

export interface ClickBatch {
  events: readonly LinkEvent[];
  /** Kafka only: each event's offset (parallel to `events`), the source, and the offset after the batch */
  kafka?: { source: BatchSource; offsets: readonly number[]; nextOffset: number };
}

export interface ApplyResult {
  /** clicks added to the counters */
  counted: number;
  /** events already applied before (same event id) */
  duplicates: number;
  /** events below the offset a database had already applied (a redelivered Kafka batch) */
  alreadyApplied: number;
}

export interface StatsQuery {
  code: string;
  /** inclusive, aligned to `stepMs` */
  from: number;
  /** exclusive, aligned to `stepMs` */
  to: number;
  stepMs: number;
  topLimit: number;
}

export interface TopEntry {
  value: string;
  clicks: number;
}

export interface StatsData {
  /** only buckets with clicks, ascending by `t` (bucket start, epoch ms) */
  series: Array<{ t: number; human: number; bot: number }>;
  /** distinct human visitors per UTC day, summed over the days that overlap [from, to) */
  unique: number;
  /** human clicks by dimension over the days that overlap [from, to), most clicked first */
  top: Record<Dimension, TopEntry[]>;
}

export interface AnalyticsStore {
  readonly description: string;
  apply(batch: ClickBatch): Promise<ApplyResult>;
  /**
   * Adds counters gathered in this process (embedded mode: no broker, no event ids). Each database
   * commits its part on its own; what could not be written comes back, to be merged into the next
   * delta (never retried whole, which would count a committed part twice). Null: all written.
   */
  applyDelta(delta: ClickDelta): Promise<ClickDelta | null>;
  read(query: StatsQuery): Promise<StatsData>;
  /**
   * Human clicks recorded over every link and all time: one sum, for checks that the clicks a
   * load produced were all counted (the bench compares it before and after a run).
   */
  humanClickTotal(): Promise<number>;
  /** Forgets processed event ids older than `before` (epoch ms); returns how many went. */
  pruneProcessed(before: number): Promise<number>;
  close(): Promise<void>;
}

export const EMPTY_RESULT: ApplyResult = { counted: 0, duplicates: 0, alreadyApplied: 0 };

export function addResults(a: ApplyResult, b: ApplyResult): ApplyResult {
  return { counted: a.counted + b.counted, duplicates: a.duplicates + b.duplicates, alreadyApplied: a.alreadyApplied + b.alreadyApplied };
}

/**
 * The events of a batch a database still has to apply, given the offset it recorded for the batch's
 * partition. Without Kafka metadata every event is new as far as offsets go.
 */
export function eventsFromOffset(batch: ClickBatch, storedNextOffset: number | null): { events: LinkEvent[]; skipped: number } {
  if (!batch.kafka || storedNextOffset === null) return { events: [...batch.events], skipped: 0 };
  const events: LinkEvent[] = [];
  const { offsets } = batch.kafka;
  for (let i = 0; i < batch.events.length; i++) {
    if (offsets[i]! >= storedNextOffset) events.push(batch.events[i]!);
  }
  return { events, skipped: batch.events.length - events.length };
}

/** Builds the `top` object from ranked rows (dimension, value, clicks). */
export function topFromRows(rows: Iterable<{ dimension: string; value: string; clicks: number }>): Record<Dimension, TopEntry[]> {
  const top: Record<Dimension, TopEntry[]> = { referrer: [], browser: [], os: [], device: [], country: [], variant: [] };
  for (const row of rows) {
    const list = top[row.dimension as Dimension];
    if (list) list.push({ value: row.value, clicks: row.clicks });
  }
  for (const list of Object.values(top)) list.sort((a, b) => b.clicks - a.clicks || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return top;
}
