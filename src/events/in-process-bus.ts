/**
 * The embedded EventBus: events queue in memory and are delivered to subscribers in batches on a
 * later tick, so publishing costs an array push. The queue is bounded: when consumers fall behind
 * by more than `maxQueued` events the newest are dropped and counted rather than growing the heap.
 */
import type { EventBus, EventBusStats, EventHandler } from "./event-bus";
import type { EventTopic, LinkEvent } from "./link-event";
import { log } from "../log";

export class InProcessEventBus implements EventBus {
  private readonly handlers = new Map<EventTopic, Set<EventHandler>>();
  // Parallel arrays, not [topic, event] pairs: a click costs two pushes and no allocation, and a
  // run of one topic is handed on as a slice of `events`.
  private topics: EventTopic[] = [];
  private events: LinkEvent[] = [];
  private scheduled = false;
  private draining: Promise<void> = Promise.resolve();
  private readonly counters: EventBusStats = { published: 0, delivered: 0, dropped: 0, handlerErrors: 0 };

  constructor(private readonly maxQueued = 100_000) {}

  publish(topic: EventTopic, event: LinkEvent): void {
    this.counters.published++;
    if (this.events.length >= this.maxQueued) {
      this.counters.dropped++;
      return;
    }
    this.topics.push(topic);
    this.events.push(event);
    if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(() => this.drain(), 0);
    }
  }

  subscribe(topic: EventTopic, handler: EventHandler): () => void {
    const set = this.handlers.get(topic) ?? new Set<EventHandler>();
    this.handlers.set(topic, set);
    set.add(handler);
    return () => set.delete(handler);
  }

  private drain(): Promise<void> {
    this.scheduled = false;
    const topics = this.topics;
    const events = this.events;
    if (events.length === 0) return this.draining;
    this.topics = [];
    this.events = [];
    this.draining = this.draining.then(() => this.deliver(topics, events));
    return this.draining;
  }

  /**
   * Runs of one topic, in publish order: a subscriber of several topics (webhooks) sees a link's
   * update before the disable that followed it. Clicks come in long runs, so this costs them nothing.
   */
  private async deliver(topics: EventTopic[], batch: LinkEvent[]): Promise<void> {
    let start = 0;
    while (start < batch.length) {
      const topic = topics[start]!;
      let end = start + 1;
      while (end < batch.length && topics[end] === topic) end++;
      const events = start === 0 && end === batch.length ? batch : batch.slice(start, end);
      start = end;
      for (const handler of this.handlers.get(topic) ?? []) {
        try {
          await handler(events);
          this.counters.delivered += events.length;
        } catch (error) {
          this.counters.handlerErrors++;
          log.error("event handler failed", { topic, error });
        }
      }
    }
  }

  async flush(): Promise<void> {
    await this.drain();
  }

  stats(): EventBusStats {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    await this.flush();
    this.handlers.clear();
  }
}
