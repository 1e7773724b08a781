/**
 * The composition root of a serving process (and of the tools, which run the same services on
 * in-process events): takes the adapters for the configured mode from src/adapters.ts and wires
 * the services over them. Nothing below builds an adapter or asks which one it got; features
 * receive ports. Everything that owns a timer, a thread or a connection is closed by `close()`,
 * producers before what they produce into.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { DomainBlocklist, UrlSafety } from "./abuse";
import { createOriginCheck, createWatchAccess, type WatchAccess } from "./access";
import { Adapters } from "./adapters";
import { LocalClickAggregator, StatsService, startProcessedEventsPruner, type AnalyticsStore } from "./analytics";
import { cacheEntryBytes, type CacheEntry, type Invalidation, type LinkCache } from "./cache";
import { LruCache } from "./lru";
import type { Config } from "./config";
import { loadAssets, type Asset } from "./dashboard";
import { PRIVATE_FILE_MODE, ensurePrivateDir, restrictIfPresent } from "./files";
import { LinkClassifier, UrlClassifier, classifierLoadOptions, classifierMissing } from "./classifier";
import { EVENT_TOPIC_NAMES, EventIds, type EventBus } from "./events";
import { openCountryDatabase } from "./geo";
import { startTracing, tracingEnabled } from "./tracing";
import { SnowflakeIds } from "./ids";
import { log } from "./log";
import { KeyService, createAuthenticator, createTokenAuthenticator, type Authenticate, type TokenAuthenticator } from "./keys";
import { LinkAccess, LinkService, PasswordHasher, QrCodes } from "./links";
import { DomainRegistry } from "./domains";
import { LinkResolver, createRedirectCore, type RedirectHandler, type UnlockHandler } from "./redirect";
import { Metrics, RedirectStats } from "./observability";
import { failureGuard, rateLimitGuard, type RatePolicy, type RateLimiter, type RequestGuards } from "./ratelimit";
import { Realtime, type RelayTransport } from "./realtime";
import { SessionService } from "./sessions";
import type { LinkStore } from "./storage";
import type { DependencyHealth } from "./cluster";
import { WebhookDispatcher, WebhookFanout, WebhookMetrics, WebhookService, keyIsActive } from "./webhooks";

/** How often a process re-reads the domains added through the API. */
const DOMAIN_REFRESH_MS = 5_000;

/** API keys, who may do what with links, and abuse protection. */
export interface LinkManagement {
  keys: KeyService;
  /** dashboard sign-in: signed session cookies that stand for a key */
  sessions: SessionService;
  /** true once an ADMIN_TOKEN or any API key exists (then reading and watching need credentials) */
  credentialsRequired(): Promise<boolean>;
  authenticate: Authenticate;
  /** the same check for a token that arrives another way (the live stream's subprotocol) */
  authenticateToken: TokenAuthenticator;
  access: LinkAccess;
  safety: UrlSafety;
}

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
  /** short domains (DOMAINS) besides PUBLIC_BASE_URL's host */
  domains: DomainRegistry;
  /** how long a removed domain may still be served by another process (0: no other process shares the store) */
  domainSettleMs: number;
  /** POST /:code: a password-protected link's form */
  unlock: UnlockHandler;
  assets: Map<string, Asset>;
  rateLimiter: RateLimiter;
  /** per-client budgets of the HTTP routes */
  guards: RequestGuards;
  /** QR codes, rendered on a QR thread */
  qr: QrCodes;
  metrics: Metrics;
  /** webhooks: the API's service (deliveries are made by a dispatcher off the request path) */
  webhooks: WebhookService;
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
  /**
   * `serve` (the default): clicks are published as CLICK_EVENTS says, new links are classified
   * in-process when there is no broker, and the live stream reaches other instances over Redis.
   * `tool` (migrate, keys, import, export, seed): events stay in this process, no clicks, no
   * classifier, no relay.
   */
  role?: "serve" | "tool";
  /** replaces the local invalidation (the supervisor's IPC channel in multi-process mode) */
  invalidation?: Invalidation;
  /** how the live stream reaches this instance's other processes (IPC through the supervisor) */
  realtimeRelays?: RelayTransport[];
  /** one of several processes of a supervisor (`serve --processes N`), sharing this store */
  supervised?: boolean;
}

/**
 * A secret that is not configured is generated once and kept in DATA_DIR (0600), so every process
 * of the instance uses the same one: the visitor salt (unique visitors hash alike) and the
 * session secret (a cookie one process signed is good on the others).
 */
function secretInDataDir(dataDir: string, name: string, bytes: number): string {
  ensurePrivateDir(dataDir);
  const file = join(dataDir, name);
  if (!existsSync(file)) {
    try {
      writeFileSync(file, randomBytes(bytes).toString("hex"), { flag: "wx", mode: PRIVATE_FILE_MODE });
    } catch {
      // another process won the race to create it
    }
  }
  restrictIfPresent(file);
  return readFileSync(file, "utf8").trim();
}

export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const serving = (options.role ?? "serve") === "serve";
  const nodeName = `${hostname()}#${config.nodeId}.${config.processIndex}`;
  // Before anything that makes spans; a serving process only (tools trace nothing).
  const stopTracing = serving ? await startTracing(config.tracing, "serve", nodeName) : async () => {};
  const adapters = new Adapters(config, { invalidation: options.invalidation, localEvents: !serving, clientId: nodeName });
  const store = adapters.linkStore();
  const l2 = adapters.sharedCache();
  const invalidation = adapters.invalidation();
  const analytics = adapters.analyticsStore();
  const bus = adapters.eventBus();
  const rateLimiter = adapters.rateLimiter();
  await adapters.connect();

  const l1 = new LruCache<string, CacheEntry>(
    config.cacheEntries,
    Date.now,
    config.cacheMemoryBytes > 0 ? { maxBytes: config.cacheMemoryBytes, sizeOf: cacheEntryBytes } : null,
  );
  invalidation.subscribe((code) => l1.delete(code));
  const eventIds = new EventIds(config.nodeId, config.processIndex);
  // With Kafka the workers aggregate and classify; without it this process does, from its own bus.
  const eventsHere = adapters.eventTransport === "in-process";
  const aggregator = eventsHere ? new LocalClickAggregator(bus, analytics) : null;
  const stopPruner = aggregator ? startProcessedEventsPruner(analytics, config.analytics.dedupeRetentionMs) : () => {};

  // One model per process, shared by the create-time safety check and the background classifier;
  // a failed load is forgotten so the next use tries again. A binary copied without its classifier
  // files serves all the same, with both off (said once, here): creates must not fail for them.
  const classifierGone = classifierMissing();
  if (classifierGone !== null && serving) log.warn(`classification and the unsafe-URL check are off: the classifier's files are ${classifierGone}`);
  let model: Promise<UrlClassifier> | null = null;
  const loadModel = () => {
    // .then: a synchronous throw while locating the files becomes a rejection the callers handle.
    model ??= Promise.resolve()
      .then(() => UrlClassifier.load(classifierLoadOptions()))
      .catch((error) => {
        model = null;
        throw error;
      });
    return model;
  };

  const lm = config.linkManagement;
  const guardOf = (policy: RatePolicy | null) => rateLimitGuard(rateLimiter, policy, config.trustedProxies);
  const guards: RequestGuards = {
    create: guardOf(config.rateLimitCreate),
    qr: guardOf(config.rateLimitQr),
    reads: guardOf(config.rateLimitReads),
    passwordHash: guardOf(lm.rateLimitPasswordHash),
    password: guardOf(lm.rateLimitPassword),
    // Redirects are unlimited by default: no guard at all then, not even an awaited no-op.
    redirect: config.rateLimitRedirect ? guardOf(config.rateLimitRedirect) : null,
  };
  const keys = new KeyService({ store: adapters.keyStore() });
  const authFailures = failureGuard(
    rateLimiter,
    lm.rateLimitAuthFailures,
    config.trustedProxies,
    "too many failed authentications from this address; wait before trying again",
  );
  const sessions = new SessionService({
    secret: config.sessionSecret ?? secretInDataDir(config.dataDir, "session-secret", 32),
    ttlMs: config.sessionTtlMs,
    keys,
    adminToken: config.adminToken,
  });
  const management: LinkManagement = {
    keys,
    sessions,
    credentialsRequired: async () => config.adminToken !== undefined || (await keys.anyActiveKeys()),
    authenticate: createAuthenticator(keys, config.adminToken, authFailures, sessions.credential()),
    authenticateToken: createTokenAuthenticator(keys, config.adminToken, authFailures),
    access: new LinkAccess({ keys, adminToken: config.adminToken, anonCreate: lm.anonCreate, anonAliases: lm.anonAliases }),
    safety: new UrlSafety({
      blocklist: lm.blocklistFile === undefined ? null : DomainBlocklist.fromFile(lm.blocklistFile),
      threshold: classifierGone === null ? lm.unsafeUrlThreshold : null,
      loadClassifier: loadModel,
    }),
  };

  const hasher = new PasswordHasher();
  const resolver = new LinkResolver({
    l1,
    l2,
    store,
    ttlMs: config.cacheTtlMs,
    negativeTtlMs: config.negativeCacheTtlMs,
    blocklist: management.safety.blocklist,
  });
  const domains = new DomainRegistry(config.publicHostname, config.domains, config.trustedProxies);
  // Domains added through the API: read at start, then every few seconds, so every process and
  // instance serves a new domain soon after POST /api/v1/domains (the one that took it at once).
  const refreshDomains = () =>
    store.domains.listDomains().then(
      (stored) => domains.apply(stored),
      (error: unknown) => log.warn("could not read the stored domains", { error }),
    );
  await refreshDomains();
  const domainTimer = serving ? setInterval(() => void refreshDomains(), DOMAIN_REFRESH_MS) : null;
  domainTimer?.unref();
  const linkPolicy = {
    maxLength: config.maxUrlLength,
    blockPrivateTargets: config.blockPrivateTargets,
    ownHostname: config.publicHostname,
    isOwnDomain: (host: string) => domains.find(host) !== null,
  };
  const links = new LinkService({
    domains,
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
    policy: linkPolicy,
    safety: management.safety,
    hasher,
  });
  const linkClassifier =
    serving && eventsHere && config.classifyLinks && classifierGone === null
      ? new LinkClassifier({
          store,
          classifier: loadModel,
          onVerdict: (code, verdict) => links.flagUnsafe(code, verdict.label, verdict.confidence),
        })
      : null;
  const unsubscribeClassifier = linkClassifier ? bus.subscribe("link.created", (events) => linkClassifier.enqueue(events)) : () => {};
  const qr = new QrCodes();
  const stats = new StatsService({ store: analytics, findLink: (code) => links.get(code) });
  const assets = await loadAssets();
  const redirectStats = new RedirectStats();
  const { redirect, unlock } = createRedirectCore({
    domains,
    resolver,
    store,
    bus,
    eventIds,
    nodeName,
    visitorSalt: config.visitorSalt ?? secretInDataDir(config.dataDir, "visitor-salt", 16),
    trustedProxies: config.trustedProxies,
    // ~8 MB per serving process; tools publish no clicks and never need it.
    traceRatio: tracingEnabled() ? config.tracing.redirectRatio : 0,
    countries: serving && config.clickEvents ? openCountryDatabase(config.geoipDatabase) : null,
    guard: guards.redirect,
    publishClicks: serving && config.clickEvents,
    logRequests: config.accessLog === "all",
    stats: redirectStats,
    notFoundHtml: assets.get("404.html")?.body,
    passwordGuard: guards.password,
    verifyPassword: (password, hash) => hasher.verify(password, hash),
  });

  // Webhooks: with the events in this process, this process queues their deliveries (the store is
  // the queue) and, when it serves, sends them; with Kafka, `ringlink worker webhooks` does both.
  const webhookStore = adapters.webhookStore();
  const fanout = eventsHere
    ? new WebhookFanout({
        store: webhookStore,
        ownerOf: async (code) => (await store.findByCode(code))?.ownerKey,
        keyActive: (id) => keyIsActive(adapters.keyStore(), id),
        publicBaseUrl: config.publicBaseUrl,
      })
    : null;
  let dispatcher: WebhookDispatcher | null = null;
  const webhooks = new WebhookService({
    store: webhookStore,
    policy: linkPolicy,
    allowLoopback: config.webhooks.allowLoopback,
    onChange: () => {
      fanout?.invalidate();
      dispatcher?.wake();
    },
  });
  const unsubscribeWebhooks = fanout
    ? EVENT_TOPIC_NAMES.map((topic) =>
        bus.subscribe(topic, async (events) => {
          if ((await fanout.handle(topic, events)) > 0) dispatcher?.wake();
        }),
      )
    : [];

  const readiness = () => adapters.health();
  const isReady = (deps: DependencyHealth[]) => adapters.isReady(deps);
  const metrics = new Metrics({
    redirects: redirectStats,
    events: () => ({ ...bus.stats() }),
    dependencies: readiness,
    nodeStates: () => adapters.nodeStates(),
    topology: () => adapters.topologyStatus(),
    realtime: () => realtime.stats(),
  });
  if (serving && eventsHere) {
    const pending = async () => [...(await webhookStore.pendingCounts()).values()].reduce((a, b) => a + b, 0);
    dispatcher = new WebhookDispatcher({ store: webhookStore, metrics: new WebhookMetrics(metrics.registry, pending), ...config.webhooks });
    dispatcher.start();
  }
  const relayAcrossInstances = serving ? adapters.realtimeRelay() : null;
  const realtime: Realtime = new Realtime({
    nodeName,
    instance: `${hostname()}#${config.nodeId}`,
    bus,
    redirects: redirectStats,
    apiRequests: () => metrics.apiRequests,
    busStats: () => bus.stats(),
    shards: {
      shards: adapters.shardCount,
      shardOf: adapters.shardOf,
      readiness,
      isReady,
      newestCodes: async (limit) => (await store.listRecent(limit)).map((l) => l.code),
      countLinks: () => store.countLinks(),
      shardCount: () => adapters.shardCount,
      topology: () => {
        const t = adapters.topologyStatus();
        if (!t) return null;
        return {
          version: t.version,
          shards: t.shards,
          moving: t.moving,
          move_from: t.moveFrom,
          moved: t.progress?.moved ?? null,
          to_move: t.progress?.total ?? null,
          verify_at: t.verify?.at ?? null,
          findings: Object.fromEntries(Object.entries(t.verify?.found ?? {}).filter(([, n]) => n > 0)),
        };
      },
    },
    relays: [...(options.realtimeRelays ?? []), ...(relayAcrossInstances ? [relayAcrossInstances] : [])],
  });
  const watchAccess = createWatchAccess({
    authenticateToken: management.authenticateToken,
    session: sessions.credential(),
    credentialsRequired: management.credentialsRequired,
    originAllowed: createOriginCheck({ publicBaseUrl: config.publicBaseUrl, allowed: config.wsAllowedOrigins }),
  });

  return {
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
    domains,
    // A process of a supervisor, or any instance of a cluster, may still accept creates on a
    // removed domain until its next re-read; one embedded process alone has no such peer.
    domainSettleMs: config.mode === "distributed" || options.supervised === true ? DOMAIN_REFRESH_MS + 1_000 : 0,
    unlock,
    assets,
    rateLimiter,
    guards,
    qr,
    metrics,
    webhooks,
    realtime,
    watchAccess,
    readiness,
    async flushAnalytics() {
      await bus.flush();
      await aggregator?.flush();
    },
    isReady,
    async close() {
      if (domainTimer !== null) clearInterval(domainTimer);
      await realtime.close();
      await bus.flush();
      stopPruner();
      await aggregator?.close();
      unsubscribeClassifier();
      for (const off of unsubscribeWebhooks) off();
      await dispatcher?.stop();
      await linkClassifier?.idle();
      management.safety.close();
      qr.close();
      await adapters.close();
      await stopTracing();
    },
  };
}
