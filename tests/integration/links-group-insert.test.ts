/**
 * The sharded store's group insert against the real cluster: the inserts of one turn go to each
 * shard as one multi-row statement, and every row still gets its own answer (taken codes, the same
 * reusable URL several times, a URL whose canonical link exists), a down shard failing only its rows.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { RecentChanges, ShardRing, ShardRouter, ShardUnavailable, topologyFromNodes } from "../../src/cluster";
import { randomCode } from "../../src/ids";
import { urlHash } from "../../src/links/link-service";
import { ShardedPostgresLinkStore } from "../../src/storage";
import type { InsertOutcome, NewLink } from "../../src/storage/link-store";
import { clusterConfig, describeCluster, linkFactory, freePort, migrateOnce, openNodes } from "../support/cluster";

const SETUP_MS = 60_000;
const TEST_MS = 30_000;

describeCluster("multi-row shard inserts", () => {
  const config = process.env.DATABASE_NODES || process.env.DB_NODES ? clusterConfig() : null;
  let ring: ShardRing;
  let store: ShardedPostgresLinkStore;
  let nodes: ReturnType<typeof openNodes>;
  const run = randomBytes(4).toString("hex");
  const newLink = linkFactory("group", 9, run);
  /** a code on the URL's shard, as the service places canonical links */
  const colocatedCode = (hash: string) => {
    for (;;) {
      const code = randomCode(9);
      if (store.colocated(code, hash)) return code;
    }
  };
  const canonicalLink = (url: string) => {
    const hash = urlHash(url);
    return newLink({ code: colocatedCode(hash), url, urlHash: hash, canonical: true });
  };

  beforeAll(async () => {
    await migrateOnce();
    ring = new ShardRing(config!.shards.length);
    store = new ShardedPostgresLinkStore({
      router: new ShardRouter(topologyFromNodes(config!.shards, [])),
      resilience: config!.resilience,
      recentChanges: new RecentChanges(),
    });
    nodes = openNodes();
  }, SETUP_MS);

  afterAll(async () => {
    await store?.close();
    await nodes?.close();
  }, SETUP_MS);

  test(
    "200 inserts of one turn: one statement per shard, and each row answers for itself",
    async () => {
      const takenAlias = newLink({ code: `taken-${run}`, isAlias: true });
      const oldUrl = `https://example.com/group/${run}/old`;
      const oldCanonical = canonicalLink(oldUrl);
      expect((await store.insert(takenAlias)).kind).toBe("inserted");
      expect((await store.insert(oldCanonical)).kind).toBe("inserted");

      const sameUrl = `https://example.com/group/${run}/same`;
      const links: NewLink[] = [];
      for (let i = 0; i < 200; i++) {
        if (i % 10 === 0) links.push(newLink({ code: takenAlias.code, isAlias: true }));
        else if (i % 10 === 1) links.push(newLink({ code: `dup-${run}-${i % 20}`, isAlias: true }));
        else if (i % 10 === 2) links.push(canonicalLink(sameUrl));
        else if (i % 10 === 3) links.push(canonicalLink(oldUrl));
        else links.push(newLink());
      }
      // Every optional column set on one row: the text-array parameters must carry them all.
      links[199] = newLink({
        expiresAt: Date.now() + 60_000,
        maxClicks: 5,
        ownerKey: "key-1",
        passwordHash: "$argon2id$fake",
        forwardQuery: true,
        tags: ["a", "b"],
        rules: [{ conditions: [{ type: "device", anyOf: ["mobile"] }], url: "https://example.com/m" }] as NewLink["rules"],
        variants: [{ name: "a", url: "https://example.com/v", weight: 100 }],
        preview: { title: 'say "hi"', description: null, image: null },
        redirectType: 301,
        category: "developer",
        categoryConfidence: 0.75,
      });

      const outcomes = await Promise.all(links.map((l) => store.insert(l)));
      const pick = (pred: (l: NewLink) => boolean) => outcomes.filter((_, i) => pred(links[i]!));

      expect(pick((l) => l.code === takenAlias.code).map((o) => o.kind)).toEqual(Array(20).fill("code_taken"));
      for (const code of [`dup-${run}-1`, `dup-${run}-11`]) {
        const got = pick((l) => l.code === code).map((o) => o.kind);
        expect(got[0]).toBe("inserted");
        expect(got.slice(1)).toEqual(Array(got.length - 1).fill("code_taken"));
      }
      const same = pick((l) => l.url === sameUrl);
      expect(same[0]!.kind).toBe("inserted");
      const winner = (same[0] as Extract<InsertOutcome, { kind: "inserted" }>).link;
      for (const o of same.slice(1)) expect(o).toEqual({ kind: "url_exists", link: winner });
      for (const o of pick((l) => l.url === oldUrl)) {
        expect(o.kind).toBe("url_exists");
        expect((o as Extract<InsertOutcome, { kind: "url_exists" }>).link.code).toBe(oldCanonical.code);
      }
      const plain = pick((l) => l.url.startsWith(`https://example.com/group/${run}/`) && !l.isAlias && !l.canonical);
      expect(plain.length).toBe(120);
      expect(plain.every((o) => o.kind === "inserted")).toBe(true);

      const full = outcomes[199] as Extract<InsertOutcome, { kind: "inserted" }>;
      expect(full.kind).toBe("inserted");
      const stored = await store.findByCode(links[199]!.code);
      expect(stored).toEqual(full.link);
      expect(stored).toMatchObject({
        maxClicks: 5,
        ownerKey: "key-1",
        passwordHash: "$argon2id$fake",
        forwardQuery: true,
        tags: ["a", "b"],
        variants: [{ name: "a", url: "https://example.com/v", weight: 100 }],
        preview: { title: 'say "hi"', description: null, image: null },
        redirectType: 301,
        category: "developer",
        categoryConfidence: 0.75,
        clicks: 0,
        deletedAt: null,
      });

      // Rows written by one statement share its transaction id: one xmin per shard, not one per row.
      const insertedCodes = links.filter((_, i) => outcomes[i]!.kind === "inserted").map((l) => l.code);
      for (const [i, shard] of nodes.shards.entries()) {
        const mine = insertedCodes.filter((c) => ring.shardOf(c) === i);
        if (mine.length === 0) continue;
        const [row] = await shard.primary<{ n: number; rows: number }[]>`
          SELECT count(DISTINCT xmin::text)::int AS n, count(*)::int AS rows FROM links WHERE code = ANY(${mine}::text[])`;
        expect(row).toEqual({ n: 1, rows: mine.length });
      }
    },
    TEST_MS,
  );

  test(
    "a shard that cannot be reached fails only its own rows of the turn",
    async () => {
      const down = config!.shards.length - 1;
      const closed = `postgres://ringlink@127.0.0.1:${await freePort()}/ringlink`;
      const shards = config!.shards.map((s, i) => (i === down ? { primary: closed, replica: closed } : s));
      const partial = new ShardedPostgresLinkStore({ router: new ShardRouter(topologyFromNodes(shards, [])), resilience: config!.resilience });
      try {
        const links = Array.from({ length: 60 }, () => newLink());
        const settled = await Promise.allSettled(links.map((l) => partial.insert(l)));
        expect(new Set(links.map((l) => ring.shardOf(l.code))).size).toBe(config!.shards.length);
        settled.forEach((s, i) => {
          if (ring.shardOf(links[i]!.code) === down) {
            expect(s.status).toBe("rejected");
            expect((s as PromiseRejectedResult).reason).toBeInstanceOf(ShardUnavailable);
          } else {
            expect(s.status).toBe("fulfilled");
            expect((s as PromiseFulfilledResult<InsertOutcome>).value.kind).toBe("inserted");
          }
        });
      } finally {
        await partial.close();
      }
    },
    TEST_MS,
  );
});
