/**
 * The shared (L2) cache over N Redis nodes; a code's node is the same ring shard as its database
 * row. It is an optimisation only: every error (node down, timeout, breaker open) is counted and
 * answered as a miss, so the resolver simply goes on to the database.
 */
import { CircuitOpenError, HealthProber, KeyBatcher, type ShardRouter } from "../../cluster";
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

interface Fill {
  key: string;
  value: string;
  ttlMs: number;
  onlyIfAbsent: boolean;
  done: () => void;
}

export class RedisLinkCache implements LinkCache {
  private readonly counters: RedisCacheStats = { hits: 0, negativeHits: 0, misses: 0, errors: 0, skipped: 0 };
  private prober: HealthProber;
  private readonly router: ShardRouter;
  private readonly nodeAt: (shard: number) => RedisNode;
  private readonly probeIntervalMs: number;
  /** per node: the reads of one turn share one MGET */
  private readonly readers = new Map<RedisNode, KeyBatcher<string>>();
  /** per node: the cache fills of one turn, sent as one pipeline */
  private readonly fills = new Map<RedisNode, Fill[]>();

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
      const raw = await this.readerOf(node).get(code);
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

  /** One MGET per node and turn, through the node's guard once (ioredis bounds it with commandTimeout). */
  private readerOf(node: RedisNode): KeyBatcher<string> {
    let reader = this.readers.get(node);
    if (!reader) {
      reader = new KeyBatcher((codes) => node.guard.run(() => node.client.mget(codes.map(keyOf))));
      this.readers.set(node, reader);
    }
    return reader;
  }

  set(link: CachedLink, ttlMs: number): Promise<void> {
    return this.fill(this.nodeOf(link.code), keyOf(link.code), encodeLink(link), ttlMs, false);
  }

  /** NX: a "no such code" must never overwrite a link that was created while the lookup ran. */
  setMissing(code: string, ttlMs: number): Promise<void> {
    return this.fill(this.nodeOf(code), keyOf(code), MISSING_VALUE, ttlMs, true);
  }

  /**
   * Fills after cold reads come one per redirect: those of one turn go to their node as one
   * pipeline behind one guard call, instead of a guarded command (and its timer) each.
   */
  private fill(node: RedisNode, key: string, value: string, ttlMs: number, onlyIfAbsent: boolean): Promise<void> {
    return new Promise((resolve) => {
      let queued = this.fills.get(node);
      if (!queued) {
        queued = [];
        this.fills.set(node, queued);
        setImmediate(() => void this.sendFills(node));
      }
      queued.push({ key, value, ttlMs, onlyIfAbsent, done: resolve });
    });
  }

  private async sendFills(node: RedisNode): Promise<void> {
    const batch = this.fills.get(node) ?? [];
    this.fills.delete(node);
    try {
      const results = await node.guard.run(() => {
        const pipeline = node.client.pipeline();
        for (const f of batch) {
          if (f.value === "") continue; // dropped by a delete of the same turn
          if (f.onlyIfAbsent) pipeline.set(f.key, f.value, "PX", f.ttlMs, "NX");
          else pipeline.set(f.key, f.value, "PX", f.ttlMs);
        }
        return pipeline.exec();
      });
      for (const [error] of results ?? []) if (error) this.swallow(error);
    } catch (error) {
      this.swallow(error);
    }
    for (const f of batch) f.done();
  }

  async delete(code: string): Promise<void> {
    const node = this.nodeOf(code);
    // A fill of this turn still waiting would land after the delete and bring the old entry back.
    const queued = this.fills.get(node);
    if (queued) {
      const key = keyOf(code);
      for (const f of queued) if (f.key === key) f.value = "";
    }
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
