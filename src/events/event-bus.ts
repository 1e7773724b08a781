import type { DependencyHealth } from "../cluster";
import type { EventTopic, LinkEvent } from "./link-event";

export type EventHandler = (events: readonly LinkEvent[]) => void | Promise<void>;

/**
 * The EventBus port. `publish` never blocks and never throws: the request that produced an event
 * must not wait for (or fail because of) whoever consumes it.
 */
export interface EventBus {
  publish(topic: EventTopic, event: LinkEvent): void;
  subscribe(topic: EventTopic, handler: EventHandler): () => void;
  /** Delivers everything published so far (tests, shutdown). */
  flush(): Promise<void>;
  stats(): EventBusStats;
  /** The broker, for adapters that have one (shown by /readyz, never deciding readiness). */
  health?(): DependencyHealth;
  close(): Promise<void>;
}

/**
 * Plain counters that only grow, flat, so a metrics exporter can map each name to a series
 * (src/observability does: ringlink_events_total{state=...}). Adapters add their own counters:
 * the Kafka bus adds produced, spooled, replayed, sendErrors.
 */
export interface EventBusStats {
  /** handed to publish() */
  published: number;
  /** reached their destination: local subscribers (in-process) or the broker (Kafka) */
  delivered: number;
  /** lost for good (a bounded queue or journal was full) */
  dropped: number;
  /** local subscribers that threw */
  handlerErrors: number;
  [counter: string]: number;
}
