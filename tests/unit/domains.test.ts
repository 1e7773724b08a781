/**
 * Several short domains in embedded mode: the same code on two domains, redirects chosen by Host
 * (and by X-Forwarded-Host only from a trusted proxy), per-domain root and not-found redirects,
 * which keys may create on a domain, 422 unknown_domain, the API naming a link by `?domain=`,
 * removing a domain (refused while it has links), and the domains a session may create on.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Elysia } from "elysia";
import { exportCsv, importCsv } from "../../src/cli/import-export";
import { DomainRegistry, domainRoutes, parseDomains } from "../../src/domains";
import { errorHandler } from "../../src/http";
import { parseCidr } from "../../src/ratelimit";
import { startServedTestApp, startTestApp, type ServedTestApp } from "../support/embedded-app";

const ADMIN = "admin-token-for-domain-tests-0123456789";
const admin = { "content-type": "application/json", authorization: `Bearer ${ADMIN}` };
const GO = "go.example.test";
const TEAM = "team.example.test";

let app: ServedTestApp;
let base: string;

beforeAll(async () => {
  app = await startServedTestApp({
    ADMIN_TOKEN: ADMIN,
    RATE_LIMIT_CREATE: "off",
    TRUSTED_PROXIES: "127.0.0.1",
    DOMAINS: `${GO} root=https://example.com/home not-found=https://example.com/missing, ${TEAM} keys=some-key-id`,
  });
  base = app.base;
});
afterAll(async () => {
  await app.close();
});

const onHost = (host: string, path: string, init: RequestInit = {}) =>
  app.request(path, { redirect: "manual", ...init, headers: { host, ...(init.headers as Record<string, string> | undefined) } });

describe("the same code on two domains", () => {
  test("each domain redirects its own link, chosen by Host", async () => {
    const plain = await app.post("/api/v1/links", { url: "https://example.com/default-sale", alias: "sale" }, admin);
    const go = await app.post("/api/v1/links", { url: "https://example.com/go-sale", alias: "sale", domain: GO }, admin);
    expect(plain.status).toBe(201);
    expect(go.status).toBe(201);
    const goBody = (await go.json()) as { code: string; domain: string; shortUrl: string };
    expect(goBody).toMatchObject({ code: "sale", domain: GO, shortUrl: `http://${GO}/sale` });
    expect(((await plain.json()) as { domain: string }).domain).toBe("localhost");

    expect((await onHost(GO, "/sale")).headers.get("location")).toBe("https://example.com/go-sale");
    expect((await onHost(`${GO.toUpperCase()}:8080`, "/sale")).headers.get("location")).toBe("https://example.com/go-sale");
    expect((await onHost("localhost:8080", "/sale")).headers.get("location")).toBe("https://example.com/default-sale");
    // A host we do not serve falls back to the default domain.
    expect((await onHost("elsewhere.example", "/sale")).headers.get("location")).toBe("https://example.com/default-sale");
    // The alias is taken once per domain.
    const again = await app.post("/api/v1/links", { url: "https://example.com/other", alias: "sale", domain: GO }, admin);
    expect(again.status).toBe(409);
  });

  test("a link on the default domain is stored under its bare code (existing links keep their key and shard)", async () => {
    const res = await app.post("/api/v1/links", { url: "https://example.com/keeps-key", alias: "keeps-key" }, admin);
    expect(res.status).toBe(201);
    expect((await app.runtime.store.findByCode("keeps-key"))?.url).toBe("https://example.com/keeps-key");
    const other = await app.post("/api/v1/links", { url: "https://example.com/keyed", alias: "keyed", domain: GO }, admin);
    expect(other.status).toBe(201);
    expect(await app.runtime.store.findByCode("keyed")).toBeNull();
    expect((await app.runtime.store.findByCode(`${GO}/keyed`))?.url).toBe("https://example.com/keyed");
  });

  test("X-Forwarded-Host picks the domain only from a trusted proxy", async () => {
    await app.post("/api/v1/links", { url: "https://example.com/fwd-go", alias: "fwd", domain: GO }, admin);
    await app.post("/api/v1/links", { url: "https://example.com/fwd-default", alias: "fwd" }, admin);
    const res = await fetch(`${base}/fwd`, { redirect: "manual", headers: { "x-forwarded-host": GO } });
    expect(res.headers.get("location")).toBe("https://example.com/fwd-go");
    const registry = new DomainRegistry("localhost", parseDomains(GO), [parseCidr("10.0.0.0/8")!]);
    const stranger = { requestIP: () => ({ address: "198.51.100.7", family: "IPv4", port: 1 }) };
    const proxy = { requestIP: () => ({ address: "10.1.2.3", family: "IPv4", port: 1 }) };
    const request = new Request("http://localhost/fwd", { headers: { host: "localhost", "x-forwarded-host": GO } });
    expect(registry.domainOf(request, stranger)).toBeNull();
    expect(registry.domainOf(request, proxy)?.host).toBe(GO);
  });
});

describe("per-domain redirects and permissions", () => {
  test("the root and unknown codes of a domain redirect where it says; the default domain's do not", async () => {
    const root = await onHost(GO, "/");
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("https://example.com/home");
    expect((await onHost("localhost:8080", "/")).status).toBe(200);
    const missing = await onHost(GO, "/no-such-code");
    expect(missing.status).toBe(302);
    expect(missing.headers.get("location")).toBe("https://example.com/missing");
    expect((await onHost("localhost:8080", "/no-such-code")).status).toBe(404);
    expect((await onHost(TEAM, "/no-such-code")).status).toBe(404);
  });

  test("a target, rule or variant on one of our other short domains is refused as a loop", async () => {
    for (const body of [
      { url: `https://${GO}/sale` },
      { url: "https://example.com/ok", rules: [{ conditions: [{ type: "device", anyOf: ["mobile"] }], url: `https://${TEAM}/x` }] },
    ]) {
      const res = await app.post("/api/v1/links", body, admin);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("self_link");
    }
  });

  test("a create on a domain not served answers 422 unknown_domain", async () => {
    const res = await app.post("/api/v1/links", { url: "https://example.com/x", domain: "nope.example.test" }, admin);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unknown_domain");
    const get = await app.request("/api/v1/links/sale?domain=nope.example.test", { headers: admin });
    expect(get.status).toBe(422);
  });

  test("a domain that names its keys refuses other creators; admins may", async () => {
    const anonymous = await app.post("/api/v1/links", { url: "https://example.com/team", domain: TEAM });
    expect(anonymous.status).toBe(403);
    const asAdmin = await app.post("/api/v1/links", { url: "https://example.com/team", domain: TEAM }, admin);
    expect(asAdmin.status).toBe(201);
  });
});

describe("the API names a link by code and domain", () => {
  test("GET, PATCH, stats and DELETE with ?domain= reach the domain's link, not the default one", async () => {
    await app.post("/api/v1/links", { url: "https://example.com/api-default", alias: "api-link" }, admin);
    await app.post("/api/v1/links", { url: "https://example.com/api-go", alias: "api-link", domain: GO }, admin);
    const got = (await (await app.request(`/api/v1/links/api-link?domain=${GO}`, { headers: admin })).json()) as { url: string };
    expect(got.url).toBe("https://example.com/api-go");
    // The default domain by name (as a link's `domain` shows it) is the bare code.
    const home = (await (await app.request("/api/v1/links/api-link?domain=localhost", { headers: admin })).json()) as { url: string };
    expect(home.url).toBe("https://example.com/api-default");
    const patched = await app.request(`/api/v1/links/api-link?domain=${GO}`, {
      method: "PATCH",
      headers: admin,
      body: JSON.stringify({ url: "https://example.com/api-go-2" }),
    });
    expect(patched.status).toBe(200);
    expect((await onHost(GO, "/api-link")).headers.get("location")).toBe("https://example.com/api-go-2");
    expect((await onHost("localhost", "/api-link")).headers.get("location")).toBe("https://example.com/api-default");
    await onHost(GO, "/api-link", { headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0" } });
    await app.runtime.flushAnalytics();
    let clicks = 0;
    for (const deadline = Date.now() + 3_000; clicks < 2 && Date.now() < deadline; await Bun.sleep(25)) {
      const stats = (await (await app.request(`/api/v1/links/api-link/stats?domain=${GO}`, { headers: admin })).json()) as { totals: { clicks: number } };
      clicks = stats.totals.clicks;
    }
    expect(clicks).toBe(2);
    expect((await app.request(`/api/v1/links/api-link?domain=${GO}`, { method: "DELETE", headers: admin })).status).toBe(204);
    expect((await onHost(GO, "/api-link")).status).toBe(410);
    expect((await onHost("localhost", "/api-link")).status).toBe(302);
  });
});

describe("QR codes", () => {
  test("draw a link on another domain with ?domain=", async () => {
    expect((await app.post("/api/v1/links", { url: "https://example.com/qr-go", alias: "qr-only", domain: GO }, admin)).status).toBe(201);
    expect((await app.request("/api/v1/links/qr-only/qr")).status).toBe(404);
    const qr = await app.request(`/api/v1/links/qr-only/qr?domain=${GO}`);
    expect(qr.status).toBe(200);
    expect(qr.headers.get("content-type")).toContain("image/svg+xml");
  });
});

describe("export and import", () => {
  test("carry the domain: a link on another domain comes back on it, beside the same code on the default one", async () => {
    await app.post("/api/v1/links", { url: "https://example.com/exp-default", alias: "exported" }, admin);
    await app.post("/api/v1/links", { url: "https://example.com/exp-go", alias: "exported", domain: GO }, admin);
    const dir = mkdtempSync(join(tmpdir(), "ringlink-domains-"));
    try {
      const file = join(dir, "links.csv");
      await exportCsv(app.runtime.store, file, { publicBaseUrl: app.runtime.config.publicBaseUrl, quiet: true });
      const lines = readFileSync(file, "utf8").trim().split("\n");
      expect(lines[0]!.split(",").at(-1)).toBe("domain");
      expect(lines.filter((l) => l.startsWith("exported,"))).toHaveLength(2);
      // Into a fresh deployment serving the same domains.
      const other = await startTestApp({ ADMIN_TOKEN: ADMIN, RATE_LIMIT_CREATE: "off", DOMAINS: `${GO}, ${TEAM} keys=some-key-id` });
      try {
        const report = await importCsv(other.runtime.links, file, { codeLength: 7, quiet: true });
        expect(report.failed).toBe(0);
        expect((await other.runtime.store.findByCode(`${GO}/exported`))?.url).toBe("https://example.com/exp-go");
        expect((await other.runtime.store.findByCode("exported"))?.url).toBe("https://example.com/exp-default");
      } finally {
        await other.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("POST /api/v1/domains", () => {
  test("an admin adds a domain; links may be created and followed on it at once; it is kept in the store", async () => {
    const NEW = "new.example.test";
    expect((await app.post("/api/v1/links", { url: "https://example.com/n", domain: NEW }, admin)).status).toBe(422);
    const added = await app.post("/api/v1/domains", { host: "New.Example.Test", notFoundRedirect: "https://example.com/new-missing" }, admin);
    expect(added.status).toBe(201);
    expect(await added.json()).toEqual({ host: NEW, rootRedirect: null, notFoundRedirect: "https://example.com/new-missing", keys: null });
    const made = await app.post("/api/v1/links", { url: "https://example.com/on-new", alias: "fresh", domain: NEW }, admin);
    expect(made.status).toBe(201);
    expect((await onHost(NEW, "/fresh")).headers.get("location")).toBe("https://example.com/on-new");
    expect((await onHost(NEW, "/nope")).headers.get("location")).toBe("https://example.com/new-missing");
    expect(await app.runtime.store.domains.listDomains()).toContainEqual({
      host: NEW,
      rootRedirect: null,
      notFoundRedirect: "https://example.com/new-missing",
      keys: null,
    });
    // Changing it answers 200; the list shows configured and added domains.
    expect((await app.post("/api/v1/domains", { host: NEW, rootRedirect: "https://example.com/new-home" }, admin)).status).toBe(200);
    expect((await onHost(NEW, "/")).headers.get("location")).toBe("https://example.com/new-home");
    const list = (await (await app.request("/api/v1/domains", { headers: admin })).json()) as { default: string; items: Array<{ host: string }> };
    expect(list.default).toBe("localhost");
    expect(list.items.map((d) => d.host).sort()).toEqual([GO, NEW, TEAM].sort());
  });

  test("only admins; a bad host or redirect is a 400", async () => {
    expect((await app.post("/api/v1/domains", { host: "x.example.test" })).status).toBe(401);
    expect((await app.request("/api/v1/domains")).status).toBe(401);
    for (const body of [{ host: "https://x.example.test/" }, { host: "x.example.test", rootRedirect: "javascript:alert(1)" }, { host: "localhost" }]) {
      const res = await app.post("/api/v1/domains", body, admin);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_domain");
    }
  });
});

describe("DELETE /api/v1/domains/:host", () => {
  const OLD = "old.example.test";
  const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

  test("refuses 409 while a live link is on the domain, then removes it: creates on it fail and its host is the default domain's", async () => {
    expect((await app.post("/api/v1/domains", { host: OLD, rootRedirect: "https://example.com/old-home" }, admin)).status).toBe(201);
    const made = await app.post("/api/v1/links", { url: "https://example.com/old-link", alias: "old-link", domain: OLD }, admin);
    expect(made.status).toBe(201);
    // The same code on the default domain, and on a host that begins like this one, do not count.
    expect((await app.post("/api/v1/links", { url: "https://example.com/plain-old", alias: "plain-old" }, admin)).status).toBe(201);

    const refused = await app.request(`/api/v1/domains/${OLD}`, { method: "DELETE", headers: admin });
    expect(refused.status).toBe(409);
    expect(await code(refused)).toBe("domain_in_use");
    expect((await onHost(OLD, "/old-link")).headers.get("location")).toBe("https://example.com/old-link");

    // A deleted link no longer holds the domain.
    expect((await app.request(`/api/v1/links/old-link?domain=${OLD}`, { method: "DELETE", headers: admin })).status).toBe(204);
    const removed = await app.request(`/api/v1/domains/${OLD.toUpperCase()}`, { method: "DELETE", headers: admin });
    expect(removed.status).toBe(204);
    expect((await app.runtime.store.domains.listDomains()).map((d) => d.host)).not.toContain(OLD);
    const list = (await (await app.request("/api/v1/domains", { headers: admin })).json()) as { items: Array<{ host: string }> };
    expect(list.items.map((d) => d.host)).not.toContain(OLD);
    const create = await app.post("/api/v1/links", { url: "https://example.com/late", domain: OLD }, admin);
    expect(create.status).toBe(422);
    expect(await code(create)).toBe("unknown_domain");
    // Its root redirect is gone: the host is served as the default domain now.
    expect((await onHost(OLD, "/")).status).toBe(200);
    expect((await onHost(OLD, "/plain-old")).headers.get("location")).toBe("https://example.com/plain-old");
    // Once removed, it is unknown.
    const again = await app.request(`/api/v1/domains/${OLD}`, { method: "DELETE", headers: admin });
    expect(again.status).toBe(404);
    expect(await code(again)).toBe("unknown_domain");
  });

  test("a domain whose host only begins like one with links is removable", async () => {
    const SHORT = "ab.example.test";
    const LONGER = "ab.example.testing";
    for (const host of [SHORT, LONGER]) expect((await app.post("/api/v1/domains", { host }, admin)).status).toBe(201);
    expect((await app.post("/api/v1/links", { url: "https://example.com/longer", alias: "longer", domain: LONGER }, admin)).status).toBe(201);
    expect(await app.runtime.store.hasLinksOnDomain(SHORT)).toBe(false);
    expect(await app.runtime.store.hasLinksOnDomain(LONGER)).toBe(true);
    expect((await app.request(`/api/v1/domains/${SHORT}`, { method: "DELETE", headers: admin })).status).toBe(204);
    expect((await app.request(`/api/v1/domains/${LONGER}`, { method: "DELETE", headers: admin })).status).toBe(409);
  });

  test("refuses the default domain and DOMAINS entries (409), a bad host (400), and anyone but an admin", async () => {
    const cases: Array<[string, number, string]> = [
      ["localhost", 409, "domain_default"],
      [GO, 409, "domain_configured"],
      ["not_a_host!", 400, "invalid_domain"],
      ["never.example.test", 404, "unknown_domain"],
    ];
    for (const [host, status, errorCode] of cases) {
      const res = await app.request(`/api/v1/domains/${encodeURIComponent(host)}`, { method: "DELETE", headers: admin });
      expect({ host, status: res.status, code: await code(res) }).toEqual({ host, status, code: errorCode });
    }
    expect((await app.request(`/api/v1/domains/${TEAM}`, { method: "DELETE" })).status).toBe(401);
    expect((await onHost(GO, "/")).headers.get("location")).toBe("https://example.com/home");
  });

  test("a removal another process has not heard of yet reaches it at its next re-read", async () => {
    const peer = await startTestApp({ ADMIN_TOKEN: ADMIN, RATE_LIMIT_CREATE: "off", DATA_DIR: app.runtime.config.dataDir });
    try {
      expect((await app.post("/api/v1/domains", { host: "peer.example.test", rootRedirect: "https://example.com/peer" }, admin)).status).toBe(201);
      peer.runtime.domains.apply(await peer.runtime.store.domains.listDomains());
      expect(peer.runtime.domains.find("peer.example.test")).not.toBeNull();
      // Removed through the other process: the store and that process's list at once, this one at its re-read.
      expect((await peer.request("/api/v1/domains/peer.example.test", { method: "DELETE", headers: admin })).status).toBe(204);
      expect(app.runtime.domains.find("peer.example.test")).not.toBeNull();
      app.runtime.domains.apply(await app.runtime.store.domains.listDomains());
      expect(app.runtime.domains.find("peer.example.test")).toBeNull();
    } finally {
      await peer.close();
    }
  });
});

describe("a removal with other processes serving", () => {
  test("waits out their re-read and puts the domain back when a link was created on it meanwhile", async () => {
    const RACE = "race.example.test";
    expect((await app.post("/api/v1/domains", { host: RACE, notFoundRedirect: "https://example.com/race-404" }, admin)).status).toBe(201);
    let looks = 0;
    const routes = new Elysia().use(errorHandler).use(
      domainRoutes({
        registry: app.runtime.domains,
        store: app.runtime.store.domains,
        authenticate: app.runtime.management.authenticate,
        // None at first; one after the wait, as if another process took a create before its re-read.
        hasLinks: async () => looks++ > 0,
        settleMs: 50,
      }),
    );
    const startedAt = Date.now();
    const res = await routes.handle(new Request(`http://localhost/api/v1/domains/${RACE}`, { method: "DELETE", headers: admin }));
    expect(res.status).toBe(409);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(45);
    expect(looks).toBe(2);
    expect((await app.runtime.store.domains.listDomains()).find((d) => d.host === RACE)?.notFoundRedirect).toBe("https://example.com/race-404");
    expect(app.runtime.domains.find(RACE)).not.toBeNull();
    expect(app.runtime.domainSettleMs).toBe(0); // one embedded process: nobody else to wait for
  });
});

describe("GET /api/v1/session names the domains a session may create on", () => {
  test("the default first, then every open domain; a domain naming keys only for them and admins", async () => {
    const anonymous = (await (await app.request("/api/v1/session")).json()) as { defaultDomain: string; domains: string[] };
    expect(anonymous.defaultDomain).toBe("localhost");
    // ADMIN_TOKEN is set: signed out, the page offers nothing until someone signs in.
    expect(anonymous.domains).toEqual([]);
    const signIn = await app.post("/api/v1/session", { token: ADMIN });
    expect(signIn.status).toBe(200);
    const asAdmin = (await signIn.json()) as { domains: string[] };
    expect(asAdmin.domains[0]).toBe("localhost");
    expect(asAdmin.domains).toContain(GO);
    expect(asAdmin.domains).toContain(TEAM);
    const registry = new DomainRegistry("localhost", parseDomains(`${GO}, ${TEAM} keys=k1`));
    expect(registry.creatableBy(null, false)).toEqual(["localhost", GO]);
    expect(registry.creatableBy("k1", false)).toEqual(["localhost", GO, TEAM]);
    expect(registry.creatableBy("k2", true)).toEqual(["localhost", GO, TEAM]);
  });
});

describe("a deployment started without DOMAINS", () => {
  test("serves a domain added through the API on its next redirect", async () => {
    const plain = await startTestApp({ ADMIN_TOKEN: ADMIN, RATE_LIMIT_CREATE: "off" });
    try {
      expect((await plain.post("/api/v1/domains", { host: "late.example.test", notFoundRedirect: "https://example.com/late-missing" }, admin)).status).toBe(
        201,
      );
      expect((await plain.post("/api/v1/links", { url: "https://example.com/late", alias: "late", domain: "late.example.test" }, admin)).status).toBe(201);
      const res = await plain.request("/late", { redirect: "manual", headers: { host: "late.example.test" } });
      expect(res.headers.get("location")).toBe("https://example.com/late");
      const missing = await plain.request("/nope", { redirect: "manual", headers: { host: "late.example.test" } });
      expect(missing.headers.get("location")).toBe("https://example.com/late-missing");
    } finally {
      await plain.close();
    }
  });
});

describe("DOMAINS setting", () => {
  test("parses hosts and options, and refuses what it cannot read", () => {
    expect(parseDomains("A.Example.com root=https://x.example/ keys=k1+k2, b.example")).toEqual([
      { host: "a.example.com", rootRedirect: "https://x.example/", notFoundRedirect: null, keys: ["k1", "k2"] },
      { host: "b.example", rootRedirect: null, notFoundRedirect: null, keys: null },
    ]);
    expect(() => parseDomains("not a host!")).toThrow();
    expect(() => parseDomains("a.example color=red")).toThrow("unknown option");
    expect(() => parseDomains("a.example root=ftp://x")).toThrow();
    expect(() => parseDomains("a.example, A.example")).toThrow("twice");
  });
});
