/**
 * The target of a password-protected link (query string included) is for its owner key and
 * admins: every way the API serialises a link (single view, listings and their text search,
 * PATCH answers, QR codes, stats, the compatibility routes) applies that one rule. Creators see
 * the URL they just sent.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../support/embedded-app";

const SECRET_TARGET = "https://files.example/report.pdf?session=s3cr3t-t0ken";

async function json(app: TestApp, path: string, headers: Record<string, string> = {}, init: RequestInit = {}) {
  const res = await app.request(path, { ...init, headers: { ...(init.body ? { "content-type": "application/json" } : {}), ...headers } });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : null };
}

describe("an open install (no ADMIN_TOKEN, no keys)", () => {
  let app: TestApp;
  let secret: string;
  let plain: string;

  beforeAll(async () => {
    app = await startTestApp();
    const created = await app.createLink({ url: SECRET_TARGET, password: "open-sesame" });
    expect(created.status).toBe(201);
    expect(created.json.url).toBe(SECRET_TARGET); // the creator sent it
    secret = created.json.code;
    plain = (await app.createLink({ url: "https://files.example/public-page" })).json.code;
  });
  afterAll(() => app.close());

  test("GET /api/v1/links/:code shows a password link without its target", async () => {
    const r = await json(app, `/api/v1/links/${secret}`);
    expect(r.status).toBe(200);
    expect(r.body.passwordProtected).toBe(true);
    expect(r.body.url).toBeNull();
    expect(r.text).not.toContain("s3cr3t");
    expect(r.text).not.toContain("files.example/report");
    expect((await json(app, `/api/v1/links/${plain}`)).body.url).toBe("https://files.example/public-page");
  });

  test("the open listing shows it without its target", async () => {
    const r = await json(app, "/api/v1/links?limit=100");
    expect(r.status).toBe(200);
    const items = r.body.items as Array<{ code: string; url: string | null }>;
    expect(items.find((l) => l.code === secret)?.url).toBeNull();
    expect(items.find((l) => l.code === plain)?.url).toBe("https://files.example/public-page");
    expect(r.text).not.toContain("s3cr3t");
  });

  test("the listing's text search cannot probe a password link's target", async () => {
    for (const q of ["s3cr3t", "report.pdf", "session="]) {
      const r = await json(app, `/api/v1/links?q=${encodeURIComponent(q)}`);
      expect(r.status).toBe(200);
      expect(r.body.items.map((l: { code: string }) => l.code)).not.toContain(secret);
    }
    // its code is no secret to whoever lists, and still finds it; a public link's URL still matches
    expect((await json(app, `/api/v1/links?q=${secret}`)).body.items.map((l: { code: string }) => l.code)).toContain(secret);
    expect((await json(app, "/api/v1/links?q=public-page")).body.items.map((l: { code: string }) => l.code)).toContain(plain);
  });

  test("its QR code and stats carry no target", async () => {
    const qr = await app.request(`/api/v1/links/${secret}/qr`);
    expect(qr.status).toBe(200);
    expect(await qr.text()).not.toContain("files.example");
    const stats = await json(app, `/api/v1/links/${secret}/stats`);
    expect(stats.status).toBe(200);
    expect(stats.text).not.toContain("files.example");
  });

  test("the redirect itself gives the password form, not the target", async () => {
    const res = await app.request(`/${secret}`, { redirect: "manual" });
    expect(res.status).toBe(200);
    expect(res.headers.get("location")).toBeNull();
    expect(await res.text()).not.toContain("files.example");
  });
});

describe("with keys and an ADMIN_TOKEN", () => {
  const ADMIN = "visibility-admin-token-0123456789abcdef";
  let app: TestApp;
  let owner: string;
  let ownerId: string;
  let stranger: string;
  let ownedSecret: string;
  let anonymousSecret: string;
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    app = await startTestApp({ ADMIN_TOKEN: ADMIN });
    const o = await app.runtime.management.keys.create({ name: "owner", scopes: "create,manage,stats" });
    owner = o.token;
    ownerId = o.key.id;
    stranger = (await app.runtime.management.keys.create({ name: "stranger", scopes: "create,manage,stats" })).token;
    const owned = await json(app, "/api/v1/links", auth(owner), {
      method: "POST",
      body: JSON.stringify({ url: `${SECRET_TARGET}&owned=1`, password: "owner-pass" }),
    });
    expect(owned.status).toBe(201);
    expect(owned.body.ownerKey).toBe(ownerId);
    ownedSecret = owned.body.code;
    anonymousSecret = (await app.createLink({ url: `${SECRET_TARGET}&anon=1`, password: "anon-pass" })).json.code;
  });
  afterAll(() => app.close());

  test("the owner key and the admin read a protected target; another key cannot read the link at all", async () => {
    expect((await json(app, `/api/v1/links/${ownedSecret}`, auth(owner))).body.url).toBe(`${SECRET_TARGET}&owned=1`);
    expect((await json(app, `/api/v1/links/${ownedSecret}`, auth(ADMIN))).body.url).toBe(`${SECRET_TARGET}&owned=1`);
    expect((await json(app, `/api/v1/links/${ownedSecret}`, auth(stranger))).status).toBe(403);
    expect((await json(app, `/api/v1/links/${ownedSecret}`)).status).toBe(401);
  });

  test("an anonymous password link is readable by all, its target by admins only", async () => {
    for (const headers of [{}, auth(owner), auth(stranger)]) {
      const r = await json(app, `/api/v1/links/${anonymousSecret}`, headers);
      expect(r.status).toBe(200);
      expect(r.body.url).toBeNull();
    }
    expect((await json(app, `/api/v1/links/${anonymousSecret}`, auth(ADMIN))).body.url).toBe(`${SECRET_TARGET}&anon=1`);
  });

  test("listings: the owner and the admin see the targets they may read; search looks into them", async () => {
    const mine = await json(app, "/api/v1/links?q=owned%3D1", auth(owner));
    expect(mine.body.items.map((l: { code: string; url: string }) => [l.code, l.url])).toEqual([[ownedSecret, `${SECRET_TARGET}&owned=1`]]);
    const all = await json(app, "/api/v1/links?q=s3cr3t", auth(ADMIN));
    const urls = Object.fromEntries(all.body.items.map((l: { code: string; url: string }) => [l.code, l.url]));
    expect(urls[ownedSecret]).toBe(`${SECRET_TARGET}&owned=1`);
    expect(urls[anonymousSecret]).toBe(`${SECRET_TARGET}&anon=1`);
    // another key lists only its own links
    expect((await json(app, "/api/v1/links?q=s3cr3t", auth(stranger))).body.items).toEqual([]);
  });

  test("PATCH answers the changer, who may read the target", async () => {
    const r = await json(app, `/api/v1/links/${ownedSecret}`, auth(owner), { method: "PATCH", body: JSON.stringify({ tags: ["private"] }) });
    expect(r.status).toBe(200);
    expect(r.body.url).toBe(`${SECRET_TARGET}&owned=1`);
  });
});
