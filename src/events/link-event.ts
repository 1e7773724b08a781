/**
 * The event schema shared by the in-process bus, Kafka, the WebSocket stream and the workers.
 * Field names are snake_case because they cross process and language boundaries as JSON.
 */
export type EventTopic = "link.created" | "link.updated" | "link.deleted" | "link.disabled" | "link.clicked";

/** Every topic, in the order a link lives through them; consumers that want only some subscribe to those. */
export const EVENT_TOPIC_NAMES: readonly EventTopic[] = ["link.created", "link.updated", "link.disabled", "link.deleted", "link.clicked"];

export function isEventTopic(value: unknown): value is EventTopic {
  return typeof value === "string" && (EVENT_TOPIC_NAMES as readonly string[]).includes(value);
}

export interface LinkEvent {
  event_id: string;
  type: "write" | "read";
  status: "OK" | "ERROR" | "NOT_FOUND";
  node: string;
  redis: string | null;
  db: string | null;
  short_code: string;
  latency_ms: number;
  ts: number;
  /** read events only */
  cache?: "HIT" | "MISS";
  source?: "l1" | "redis" | "replica" | "primary" | "none" | "error";
  referrer?: string | null;
  user_agent?: string | null;
  country?: string | null;
  /** salted hash of IP + user agent + day: counts unique visitors without storing an IP */
  visitor?: string | null;
  /** read events of a link with an A/B split: the variant's name */
  variant?: string | null;
  /** write events only */
  url?: string;
  /**
   * write events only: the target is for the link's key and admins (a key's link or a password
   * link), so the live stream shows it to admin watchers only; absent counts as true.
   */
  target_private?: boolean;
  /**
   * write events only: the W3C traceparent of the span that published it, when that request was
   * traced. It travels inside the event (Kafka, the spool, the in-process bus) because one Kafka
   * record carries many events, so a record header could name only one of their traces.
   */
  trace?: string;
  /**
   * link.created only: the category the create-time unsafe-URL check already stored on the link
   * (the same model on the same URL), so classifiers skip it; absent when the check did not run.
   */
  category?: string;
  /** link.disabled only: why the link stopped redirecting (a PATCH, or abuse protection) */
  disabled_reason?: "manual" | "unsafe";
}

/**
 * Event ids: node + process + boot time + counter. Unique without a random draw per event,
 * which matters on the redirect path; the boot time keeps ids unique across restarts.
 */
export class EventIds {
  private counter = 0;
  private readonly prefix: string;
  constructor(nodeId: number, processIndex: number, bootMs: number = Date.now()) {
    this.prefix = `${nodeId.toString(36)}-${processIndex.toString(36)}-${bootMs.toString(36)}-`;
  }
  next(): string {
    return this.prefix + (this.counter++).toString(36);
  }
}

const STATUSES = new Set(["OK", "ERROR", "NOT_FOUND"]);
/** A code, or `host/code` for a link on another short domain than the default (its link key). */
const LINK_KEY = /^(?:[a-z0-9.-]{1,253}\/)?[A-Za-z0-9_-]{1,64}$/;

/**
 * The value as an event when it has what every consumer relies on (id, type, status, code, ts).
 * Anything else (another producer's message, a damaged record) gives null: a consumer skips it
 * rather than crash on it forever.
 */
export function toLinkEvent(value: unknown): LinkEvent | null {
  if (typeof value !== "object" || value === null) return null;
  const e = value as Partial<LinkEvent>;
  if (typeof e.event_id !== "string" || e.event_id === "" || e.event_id.length > 200) return null;
  if (e.type !== "read" && e.type !== "write") return null;
  if (typeof e.status !== "string" || !STATUSES.has(e.status)) return null;
  if (typeof e.short_code !== "string" || !LINK_KEY.test(e.short_code)) return null;
  if (typeof e.ts !== "number" || !Number.isFinite(e.ts)) return null;
  return e as LinkEvent;
}
