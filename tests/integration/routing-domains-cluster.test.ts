/**
 * Domains, rules, splits and previews in distributed mode: two instances (own L1 each) over the
 * sharded PostgreSQL store and Redis. The same code on two short domains and the default one lands
 * on different shards by its link key, is served by the other instance from Host, and a change made
 * through one instance with ?domain= reaches the other; routing fields survive the PostgreSQL
 * columns and the Redis entry; a domain is removed only without links (on any shard), and the other
 * instance stops serving it within its refresh.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { ShardRing } from "../../src/cluster";
import { ADMIN_TOKEN, clusterConfig, describeCluster, migrateOnce, startRinglink, waitFor, type ServerProcess } from "../support/cluster";

const SETUP_MS = 60_000;
const TEST_MS = 30_000;
const GO = "go.example.test";
const SHOP = "shop.example.test";
const DOMAINS = `${GO} not-found=https://example.com/go-missing, ${SHOP}`;
const admin = { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` };

describeCluster("domains and per-request routing over the sharded cluster", () => {
  let a: ServerProcess;
  let b: ServerProcess;
  let ring: ShardRing;
  const run = randomBytes(4).toString("hex");

  beforeAll(async () => {
    await migrateOnce();
    ring = new ShardRing(clusterConfig().shards.length);
    [a, b] = await Promise.all([startRinglink({ NODE_ID: "21", DOMAINS }), startRinglink({ NODE_ID: "22", DOMAINS })]);
  }, SETUP_MS);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  }, SETUP_MS);

  const create = async (base: string, body: Record<string, unknown>) => {
    const res = await fetch(`${base}/api/v1/links`, { method: "POST", headers: admin, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const follow = async (base: string, path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, { redirect: "manual", headers });
    return { status: res.status, location: res.headers.get("location") };
  };

  test(
    "the same code on three domains lives on the shards of its link keys and is served from Host by the other instance",
    async () => {
      // An alias whose three link keys do not all share one shard (a few tries at most).
      let alias = "";
      for (let i = 0; ; i++) {
        alias = `d${run}${i}`;
        const shards = new Set([alias, `${GO}/${alias}`, `${SHOP}/${alias}`].map((k) => ring.shardOf(k)));
        if (ring.size === 1 || shards.size > 1) break;
      }
      for (const [domain, target] of [
        [null, "https://example.com/default"],
        [GO, "https://example.com/go"],
        [SHOP, "https://example.com/shop"],
      ] as const) {
        const made = await create(a.base, { url: `${target}/${run}`, alias, ...(domain ? { domain } : {}) });
        expect(made.status).toBe(201);
        expect(made.body.code).toBe(alias);
      }
      expect(await follow(b.base, `/${alias}`)).toEqual({ status: 302, location: `https://example.com/default/${run}` });
      expect(await follow(b.base, `/${alias}`, { host: GO })).toEqual({ status: 302, location: `https://example.com/go/${run}` });
      expect(await follow(b.base, `/${alias}`, { host: SHOP })).toEqual({ status: 302, location: `https://example.com/shop/${run}` });
      expect(await follow(b.base, `/nothing${run}`, { host: GO })).toEqual({ status: 302, location: "https://example.com/go-missing" });

      // Changed through A by domain; B (which has it cached) follows the new target, the others stay.
      const patched = await fetch(`${a.base}/api/v1/links/${alias}?domain=${GO}`, {
        method: "PATCH",
        headers: admin,
        body: JSON.stringify({ url: `https://example.com/go-2/${run}` }),
      });
      expect(patched.status).toBe(200);
      await waitFor(
        "B to follow the changed link",
        async () => (await follow(b.base, `/${alias}`, { host: GO })).location === `https://example.com/go-2/${run}`,
        2_000,
        20,
      );
      expect((await follow(b.base, `/${alias}`, { host: SHOP })).location).toBe(`https://example.com/shop/${run}`);
      expect((await follow(b.base, `/${alias}`)).location).toBe(`https://example.com/default/${run}`);
    },
    TEST_MS,
  );

  test(
    "a domain added through one instance's API is served by the other within its refresh",
    async () => {
      const added = `added-${run}.example.test`;
      const res = await fetch(`${a.base}/api/v1/domains`, {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ host: added, notFoundRedirect: "https://example.com/added-missing" }),
      });
      expect(res.status).toBe(201);
      const made = await create(a.base, { url: `https://example.com/added/${run}`, alias: "welcome", domain: added });
      expect(made.status).toBe(201);
      await waitFor(
        "B to serve the added domain",
        async () => (await follow(b.base, "/welcome", { host: added })).location === `https://example.com/added/${run}`,
        12_000,
        100,
      );
      expect((await follow(b.base, `/nothing${run}`, { host: added })).location).toBe("https://example.com/added-missing");
    },
    TEST_MS,
  );

  test(
    "rules, split and preview written on one instance are served by the other (PostgreSQL columns, Redis entry)",
    async () => {
      const made = await create(a.base, {
        url: `https://example.com/routed/${run}`,
        domain: SHOP,
        rules: [{ conditions: [{ type: "country", anyOf: ["NL"] }], url: `https://example.com/nl/${run}` }],
        variants: [
          { url: `https://example.com/a/${run}`, weight: 50 },
          { url: `https://example.com/b/${run}`, weight: 50 },
        ],
        preview: { title: `Routed ${run}` },
      });
      expect(made.status).toBe(201);
      const code = made.body.code as string;
      // First read on B goes to the store; the second may come from Redis or L1: both must agree.
      for (let i = 0; i < 2; i++) {
        expect((await follow(b.base, `/${code}`, { host: SHOP, "cf-ipcountry": "NL" })).location).toBe(`https://example.com/nl/${run}`);
        const split = await follow(b.base, `/${code}`, { host: SHOP, "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0" });
        expect([`https://example.com/a/${run}`, `https://example.com/b/${run}`]).toContain(split.location ?? "");
        const crawler = await fetch(`${b.base}/${code}`, {
          headers: { host: SHOP, "user-agent": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)" },
        });
        expect(crawler.status).toBe(200);
        expect(await crawler.text()).toContain(`Routed ${run}`);
      }
      const shown = (await (await fetch(`${b.base}/api/v1/links/${code}?domain=${SHOP}`, { headers: admin })).json()) as Record<string, any>;
      expect(shown.domain).toBe(SHOP);
      expect(shown.variants).toHaveLength(2);
      expect(shown.preview.title).toBe(`Routed ${run}`);
    },
    TEST_MS,
  );

  test(
    "a domain with a link on any shard is not removed; without links it is, and the other instance stops serving it",
    async () => {
      const gone = `gone-${run}.example.test`;
      const res = await fetch(`${a.base}/api/v1/domains`, {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ host: gone, rootRedirect: "https://example.com/gone-home" }),
      });
      expect(res.status).toBe(201);
      const made = await create(a.base, { url: `https://example.com/gone/${run}`, alias: "bye", domain: gone });
      expect(made.status).toBe(201);
      const remove = () => fetch(`${b.base}/api/v1/domains/${gone}`, { method: "DELETE", headers: admin });
      const refused = await remove();
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("domain_in_use");

      expect((await fetch(`${a.base}/api/v1/links/bye?domain=${gone}`, { method: "DELETE", headers: admin })).status).toBe(204);
      await waitFor("A to serve the domain's root redirect", async () => (await follow(a.base, "/", { host: gone })).status === 302, 12_000, 100);
      // Several instances share the store: the removal waits out one refresh and looks again.
      const startedAt = Date.now();
      expect((await remove()).status).toBe(204);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(5_000);
      // A has re-read the list by then: its root redirect is gone, and a create on it is refused.
      expect((await follow(a.base, "/", { host: gone })).status).toBe(200);
      const late = await create(a.base, { url: `https://example.com/late/${run}`, domain: gone });
      expect(late.status).toBe(422);
      expect(late.body.error.code).toBe("unknown_domain");
    },
    TEST_MS,
  );
});
