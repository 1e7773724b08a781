/**
 * The wire format of a Kafka record: many events in one JSON object.
 *
 * kafkajs spends CPU per record and per byte on the serving thread (encoding, buffer copies, a
 * CRC32C in JavaScript), and the broker pays per record too. So a send packs its events into a few
 * records, and click events, which are alike, go as rows of a table: strings that repeat (user
 * agent, referrer, node, status, source...) are written once per record in a dictionary and rows
 * point at them. A click costs about 90 bytes on the wire instead of about 400.
 *
 *   {"v":2,"t0":<ms>,"d":["Mozilla/5.0 ...","OK","l1",...],"e":[[event_id,code,ts-t0,latency_ms,visitor,node,status,source,cache,user_agent,referrer,country,redis,db,variant],...]}
 *   {"v":1,"events":[{...LinkEvent...},...]}        anything else (link.created)
 *   {...LinkEvent...}                               one event per record (older producers)
 *
 * Dictionary columns hold an index into "d", or -1 for null. Rows of older producers end before
 * `variant` (the A/B split's variant, added last) and decode with no variant.
 */
import { toLinkEvent, type LinkEvent } from "./link-event";

const DICTIONARY_FIELDS = ["node", "status", "source", "cache", "user_agent", "referrer", "country", "redis", "db", "variant"] as const;
type DictionaryField = (typeof DICTIONARY_FIELDS)[number];
/** columns before the dictionary ones: event_id, short_code, ts - t0, latency_ms, visitor */
const INLINE_COLUMNS = 5;

/** An upper bound of the bytes an event adds to a record, to keep records under the broker's limit. */
export function recordBytesOf(event: LinkEvent): number {
  return (
    160 +
    event.event_id.length +
    event.short_code.length +
    (event.user_agent?.length ?? 0) +
    (event.referrer?.length ?? 0) +
    (event.url?.length ?? 0) +
    (event.visitor?.length ?? 0)
  );
}

/** One record's value for these events (all of one topic). */
export function encodeRecord(events: readonly LinkEvent[]): string {
  if (events.length === 0 || !events.every((e) => e.type === "read")) return JSON.stringify({ v: 1, events });
  const dictionary: string[] = [];
  const index = new Map<string, number>();
  const ref = (value: string | null | undefined): number => {
    if (value === null || value === undefined) return -1;
    let i = index.get(value);
    if (i === undefined) {
      i = dictionary.length;
      dictionary.push(value);
      index.set(value, i);
    }
    return i;
  };
  const t0 = events[0]!.ts;
  const rows = new Array<unknown[]>(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    rows[i] = [
      e.event_id,
      e.short_code,
      e.ts - t0,
      Math.round(e.latency_ms * 1000) / 1000,
      e.visitor ?? null,
      ref(e.node),
      ref(e.status),
      ref(e.source),
      ref(e.cache),
      ref(e.user_agent),
      ref(e.referrer),
      ref(e.country),
      ref(e.redis),
      ref(e.db),
      ref(e.variant),
    ];
  }
  return JSON.stringify({ v: 2, t0, d: dictionary, e: rows });
}

export interface DecodedRecord {
  events: LinkEvent[];
  /** entries that were not well-formed events (skipped, counted) */
  malformed: number;
}

/**
 * A record's events. Whatever is not a well-formed event is skipped and counted rather than
 * thrown: a consumer must never stall forever on one bad record.
 */
export function decodeRecord(raw: string | Buffer | null | undefined): DecodedRecord {
  if (raw === null || raw === undefined) return { events: [], malformed: 1 };
  const text = typeof raw === "string" ? raw : raw.toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { events: [], malformed: 1 };
  }
  if (typeof value !== "object" || value === null) return { events: [], malformed: 1 };
  const record = value as { v?: unknown; events?: unknown; t0?: unknown; d?: unknown; e?: unknown };
  if (record.v === 2) return decodeClickTable(record.t0, record.d, record.e);
  const list = record.v === 1 && Array.isArray(record.events) ? record.events : record.v === undefined ? [value] : null;
  if (list === null) return { events: [], malformed: 1 };
  const events: LinkEvent[] = [];
  let malformed = 0;
  for (const item of list) {
    const event = toLinkEvent(item);
    if (event) events.push(event);
    else malformed++;
  }
  return { events, malformed };
}

function decodeClickTable(t0: unknown, d: unknown, rows: unknown): DecodedRecord {
  if (typeof t0 !== "number" || !Array.isArray(d) || !Array.isArray(rows)) return { events: [], malformed: 1 };
  const dictionary = d as unknown[];
  const events: LinkEvent[] = [];
  let malformed = 0;
  for (const row of rows) {
    const event = Array.isArray(row) ? clickFromRow(row, t0, dictionary) : null;
    if (event) events.push(event);
    else malformed++;
  }
  return { events, malformed };
}

function clickFromRow(row: unknown[], t0: number, dictionary: unknown[]): LinkEvent | null {
  const columns = row.length - INLINE_COLUMNS;
  if (columns !== DICTIONARY_FIELDS.length && columns !== DICTIONARY_FIELDS.length - 1) return null;
  const [eventId, code, dt, latency, visitor] = row;
  if (typeof dt !== "number" || typeof latency !== "number" || (visitor !== null && typeof visitor !== "string")) return null;
  const fields: Partial<Record<DictionaryField, unknown>> = {};
  for (let i = 0; i < columns; i++) {
    const at = row[INLINE_COLUMNS + i];
    if (at === -1) fields[DICTIONARY_FIELDS[i]!] = null;
    else if (typeof at === "number" && Number.isInteger(at) && at >= 0 && at < dictionary.length && typeof dictionary[at] === "string")
      fields[DICTIONARY_FIELDS[i]!] = dictionary[at];
    else return null;
  }
  // The same checks as a JSON event (id, code, status, ts), on the rebuilt object.
  const event: Record<keyof LinkEvent, unknown> = {
    event_id: eventId,
    type: "read",
    status: fields.status,
    node: fields.node,
    redis: fields.redis,
    db: fields.db,
    short_code: code,
    latency_ms: latency,
    ts: t0 + dt,
    cache: fields.cache ?? undefined,
    source: fields.source ?? undefined,
    referrer: fields.referrer,
    user_agent: fields.user_agent,
    country: fields.country,
    visitor,
    variant: fields.variant ?? undefined,
    url: undefined,
    target_private: undefined,
    trace: undefined,
    category: undefined,
    disabled_reason: undefined,
  };
  return toLinkEvent(event);
}
