/**
 * Link management in embedded mode, in-process against real SQLite: API keys and scopes, PATCH and
 * its invalidation, listing filters, password links, query forwarding and UTM, QR codes, bulk
 * creation, and abuse protection (blocklist, unsafe URLs, the classifier's flagUnsafe hook).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../../src/app";
import { LocalInvalidation } from "../../src/cache";
import { loadConfig } from "../../src/config";
import { createRuntime } from "../../src/runtime";
import { BASE, startTestApp, type TestApp } from "../support/embedded-app";

const ADMIN = "links-admin-token-0123456789abcdef";
const admin = { authorization: `Bearer ${ADMIN}` };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

let app: TestApp;
let creator: string; // create
let manager: string; // create, manage, stats
let managerId: string;
let other: string; // create, manage, stats (another owner)
let statsOnly: string;

async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await app.request(path, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, json, text, headers: res.headers };
}

beforeAll(async () => {
  app = await startTestApp({ ADMIN_TOKEN: ADMIN, PUBLIC_BASE_URL: "https://rl.example", RATE_LIMIT_PASSWORD: "3/min" });
  const keys = app.runtime.management.keys;
  creator = (await keys.create({ name: "creator", scopes: "create" })).token;
  const m = await keys.create({ name: "manager", scopes: "create,manage,stats" });
  manager = m.token;
  managerId = m.key.id;
  other = (await keys.create({ name: "other", scopes: "create,manage,stats" })).token;
  statsOnly = (await keys.create({ name: "reader", scopes: "stats" })).token;
});
afterAll(() => app.close());

describe("API keys and scopes", () => {
  test("a key with the create scope creates links it owns", async () => {
    const r = await send("POST", "/api/v1/links", { url: "https://example.com/keyed" }, bearer(manager));
    expect(r.status).toBe(201);
    expect(r.json.ownerKey).toBe(managerId);
  });

  test("anonymous creation stays allowed (ANON_CREATE defaults to true)", async () => {
    const r = await send("POST", "/api/v1/links", { url: "https://example.com/anon-ok" });
    expect(r.status).toBe(201);
    expect(r.json.ownerKey).toBeNull();
  });

  test("once keys exist, a custom alias needs a key: 401 anonymous, 201 with the create scope", async () => {
    const anon = await send("POST", "/api/v1/links", { url: "https://example.com/alias-anon", alias: "anon-alias-1" });
    expect(anon.status).toBe(401);
    expect(anon.headers.get("www-authenticate")).toContain("Bearer");
    const keyed = await send("POST", "/api/v1/links", { url: "https://example.com/alias-key", alias: "key-alias-1" }, bearer(creator));
    expect(keyed.status).toBe(201);
    expect(keyed.json.code).toBe("key-alias-1");
  });

  test("a key without the create scope is 403; a made-up, revoked or expired key is 403", async () => {
    expect((await send("POST", "/api/v1/links", { url: "https://example.com/s" }, bearer(statsOnly))).status).toBe(403);
    expect((await send("POST", "/api/v1/links", { url: "https://example.com/s" }, bearer(`rl_AAAAAAAA_${"B".repeat(32)}`))).status).toBe(403);
    const keys = app.runtime.management.keys;
    const revoked = await keys.create({ name: "gone", scopes: "create" });
    expect((await send("POST", "/api/v1/links", { url: "https://example.com/r1" }, bearer(revoked.token))).status).toBe(201);
    await keys.revoke(revoked.key.id);
    const after = await send("POST", "/api/v1/links", { url: "https://example.com/r2" }, bearer(revoked.token));
    expect(after.status).toBe(403);
    expect(after.json.error.message).toContain("revoked");
    const expiring = await keys.create({ name: "short", scopes: "create", expiresAt: Date.now() + 150 });
    await Bun.sleep(200);
    expect((await send("POST", "/api/v1/links", { url: "https://example.com/r3" }, bearer(expiring.token))).status).toBe(403);
  });

  test("keys are stored hashed: the token appears nowhere in the database", async () => {
    const { key, token } = await app.runtime.management.keys.create({ name: "hashcheck", scopes: "stats" });
    const stored = await app.runtime.store.apiKeys.findKey(key.id);
    expect(stored!.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(token.split("_").pop()!);
  });

  test("ADMIN_TOKEN acts as a key with every scope", async () => {
    const r = await send("POST", "/api/v1/links", { url: "https://example.com/admin-alias", alias: "admin-alias-1" }, admin);
    expect(r.status).toBe(201);
    expect((await send("PATCH", `/api/v1/links/${r.json.code}`, { tags: ["x"] }, admin)).status).toBe(200);
  });

  test("a key's links and stats are its own: another key gets 403, anonymous 401; anonymous links stay public", async () => {
    const mine = await send("POST", "/api/v1/links", { url: "https://example.com/private-stats" }, bearer(manager));
    const code = mine.json.code;
    expect((await send("GET", `/api/v1/links/${code}`, undefined, bearer(manager))).status).toBe(200);
    expect((await send("GET", `/api/v1/links/${code}/stats`, undefined, bearer(manager))).status).toBe(200);
    expect((await send("GET", `/api/v1/links/${code}/stats`, undefined, bearer(other))).status).toBe(403);
    expect((await send("GET", `/api/v1/links/${code}/stats`)).status).toBe(401);
    expect((await send("GET", `/api/v1/links/${code}/stats`, undefined, admin)).status).toBe(200);
    const anon = await send("POST", "/api/v1/links", { url: "https://example.com/public-stats" });
    expect((await send("GET", `/api/v1/links/${anon.json.code}/stats`)).status).toBe(200);
  });
});

describe("PATCH and DELETE /api/v1/links/:code", () => {
  test("401 without a key, 403 without the manage scope or on another key's link", async () => {
    const link = await send("POST", "/api/v1/links", { url: "https://example.com/patch-auth" }, bearer(manager));
    const code = link.json.code;
    expect((await send("PATCH", `/api/v1/links/${code}`, { disabled: true })).status).toBe(401);
    expect((await send("PATCH", `/api/v1/links/${code}`, { disabled: true }, bearer(creator))).status).toBe(403);
    expect((await send("PATCH", `/api/v1/links/${code}`, { disabled: true }, bearer(other))).status).toBe(403);
    expect((await send("DELETE", `/api/v1/links/${code}`, undefined, bearer(other))).status).toBe(403);
    const anon = await send("POST", "/api/v1/links", { url: "https://example.com/patch-anon", reuse: false });
    expect((await send("PATCH", `/api/v1/links/${anon.json.code}`, { disabled: true }, bearer(manager))).status).toBe(403);
  });

  test("a new target is served at once even though the old one was cached", async () => {
    const link = await send("POST", "/api/v1/links", { url: "https://example.com/old-target" }, bearer(manager));
    const code = link.json.code;
    expect((await app.request(`/${code}`)).headers.get("location")).toBe("https://example.com/old-target");
    const r = await send("PATCH", `/api/v1/links/${code}`, { url: "https://example.com/new-target", redirectType: 301 }, bearer(manager));
    expect(r.status).toBe(200);
    expect(r.json.url).toBe("https://example.com/new-target");
    expect(r.json.updatedAt).not.toBeNull();
    const res = await app.request(`/${code}`);
    expect(res.status).toBe(301);
    expect(res.headers.get("location")).toBe("https://example.com/new-target");
  });

  test("disabled links answer 410 disabled until enabled again", async () => {
    const code = (await send("POST", "/api/v1/links", { url: "https://example.com/toggle" }, bearer(manager))).json.code;
    expect((await app.request(`/${code}`)).status).toBe(302);
    const off = await send("PATCH", `/api/v1/links/${code}`, { disabled: true }, bearer(manager));
    expect(off.json).toMatchObject({ disabled: "manual", status: "disabled" });
    const gone = await send("GET", `/${code}`);
    expect(gone.status).toBe(410);
    expect(gone.json.error.code).toBe("disabled");
    await send("PATCH", `/api/v1/links/${code}`, { disabled: false }, bearer(manager));
    expect((await app.request(`/${code}`)).status).toBe(302);
  });

  test("expiry and maxClicks can be set and cleared with null", async () => {
    const code = (await send("POST", "/api/v1/links", { url: "https://example.com/limits", maxClicks: 1 }, bearer(manager))).json.code;
    expect((await app.request(`/${code}`)).status).toBe(302);
    expect((await app.request(`/${code}`)).status).toBe(410);
    const r = await send("PATCH", `/api/v1/links/${code}`, { maxClicks: null, expiresAt: new Date(Date.now() + 250).toISOString() }, bearer(manager));
    expect(r.json.maxClicks).toBeNull();
    expect((await app.request(`/${code}`)).status).toBe(302);
    await Bun.sleep(300);
    expect((await app.request(`/${code}`)).status).toBe(410);
    expect((await send("PATCH", `/api/v1/links/${code}`, { expiresAt: null }, bearer(manager))).json.expiresAt).toBeNull();
    expect((await app.request(`/${code}`)).status).toBe(302);
  });

  test("bad PATCH bodies are 400 with the field's code", async () => {
    const code = (await send("POST", "/api/v1/links", { url: "https://example.com/bad-patch" }, bearer(manager))).json.code;
    const cases: Array<[unknown, string]> = [
      [{}, "empty_update"],
      [{ url: "javascript:alert(1)" }, "unsupported_scheme"],
      [{ url: "vbscript:msgbox(1)" }, "unsupported_scheme"],
      [{ maxClicks: 0 }, "invalid_max_clicks"],
      [{ redirectType: 303 }, "invalid_redirect_type"],
      [{ tags: ["no spaces"] }, "invalid_tags"],
      [{ nope: 1 }, "unknown_field"],
    ];
    for (const [body, code_] of cases) {
      const r = await send("PATCH", `/api/v1/links/${code}`, body, bearer(manager));
      expect(r.status).toBe(400);
      expect(r.json.error.code).toBe(code_);
    }
    expect((await send("PATCH", "/api/v1/links/nope-nope", { disabled: true }, admin)).status).toBe(404);
  });

  test("the owner deletes its link; the link then answers 410", async () => {
    const code = (await send("POST", "/api/v1/links", { url: "https://example.com/owned-del" }, bearer(manager))).json.code;
    expect((await send("DELETE", `/api/v1/links/${code}`, undefined, bearer(manager))).status).toBe(204);
    expect((await app.request(`/${code}`)).status).toBe(410);
  });

  test("a PATCH on one process reaches another process's cache through the invalidation port", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ringlink-inv-"));
    const shared = new LocalInvalidation();
    const config = loadConfig({ DATA_DIR: dir, ACCESS_LOG: "off", ADMIN_TOKEN: ADMIN, UNSAFE_URL_THRESHOLD: "off" });
    const a = await createRuntime(config, { invalidation: shared });
    const b = await createRuntime({ ...config, processIndex: 1 }, { invalidation: shared });
    try {
      const appA = buildApp(a);
      const appB = buildApp(b);
      const created = await appA.handle(
        new Request(`${BASE}/api/v1/links`, {
          method: "POST",
          headers: { "content-type": "application/json", ...admin },
          body: JSON.stringify({ url: "https://example.com/v1" }),
        }),
      );
      const { code } = (await created.json()) as { code: string };
      expect((await appB.handle(new Request(`${BASE}/${code}`))).headers.get("location")).toBe("https://example.com/v1");
      expect(b.resolver.peek(code)).toBeDefined(); // B now serves it from its L1
      await appA.handle(
        new Request(`${BASE}/api/v1/links/${code}`, {
          method: "PATCH",
          headers: { "content-type": "application/json", ...admin },
          body: JSON.stringify({ url: "https://example.com/v2" }),
        }),
      );
      expect((await appB.handle(new Request(`${BASE}/${code}`))).headers.get("location")).toBe("https://example.com/v2");
    } finally {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("GET /api/v1/links: a key's links, filters, cursor", () => {
  test("a key lists only its own links; admin lists all; anonymous is 401", async () => {
    const own = await send("POST", "/api/v1/links", { url: "https://example.com/list-own", tags: ["listing"] }, bearer(other));
    const page = await send("GET", "/api/v1/links?limit=100", undefined, bearer(other));
    expect(page.status).toBe(200);
    expect(page.json.items.map((l: any) => l.code)).toContain(own.json.code);
    expect(page.json.items.every((l: any) => l.ownerKey === own.json.ownerKey)).toBe(true);
    const all = await send("GET", "/api/v1/links?limit=100", undefined, admin);
    expect(all.json.items.some((l: any) => l.ownerKey === null)).toBe(true);
    expect((await send("GET", "/api/v1/links")).status).toBe(401);
  });

  test("tag and q filter, and the cursor pages through a filtered list", async () => {
    for (let i = 0; i < 5; i++) await send("POST", "/api/v1/links", { url: `https://example.com/Campaign-${i}`, tags: ["spring_24", "all"] }, bearer(manager));
    await send("POST", "/api/v1/links", { url: "https://example.com/other-tag", tags: ["spring-24"] }, bearer(manager));
    const tagged = await send("GET", "/api/v1/links?tag=spring_24&limit=100", undefined, bearer(manager));
    expect(tagged.json.items).toHaveLength(5); // "_" is literal, not a LIKE wildcard matching "spring-24"
    const q = await send("GET", "/api/v1/links?q=campaign-3", undefined, bearer(manager));
    expect(q.json.items.map((l: any) => l.url)).toEqual(["https://example.com/Campaign-3"]);
    const p1 = await send("GET", "/api/v1/links?tag=spring_24&limit=3", undefined, bearer(manager));
    const p2 = await send("GET", `/api/v1/links?tag=spring_24&limit=3&cursor=${p1.json.nextCursor}`, undefined, bearer(manager));
    expect(p1.json.items).toHaveLength(3);
    expect(p2.json.items).toHaveLength(2);
    expect(p2.json.nextCursor).toBeNull();
    expect((await send("GET", "/api/v1/links?tag=bad%20tag", undefined, admin)).status).toBe(400);
  });
});

describe("password-protected links", () => {
  test("GET answers the form; a wrong password is 401, the right one redirects (303) and is stored as argon2id", async () => {
    const r = await send("POST", "/api/v1/links", { url: "https://example.com/secret", password: "hunter22" });
    expect(r.status).toBe(201);
    expect(r.json.passwordProtected).toBe(true);
    const code = r.json.code;
    const stored = await app.runtime.store.findByCode(code);
    expect(stored!.passwordHash).toStartWith("$argon2id$");
    const form = await send("GET", `/${code}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('<form method="post"');
    expect(form.headers.get("location")).toBeNull();
    const post = (
      password: string,
      headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "text/html", "x-forwarded-for": "1" },
    ) => app.request(`/${code}`, { method: "POST", headers, body: new URLSearchParams({ password }).toString() });
    const wrong = await post("nope");
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("not right");
    const right = await post("hunter22");
    expect(right.status).toBe(303);
    expect(right.headers.get("location")).toBe("https://example.com/secret");
    const json = await app.request(`/${code}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ password: "x1x1" }) });
    expect(json.status).toBe(401);
    expect(((await json.json()) as any).error.code).toBe("wrong_password");
  });

  test("attempts are rate limited per link (RATE_LIMIT_PASSWORD=3/min here)", async () => {
    const code = (await send("POST", "/api/v1/links", { url: "https://example.com/guess", password: "right-one" })).json.code;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await app.request(`/${code}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ password: `guess-${i}` }),
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  test("a one-time password link spends its click on the right password only", async () => {
    const code = (await send("POST", "/api/v1/links", { url: "https://example.com/once-secret", password: "pw-pw", maxClicks: 1 })).json.code;
    const post = () =>
      app.request(`/${code}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ password: "pw-pw" }) });
    expect((await send("GET", `/${code}`)).status).toBe(200); // the form spends nothing
    expect((await post()).status).toBe(303);
    expect((await post()).status).toBe(410);
  });

  test("PATCH password:null removes the password", async () => {
    const code = (await send("POST", "/api/v1/links", { url: "https://example.com/unlock-me", password: "abcd" }, bearer(manager))).json.code;
    await send("PATCH", `/api/v1/links/${code}`, { password: null }, bearer(manager));
    expect((await app.request(`/${code}`)).status).toBe(302);
  });
});

describe("query forwarding and UTM", () => {
  test("forwardQuery merges the visitor's query onto the target; the visitor's values win", async () => {
    const code = (await send("POST", "/api/v1/links", { url: "https://example.com/landing?a=1&keep=yes", forwardQuery: true })).json.code;
    const res = await app.request(`/${code}?a=2&ref=news`);
    expect(res.headers.get("location")).toBe("https://example.com/landing?keep=yes&a=2&ref=news");
    expect((await app.request(`/${code}`)).headers.get("location")).toBe("https://example.com/landing?a=1&keep=yes");
  });

  test("without forwardQuery the visitor's query is not passed on", async () => {
    const code = (await send("POST", "/api/v1/links", { url: "https://example.com/no-forward" })).json.code;
    expect((await app.request(`/${code}?ref=x`)).headers.get("location")).toBe("https://example.com/no-forward");
  });

  test("UTM parameters on create become part of the target", async () => {
    const r = await send("POST", "/api/v1/links", { url: "https://example.com/utm?x=1", utm: { source: "newsletter", medium: "email", campaign: "spring" } });
    expect(r.json.url).toBe("https://example.com/utm?x=1&utm_source=newsletter&utm_medium=email&utm_campaign=spring");
    const bad = await send("POST", "/api/v1/links", { url: "https://example.com/utm", utm: { sauce: "x" } });
    expect(bad.status).toBe(400);
  });
});

describe("GET /api/v1/links/:code/qr", () => {
  test("SVG by default, PNG on request with the asked size; 404 for unknown codes", async () => {
    const code = (await send("POST", "/api/v1/links", { url: "https://example.com/qr" })).json.code;
    const svg = await app.request(`/api/v1/links/${code}/qr`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
    expect(await svg.text()).toContain("<svg");
    const png = await app.request(`/api/v1/links/${code}/qr?format=png&size=300`);
    expect(png.headers.get("content-type")).toBe("image/png");
    const bytes = new Uint8Array(await png.arrayBuffer());
    expect([...bytes.slice(1, 4)].map((b) => String.fromCharCode(b)).join("")).toBe("PNG");
    expect(new DataView(bytes.buffer).getUint32(16)).toBe(300); // IHDR width
    expect((await app.request("/api/v1/links/nope-nope/qr")).status).toBe(404);
    expect((await app.request(`/api/v1/links/${code}/qr?format=gif`)).status).toBe(400);
    expect((await app.request(`/api/v1/links/${code}/qr?size=10`)).status).toBe(400);
  });
});

describe("POST /api/v1/links/bulk", () => {
  test("needs a key with the create scope", async () => {
    expect((await send("POST", "/api/v1/links/bulk", { links: [{ url: "https://example.com/b" }] })).status).toBe(401);
    expect((await send("POST", "/api/v1/links/bulk", { links: [{ url: "https://example.com/b" }] }, bearer(statsOnly))).status).toBe(403);
  });

  test("per-item results and errors in request order", async () => {
    const r = await send(
      "POST",
      "/api/v1/links/bulk",
      {
        links: [
          { url: "https://example.com/bulk-1" },
          { url: "javascript:alert(1)" },
          { url: "https://example.com/bulk-3", alias: "bulk-alias-3" },
          { url: "https://example.com/x", typo: 1 },
        ],
      },
      bearer(creator),
    );
    expect(r.status).toBe(200);
    expect(r.json.results.map((x: any) => x.status)).toEqual([201, 400, 201, 400]);
    expect(r.json.results[1].error.code).toBe("unsupported_scheme");
    expect(r.json.results[3].error.code).toBe("unknown_field");
    expect(r.json.results[2].link.code).toBe("bulk-alias-3");
    expect(r.json).toMatchObject({ created: 2, failed: 2 });
  });

  test("1,000 items pass, 1,001 are refused", async () => {
    const links = Array.from({ length: 1000 }, (_, i) => ({ url: `https://example.com/many/${i}` }));
    const ok = await send("POST", "/api/v1/links/bulk", { links }, bearer(creator));
    expect(ok.status).toBe(200);
    expect(ok.json.created).toBe(1000);
    const tooMany = await send("POST", "/api/v1/links/bulk", { links: [...links, { url: "https://example.com/one-more" }] }, bearer(creator));
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.code).toBe("invalid_bulk");
  }, 60_000);
});

describe("abuse protection", () => {
  test("dangerous schemes are refused everywhere", async () => {
    for (const url of ["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "vbscript:msgbox(1)"]) {
      expect((await send("POST", "/api/v1/links", { url })).json.error.code).toBe("unsupported_scheme");
    }
  });

  test("a URL the classifier calls suspicious above the threshold is refused with 422 unsafe_url", async () => {
    const r = await send("POST", "/api/v1/links", { url: "https://paypal-secure-login.verify-account.xyz/signin" });
    expect(r.status).toBe(422);
    expect(r.json.error.code).toBe("unsafe_url");
    expect((await send("POST", "/api/v1/links", { url: "https://example.com/an-ordinary-page" })).status).toBe(201);
  });

  test("flagUnsafe (the async classifier's hook) disables a link everywhere with a warning page", async () => {
    const code = (await send("POST", "/api/v1/links", { url: "https://example.com/turns-bad" }, bearer(manager))).json.code;
    expect((await app.request(`/${code}`)).status).toBe(302); // cached now
    expect(await app.runtime.links.flagUnsafe(code, "news", 0.99)).toBe(false);
    expect(await app.runtime.links.flagUnsafe(code, "suspicious", 0.5)).toBe(false);
    expect(await app.runtime.links.flagUnsafe(code, "suspicious", 0.97)).toBe(true);
    const json = await send("GET", `/${code}`);
    expect(json.status).toBe(410);
    expect(json.json.error.code).toBe("unsafe_url");
    const html = await app.request(`/${code}`, { headers: { accept: "text/html" } });
    expect(html.status).toBe(410);
    expect(await html.text()).toContain("Warning");
    expect((await send("GET", `/api/v1/links/${code}`, undefined, bearer(manager))).json.status).toBe("unsafe");
    // The owner may not switch it back on; an admin may.
    expect((await send("PATCH", `/api/v1/links/${code}`, { disabled: false }, bearer(manager))).status).toBe(403);
    expect((await send("PATCH", `/api/v1/links/${code}`, { disabled: false }, admin)).status).toBe(200);
    expect((await app.request(`/${code}`)).status).toBe(302);
  });
});

describe("the blocklist file", () => {
  test("refuses listed domains and their subdomains (422), and picks up changes to the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ringlink-block-"));
    const file = join(dir, "blocklist.txt");
    writeFileSync(file, "# phishing\nevil.example\n*.worse.example\n");
    const blocked = await startTestApp({ BLOCKLIST_FILE: file, UNSAFE_URL_THRESHOLD: "off" });
    try {
      for (const url of ["https://evil.example/", "https://login.evil.example/x", "https://a.b.worse.example/"]) {
        const r = await blocked.createLink({ url });
        expect(r.status).toBe(422);
        expect(r.json.error.code).toBe("blocked_domain");
      }
      expect((await blocked.createLink({ url: "https://notevil.example/" })).status).toBe(201);
      const later = await blocked.createLink({ url: "https://later.example/page" });
      expect((await blocked.request(`/${later.json.code}`)).status).toBe(302);
      blocked.runtime.l1.clear();
      writeFileSync(file, "evil.example\nlater.example\n");
      const deadline = Date.now() + 5_000;
      while ((await blocked.createLink({ url: "https://later.example/new" })).status !== 422) {
        if (Date.now() > deadline) throw new Error("the blocklist was not reloaded within 5 s");
        await Bun.sleep(100);
      }
      // An existing link to a newly blocked domain stops at its next load from the store.
      blocked.runtime.l1.clear();
      expect((await blocked.request(`/${later.json.code}`)).status).toBe(410);
    } finally {
      await blocked.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 15_000);
});

describe("the blocklist on the redirect path", () => {
  test("a cached link to a newly listed domain stops redirecting within the reload interval, and starts again when unlisted", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ringlink-block-hot-"));
    const file = join(dir, "blocklist.txt");
    writeFileSync(file, "evil.example\n");
    const app = await startTestApp({ BLOCKLIST_FILE: file, UNSAFE_URL_THRESHOLD: "off", CACHE_TTL_SECONDS: "3600" });
    try {
      const list = app.runtime.management.safety.blocklist!;
      const code = (await app.createLink({ url: "https://soon-listed.example/landing" })).json.code as string;
      expect((await app.request(`/${code}`)).status).toBe(302);
      expect(app.runtime.resolver.peek(code)).toBeDefined(); // served from L1 from now on
      const lookups = app.runtime.resolver.storeLookups;

      const loads = list.loads;
      writeFileSync(file, "evil.example\nsoon-listed.example\n");
      const deadline = Date.now() + 5_000; // the file is polled every second
      while (list.loads === loads) {
        if (Date.now() > deadline) throw new Error("the blocklist was not reloaded within 5 s");
        await Bun.sleep(50);
      }
      const res = await app.request(`/${code}`);
      expect(res.status).toBe(410);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unsafe_url");
      // Still the cached entry: the store was not asked again.
      expect(app.runtime.resolver.storeLookups).toBe(lookups);

      const relisted = list.loads;
      writeFileSync(file, "evil.example\n");
      while (list.loads === relisted) {
        if (Date.now() > deadline + 5_000) throw new Error("the blocklist was not reloaded within 5 s");
        await Bun.sleep(50);
      }
      expect((await app.request(`/${code}`)).status).toBe(302);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);
});

describe("ANON_CREATE and ANON_ALIASES", () => {
  test("ANON_CREATE=false requires a key for every create; ANON_ALIASES=false refuses anonymous aliases even without keys", async () => {
    const closed = await startTestApp({ ANON_CREATE: "false" });
    const noAlias = await startTestApp({ ANON_ALIASES: "false" });
    try {
      expect((await closed.createLink({ url: "https://example.com/closed" })).status).toBe(401);
      expect((await closed.post("/create", { long_url: "https://example.com/closed" })).status).toBe(401);
      expect((await noAlias.createLink({ url: "https://example.com/na", alias: "no-anon" })).status).toBe(401);
      expect((await noAlias.createLink({ url: "https://example.com/na" })).status).toBe(201);
    } finally {
      await closed.close();
      await noAlias.close();
    }
  });
});

describe("the OpenAPI document", () => {
  test("lists every new endpoint with its schemas", async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as any;
    expect(doc.paths["/api/v1/links/bulk"].post.requestBody.content["application/json"].schema.properties.links.maxItems).toBe(1000);
    expect(doc.paths["/api/v1/links/{code}"].patch.requestBody.content["application/json"].schema.properties.disabled.type).toBe("boolean");
    expect(doc.paths["/api/v1/links/{code}/qr"].get).toBeDefined();
    expect(doc.paths["/{code}"].post).toBeDefined();
    expect(doc.paths["/api/v1/links"].post.requestBody.content["application/json"].schema.properties.password).toBeDefined();
    expect(JSON.stringify(doc.paths["/api/v1/links"].get.parameters)).toContain("tag");
  });
});
