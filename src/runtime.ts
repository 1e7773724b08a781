/**
 * Picks the adapters for the configured mode and wires the services. Everything that owns a
 * connection, a timer or a file is created here and closed by `close()`, in dependency order.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { createOriginCheck, createWatchAccess, type WatchAccess } from "./access";
import { createAdapters } from "./adapters";
import { LocalClickAggregator, StatsService, createAnalyticsStore, startProcessedEventsPruner, type AnalyticsStore } from "./analytics";
import { LruCache, type CacheEntry, type Invalidation, type LinkCache } from "./cache";
import type { Config } from "./config";
import { loadAssets, type Asset } from "./dashboard";
import { PRIVATE_FILE_MODE, ensurePrivateDir, restrictIfPresent } from "./files";
import { LinkClassifier, UrlClassifier, classifierLoadOptions } from "./classifier";
import { EventIds, InProcessEventBus, createEventBus, type EventBus } from "./events";
import { SnowflakeIds } from "./ids";
import { LinkService, PasswordHasher, QrCodes, createLinkManagement, passwordAttemptGuard, type LinkManagement } from "./links";
import { LinkResolver, createRedirectCore, type RedirectHandler, type UnlockHandler } from "./redirect";
import { Metrics, RedirectStats } from "./observability";
import { MemoryRateLimiter, rateLimitGuard, type RatePolicy, type RateLimiter, type RequestGuards } from "./ratelimit";
import { Realtime, type RelayTransport } from "./realtime";
import type { DependencyHealth, LinkStore } from "./storage";

export interface Runtime {
  config: Config;
  nodeName: string;
  store: LinkStore;
  l1: LruCache<string, CacheEntry>;
  l2: LinkCache | null;
  invalidation: Invalidation;
  bus: EventBus;
  analytics: AnalyticsStore;
  stats: StatsService;
  resolver: LinkResolver;
  links: LinkService;
  /** API keys, access rules and abuse protection (links.flagUnsafe is the classifier's hook) */
  management: LinkManagement;
  redirect: RedirectHandler;
  /** POST /:code: a password-protected link's form */
  unlock: UnlockHandler;
  assets: Map<string, Asset>;
  rateLimiter: RateLimiter;
  /** per-client budgets of the HTTP routes */
  guards: RequestGuards;
  /** QR codes, rendered on a QR thread */
  qr: QrCodes;
  metrics: Metrics;
  /** the live stream behind /ws (started by the serving process) */
  realtime: Realtime;
  /** who may watch it: the handshake's principal or a refusal */
  watchAccess: WatchAccess;
  readiness(): Promise<DependencyHealth[]>;
  /** Hands published events on and, in embedded mode, writes the click aggregates now (tests, tools). */
  flushAnalytics(): Promise<void>;
  isReady(deps: DependencyHealth[]): boolean;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** replaces the local invalidation (the supervisor's IPC channel in multi-process mode) */
  invalidation?: Invalidation;
  publishClicks?: boolean;
  /** how the live stream reaches the other processes and instances (IPC, Redis); none: this process only */
  realtimeRelays?: RelayTransport[];
  /**
   * Tools (migrate, seed) publish nothing worth shipping: an in-process bus keeps them off the
   * broker and out of the serving processes' spool directories.
   */
  localEventsOnly?: boolean;
}

/** Embedded mode keeps its visitor salt beside the database so every process hashes alike. */
function embeddedVisitorSalt(dataDir: string): string {
  ensurePrivateDir(dataDir);
  const file = join(dataDir, "visitor-salt");
  if (!existsSync(file)) {
    try {
      writeFileSync(file, randomBytes(16).toString("hex"), { flag: "wx", mode: PRIVATE_FILE_MODE });
    } catch {
      // another process won the race to create it
    }
  }
  restrictIfPresent(file);
  return readFileSync(file, "utf8").trim();
}

export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const nodeName = `${hostname()}#${config.nodeId}.${config.processIndex}`;
  const adapters = await createAdapters(config, options.invalidation);
  const { store, l2, invalidation } = adapters;
  const l1 = new LruCache<string, CacheEntry>(config.cacheEntries);
  invalidation.subscribe((code) => l1.delete(code));
  const bus: EventBus = options.localEventsOnly ? new InProcessEventBus() : createEventBus(config, nodeName);
  const eventIds = new EventIds(config.nodeId, config.processIndex);
  const analytics = createAnalyticsStore(config);
  // With Kafka the analytics worker aggregates; without it this process does, from its own bus.
  const aggregator = bus instanceof InProcessEventBus ? new LocalClickAggregator(bus, analytics) : null;
  const stopPruner = aggregator ? startProcessedEventsPruner(analytics, config.analytics.dedupeRetentionMs) : () => {};

  // One model per process, shared by the create-time safety check and the background classifier;
  // a failed load is forgotten so the next use tries again.
  let model: Promise<UrlClassifier> | null = null;
  const loadModel = () => {
    model ??= UrlClassifier.load(classifierLoadOptions()).catch((error) => {
      model = null;
      throw error;
    });
    return model;
  };
  const rateLimiter: RateLimiter = adapters.rateLimiter ?? new MemoryRateLimiter();
  const management = createLinkManagement(config, store, rateLimiter, loadModel);
  const hasher = new PasswordHasher();
  const resolver = new LinkResolver({
    l1,
    l2,
    store,
    ttlMs: config.cacheTtlMs,
    negativeTtlMs: config.negativeCacheTtlMs,
    blocklist: management.safety.blocklist,
  });
  const links = new LinkService({
    store,
    l1,
    l2,
    invalidation,
    bus,
    ids: new SnowflakeIds(config.nodeId, config.processIndex),
    eventIds,
    nodeName,
    codeLength: config.codeLength,
    cacheTtlMs: config.cacheTtlMs,
    policy: { maxLength: config.maxUrlLength, blockPrivateTargets: config.blockPrivateTargets, ownHostname: config.publicHostname },
    safety: management.safety,
    hasher,
  });
  // Embedded mode classifies new links in-process, off the request path; with Kafka,
  // `ringlink worker classifier` does it.
  const linkClassifier =
    bus instanceof InProcessEventBus && !options.localEventsOnly && config.classifyLinks
      ? new LinkClassifier({
          store,
          classifier: loadModel,
          onVerdict: (code, verdict) => links.flagUnsafe(code, verdict.label, verdict.confidence),
        })
      : null;
  const unsubscribeClassifier = linkClassifier ? bus.subscribe("link.created", (events) => linkClassifier.enqueue(events)) : () => {};
  const guardOf = (policy: RatePolicy | null) => rateLimitGuard(rateLimiter, policy, config.trustedProxies);
  const guards: RequestGuards = {
    create: guardOf(config.rateLimitCreate),
    qr: guardOf(config.rateLimitQr),
    reads: guardOf(config.rateLimitReads),
    passwordHash: guardOf(config.linkManagement.rateLimitPasswordHash),
  };
  const qr = new QrCodes();
  const redirectGuard = config.rateLimitRedirect ? rateLimitGuard(rateLimiter, config.rateLimitRedirect, config.trustedProxies) : null;
  const stats = new StatsService({ store: analytics, findLink: (code) => links.get(code) });
  const assets = await loadAssets();
  const redirectStats = new RedirectStats();
  const redirectCore = createRedirectCore({
    resolver,
    store,
    bus,
    eventIds,
    nodeName,
    visitorSalt: config.visitorSalt ?? embeddedVisitorSalt(config.dataDir),
    trustedProxies: config.trustedProxies,
    publishClicks: options.publishClicks ?? config.clickEvents,
    stats: redirectStats,
    notFoundHtml: assets.get("404.html")?.body,
    passwordGuard: passwordAttemptGuard(rateLimiter, config),
    verifyPassword: (password, hash) => hasher.verify(password, hash),
  });
  const plainRedirect = redirectCore.handle;
  // Redirects are unlimited by default; when a policy is set the guard runs first (and a 429 is
  // answered as the JSON envelope by the caller's error mapping).
  const redirect: RedirectHandler = redirectGuard
    ? async (request, code, peer) => {
        const headers = await redirectGuard(request, peer);
        const res = await plainRedirect(request, code, peer);
        for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
        return res;
      }
    : plainRedirect;

  const readiness = async () => [...(await store.health()), ...(await adapters.extraHealth()), ...(bus.health ? [bus.health()] : [])];
  const metrics = new Metrics({
    redirects: redirectStats,
    events: () => ({ ...bus.stats() }),
    dependencies: readiness,
    nodeStates: () => adapters.nodeStates(),
    realtime: () => realtime.stats(),
  });

  const realtime: Realtime = new Realtime({
    nodeName,
    instance: `${hostname()}#${config.nodeId}`,
    bus,
    redirects: redirectStats,
    apiRequests: () => metrics.apiRequests,
    busStats: () => bus.stats(),
    shards: {
      shards: config.shards.length,
      readiness,
      isReady: (deps) => runtime.isReady(deps),
      newestCodes: async (limit) => (await store.listRecent(limit)).map((l) => l.code),
    },
    relays: options.realtimeRelays ?? [],
  });

  const watchAccess = createWatchAccess({
    authenticateToken: management.authenticateToken,
    credentialsRequired: async () => config.adminToken !== undefined || (await management.keys.anyActiveKeys()),
    originAllowed: createOriginCheck({ publicBaseUrl: config.publicBaseUrl, allowed: config.wsAllowedOrigins }),
  });

  const runtime: Runtime = {
    config,
    nodeName,
    store,
    l1,
    l2,
    invalidation,
    bus,
    analytics,
    stats,
    resolver,
    links,
    management,
    redirect,
    unlock: redirectCore.unlock,
    assets,
    rateLimiter,
    guards,
    qr,
    metrics,
    realtime,
    watchAccess,
    readiness,
    async flushAnalytics() {
      await bus.flush();
      await aggregator?.flush();
    },
    // The broker never decides readiness: while it is away events are spooled and nothing fails.
    isReady: (deps) => adapters.isReady(deps.filter((d) => d.kind !== "kafka")),
    async close() {
      await realtime.close();
      await bus.flush();
      stopPruner();
      await aggregator?.close();
      unsubscribeClassifier();
      await linkClassifier?.idle();
      await bus.close();
      await analytics.close();
      await invalidation.close();
      management.close();
      qr.close();
      await store.close();
      await rateLimiter.close();
      await adapters.close();
    },
  };
  return runtime;
}
