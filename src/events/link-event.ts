/**
 * The event schema shared by the in-process bus, Kafka, the WebSocket stream and the workers.
 * Field names are snake_case because they cross process and language boundaries as JSON.
 */
export type EventTopic = "link.created" | "link.clicked";

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
  /** write events only */
  url?: string;
}

export function topicOf(event: LinkEvent): EventTopic {
  return event.type === "write" ? "link.created" : "link.clicked";
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
