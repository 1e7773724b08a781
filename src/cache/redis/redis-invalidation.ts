/**
 * Invalidation across instances over Redis pub/sub. A message goes to every Redis node and every
 * process subscribes to every node (one dedicated connection each), so invalidations keep flowing
 * while any one node is up; the copies are deduplicated by message id. The local fan-out (this
 * process, and sibling processes over IPC when supervised) does not depend on Redis at all.
 *
 * Ordering: the shared-cache entry is deleted *before* the message goes out, so a peer that drops
 * its L1 on the message cannot read the old value back from Redis.
 *
 * Known limit: messages published while every Redis node is unreachable from a process are lost to
 * that process; its L1 entries then age out with CACHE_TTL_SECONDS.
 */
import { randomBytes } from "node:crypto";
import type { Invalidation } from "../link-cache";
import { LruCache } from "../../lru";
import { RedisChannelListener } from "./redis-channel";
import type { RedisNode } from "./redis-node";

export const INVALIDATION_CHANNEL = "ringlink:invalidate";

export interface RedisInvalidationOptions {
  nodes: readonly RedisNode[];
  /** this process's own fan-out (LocalInvalidation, or IPC to sibling processes) */
  local: Invalidation;
  /** runs before the broadcast (the shared-cache delete) */
  beforeBroadcast?: (code: string) => Promise<void>;
}

export interface InvalidationStats {
  published: number;
  received: number;
  duplicates: number;
  publishErrors: number;
}

/** How long close() waits for broadcasts still on their way. */
const CLOSE_WAIT_MS = 2_000;

export class RedisInvalidation implements Invalidation {
  /** identifies this process's messages: its own echo is ignored (listeners already ran) */
  private readonly origin = randomBytes(6).toString("hex");
  private seq = 0;
  private readonly seen = new LruCache<string, true>(20_000);
  private readonly listeners: Array<(code: string) => void> = [];
  private readonly listener: RedisChannelListener;
  private readonly counters: InvalidationStats = { published: 0, received: 0, duplicates: 0, publishErrors: 0 };
  /** broadcasts not yet handed to Redis: close() waits for them (a tool exits right after a change) */
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(private readonly opts: RedisInvalidationOptions) {
    this.listener = new RedisChannelListener(opts.nodes, INVALIDATION_CHANNEL, (message) => this.receive(message));
  }

  publish(code: string): void {
    this.opts.local.publish(code);
    const message = `${this.origin} ${(this.seq++).toString(36)} ${code}`;
    this.counters.published++;
    const broadcast = () =>
      Promise.all(
        this.opts.nodes.map((node) => node.guard.run(() => node.client.publish(INVALIDATION_CHANNEL, message)).catch(() => this.counters.publishErrors++)),
      );
    const before = this.opts.beforeBroadcast;
    const sent = before
      ? before(code)
          .catch(() => {})
          .then(broadcast)
      : broadcast();
    this.inflight.add(sent);
    void sent.finally(() => this.inflight.delete(sent));
  }

  subscribe(listener: (code: string) => void): void {
    this.opts.local.subscribe(listener);
    this.listeners.push(listener);
  }

  private receive(message: string): void {
    const [origin, seq, code] = message.split(" ");
    if (origin === undefined || seq === undefined || code === undefined || origin === this.origin) return;
    const id = `${origin} ${seq}`;
    if (this.seen.get(id)) {
      this.counters.duplicates++;
      return;
    }
    this.seen.set(id, true, 60_000);
    this.counters.received++;
    for (const listener of this.listeners) listener(code);
  }

  stats(): InvalidationStats {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    // Bounded: a node that does not answer costs its guard's timeout, never a hung exit.
    if (this.inflight.size > 0) await Promise.race([Promise.allSettled([...this.inflight]), Bun.sleep(CLOSE_WAIT_MS)]);
    this.listener.close();
    await this.opts.local.close();
  }
}
