/**
 * The relay between instances, over Redis pub/sub. Every process subscribes on every Redis node (a
 * dedicated connection each) and publishes each message once, on the first node that is connected:
 * a message crosses Redis once, and the stream keeps flowing while any node is up. This process's
 * own messages come back too; the Realtime service ignores them by origin.
 *
 * The connections are this module's own (RedisNode gives the settings the cache uses: no offline
 * queue, bounded commands, quick reconnects), so the realtime stream cannot delay a cache command.
 */
import { RedisChannelListener, RedisNode } from "../cache";
import type { ResilienceConfig } from "../config";
import type { RelayTransport, RelayTransportStats } from "./relay";
import { isRelayMessage, type RelayMessage } from "./wire";

export const REALTIME_CHANNEL = "ringlink:realtime";

export class RedisRelay implements RelayTransport {
  readonly name = "redis";
  private readonly nodes: RedisNode[];
  private readonly listener: RedisChannelListener;
  private readonly handlers: Array<(m: RelayMessage) => void> = [];
  private readonly counters: RelayTransportStats = { sent: 0, received: 0, errors: 0 };

  constructor(urls: readonly string[], resilience: ResilienceConfig) {
    this.nodes = urls.map((url, shard) => new RedisNode(url, shard, resilience));
    this.listener = new RedisChannelListener(this.nodes, REALTIME_CHANNEL, (text) => this.receive(text));
  }

  send(message: RelayMessage): void {
    const node = this.nodes.find((n) => n.client.status === "ready");
    if (!node) {
      this.counters.errors++;
      return;
    }
    this.counters.sent++;
    node.client.publish(REALTIME_CHANNEL, JSON.stringify(message)).catch(() => this.counters.errors++);
  }

  onMessage(handler: (m: RelayMessage) => void): void {
    this.handlers.push(handler);
  }

  private receive(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.counters.errors++;
      return;
    }
    if (!isRelayMessage(message)) return;
    this.counters.received++;
    for (const h of this.handlers) h(message);
  }

  stats(): RelayTransportStats {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    this.listener.close();
    for (const node of this.nodes) node.close();
  }
}
