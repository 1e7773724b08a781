/**
 * Finds what a code points at, cheapest place first: L1 (this process) -> L2 (Redis, distributed
 * mode) -> the store (replica, then primary). Concurrent misses for one code share one lookup, and
 * a code that does not exist is remembered briefly as MISSING so a flood of junk stays off the DB.
 */
import { MISSING, type CacheEntry, type LinkCache, type LruCache } from "../cache";
import { toCachedLink } from "../links/link-state";
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
   * The blocklist entry covering a URL, checked when a link is loaded from the store (not per
   * redirect): a domain blocklisted after its links were made stops them within a cache lifetime.
   */
  blockedBy?: (url: string) => string | null;
}

export class LinkResolver {
  private readonly inflight = new Map<string, Promise<Resolution>>();
  /** how many lookups reached the store: lets tests prove single-flight and negative caching */
  storeLookups = 0;

  constructor(private readonly opts: ResolverOptions) {}

  peek(code: string): CacheEntry | undefined {
    return this.opts.l1.get(code);
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
    let entry = toCachedLink(record);
    if (entry.disabled === null && this.opts.blockedBy?.(entry.url)) entry = { ...entry, disabled: "unsafe" };
    l1.set(code, entry, ttlMs);
    void l2?.set(entry, ttlMs).catch(() => {});
    return { entry, source };
  }
}
