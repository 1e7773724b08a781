/**
 * The aggregation rule, shared by embedded mode (in-process, SQLite) and the analytics worker
 * (Kafka, PostgreSQL): a batch of click events becomes a delta of counters, which a store adds to its
 * tables in one transaction. Pure and synchronous, so it is tested without any database.
 *
 * What counts: `link.clicked` events with status OK (a redirect was answered). NOT_FOUND and ERROR
 * events are traffic, not clicks. Buckets are UTC and come from the event's own `ts`, so an event
 * that arrives late (replayed from a spool an hour later) still lands in the minute it happened.
 */
import type { LinkEvent } from "../events";
import { DIMENSIONS, agentInfo, dimensionValues, type Dimension } from "./click-dimensions";

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export interface MinuteRow {
  code: string;
  /** epoch ms of the minute's start */
  minute: number;
  human: number;
  bot: number;
}

export interface VisitorRow {
  code: string;
  /** epoch ms of the UTC day's start */
  day: number;
  visitor: string;
}

export interface DimensionRow {
  code: string;
  day: number;
  dimension: Dimension;
  value: string;
  clicks: number;
}

export interface ClickDelta {
  /** countable clicks in the batch (human + bot) */
  counted: number;
  /** all clicks per code: what `links.clicks` grows by */
  clicksByCode: Map<string, number>;
  /** rows are sorted by key so concurrent writers lock them in the same order (no deadlocks) */
  minutes: MinuteRow[];
  visitors: VisitorRow[];
  dimensions: DimensionRow[];
}

export function isCountableClick(event: LinkEvent): boolean {
  return event.type === "read" && event.status === "OK" && typeof event.short_code === "string" && Number.isFinite(event.ts);
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const compareNumbers = (a: number, b: number): number => a - b;
/** dimension rows go out sorted by name like every other key */
const DIMENSION_ORDER = DIMENSIONS.map((dimension, index) => [dimension, index] as const).sort((a, b) => compareStrings(a[0], b[0]));

/** One UTC day of one code: who came, and what they came with. */
interface DayTally {
  visitors: Set<string>;
  /** per dimension, value -> clicks */
  dimensions: Map<string, number>[];
}

/** Everything one code accumulates in a batch; nested maps keep the per-click work to short keys. */
interface CodeTally {
  clicks: number;
  minutes: Map<number, { human: number; bot: number }>;
  days: Map<number, DayTally>;
}

/**
 * Unique visitors and the top lists count people: bot clicks add to `bot` in the minute series and
 * to `links.clicks`, but not to visitors or dimensions (a crawler's "browser" is not an audience).
 *
 * This runs once per click on the embedded redirect thread, so it tallies into nested maps keyed by
 * the code, the minute and the day (no composite string per click) and sorts only the few rows at the end.
 */
export function aggregateClicks(events: Iterable<LinkEvent>): ClickDelta {
  const codes = new Map<string, CodeTally>();
  let counted = 0;

  for (const event of events) {
    if (!isCountableClick(event)) continue;
    counted++;
    const code = event.short_code;
    let tally = codes.get(code);
    if (!tally) codes.set(code, (tally = { clicks: 0, minutes: new Map(), days: new Map() }));
    tally.clicks++;
    const ua = agentInfo(event.user_agent);

    // Keyed by the minute's (and day's) number, a small integer: epoch-ms keys are doubles, slower to hash.
    const minute = Math.floor(event.ts / MINUTE_MS);
    let row = tally.minutes.get(minute);
    if (!row) tally.minutes.set(minute, (row = { human: 0, bot: 0 }));
    if (ua.bot) {
      row.bot++;
      continue;
    }
    row.human++;

    const dayIndex = Math.floor(event.ts / DAY_MS);
    let day = tally.days.get(dayIndex);
    if (!day) tally.days.set(dayIndex, (day = { visitors: new Set(), dimensions: DIMENSIONS.map(() => new Map()) }));
    if (typeof event.visitor === "string" && event.visitor !== "") day.visitors.add(event.visitor.length > 64 ? event.visitor.slice(0, 64) : event.visitor);
    const values = dimensionValues(event, ua);
    for (let d = 0; d < values.length; d++) {
      const counts = day.dimensions[d]!;
      counts.set(values[d]!, (counts.get(values[d]!) ?? 0) + 1);
    }
  }
  return toDelta(counted, codes);
}

/** Rows sorted by (code, time, ...) so concurrent writers lock them in the same order. */
function toDelta(counted: number, codes: Map<string, CodeTally>): ClickDelta {
  const clicksByCode = new Map<string, number>();
  const minutes: MinuteRow[] = [];
  const visitors: VisitorRow[] = [];
  const dimensions: DimensionRow[] = [];
  for (const code of [...codes.keys()].sort(compareStrings)) {
    const tally = codes.get(code)!;
    clicksByCode.set(code, tally.clicks);
    for (const minute of [...tally.minutes.keys()].sort(compareNumbers)) {
      const { human, bot } = tally.minutes.get(minute)!;
      minutes.push({ code, minute: minute * MINUTE_MS, human, bot });
    }
    for (const dayIndex of [...tally.days.keys()].sort(compareNumbers)) {
      const day = tally.days.get(dayIndex)!;
      const dayStart = dayIndex * DAY_MS;
      for (const visitor of [...day.visitors].sort(compareStrings)) visitors.push({ code, day: dayStart, visitor });
      for (const [dimension, d] of DIMENSION_ORDER) {
        const counts = day.dimensions[d]!;
        for (const value of [...counts.keys()].sort(compareStrings)) dimensions.push({ code, day: dayStart, dimension, value, clicks: counts.get(value)! });
      }
    }
  }
  return { counted, clicksByCode, minutes, visitors, dimensions };
}
