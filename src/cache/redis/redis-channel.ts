/**
 * Listening on one pub/sub channel of every Redis node: a dedicated connection per node (a
 * subscribed connection can run nothing else) that queues its SUBSCRIBE until connected and
 * subscribes again after every reconnect, so messages keep arriving while any node is up. Used by
 * the cross-instance invalidation and the live stream's relay; each publishes its own way.
 */
import type { Redis } from "ioredis";
import type { RedisNode } from "./redis-node";

export class RedisChannelListener {
  private readonly subscribers: Redis[];

  constructor(nodes: readonly RedisNode[], channel: string, onMessage: (text: string) => void) {
    this.subscribers = nodes.map((node) => {
      const sub = node.subscriber();
      sub.on("message", (_channel: string, text: string) => onMessage(text));
      sub.subscribe(channel).catch(() => {});
      return sub;
    });
  }

  close(): void {
    for (const sub of this.subscribers) sub.disconnect();
  }
}
