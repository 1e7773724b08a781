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
  close(): Promise<void>;
}

export interface EventBusStats {
  published: number;
  delivered: number;
  dropped: number;
  handlerErrors: number;
}
