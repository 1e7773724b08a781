/**
 * Picks the adapters for the configured mode and wires the services. Everything that owns a
 * connection, a timer or a file is created here and closed by `close()`, in dependency order.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { createAdapters } from "./adapters";
import { ClickCounter } from "./analytics";
import { LruCache, type CacheEntry, type Invalidation, type LinkCache } from "./cache";
import type { Config } from "./config";
import { loadAssets, type Asset } from "./dashboard";
import { EventIds, InProcessEventBus, type EventBus } from "./events";
import { SnowflakeIds } from "./ids";
import { LinkService } from "./links";
import { LinkResolver, createRedirectHandler, type RedirectHandler } from "./redirect";
import { Metrics, RedirectStats } from "./observability";
import { MemoryRateLimiter, rateLimitGuard, type RateLimitGuard, type RateLimiter } from "./ratelimit";
import type { DependencyHealth, LinkStore } from "./storage";

export interface Runtime {
  config: Config;
  nodeName: string;
  store: LinkStore;
  l1: LruCache<string, CacheEntry>;
  l2: LinkCache | null;
  invalidation: Invalidation;
  bus: EventBus;
  resolver: LinkResolver;
  links: LinkService;
  redirect: RedirectHandler;
  assets: Map<string, Asset>;
  rateLimiter: RateLimiter;
  createGuard: RateLimitGuard;
  metrics: Metrics;
  readiness(): Promise<DependencyHealth[]>;
  isReady(deps: DependencyHealth[]): boolean;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** replaces the local invalidation (the supervisor's IPC channel in multi-process mode) */
  invalidation?: Invalidation;
  publishClicks?: boolean;
}

/** Embedded mode keeps its visitor salt beside the database so every process hashes alike. */
function embeddedVisitorSalt(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, "visitor-salt");
  if (!existsSync(file)) {
    try {
      writeFileSync(file, randomBytes(16).toString("hex"), { flag: "wx", mode: 0o600 });
    } catch {
      // another process won the race to create it
    }
  }
  return readFileSync(file, "utf8").trim();
}

export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const nodeName = `${hostname()}#${config.nodeId}.${config.processIndex}`;
  const adapters = await createAdapters(config, options.invalidation);
  const { store, l2, invalidation } = adapters;
  const l1 = new LruCache<string, CacheEntry>(config.cacheEntries);
  invalidation.subscribe((code) => l1.delete(code));
  const bus: EventBus = new InProcessEventBus();
  const eventIds = new EventIds(config.nodeId, config.processIndex);
  const clicks = new ClickCounter(bus, store);

  const resolver = new LinkResolver({ l1, l2, store, ttlMs: config.cacheTtlMs, negativeTtlMs: config.negativeCacheTtlMs });
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
  });
  const rateLimiter: RateLimiter = adapters.rateLimiter ?? new MemoryRateLimiter();
  const createGuard = rateLimitGuard(rateLimiter, config.rateLimitCreate, config.trustedProxies);
  const redirectGuard = config.rateLimitRedirect ? rateLimitGuard(rateLimiter, config.rateLimitRedirect, config.trustedProxies) : null;
  const assets = await loadAssets();
  const redirectStats = new RedirectStats();
  const plainRedirect = createRedirectHandler({
    resolver,
    store,
    bus,
    eventIds,
    nodeName,
    visitorSalt: config.visitorSalt ?? embeddedVisitorSalt(config.dataDir),
    publishClicks: options.publishClicks ?? config.clickEvents,
    stats: redirectStats,
    notFoundHtml: assets.get("404.html")?.body,
  });
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

  const readiness = async () => [...(await store.health()), ...(await adapters.extraHealth())];
  const metrics = new Metrics({
    redirects: redirectStats,
    events: () => ({ ...bus.stats() }),
    dependencies: readiness,
  });

  return {
    config,
    nodeName,
    store,
    l1,
    l2,
    invalidation,
    bus,
    resolver,
    links,
    redirect,
    assets,
    rateLimiter,
    createGuard,
    metrics,
    readiness,
    isReady: (deps) => adapters.isReady(deps),
    async close() {
      await bus.flush();
      await clicks.close();
      await bus.close();
      await invalidation.close();
      await store.close();
      await rateLimiter.close();
      await adapters.close();
    },
  };
}
