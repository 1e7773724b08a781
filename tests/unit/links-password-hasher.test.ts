/** Password hashing is bounded: one hash at a time per process, a cap per bulk request, a budget per client. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { PasswordHasher } from "../../src/links";
import { startTestApp, type TestApp } from "../support/embedded-app";

describe("PasswordHasher", () => {
  test("hashes one password at a time; the others wait in line", async () => {
    const hasher = new PasswordHasher();
    const hashes = ["one1", "two2", "three3"].map((p) => hasher.hash(p));
    expect(hasher.stats).toEqual({ running: 1, waiting: 2, refused: 0 });
    const done = await Promise.all(hashes);
    expect(done.every((h) => h.startsWith("$argon2id$"))).toBe(true);
    expect(await hasher.verify("two2", done[1]!)).toBe(true);
    expect(await hasher.verify("two2", done[0]!)).toBe(false);
    expect(hasher.stats).toEqual({ running: 0, waiting: 0, refused: 0 });
  });
});

describe("new link passwords per request and per client", () => {
  const TOKEN = "password-hash-admin-token-0123456789";
  const auth = { authorization: `Bearer ${TOKEN}` };
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ ADMIN_TOKEN: TOKEN, RATE_LIMIT_PASSWORD_HASH: "3/min" });
  });
  afterAll(() => app.close());

  test("a bulk request with more than 20 passworded items is refused whole, before any hash", async () => {
    const links = Array.from({ length: 150 }, (_, i) => ({ url: `https://example.com/locked/${i}`, password: "s3cret-pass" }));
    const started = performance.now();
    const res = await app.post("/api/v1/links/bulk", { links }, auth);
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error).toEqual({
      code: "too_many_passwords",
      message: "at most 20 items of a bulk request may set a password (got 150); send the rest in further requests",
    });
    expect(performance.now() - started).toBeLessThan(1_000);
    const listed = (await (await app.request("/api/v1/links?q=locked", { headers: auth })).json()) as any;
    expect(listed.items).toHaveLength(0);
  });

  test("each new password spends the client's RATE_LIMIT_PASSWORD_HASH budget; past it 429, plain links still pass", async () => {
    const bulk = await app.post(
      "/api/v1/links/bulk",
      {
        links: [
          { url: "https://example.com/p1", password: "s3cret-1" },
          { url: "https://example.com/p2", password: "s3cret-2" },
        ],
      },
      auth,
    );
    expect(bulk.status).toBe(200);
    expect(((await bulk.json()) as any).created).toBe(2);
    expect((await app.post("/api/v1/links", { url: "https://example.com/p3", password: "s3cret-3" })).status).toBe(201);
    const refused = await app.post("/api/v1/links", { url: "https://example.com/p4", password: "s3cret-4" });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("ratelimit-policy")).toBe('"password-hash";q=3;w=60');
    expect((await app.post("/api/v1/links", { url: "https://example.com/p5" })).status).toBe(201);
    const patch = await app.request(`/api/v1/links/${(await app.createLink({ url: "https://example.com/p6" })).json.code}`, {
      method: "PATCH",
      headers: { "content-type": "application/json", ...auth },
      body: JSON.stringify({ password: "s3cret-6" }),
    });
    expect(patch.status).toBe(429);
  });
});
