/**
 * One Redis node: a command client shared by the cache and the invalidation publisher, and its
 * breaker. The client never queues commands while disconnected (`enableOfflineQueue: false`) and
 * bounds every command (`commandTimeout`), so a dead node costs a redirect nothing but a fallback.
 */
import { Redis, ReplyError } from "ioredis";
import { GuardedNode, addressOf } from "../../cluster";
import type { ResilienceConfig } from "../../config";

/** Replies that mean the server cannot serve right now, as opposed to "this command is wrong". */
const SERVER_NOT_READY = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|OOM|READONLY)\b/;

export function isRedisNodeFailure(error: unknown): boolean {
  if (error instanceof ReplyError) return SERVER_NOT_READY.test((error as Error).message);
  return true;
}

/** Reconnect quickly at first, then once a second: the probe notices within a second of the node's return. */
const reconnectDelay = (attempt: number) => Math.min(50 * 2 ** attempt, 1_000);

export class RedisNode {
  readonly client: Redis;
  readonly guard: GuardedNode;
  readonly address: string;

  constructor(
    private readonly url: string,
    readonly shard: number,
    resilience: ResilienceConfig,
  ) {
    this.address = addressOf(url, 6379);
    this.client = new Redis(url, {
      enableAutoPipelining: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: resilience.redisTimeoutMs,
      connectTimeout: Math.max(resilience.redisTimeoutMs * 4, 500),
      retryStrategy: reconnectDelay,
      connectionName: "ringlink",
    });
    // Connection errors surface through the breaker and the probe; an unhandled 'error' event would
    // only print a stack per reconnect attempt.
    this.client.on("error", () => {});
    this.guard = new GuardedNode({
      name: `shard-${shard}/redis`,
      kind: "redis",
      shard,
      address: this.address,
      failureThreshold: resilience.breakerFailures,
      probeTimeoutMs: Math.max(resilience.redisTimeoutMs * 4, 500),
      isNodeFailure: isRedisNodeFailure,
      ping: () => this.client.ping(),
    });
  }

  /**
   * Resolves once the client is connected, or after `timeoutMs` (a node that is down must not hold
   * up start-up: the instance starts degraded and the probe notices when the node arrives).
   */
  async connected(timeoutMs: number): Promise<boolean> {
    if (this.client.status === "ready") return true;
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.client.off("ready", onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.client.once("ready", onReady);
    });
  }

  /**
   * A dedicated connection for SUBSCRIBE (a subscribed connection can run nothing else). It queues
   * the SUBSCRIBE until connected and re-subscribes after every reconnect.
   */
  subscriber(): Redis {
    const sub = new Redis(this.url, {
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      autoResubscribe: true,
      retryStrategy: reconnectDelay,
      connectionName: "ringlink-invalidation",
    });
    sub.on("error", () => {});
    return sub;
  }

  close(): void {
    this.client.disconnect();
  }
}
