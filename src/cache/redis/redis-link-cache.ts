/**
 * The shared (L2) cache over N Redis nodes; a code's node is the same ring shard as its database
 * row. It is an optimisation only: every error (node down, timeout, breaker open) is counted and
 * answered as a miss, so the resolver simply goes on to the database.
 */
import { CircuitOpenError, HealthProber, type ShardRouter } from "../../cluster";
import type { DependencyHealth, NodeState } from "../../cluster";
import type { CachedLink, CacheEntry, LinkCache } from "../link-cache";
import { MISSING_VALUE, decodeEntry, encodeLink } from "./cached-link-codec";
import type { RedisNode } from "./redis-node";

export interface RedisCacheStats {
  hits: number;
  negativeHits: number;
  misses: number;
  /** commands that failed (node down, timeout, undecodable value) */
  errors: number;
  /** commands not sent because the node's breaker was open */
  skipped: number;
}

const keyOf = (code: string) => `rl:link:${code}`;

export class RedisLinkCache implements LinkCache {
  private readonly counters: RedisCacheStats = { hits: 0, negativeHits: 0, misses: 0, errors: 0, skipped: 0 };
  private prober: HealthProber;
  private readonly router: ShardRouter;
  private readonly nodeAt: (shard: number) => RedisNode;
  private readonly probeIntervalMs: number;

  /** A code's node follows the router: a new topology version re-routes every later command. */
  constructor(opts: { router: ShardRouter; nodeAt: (shard: number) => RedisNode; probeIntervalMs: number }) {
    this.router = opts.router;
    this.nodeAt = opts.nodeAt;
    this.probeIntervalMs = opts.probeIntervalMs;
    this.prober = this.newProber();
    this.router.onChange(() => {
      this.prober.stop();
      this.prober = this.newProber();
    });
  }

  private get nodes(): RedisNode[] {
    return this.router.topology.members.map((_, i) => this.nodeAt(i));
  }

  private newProber(): HealthProber {
    const prober = new HealthProber(
      this.nodes.map((n) => n.guard),
      this.probeIntervalMs,
    );
    prober.start();
    return prober;
  }

  /** Waits (bounded) for every node's first connection, so start-up does not report live nodes as down. */
  async connected(timeoutMs: number): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.connected(timeoutMs)));
  }

  private nodeOf(code: string): RedisNode {
    return this.nodeAt(this.router.shardOf(code));
  }

  private swallow(error: unknown): undefined {
    if (error instanceof CircuitOpenError) this.counters.skipped++;
    else this.counters.errors++;
    return undefined;
  }

  async get(code: string): Promise<CacheEntry | undefined> {
    const node = this.nodeOf(code);
    try {
      const raw = await node.guard.run(() => node.client.get(keyOf(code)));
      if (raw === null) {
        this.counters.misses++;
        return undefined;
      }
      const entry = decodeEntry(code, raw);
      if (entry === null) return this.swallow(new Error(`undecodable cache value for ${code}`));
      if (typeof entry === "symbol") this.counters.negativeHits++;
      else this.counters.hits++;
      return entry;
    } catch (error) {
      return this.swallow(error);
    }
  }

  async set(link: CachedLink, ttlMs: number): Promise<void> {
    const node = this.nodeOf(link.code);
    await node.guard.run(() => node.client.set(keyOf(link.code), encodeLink(link), "PX", ttlMs)).catch((e) => this.swallow(e));
  }

  /** NX: a "no such code" must never overwrite a link that was created while the lookup ran. */
  async setMissing(code: string, ttlMs: number): Promise<void> {
    const node = this.nodeOf(code);
    await node.guard.run(() => node.client.set(keyOf(code), MISSING_VALUE, "PX", ttlMs, "NX")).catch((e) => this.swallow(e));
  }

  async delete(code: string): Promise<void> {
    const node = this.nodeOf(code);
    await node.guard.run(() => node.client.del(keyOf(code))).catch((e) => this.swallow(e));
    // Mid-move the entry may still sit on the code's old node, where a process on the old map reads it.
    const old = this.router.previousShardOf(code);
    if (old !== null) {
      const previous = this.nodeAt(old);
      await previous.guard.run(() => previous.client.del(keyOf(code))).catch((e) => this.swallow(e));
    }
  }

  stats(): RedisCacheStats {
    return { ...this.counters };
  }

  async health(): Promise<DependencyHealth[]> {
    return this.prober.probeAll();
  }

  nodeStates(): NodeState[] {
    return this.nodes.map((n) => n.guard.state());
  }

  async close(): Promise<void> {
    this.prober.stop();
    for (const node of this.nodes) node.close();
  }
}
