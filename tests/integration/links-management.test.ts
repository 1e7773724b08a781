/**
 * Link management across two ringlink instances over the real cluster (PostgreSQL shard pairs,
 * Redis): exact maxClicks under 1,000 concurrent hits split over both instances, API keys created
 * by the CLI on shard 0 and honoured (and revoked) everywhere, PATCH seen by the other instance
 * within a second, password links, tag listing across shards, and import/export with the cluster.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ADMIN_TOKEN, describeCluster, follow, migrateOnce, runRinglink, startRinglink, waitFor, type ServerProcess } from "../support/cluster";

const SETUP_MS = 90_000;
const TEST_MS = 60_000;

async function cli(args: string[]): Promise<string> {
  const { code, out, err } = await runRinglink(args);
  if (code !== 0) throw new Error(`ringlink ${args.join(" ")} exited ${code}:\n${out}${err}`);
  return out;
}

async function api(base: string, method: string, path: string, body?: unknown, token?: string, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { ...extra };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: "manual" });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as any) : null };
}

describeCluster("link management across two instances", () => {
  let a: ServerProcess;
  let b: ServerProcess;
  let token: string;
  let keyId: string;
  const run = randomBytes(4).toString("hex");
  const dir = mkdtempSync(join(tmpdir(), "ringlink-lm-it-"));

  beforeAll(async () => {
    await migrateOnce();
    // Both instances must agree on one thing only: the cluster. Redis carries invalidations.
    // Loopback is a trusted proxy so X-Forwarded-For can name a client of its own (failed-auth test).
    const env = { UNSAFE_URL_THRESHOLD: "off", DB_POOL_MAX: "20", KAFKA_BROKERS: "", TRUSTED_PROXIES: "127.0.0.1,::1" };
    [a, b] = await Promise.all([startRinglink({ ...env, NODE_ID: "21" }), startRinglink({ ...env, NODE_ID: "22" })]);
    const created = await cli(["keys", "create", "--name", `it-${run}`, "--scopes", "create,manage,stats"]);
    token = /rl_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{32}/.exec(created)![0];
    keyId = token.slice(3, 11);
  }, SETUP_MS);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await cli(["keys", "revoke", keyId]).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }, SETUP_MS);

  test(
    "1,000 concurrent hits on a maxClicks=100 link over two instances: exactly 100 redirects, 900 x 410",
    async () => {
      const { status, json } = await api(a.base, "POST", "/api/v1/links", { url: `https://example.com/limited/${run}`, maxClicks: 100 }, token);
      expect(status).toBe(201);
      const code = json.code as string;
      const bases = [a.base, b.base];
      const statuses = await Promise.all(
        Array.from({ length: 1000 }, async (_, i) => {
          const res = await fetch(`${bases[i % 2]}/${code}`, { redirect: "manual" });
          await res.arrayBuffer();
          return res.status;
        }),
      );
      const count = (s: number) => statuses.filter((x) => x === s).length;
      expect({ redirects: count(302), gone: count(410), other: statuses.length - count(302) - count(410) }).toEqual({ redirects: 100, gone: 900, other: 0 });
    },
    TEST_MS,
  );

  test(
    "a key made by `ringlink keys create` works on both instances; a revoked key is refused everywhere within seconds",
    async () => {
      for (const base of [a.base, b.base]) {
        const r = await api(
          base,
          "POST",
          "/api/v1/links",
          { url: `https://example.com/keyed/${run}/${base.slice(-5)}`, alias: `k-${run}-${base.slice(-5)}` },
          token,
        );
        expect(r.status).toBe(201);
        expect(r.json.ownerKey).toBe(keyId);
      }
      const short = await cli(["keys", "create", "--name", `short-${run}`, "--scopes", "create"]);
      const shortToken = /rl_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{32}/.exec(short)![0];
      expect((await api(b.base, "POST", "/api/v1/links", { url: `https://example.com/short/${run}` }, shortToken)).status).toBe(201);
      await cli(["keys", "revoke", shortToken.slice(3, 11)]);
      for (const base of [a.base, b.base]) {
        await waitFor(
          `the revoked key to be refused by ${base}`,
          async () => (await api(base, "POST", "/api/v1/links", { url: `https://example.com/short/${run}/x` }, shortToken)).status === 403,
          8_000,
          200,
        );
      }
      expect(await cli(["keys", "list"])).toContain(`short-${run}`);
    },
    TEST_MS,
  );

  test(
    "failed authentications share one Redis bucket per client across instances (default 10/min)",
    async () => {
      const attacker = { "x-forwarded-for": `2001:db8:${run.slice(0, 4)}::${run.slice(4)}` };
      const wrong = (i: number) => `rl_AAAAAAAA_${String(i).padStart(32, "x")}`;
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++)
        statuses.push((await api(i % 2 === 0 ? a.base : b.base, "GET", "/api/v1/links?limit=1", undefined, wrong(i), attacker)).status);
      expect(statuses).toEqual(Array(10).fill(403));
      // Five failures on each instance: only a shared bucket is empty now.
      expect((await api(a.base, "GET", "/api/v1/links?limit=1", undefined, wrong(10), attacker)).status).toBe(429);
      expect((await api(b.base, "GET", "/api/v1/links?limit=1", undefined, wrong(11), attacker)).status).toBe(429);
      expect((await api(b.base, "GET", "/api/v1/links?limit=1", undefined, token, attacker)).status).toBe(429);
      // The key itself, from its own address, is unaffected.
      expect((await api(b.base, "GET", "/api/v1/links?limit=1", undefined, token)).status).toBe(200);
    },
    TEST_MS,
  );

  test(
    "PATCH on one instance: the other stops serving the old target within 1 s",
    async () => {
      const created = await api(a.base, "POST", "/api/v1/links", { url: `https://example.com/before/${run}` }, token);
      const code = created.json.code as string;
      expect((await follow(b.base, code)).location).toBe(`https://example.com/before/${run}`); // cached on B
      expect((await follow(b.base, code)).location).toBe(`https://example.com/before/${run}`);
      const patched = await api(a.base, "PATCH", `/api/v1/links/${code}`, { url: `https://example.com/after/${run}` }, token);
      expect(patched.status).toBe(200);
      const started = Date.now();
      await waitFor("B to serve the new target", async () => (await follow(b.base, code)).location === `https://example.com/after/${run}`, 1_000, 20);
      expect(Date.now() - started).toBeLessThan(1_000);
      await api(a.base, "PATCH", `/api/v1/links/${code}`, { disabled: true }, token);
      await waitFor("B to answer 410 for the disabled link", async () => (await follow(b.base, code)).status === 410, 1_000, 20);
      expect((await api(b.base, "DELETE", `/api/v1/links/${code}`, undefined, token)).status).toBe(204);
    },
    TEST_MS,
  );

  test(
    "a password link made on one instance unlocks on the other",
    async () => {
      const code = (await api(a.base, "POST", "/api/v1/links", { url: `https://example.com/pw/${run}`, password: "open-sesame" })).json.code as string;
      const form = await fetch(`${b.base}/${code}`, { redirect: "manual" });
      expect(form.status).toBe(200);
      expect(await form.text()).toContain("password");
      const post = (password: string) =>
        fetch(`${b.base}/${code}`, {
          method: "POST",
          redirect: "manual",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: `password=${encodeURIComponent(password)}`,
        });
      expect((await post("wrong")).status).toBe(401);
      const ok = await post("open-sesame");
      expect(ok.status).toBe(303);
      expect(ok.headers.get("location")).toBe(`https://example.com/pw/${run}`);
    },
    TEST_MS,
  );

  test(
    "listing by tag and text gathers the key's links from every shard",
    async () => {
      const tag = `t${run}`;
      const made = await Promise.all(
        Array.from({ length: 9 }, (_, i) =>
          api(i % 2 ? a.base : b.base, "POST", "/api/v1/links", { url: `https://example.com/tagged/${run}/${i}`, tags: [tag] }, token),
        ),
      );
      for (const m of made) expect(m.status).toBe(201);
      const p1 = await api(b.base, "GET", `/api/v1/links?tag=${tag}&limit=5`, undefined, token);
      const p2 = await api(b.base, "GET", `/api/v1/links?tag=${tag}&limit=5&cursor=${p1.json.nextCursor}`, undefined, token);
      const codes = [...p1.json.items, ...p2.json.items].map((l: any) => l.code);
      expect(new Set(codes)).toEqual(new Set(made.map((m) => m.json.code)));
      const q = await api(a.base, "GET", `/api/v1/links?q=tagged/${run}/7`, undefined, token);
      expect(q.json.items.map((l: any) => l.url)).toEqual([`https://example.com/tagged/${run}/7`]);
      expect((await api(a.base, "GET", `/api/v1/links?tag=${tag}`, undefined, ADMIN_TOKEN)).json.items).toHaveLength(9);
    },
    TEST_MS,
  );

  test(
    "import into the cluster is idempotent, and export finds the imported links",
    async () => {
      const file = join(dir, "import.csv");
      writeFileSync(file, `${["url,tags", ...Array.from({ length: 30 }, (_, i) => `https://example.com/imported/${run}/${i},imp${run}`)].join("\n")}\n`);
      expect(await cli(["import", file])).toContain("30 created, 0 already there, 0 failed");
      expect(await cli(["import", file])).toContain("0 created, 30 already there, 0 failed");
      const listed = await api(a.base, "GET", `/api/v1/links?tag=imp${run}&limit=100`, undefined, ADMIN_TOKEN);
      expect(listed.json.items).toHaveLength(30);
      const out = join(dir, "export.csv");
      await cli(["export", "--out", out]);
      const exported = readFileSync(out, "utf8");
      for (let i = 0; i < 30; i++) expect(exported).toContain(`https://example.com/imported/${run}/${i},`);
    },
    TEST_MS,
  );
});
