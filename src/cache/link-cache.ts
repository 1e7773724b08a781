/**
 * What the caches hold for a code: just enough to answer a redirect without the database.
 * `MISSING` is the negative entry ("no such code"), kept apart from hits so a 404 can be cached
 * briefly without ever being mistaken for a link.
 */
import type { DisabledReason, RedirectType } from "../storage";
import type { DependencyHealth, NodeState } from "../cluster";
import type { CompiledRouting } from "../routing";

export interface CachedLink {
  code: string;
  url: string;
  redirectType: RedirectType;
  expiresAt: number | null;
  maxClicks: number | null;
  deleted: boolean;
  /** The link-management checks ride along so a cached ordinary link still answers synchronously. */
  disabled: DisabledReason | null;
  /** a password interstitial comes first; the hash itself stays in the database */
  password: boolean;
  forwardQuery: boolean;
  /**
   * Rules, split and preview, compiled once when the entry is made (never per request). Absent for
   * an ordinary link, so the redirect path pays one field check for the feature.
   */
  routing?: CompiledRouting;
  /**
   * This process's blocklist check, kept on the L1 entry (never stored in Redis): the blocklist
   * version the link was checked against, and whether its domain was listed then.
   */
  screenedAt?: number;
  blocked?: boolean;
}

export const MISSING = Symbol("missing");
export type CacheEntry = CachedLink | typeof MISSING;

/**
 * What one L1 entry holds, estimated: measured at ~580 bytes of heap for a 7-character code and a
 * 70-character URL once its redirect has been answered (the entry, the link, its prebuilt headers),
 * strings at 2 bytes a character. Compiled routing (rules, a split, a preview) is counted flat.
 */
export function cacheEntryBytes(code: string, entry: CacheEntry): number {
  if (entry === MISSING) return 160 + 2 * code.length;
  return 430 + 2 * (code.length + entry.url.length) + (entry.routing === undefined ? 0 : 2_048);
}

/** The shared (L2) cache port: Redis in distributed mode, absent in embedded mode. */
export interface LinkCache {
  get(code: string): Promise<CacheEntry | undefined>;
  set(link: CachedLink, ttlMs: number): Promise<void>;
  setMissing(code: string, ttlMs: number): Promise<void>;
  delete(code: string): Promise<void>;
  /** Per-node reachability (distributed mode: one entry per Redis node). */
  health?(): Promise<DependencyHealth[]>;
  /** Breaker state per remote node, for metrics. */
  nodeStates?(): NodeState[];
  close(): Promise<void>;
}

/**
 * Tells every process (and in distributed mode every instance) that a code changed, so each drops
 * it from its L1. Local-only in a single embedded process; IPC through the supervisor across
 * processes; Redis pub/sub across instances.
 */
export interface Invalidation {
  publish(code: string): void;
  subscribe(listener: (code: string) => void): void;
  close(): Promise<void>;
}

export class LocalInvalidation implements Invalidation {
  private readonly listeners: Array<(code: string) => void> = [];
  publish(code: string): void {
    for (const l of this.listeners) l(code);
  }
  subscribe(listener: (code: string) => void): void {
    this.listeners.push(listener);
  }
  async close(): Promise<void> {}
}
