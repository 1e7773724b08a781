import { expect, test } from "bun:test";
import { LocalInvalidation, LruCache, type CacheEntry } from "../../src/cache";
import { EventIds, InProcessEventBus } from "../../src/events";
import { Unavailable } from "../../src/http";
import { SnowflakeIds } from "../../src/ids";
import { LinkService } from "../../src/links";
import { SqliteLinkStore, type LinkStore, type NewLink } from "../../src/storage";

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
