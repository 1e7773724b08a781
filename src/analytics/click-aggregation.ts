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
const MINUTES_PER_DAY = DAY_MS / MINUTE_MS;

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
export interface DayTally {
  visitors: Set<string>;
  /** per dimension, value -> clicks */
  dimensions: Map<string, number>[];
}

/** Everything one code accumulates in a batch; nested maps keep the per-click work to short keys. */
export interface CodeTally {
  clicks: number;
  minutes: Map<number, { human: number; bot: number }>;
  days: Map<number, DayTally>;
}

/**
 * Counters being gathered: clicks go in one at a time (as they arrive) and come out as a
 * ClickDelta. Unique visitors and the top lists count people: bot clicks add to `bot` in the
 * minute series and to `links.clicks`, but not to visitors or dimensions (a crawler's "browser" is
 * not an audience).
 *
 * It tallies into nested maps keyed by the code, the minute and the day (no composite string per
 * click) and sorts only the rows at the end; its size is bounded by distinct codes x minutes x
 * visitors, not by clicks, at ~2 KB per code. A Kafka batch is tallied so; embedded mode gathers
 * clicks in a ClickWindow (fixed-size records) and tallies one code at a time when it writes, and
 * merges deltas a store could not write in here.
 */
export class ClickTally {
  private codes = new Map<string, CodeTally>();
  private counted = 0;

  get isEmpty(): boolean {
    return this.codes.size === 0;
  }

  /** codes with counters waiting */
  get size(): number {
    return this.codes.size;
  }

  /** Adds a click; false when the event is not a countable click. */
  add(event: LinkEvent): boolean {
    if (!isCountableClick(event)) return false;
    this.counted++;
    const ua = agentInfo(event.user_agent);
    tallyClick(this.codeTally(event.short_code), Math.floor(event.ts / MINUTE_MS), ua.bot, event.visitor, ua.bot ? NO_VALUES : dimensionValues(event, ua));
    return true;
  }

  /** Puts back a delta that could not be written, so it goes out with the next one. */
  merge(delta: ClickDelta): void {
    this.counted += delta.counted;
    for (const [code, n] of delta.clicksByCode) this.codeTally(code).clicks += n;
    for (const r of delta.minutes) {
      const minutes = this.codeTally(r.code).minutes;
      const key = r.minute / MINUTE_MS;
      const row = minutes.get(key);
      if (row) {
        row.human += r.human;
        row.bot += r.bot;
      } else minutes.set(key, { human: r.human, bot: r.bot });
    }
    for (const r of delta.visitors) dayTallyOf(this.codeTally(r.code), r.day / DAY_MS).visitors.add(r.visitor);
    for (const r of delta.dimensions) {
      const counts = dayTallyOf(this.codeTally(r.code), r.day / DAY_MS).dimensions[DIMENSIONS.indexOf(r.dimension)]!;
      counts.set(r.value, (counts.get(r.value) ?? 0) + r.clicks);
    }
  }

  /**
   * The rows gathered so far as parts of about `maxRows` rows (a code's rows never split), built
   * one part per `next()`; the tally starts again empty at once. Building every row of a second of
   * traffic in one go held the redirect thread for 3-8 ms (visible in the p99); a caller that
   * writes each part in its own turn of the event loop spreads that out.
   */
  takeParts(maxRows: number): Iterable<ClickDelta> {
    const codes = this.codes;
    this.codes = new Map();
    this.counted = 0;
    return partsOf(codes, maxRows);
  }

  /** The rows gathered so far; the tally starts again empty. */
  take(): ClickDelta {
    const delta = toDelta(this.counted, this.codes);
    this.codes = new Map();
    this.counted = 0;
    return delta;
  }

  private codeTally(code: string): CodeTally {
    let tally = this.codes.get(code);
    if (!tally) {
      tally = newCodeTally();
      this.codes.set(code, tally);
    }
    return tally;
  }
}

const NO_VALUES: ReadonlyArray<string | null> = [];

/**
 * The aggregation rule for one click, shared by the event-by-event tally and the click window's
 * roll-up: the minute counter always; for a person also the day's visitor and each dimension value.
 * `minute` is the click's minute number (epoch ms / MINUTE_MS): integer keys hash faster than epoch ms.
 */
export function tallyClick(tally: CodeTally, minute: number, bot: boolean, visitor: string | null | undefined, values: ReadonlyArray<string | null>): void {
  tally.clicks++;
  let row = tally.minutes.get(minute);
  if (!row) {
    row = { human: 0, bot: 0 };
    tally.minutes.set(minute, row);
  }
  if (bot) {
    row.bot++;
    return;
  }
  row.human++;
  const day = dayTallyOf(tally, Math.floor(minute / MINUTES_PER_DAY));
  if (typeof visitor === "string" && visitor !== "") day.visitors.add(visitor.length > 64 ? visitor.slice(0, 64) : visitor);
  for (let d = 0; d < values.length; d++) {
    const value = values[d];
    if (value === null || value === undefined) continue;
    const counts = day.dimensions[d]!;
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
}

export const newCodeTally = (): CodeTally => ({ clicks: 0, minutes: new Map(), days: new Map() });

function dayTallyOf(tally: CodeTally, dayIndex: number): DayTally {
  let day = tally.days.get(dayIndex);
  if (!day) {
    day = { visitors: new Set(), dimensions: DIMENSIONS.map(() => new Map()) };
    tally.days.set(dayIndex, day);
  }
  return day;
}

export function aggregateClicks(events: Iterable<LinkEvent>): ClickDelta {
  const tally = new ClickTally();
  for (const event of events) tally.add(event);
  return tally.take();
}

/**
 * Cuts a delta into parts of about `maxRows` rows, never splitting one code's rows, each part
 * still sorted: written one part per transaction, a big delta never holds the thread (or a lock) long.
 * `groupOf` keeps codes of different groups (shards) in different parts.
 */
export function splitDelta(delta: ClickDelta, maxRows: number, groupOf: (code: string) => number = () => 0): ClickDelta[] {
  const parts = new Map<number, ClickDelta[]>();
  const current = (code: string, rows: number): ClickDelta => {
    const group = groupOf(code);
    let list = parts.get(group);
    if (!list) {
      list = [];
      parts.set(group, list);
    }
    const last = list[list.length - 1];
    const size = last ? last.minutes.length + last.visitors.length + last.dimensions.length + last.clicksByCode.size : 0;
    if (last && (size === 0 || size + rows <= maxRows)) return last;
    const part: ClickDelta = { counted: 0, clicksByCode: new Map(), minutes: [], visitors: [], dimensions: [] };
    list.push(part);
    return part;
  };
  // Rows are sorted by code, so each code's rows are one run in each list.
  const runs = (rows: readonly { code: string }[]) => {
    const byCode = new Map<string, number[]>();
    rows.forEach((r, i) => {
      const list = byCode.get(r.code);
      if (list) list.push(i);
      else byCode.set(r.code, [i]);
    });
    return byCode;
  };
  const minutes = runs(delta.minutes);
  const visitors = runs(delta.visitors);
  const dimensions = runs(delta.dimensions);
  for (const [code, clicks] of delta.clicksByCode) {
    const m = minutes.get(code) ?? [];
    const v = visitors.get(code) ?? [];
    const d = dimensions.get(code) ?? [];
    const part = current(code, 1 + m.length + v.length + d.length);
    part.clicksByCode.set(code, clicks);
    part.counted += clicks;
    for (const i of m) part.minutes.push(delta.minutes[i]!);
    for (const i of v) part.visitors.push(delta.visitors[i]!);
    for (const i of d) part.dimensions.push(delta.dimensions[i]!);
  }
  return [...parts.values()].flat();
}

function* partsOf(codes: Map<string, CodeTally>, maxRows: number): Generator<ClickDelta> {
  let part = emptyDelta();
  let rows = 0;
  for (const code of [...codes.keys()].sort(compareStrings)) {
    rows += appendCode(part, code, codes.get(code)!);
    if (rows >= maxRows) {
      yield part;
      part = emptyDelta();
      rows = 0;
    }
  }
  if (rows > 0) yield part;
}

const emptyDelta = (): ClickDelta => ({ counted: 0, clicksByCode: new Map(), minutes: [], visitors: [], dimensions: [] });

/** Rows sorted by (code, time, ...) so concurrent writers lock them in the same order. */
function toDelta(counted: number, codes: Map<string, CodeTally>): ClickDelta {
  const delta = emptyDelta();
  for (const code of [...codes.keys()].sort(compareStrings)) appendCode(delta, code, codes.get(code)!);
  delta.counted = counted;
  return delta;
}

// Most codes of a wide window have one minute, one day, one visitor and one value per dimension:
// those skip the copy and the sort. Strings sort natively (UTF-16 order, as `<` compares).
const sortedNumbers = (keys: Map<number, unknown>): Iterable<number> => (keys.size < 2 ? keys.keys() : [...keys.keys()].sort(compareNumbers));
const sortedStrings = (keys: Map<string, unknown> | Set<string>): Iterable<string> => (keys.size < 2 ? keys.keys() : [...keys.keys()].sort());

/** Adds one code's rows (sorted) to a delta; returns how many rows that was. */
export function appendCode(delta: ClickDelta, code: string, tally: CodeTally): number {
  const before = delta.minutes.length + delta.visitors.length + delta.dimensions.length;
  delta.clicksByCode.set(code, tally.clicks);
  delta.counted += tally.clicks;
  for (const minute of sortedNumbers(tally.minutes)) {
    const { human, bot } = tally.minutes.get(minute)!;
    delta.minutes.push({ code, minute: minute * MINUTE_MS, human, bot });
  }
  for (const dayIndex of sortedNumbers(tally.days)) {
    const day = tally.days.get(dayIndex)!;
    const dayStart = dayIndex * DAY_MS;
    for (const visitor of sortedStrings(day.visitors)) delta.visitors.push({ code, day: dayStart, visitor });
    for (const [dimension, d] of DIMENSION_ORDER) {
      const counts = day.dimensions[d]!;
      for (const value of sortedStrings(counts)) delta.dimensions.push({ code, day: dayStart, dimension, value, clicks: counts.get(value)! });
    }
  }
  return 1 + delta.minutes.length + delta.visitors.length + delta.dimensions.length - before;
}
