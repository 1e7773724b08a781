import { expect, test } from "bun:test";
import { LocalInvalidation, type CacheEntry } from "../../src/cache";
import { LruCache } from "../../src/lru";
import { EventIds, InProcessEventBus } from "../../src/events";
import { Unavailable } from "../../src/errors";
import { SnowflakeIds } from "../../src/ids";
import { LinkService } from "../../src/links";
import { SqliteLinkStore, type LinkStore } from "../../src/storage";
import type { NewLink } from "../../src/storage/link-store";

/** A store whose first `failures` inserts find their shard's primary down. */
function flakyStore(failures: number): LinkStore & { attempts: number } {
  const inner = new SqliteLinkStore(":memory:");
  let left = failures;
  return Object.assign(Object.create(inner) as LinkStore, {
    attempts: 0,
    async insert(this: { attempts: number }, link: NewLink) {
      this.attempts++;
      if (left-- > 0) throw new Unavailable("shard 1 primary is down");
      return inner.insert(link);
    },
  });
}

function service(store: LinkStore) {
  return new LinkService({
    store,
    l1: new LruCache<string, CacheEntry>(100),
    l2: null,
    invalidation: new LocalInvalidation(),
    bus: new InProcessEventBus(),
    ids: new SnowflakeIds(0, 0),
    eventIds: new EventIds(0, 0),
    nodeName: "test",
    codeLength: 7,
    cacheTtlMs: 60_000,
    policy: { maxLength: 2048, blockPrivateTargets: true, ownHostname: "rl.example" },
  });
}

test("a random-code link whose shard is down is placed on another shard instead of failing", async () => {
  const store = flakyStore(2);
  const { created } = await service(store).create({ url: "https://example.com/elsewhere", reuse: false });
  expect(created).toBe(true);
  expect(store.attempts).toBe(3);
});

test("a canonical link (same URL -> same code) must live on its URL's shard, so a down shard is a 503", async () => {
  const store = flakyStore(1);
  await expect(service(store).create({ url: "https://example.com/canonical" })).rejects.toBeInstanceOf(Unavailable);
});

test("an alias lives where its code hashes, so a down shard is a 503", async () => {
  const store = flakyStore(1);
  await expect(service(store).create({ url: "https://example.com/alias", alias: "pinned" })).rejects.toBeInstanceOf(Unavailable);
});

test("a filtered listing looks at no more than 10,000 links per page and hands back a cursor to go on from", async () => {
  const store = new SqliteLinkStore(":memory:");
  for (let id = 1; id <= 25_000; id++) {
    const url = id === 1 ? "https://example.com/needle" : `https://example.com/hay/${id}`;
    await store.insert({
      id: BigInt(id),
      code: `c${id}`,
      url,
      urlHash: `h${id}`,
      isAlias: false,
      canonical: false,
      redirectType: 302,
      createdAt: id,
      expiresAt: null,
      maxClicks: null,
    });
  }
  const links = service(store);
  const pages: Array<{ items: string[]; nextCursor: string | null }> = [];
  let cursor: bigint | undefined;
  do {
    const page = await links.list({ limit: 20, q: "needle", cursor });
    pages.push({ items: page.items.map((l) => l.code), nextCursor: page.nextCursor });
    cursor = page.nextCursor === null ? undefined : BigInt(page.nextCursor);
  } while (cursor !== undefined);
  // Ids 25,000..15,001, then 15,000..5,001, then the rest, where the one match is.
  expect(pages).toEqual([
    { items: [], nextCursor: "15001" },
    { items: [], nextCursor: "5001" },
    { items: ["c1"], nextCursor: null },
  ]);
  // Unfiltered pages fill up as before, and a full page's cursor is its last item.
  const newest = await links.list({ limit: 3 });
  expect(newest).toEqual({ items: expect.any(Array), nextCursor: "24998" });
  expect(newest.items.map((l) => l.code)).toEqual(["c25000", "c24999", "c24998"]);
  await store.close();
}, 60_000);
