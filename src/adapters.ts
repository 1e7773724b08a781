/**
 * The one place that knows which adapters exist. Every port gets its adapter here, chosen by
 * `config.mode` (embedded: the SQLite file and in-process parts; distributed: PostgreSQL shard
 * pairs and Redis nodes on one ring) and by `config.eventTransport` (in-process or Kafka).
 * `serve`, the tools and both workers take what they need from one `Adapters`: each adapter is
 * opened on first use (a worker never connects to what it does not use) and `close()` closes what
 * was opened, in dependency order. Nothing else constructs an adapter or asks which one it got.
 */
import { LocalInvalidation, RedisInvalidation, RedisLinkCache, RedisNode, type Invalidation, type LinkCache } from "./cache";
import { PostgresAnalyticsStore, SqliteAnalyticsStore, type AnalyticsStore } from "./analytics";
import { RecentChanges, ShardRouter, TopologyWatcher, bootTopology, topologyFromNodes } from "./cluster";
import type { Config } from "./config";
import { InProcessEventBus, KafkaEventBus, createKafka, spoolDirOf, topicSettingsOf, type EventBus } from "./events";
import type { ApiKeyStore } from "./keys";
import { log } from "./log";
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from "./ratelimit";
import { RedisRelay, type RelayTransport } from "./realtime";
import { ShardedPostgresLinkStore, SqliteLinkStore, installNullSocketWriteGuard, type LinkStore } from "./storage";
import type { DependencyHealth, MoveProgress, NodeState, VerifySummary } from "./cluster";
import { PostgresWebhookStore, SqliteWebhookStore, type WebhookStore } from "./webhooks";

export interface TopologyStatus {
  version: number;
  shards: number;
  moving: boolean;
  /** shards of the map being moved from, while a move runs */
  moveFrom: number | null;
  progress: MoveProgress | null;
  verify: VerifySummary | null;
}

export interface AdapterOptions {
  /** this process's own invalidation fan-out: IPC to the sibling processes when supervised */
  invalidation?: Invalidation;
  /**
   * Keep events in this process whatever the configuration (the tools: migrate, keys, import,
   * export, seed publish nothing worth shipping and must stay out of the servers' spools).
   */
  localEvents?: boolean;
  /** the broker client's id (which process produces) */
  clientId?: string;
}

/** Close order: what produces into another adapter first, the connections they share last. */
const CLOSE_ORDER = ["bus", "analytics", "webhooks", "invalidation", "rateLimiter", "sharedCache", "store"] as const;
type Closeable = (typeof CLOSE_ORDER)[number];

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

export class Adapters {
  private readonly opened = new Map<Closeable, { close(): Promise<void> | void }>();
  private routerOfShards: ShardRouter | null = null;
  private watcher: TopologyWatcher | null = null;
  private readonly redisByIndex = new Map<number, RedisNode>();
  private recentChanges: RecentChanges | null = null;

  constructor(
    readonly config: Config,
    private readonly options: AdapterOptions = {},
  ) {}

  private memo<T extends { close(): Promise<void> | void }>(key: Closeable, open: () => T): T {
    const existing = this.opened.get(key);
    if (existing) return existing as T;
    const made = open();
    this.opened.set(key, made);
    return made;
  }

  /** Where events go: in this process, or to the broker (then the workers aggregate and classify). */
  get eventTransport(): "in-process" | "kafka" {
    return this.options.localEvents ? "in-process" : this.config.eventTransport;
  }

  /**
   * The shard of a code: one ring (md5, members shard-0..N-1) routes the links, the cache, the
   * aggregates and the dashboard's key counts alike. Embedded mode is one shard.
   */
  shardOf = (code: string): number => (this.config.mode === "distributed" ? this.router().shardOf(code) : 0);

  get shardCount(): number {
    return this.config.mode === "distributed" ? this.router().size : 1;
  }

  /**
   * The shard map every adapter routes by: the stored topology this process started with (main.ts
   * resolves it), kept current by a watcher, so a reshard reaches every adapter within ~1 s.
   */
  router(): ShardRouter {
    if (this.routerOfShards === null) {
      const boot = bootTopology();
      const router = new ShardRouter(boot ?? topologyFromNodes(this.config.shards, this.config.redisNodes));
      this.routerOfShards = router;
      if (this.config.mode === "distributed") {
        this.watcher = new TopologyWatcher(router, this.config.topologyCheckIntervalMs, (t) =>
          log.info("topology changed", { version: t.version, shards: t.members.length, moving: t.move !== null }),
        );
        this.watcher.start();
      }
    }
    return this.routerOfShards;
  }

  /** The map in use and what the watcher last read beside it (for /metrics and the dashboard). */
  topologyStatus(): TopologyStatus | null {
    if (this.config.mode !== "distributed") return null;
    const t = this.router().topology;
    return {
      version: t.version,
      shards: t.members.length,
      moving: t.move !== null,
      moveFrom: t.move?.from.length ?? null,
      progress: t.move ? (this.watcher?.progress ?? null) : null,
      verify: this.watcher?.verify ?? null,
    };
  }

  /** Redis node of shard i (opened on first use; a grown map adds nodes). */
  private redisNodeAt(index: number): RedisNode {
    let node = this.redisByIndex.get(index);
    const url = this.router().members(index).redis;
    if (url === null) throw new Error(`shard ${index} has no Redis node`);
    if (!node) {
      node = new RedisNode(url, index, this.config.resilience);
      this.redisByIndex.set(index, node);
    }
    return node;
  }

  private hasRedis(): boolean {
    return this.config.mode === "distributed" && this.router().topology.members.every((m) => m.redis !== null);
  }

  private redisNodes(): RedisNode[] {
    if (!this.hasRedis()) return [];
    return this.router().topology.members.map((_, i) => this.redisNodeAt(i));
  }

  private changedRecently(): RecentChanges {
    this.recentChanges ??= new RecentChanges();
    return this.recentChanges;
  }

  linkStore(): LinkStore {
    return this.memo("store", () => {
      const { config } = this;
      if (config.mode === "embedded") return new SqliteLinkStore(config.sqlitePath);
      // A crashed database node must not take this process down with it (postgres.js defect).
      installNullSocketWriteGuard();
      return new ShardedPostgresLinkStore({ router: this.router(), resilience: config.resilience, recentChanges: this.changedRecently() });
    });
  }

  /** API keys: the SQLite file, or shard 0 of the cluster (README "API keys"). */
  keyStore(): ApiKeyStore {
    return this.linkStore().apiKeys;
  }

  /** The shared (L2) cache: Redis on the ring in distributed mode, none in embedded mode. */
  sharedCache(): LinkCache | null {
    if (this.redisNodes().length === 0) return null;
    return this.memo(
      "sharedCache",
      () => new RedisLinkCache({ router: this.router(), nodeAt: (i) => this.redisNodeAt(i), probeIntervalMs: this.config.resilience.probeIntervalMs }),
    );
  }

  /**
   * Tells every process (and instance) that a code changed: this process (and its siblings over
   * IPC), plus Redis pub/sub across instances when there is Redis.
   */
  invalidation(): Invalidation {
    return this.memo("invalidation", () => {
      const local = this.options.invalidation ?? new LocalInvalidation();
      const cache = this.sharedCache();
      const invalidation =
        cache === null ? local : new RedisInvalidation({ nodes: this.redisNodes(), local, beforeBroadcast: (code: string) => cache.delete(code) });
      if (this.config.mode === "distributed") {
        if (cache === null) log.warn("REDIS_NODES unset: no shared cache, and invalidations reach only this instance's processes");
        // A code someone just changed is read from its primary for a few seconds (replica lag).
        const recent = this.changedRecently();
        invalidation.subscribe((code) => recent.note(code));
      }
      return invalidation;
    });
  }

  /** Token buckets: in this process, or on the Redis node of the key (shared by every instance). */
  rateLimiter(): RateLimiter {
    return this.memo("rateLimiter", () => {
      if (!this.hasRedis()) return new MemoryRateLimiter();
      const router = this.router();
      // With Redis down, redirects fail open (README "Rate limiting"). A new map moves buckets to
      // their new node: a client's bucket starts full there once (a move is rare; limits stay per key).
      return new RedisRateLimiter(
        (key) => this.redisNodeAt(router.shardOf(key)).client,
        (policy) => (policy.name === "redirect" ? "open" : this.config.rateLimitCreateOnRedisDown),
      );
    });
  }

  /** Each serving process has its own spool directory (DATA_DIR/spool/node<N>-p<index>). */
  eventBus(): EventBus {
    return this.memo("bus", () => {
      const { config } = this;
      if (this.eventTransport === "in-process") return new InProcessEventBus();
      return new KafkaEventBus({
        kafka: createKafka({ brokers: config.kafkaBrokers, clientId: this.options.clientId ?? `ringlink-${config.nodeId}.${config.processIndex}` }),
        topics: topicSettingsOf(config.events),
        lingerMs: config.events.lingerMs,
        batchSize: config.events.batchSize,
        spoolDir: spoolDirOf(config),
        spoolMaxBytes: config.events.spoolMaxBytes,
      });
    });
  }

  /** The click aggregates, beside the links: the SQLite file, or each code's shard. */
  analyticsStore(poolMax = 4): AnalyticsStore {
    return this.memo("analytics", () => {
      const { config } = this;
      // The link store applies the migrations, analytics tables included.
      if (config.mode === "embedded") {
        this.linkStore();
        return new SqliteAnalyticsStore(config.sqlitePath);
      }
      installNullSocketWriteGuard();
      const router = this.router();
      return new PostgresAnalyticsStore({
        nodesOf: (i) => router.members(i),
        shardIndices: () => router.indices(),
        shardOf: this.shardOf,
        moving: () => router.moving,
        previousShardOf: (code) => router.previousShardOf(code),
        connectTimeoutMs: config.resilience.dbConnectTimeoutMs,
        queryTimeoutMs: config.resilience.dbQueryTimeoutMs,
        poolMax,
      });
    });
  }

  /**
   * Webhooks and their delivery queue: the SQLite file, or shard 0's primary (beside the API keys
   * that own them; one queue that every dispatcher claims from keeps a link's deliveries in order).
   */
  webhookStore(): WebhookStore {
    return this.memo("webhooks", () => {
      const { config } = this;
      // The link store applies the migrations, the webhook tables included.
      this.linkStore();
      if (config.mode === "embedded") return new SqliteWebhookStore(config.sqlitePath);
      return new PostgresWebhookStore({ url: config.shards[0]!.primary, connectTimeoutMs: config.resilience.dbConnectTimeoutMs, poolMax: 4 });
    });
  }

  /**
   * The live stream between instances: Redis pub/sub on connections of its own (the stream never
   * delays a cache command); none without Redis. The realtime service owns and closes it.
   */
  realtimeRelay(): RelayTransport | null {
    return this.config.mode === "distributed" && this.config.redisNodes.length > 0 ? new RedisRelay(this.config.redisNodes, this.config.resilience) : null;
  }

  /**
   * Waits (bounded) for Redis's first connections so start-up does not report live nodes as
   * down, then says which nodes are down. Nothing here throws for an unreachable node: the
   * instance starts degraded and the health probes bring nodes back as they answer.
   */
  async connect(): Promise<void> {
    if (this.config.mode !== "distributed") return;
    const cache = this.opened.get("sharedCache") as RedisLinkCache | undefined;
    await cache?.connected(Math.max(this.config.resilience.redisTimeoutMs * 4, 500));
    const initial = await this.nodeHealth();
    const down = initial.filter((d) => !d.up);
    if (down.length === 0) return;
    log.warn(this.isReady(initial) ? "starting degraded" : "starting unready: a shard has no readable node", {
      down: down.map((d) => ({ name: d.name, detail: d.detail })),
    });
  }

  private async nodeHealth(): Promise<DependencyHealth[]> {
    const store = this.opened.get("store") as LinkStore | undefined;
    const cache = this.opened.get("sharedCache") as LinkCache | undefined;
    return [...((await store?.health()) ?? []), ...((await cache?.health?.()) ?? [])];
  }

  /** Every opened dependency's state: database nodes, cache nodes, the broker (for /readyz). */
  async health(): Promise<DependencyHealth[]> {
    const bus = this.opened.get("bus") as EventBus | undefined;
    return [...(await this.nodeHealth()), ...(bus?.health ? [bus.health()] : [])];
  }

  /**
   * Whether the instance can serve. The broker never decides it: while it is away events are
   * spooled and nothing fails. Distributed: every shard readable; embedded: the file answers.
   */
  isReady(deps: readonly DependencyHealth[]): boolean {
    const relevant = deps.filter((d) => d.kind !== "kafka");
    return this.config.mode === "distributed" ? everyShardReadable(relevant, this.router().size) : relevant.every((d) => d.up);
  }

  /** Circuit-breaker state of every remote node (none in embedded mode), for metrics. */
  nodeStates(): NodeState[] {
    const store = this.opened.get("store") as LinkStore | undefined;
    const cache = this.opened.get("sharedCache") as LinkCache | undefined;
    return [...(store?.nodeStates?.() ?? []), ...(cache?.nodeStates?.() ?? [])];
  }

  async close(): Promise<void> {
    // The shared cache closes the Redis nodes it was given; without one, nothing else would.
    this.watcher?.stop();
    const nodesClosedByCache = this.opened.has("sharedCache");
    for (const key of CLOSE_ORDER) {
      const adapter = this.opened.get(key);
      this.opened.delete(key);
      await adapter?.close();
    }
    if (!nodesClosedByCache) for (const node of this.redisByIndex.values()) node.close();
  }
}
