/**
 * Finds what a code points at, cheapest place first: L1 (this process) -> L2 (Redis, distributed
 * mode) -> the store (replica, then primary). Concurrent misses for one code share one lookup, and
 * a code that does not exist is remembered briefly as MISSING so a flood of junk stays off the DB.
 */
import { MISSING, type CacheEntry, type CachedLink, type LinkCache } from "../cache";
import type { LruCache } from "../lru";
import { toCachedLink } from "../links";
import type { LinkStore } from "../storage";

export type ResolveSource = "l1" | "redis" | "replica" | "primary";

export interface Resolution {
  entry: CacheEntry;
  source: ResolveSource;
}

export interface ResolverOptions {
  l1: LruCache<string, CacheEntry>;
  l2: LinkCache | null;
  store: LinkStore;
  ttlMs: number;
  negativeTtlMs: number;
  /**
   * The domain blocklist (null: none configured). Every link served, cached or not, has been
   * checked against the list's current version: a cached link is re-checked once after each
   * reload, so a newly listed domain stops redirecting within the reload interval.
   */
  blocklist?: BlocklistScreen | null;
}

export interface BlocklistScreen {
  readonly version: number;
  /** the entry covering the URL's host, or null */
  blockedBy(url: string): string | null;
}

export class LinkResolver {
  private readonly inflight = new Map<string, Promise<Resolution>>();
  /** how many lookups reached the store: lets tests prove single-flight and negative caching */
  storeLookups = 0;

  private readonly blocklist: BlocklistScreen | null;

  constructor(private readonly opts: ResolverOptions) {
    this.blocklist = opts.blocklist ?? null;
  }

  peek(code: string): CacheEntry | undefined {
    const entry = this.opts.l1.get(code);
    // Without a blocklist the hot path pays one null check; with one, an integer compare.
    if (this.blocklist !== null && entry !== undefined && entry !== MISSING && entry.screenedAt !== this.blocklist.version) this.screen(entry);
    return entry;
  }

  private screen(entry: CachedLink): void {
    const list = this.blocklist;
    if (list === null || entry.screenedAt === list.version) return;
    entry.screenedAt = list.version;
    entry.blocked = list.blockedBy(entry.url) !== null;
  }

  /**
   * The lookup answered now, when nothing on the way is I/O (no Redis, a store that reads
   * synchronously: embedded SQLite); undefined otherwise, and the caller awaits resolve().
   */
  resolveNow(code: string): CacheEntry | undefined {
    const { l1, l2, store, ttlMs, negativeTtlMs } = this.opts;
    if (l2 !== null || store.lookupNow === undefined) return undefined;
    this.storeLookups++;
    const record = store.lookupNow(code);
    if (record === null) {
      l1.set(code, MISSING, negativeTtlMs);
      return MISSING;
    }
    const entry = toCachedLink(record);
    this.screen(entry);
    l1.set(code, entry, ttlMs);
    return entry;
  }

  resolve(code: string): Promise<Resolution> {
    const pending = this.inflight.get(code);
    if (pending) return pending;
    const lookup = this.load(code).finally(() => this.inflight.delete(code));
    this.inflight.set(code, lookup);
    return lookup;
  }

  private async load(code: string): Promise<Resolution> {
    const { l1, l2, store, ttlMs, negativeTtlMs } = this.opts;
    if (l2) {
      // The shared cache is an optimisation: when it fails, the database still answers.
      const shared = await l2.get(code).catch(() => undefined);
      if (shared !== undefined) {
        if (shared !== MISSING) this.screen(shared);
        l1.set(code, shared, shared === MISSING ? negativeTtlMs : ttlMs);
        return { entry: shared, source: "redis" };
      }
    }
    this.storeLookups++;
    const { record, source } = await store.lookup(code);
    if (record === null) {
      l1.set(code, MISSING, negativeTtlMs);
      void l2?.setMissing(code, negativeTtlMs).catch(() => {});
      return { entry: MISSING, source };
    }
    const entry = toCachedLink(record);
    this.screen(entry);
    l1.set(code, entry, ttlMs);
    void l2?.set(entry, ttlMs).catch(() => {});
    return { entry, source };
  }
}
