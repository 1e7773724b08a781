/**
 * Chooses the storage, shared-cache and invalidation adapters for the configured mode. The rest of
 * the runtime is the same in both modes; this is the only place that knows which adapters exist.
 */
import { join } from "node:path";
import { LocalInvalidation, RedisInvalidation, RedisLinkCache, RedisNode, type Invalidation, type LinkCache } from "./cache";
import { RecentChanges, ShardRing } from "./cluster";
import type { Config } from "./config";
import { log } from "./log";
import { RedisRateLimiter, type RateLimiter } from "./ratelimit";
import { ShardedPostgresLinkStore, SqliteLinkStore, installNullSocketWriteGuard, type DependencyHealth, type LinkStore, type NodeState } from "./storage";

export interface Adapters {
  store: LinkStore;
  l2: LinkCache | null;
  invalidation: Invalidation;
  /** shared buckets (Redis) in distributed mode; absent means in-process buckets */
  rateLimiter?: RateLimiter;
  /** Whether the instance can serve, given each dependency's state (feeds /readyz). */
  isReady(deps: DependencyHealth[]): boolean;
  /** Health of dependencies other than the store (cache nodes, broker). */
  extraHealth(): Promise<DependencyHealth[]>;
  /** Circuit-breaker state of every remote node (empty in embedded mode), for metrics. */
  nodeStates(): NodeState[];
  close(): Promise<void>;
}

export async function createAdapters(config: Config, invalidation?: Invalidation): Promise<Adapters> {
  if (config.mode === "distributed") return createDistributedAdapters(config, invalidation);
  const store = new SqliteLinkStore(join(config.dataDir, "ringlink.sqlite"));
  return {
    store,
    l2: null,
    invalidation: invalidation ?? new LocalInvalidation(),
    isReady: (deps) => deps.every((d) => d.up),
    extraHealth: async () => [],
    nodeStates: () => [],
    close: async () => {},
  };
}

/**
 * Ready means every shard can answer reads: its primary or its replica is up. Redis is an
 * optimisation and never decides readiness; a node that is down makes /readyz say "degraded".
 */
export function everyShardReadable(deps: readonly DependencyHealth[], shards: number): boolean {
  for (let shard = 0; shard < shards; shard++) {
    const readable = deps.some((d) => d.shard === shard && (d.kind === "postgres-primary" || d.kind === "postgres-replica") && d.up);
    if (!readable) return false;
  }
  return true;
}

/**
 * One ring routes both the database and the cache, so shard i is DB pair i and Redis node i.
 * Nothing here connects eagerly or throws for an unreachable node: the instance starts degraded,
 * logs which nodes are down, and the health probes bring them back as they answer.
 */
async function createDistributedAdapters(config: Config, ipcOrLocal?: Invalidation): Promise<Adapters> {
  const { resilience } = config;
  // A crashed database node must not take this process down with it (postgres.js defect).
  installNullSocketWriteGuard();
  const ring = new ShardRing(config.shards.length);
  const recentChanges = new RecentChanges();
  const store = new ShardedPostgresLinkStore({ shards: config.shards, ring, resilience, recentChanges });

  const local = ipcOrLocal ?? new LocalInvalidation();
  let l2: RedisLinkCache | null = null;
  let invalidation: Invalidation = local;
  let rateLimiter: RateLimiter | undefined;
  if (config.redisNodes.length > 0) {
    const nodes = config.redisNodes.map((url, shard) => new RedisNode(url, shard, resilience));
    const cache = new RedisLinkCache(nodes, ring, resilience.probeIntervalMs);
    l2 = cache;
    invalidation = new RedisInvalidation({ nodes, local, beforeBroadcast: (code) => cache.delete(code) });
    // Buckets live on the ring's node for their key; with Redis down, redirects fail open (README "Rate limiting").
    rateLimiter = new RedisRateLimiter(
      (key) => nodes[ring.shardOf(key)]!.client,
      (policy) => (policy.name === "redirect" ? "open" : config.rateLimitCreateOnRedisDown),
    );
  } else {
    log.warn("REDIS_NODES unset: no shared cache, and invalidations reach only this instance's processes");
  }
  // A code someone just changed is read from its primary for a few seconds (replica lag).
  invalidation.subscribe((code) => recentChanges.note(code));

  await l2?.connected(Math.max(resilience.redisTimeoutMs * 4, 500));
  const extraHealth = async () => (l2 ? l2.health() : []);
  const initial = [...(await store.health()), ...(await extraHealth())];
  const down = initial.filter((d) => !d.up);
  if (down.length > 0) {
    log.warn(everyShardReadable(initial, config.shards.length) ? "starting degraded" : "starting unready: a shard has no readable node", {
      down: down.map((d) => ({ name: d.name, detail: d.detail })),
    });
  }

  return {
    store,
    l2,
    invalidation,
    rateLimiter,
    isReady: (deps) => everyShardReadable(deps, config.shards.length),
    extraHealth,
    nodeStates: () => [...(store.nodeStates() ?? []), ...(l2?.nodeStates() ?? [])],
    close: async () => {
      await l2?.close();
    },
  };
}
