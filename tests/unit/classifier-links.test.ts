import { expect, test } from "bun:test";
import { LinkClassifier, UrlClassifier } from "../../src/classifier";
import type { LinkEvent } from "../../src/events";
import { SqliteLinkStore } from "../../src/storage";

function created(code: string, url: string): LinkEvent {
  return { event_id: `e-${code}`, type: "write", status: "OK", node: "t", redis: null, db: null, short_code: code, latency_ms: 1, ts: Date.now(), url };
}

async function storeWith(links: Array<[string, string]>) {
  const store = new SqliteLinkStore(":memory:");
  let id = 1n;
  for (const [code, url] of links) {
    await store.insert({
      id: id++,
      code,
      url,
      urlHash: code,
      isAlias: false,
      canonical: false,
      redirectType: 302,
      createdAt: Date.now(),
      expiresAt: null,
      maxClicks: null,
    });
  }
  return store;
}

test("created links get the model's category and confidence on their row", async () => {
  const store = await storeWith([
    ["bbcnews", "https://www.bbc.co.uk/news/world-europe-12345678"],
    ["ghrepo", "https://github.com/oven-sh/bun"],
  ]);
  const classifier = new LinkClassifier({ store, classifier: () => UrlClassifier.load() });
  classifier.enqueue([created("bbcnews", "https://www.bbc.co.uk/news/world-europe-12345678"), created("ghrepo", "https://github.com/oven-sh/bun")]);
  await classifier.idle();
  const news = await store.findByCode("bbcnews");
  expect(news?.category).toBe("news");
  expect(news?.categoryConfidence).toBeGreaterThan(0.3);
  expect((await store.findByCode("ghrepo"))?.category).toBe("developer");
  expect(classifier.stats.classified).toBe(2);
});

test("a model that cannot load leaves links uncategorised, counts them, and is retried later", async () => {
  const store = await storeWith([["x1", "https://example.com/a"]]);
  let loads = 0;
  const classifier = new LinkClassifier({
    store,
    classifier: async () => {
      loads++;
      if (loads === 1) throw new Error("model file missing");
      return UrlClassifier.load();
    },
  });
  await classifier.handle([created("x1", "https://example.com/a")]);
  expect(classifier.stats.failed).toBe(1);
  expect((await store.findByCode("x1"))?.category).toBeNull();
  await classifier.handle([created("x1", "https://example.com/a")]);
  expect(loads).toBe(2);
  expect((await store.findByCode("x1"))?.category).not.toBeNull();
});

test("read events and failed writes are skipped, never thrown", async () => {
  const store = await storeWith([]);
  const classifier = new LinkClassifier({ store, classifier: () => UrlClassifier.load() });
  const click: LinkEvent = { ...created("zz", "https://example.com/"), type: "read" };
  await classifier.handle([click, created("missing", "not a url at all")]);
  expect(classifier.stats.skipped).toBe(2); // the click, and the link that no longer exists
  expect(classifier.stats.classified).toBe(0);
  expect(classifier.stats.failed).toBe(0);
});

test("a create whose unsafe-URL check already stored its category is not run through the model again", async () => {
  const store = await storeWith([["checked", "https://github.com/oven-sh/bun"]]);
  let classified = 0;
  const classifier = new LinkClassifier({
    store,
    classifier: async () => ({
      classify: async (urls: readonly string[]) => {
        classified += urls.length;
        return urls.map(() => ({ label: "news", confidence: 0.9, scores: {} }));
      },
    }),
  });
  await classifier.handle([{ ...created("checked", "https://github.com/oven-sh/bun"), category: "developer" }, created("fresh", "https://example.com/")]);
  expect(classified).toBe(1);
  expect(classifier.stats.skipped).toBe(2); // the checked create, and "fresh", which has no row
});
