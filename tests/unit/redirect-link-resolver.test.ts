/**
 * The resolver screens every link it serves against the blocklist's current version, wherever the
 * link came from (L1, the shared Redis cache, the store), and re-checks a cached link only when
 * the list has changed since.
 */
import { describe, expect, test } from "bun:test";
import type { CacheEntry, CachedLink, LinkCache } from "../../src/cache";
import { LruCache } from "../../src/lru";
import { LinkResolver } from "../../src/redirect";
import type { BlocklistScreen } from "../../src/redirect/link-resolver";
import type { LinkStore } from "../../src/storage";

const link = (code: string, url: string): CachedLink => ({
  code,
  url,
  redirectType: 302,
  expiresAt: null,
  maxClicks: null,
  deleted: false,
  disabled: null,
  password: false,
  forwardQuery: false,
});

class SwitchableBlocklist implements BlocklistScreen {
  version = 1;
  checks = 0;
  private listed = new Set<string>();
  list(...hosts: string[]): void {
    this.listed = new Set(hosts);
    this.version++;
  }
  blockedBy(url: string): string | null {
    this.checks++;
    const host = new URL(url).hostname;
    return this.listed.has(host) ? host : null;
  }
}

/** A shared cache that already holds the link (filled by another instance before the listing). */
function sharedCacheWith(entry: CachedLink): LinkCache {
  return {
    get: async (code) => (code === entry.code ? { ...entry } : undefined),
    set: async () => {},
    setMissing: async () => {},
    delete: async () => {},
    close: async () => {},
  };
}

const noStore = { lookup: async () => ({ record: null, source: "primary" as const }) } as unknown as LinkStore;

describe("blocklist screening in the resolver", () => {
  test("a link from the shared cache and then from L1 is refused once its domain is listed, and the check runs once per version", async () => {
    const blocklist = new SwitchableBlocklist();
    const l1 = new LruCache<string, CacheEntry>(100);
    const resolver = new LinkResolver({
      l1,
      l2: sharedCacheWith(link("abc1234", "https://shop.example/x")),
      store: noStore,
      ttlMs: 60_000,
      negativeTtlMs: 1_000,
      blocklist,
    });

    const first = await resolver.resolve("abc1234");
    expect(first.source).toBe("redis");
    expect((first.entry as CachedLink).blocked).toBe(false);

    for (let i = 0; i < 1_000; i++) resolver.peek("abc1234");
    expect(blocklist.checks).toBe(1); // unchanged list: no re-check on the hot path

    blocklist.list("shop.example");
    const cached = resolver.peek("abc1234") as CachedLink;
    expect(cached.blocked).toBe(true);
    expect(blocklist.checks).toBe(2);

    blocklist.list();
    expect((resolver.peek("abc1234") as CachedLink).blocked).toBe(false);
  });

  test("an entry the shared cache hands over for an already listed domain is refused at once", async () => {
    const blocklist = new SwitchableBlocklist();
    blocklist.list("evil.example");
    const resolver = new LinkResolver({
      l1: new LruCache(100),
      l2: sharedCacheWith(link("evil123", "https://evil.example/")),
      store: noStore,
      ttlMs: 60_000,
      negativeTtlMs: 1_000,
      blocklist,
    });
    expect(((await resolver.resolve("evil123")).entry as CachedLink).blocked).toBe(true);
  });
});
