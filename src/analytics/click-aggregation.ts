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
import { DIMENSIONS, classifyClick, type Dimension } from "./click-dimensions";

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

const floorTo = (ts: number, step: number): number => Math.floor(ts / step) * step;
const byKey = <T>(key: (row: T) => string) => (a: T, b: T) => {
  const ka = key(a);
  const kb = key(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/**
 * Unique visitors and the top lists count people: bot clicks add to `bot` in the minute series and
 * to `links.clicks`, but not to visitors or dimensions (a crawler's "browser" is not an audience).
 */
export function aggregateClicks(events: Iterable<LinkEvent>): ClickDelta {
  const clicksByCode = new Map<string, number>();
  const minutes = new Map<string, MinuteRow>();
  const visitors = new Map<string, VisitorRow>();
  const dimensions = new Map<string, DimensionRow>();
  let counted = 0;

  for (const event of events) {
    if (!isCountableClick(event)) continue;
    counted++;
    const code = event.short_code;
    clicksByCode.set(code, (clicksByCode.get(code) ?? 0) + 1);
    const click = classifyClick(event);

    const minute = floorTo(event.ts, MINUTE_MS);
    const minuteKey = `${code}\u0000${minute}`;
    let row = minutes.get(minuteKey);
    if (!row) minutes.set(minuteKey, (row = { code, minute, human: 0, bot: 0 }));
    if (click.human) row.human++;
    else row.bot++;
    if (!click.human) continue;

    const day = floorTo(event.ts, DAY_MS);
    if (typeof event.visitor === "string" && event.visitor !== "") {
      visitors.set(`${code}\u0000${day}\u0000${event.visitor}`, { code, day, visitor: event.visitor.slice(0, 64) });
    }
    for (const dimension of DIMENSIONS) {
      const value = click.values[dimension];
      const key = `${code}\u0000${day}\u0000${dimension}\u0000${value}`;
      const existing = dimensions.get(key);
      if (existing) existing.clicks++;
      else dimensions.set(key, { code, day, dimension, value, clicks: 1 });
    }
  }

  return {
    counted,
    clicksByCode: new Map([...clicksByCode].sort(byKey(([code]) => code))),
    minutes: [...minutes.values()].sort(byKey((r) => `${r.code}\u0000${String(r.minute).padStart(16, "0")}`)),
    visitors: [...visitors.values()].sort(byKey((r) => `${r.code}\u0000${String(r.day).padStart(16, "0")}\u0000${r.visitor}`)),
    dimensions: [...dimensions.values()].sort(byKey((r) => `${r.code}\u0000${String(r.day).padStart(16, "0")}\u0000${r.dimension}\u0000${r.value}`)),
  };
}
