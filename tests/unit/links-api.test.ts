/** The public HTTP contract, driven in-process against the embedded mode (real SQLite). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../support/embedded-app";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ ADMIN_TOKEN: "s3cret-admin-token-for-the-api-tests", PUBLIC_BASE_URL: "https://rl.example" });
});
afterAll(() => app.close());

const admin = { authorization: "Bearer s3cret-admin-token-for-the-api-tests" };

describe("POST /api/v1/links", () => {
  test("creates a link: 201 with code, shortUrl and the echoed options", async () => {
    const { status, json: body } = await app.createLink({ url: "https://example.com/a" });
    expect(status).toBe(201);
    expect(body.code).toMatch(/^[0-9A-Za-z]{7}$/);
    expect(body.shortUrl).toBe(`https://rl.example/${body.code}`);
    expect(body.url).toBe("https://example.com/a");
    expect(body.redirectType).toBe(302);
    expect(body.expiresAt).toBeNull();
    expect(body.maxClicks).toBeNull();
    expect(Date.parse(body.createdAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  test("the same URL again answers 200 with the existing link", async () => {
    const first = await app.createLink({ url: "https://example.com/same" });
    const second = await app.createLink({ url: "  https://example.com/same  " });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.json.code).toBe(first.json.code);
  });

  test("reuse:false forces a new code for a known URL", async () => {
    const first = await app.createLink({ url: "https://example.com/again" });
    const second = await app.createLink({ url: "https://example.com/again", reuse: false });
    expect(second.status).toBe(201);
    expect(second.json.code).not.toBe(first.json.code);
  });

  test("concurrent creates of one new URL all get the same code", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => app.createLink({ url: "https://example.com/race" })));
    expect(new Set(results.map((r) => r.json.code)).size).toBe(1);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
  });

  test("a custom alias is used as the code; taking it twice is 409 alias_taken", async () => {
    const first = await app.createLink({ url: "https://example.com/alias", alias: "my_Alias-1" });
    expect(first.status).toBe(201);
    expect(first.json.code).toBe("my_Alias-1");
    const again = await app.createLink({ url: "https://example.com/other", alias: "my_Alias-1" });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe("alias_taken");
  });

  test("options are stored and echoed", async () => {
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const { status, json: body } = await app.createLink({ url: "https://example.com/opts", expiresAt, maxClicks: 5, redirectType: 301 });
    expect(status).toBe(201);
    expect(body.expiresAt).toBe(expiresAt);
    expect(body.maxClicks).toBe(5);
    expect(body.redirectType).toBe(301);
  });
});

describe("rejects bad input with a JSON error and the right status", () => {
  const future = new Date(Date.now() + 86_400_000).toISOString();
  const cases: Array<[string, unknown, number, string]> = [
    ["missing url", {}, 400, "invalid_url"],
    ["url is a number", { url: 42 }, 400, "invalid_url"],
    ["url is null", { url: null }, 400, "invalid_url"],
    ["url is an array", { url: ["https://a.example"] }, 400, "invalid_url"],
    ["empty url", { url: "" }, 400, "invalid_url"],
    ["whitespace url", { url: "   " }, 400, "invalid_url"],
    ["relative url", { url: "/just/a/path" }, 400, "invalid_url"],
    ["no scheme", { url: "example.com" }, 400, "invalid_url"],
    ["javascript scheme", { url: "javascript:alert(1)" }, 400, "unsupported_scheme"],
    ["data scheme", { url: "data:text/html;base64,PHNjcmlwdD4=" }, 400, "unsupported_scheme"],
    ["file scheme", { url: "file:///etc/passwd" }, 400, "unsupported_scheme"],
    ["ftp scheme", { url: "ftp://example.com/f" }, 400, "unsupported_scheme"],
    ["credentials", { url: "https://admin:pw@example.com/" }, 400, "credentials_in_url"],
    ["too long", { url: `https://example.com/${"x".repeat(2100)}` }, 400, "url_too_long"],
    ["self link", { url: "https://rl.example/abcdefg" }, 400, "self_link"],
    ["loopback", { url: "http://127.0.0.1:8080/admin" }, 400, "private_target"],
    ["localhost", { url: "http://localhost/" }, 400, "private_target"],
    ["private range", { url: "http://10.0.0.5/" }, 400, "private_target"],
    ["cloud metadata", { url: "http://169.254.169.254/latest/" }, 400, "private_target"],
    ["ipv6 loopback", { url: "http://[::1]/" }, 400, "private_target"],
    ["IPv4-compatible loopback", { url: "http://[::127.0.0.1]/" }, 400, "private_target"],
    ["NAT64 loopback", { url: "http://[64:ff9b::7f00:1]/x" }, 400, "private_target"],
    ["6to4 loopback", { url: "http://[2002:7f00:1::]/" }, 400, "private_target"],
    ["wildcard DNS to loopback", { url: "http://127.0.0.1.nip.io/admin" }, 400, "private_target"],
    ["loopback by design", { url: "https://localtest.me/" }, 400, "private_target"],
    ["alias too short", { url: "https://example.com/", alias: "ab" }, 400, "invalid_alias"],
    ["alias too long", { url: "https://example.com/", alias: "a".repeat(65) }, 400, "invalid_alias"],
    ["alias with slash", { url: "https://example.com/", alias: "a/b/c" }, 400, "invalid_alias"],
    ["alias with dot", { url: "https://example.com/", alias: "my.alias" }, 400, "invalid_alias"],
    ["alias not a string", { url: "https://example.com/", alias: 1234 }, 400, "invalid_alias"],
    ["reserved alias api", { url: "https://example.com/", alias: "api" }, 400, "reserved_alias"],
    ["reserved alias HEALTHZ", { url: "https://example.com/", alias: "HEALTHZ" }, 400, "reserved_alias"],
    ["reserved alias metrics", { url: "https://example.com/", alias: "metrics" }, 400, "reserved_alias"],
    ["expiry in the past", { url: "https://example.com/", expiresAt: "2001-01-01T00:00:00Z" }, 400, "invalid_expiry"],
    ["expiry not a date", { url: "https://example.com/", expiresAt: "tomorrow" }, 400, "invalid_expiry"],
    ["expiry impossible date", { url: "https://example.com/", expiresAt: "2099-02-31T00:00:00Z" }, 400, "invalid_expiry"],
    ["expiry as number", { url: "https://example.com/", expiresAt: 1234567 }, 400, "invalid_expiry"],
    ["maxClicks zero", { url: "https://example.com/", maxClicks: 0 }, 400, "invalid_max_clicks"],
    ["maxClicks negative", { url: "https://example.com/", maxClicks: -3 }, 400, "invalid_max_clicks"],
    ["maxClicks fractional", { url: "https://example.com/", maxClicks: 1.5 }, 400, "invalid_max_clicks"],
    ["maxClicks string", { url: "https://example.com/", maxClicks: "5" }, 400, "invalid_max_clicks"],
    ["redirectType 303", { url: "https://example.com/", redirectType: 303 }, 400, "invalid_redirect_type"],
    ["redirectType 200", { url: "https://example.com/", redirectType: 200 }, 400, "invalid_redirect_type"],
    ["reuse not boolean", { url: "https://example.com/", reuse: "no" }, 400, "invalid_reuse"],
    ["unknown field", { url: "https://example.com/", expiresat: future }, 400, "unknown_field"],
    ["malformed JSON", '{"url": "https://example.com/",', 400, "invalid_json"],
    ["JSON array body", '["https://example.com/"]', 400, "invalid_json"],
    ["JSON string body", '"https://example.com/"', 400, "invalid_json"],
    ["empty body", "", 400, "invalid_json"],
    ["body over 16 KiB", JSON.stringify({ url: "https://example.com/", pad: "x".repeat(17 * 1024) }), 413, "payload_too_large"],
  ];

  test("at least 30 distinct bad inputs are covered", () => {
    expect(new Set(cases.map((c) => JSON.stringify(c[1]))).size).toBeGreaterThanOrEqual(30);
  });

  test.each(cases)("%s", async (_name, body, status, code) => {
    const res = await app.post("/api/v1/links", body);
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toContain("application/json");
    const payload = (await res.json()) as { error: { code: string; message: string } };
    expect(payload.error.code).toBe(code);
    expect(payload.error.message.length).toBeGreaterThan(5);
    expect(JSON.stringify(payload)).not.toContain("at /"); // no stack traces
  });

  test("schema failures read as sentences naming the field and what it accepts", async () => {
    const cases: Array<[unknown, unknown]> = [
      [{ url: 42 }, "url must be text (got 42)"],
      [{}, "url is required and must be text"],
      [{ url: "https://example.com/", maxClicks: "5" }, "maxClicks must be a number or null (got '5')"],
      // inside a list or object of the right kind, the part that is wrong is named
      [{ url: "https://example.com/", tags: [1] }, "tags.0 must be text (got 1)"],
      [{ url: "https://example.com/", tags: "a" }, "tags must be a list of at most 10 strings or null (got 'a')"],
      [
        { url: "https://example.com/", tags: Array.from({ length: 11 }, (_, i) => `t${i}`) },
        expect.stringMatching(/^tags must be a list of at most 10 strings or null/),
      ],
      [{ url: "https://example.com/", utm: { source: 5 } }, "utm.source must be text (got 5)"],
      [{ url: "https://example.com/", reuse: "no" }, "reuse must be true or false (got 'no')"],
      [{ url: "https://example.com/", forwardQuery: "yes" }, "forwardQuery must be true, false or null (got 'yes')"],
    ];
    for (const [body, message] of cases) {
      const res = await app.post("/api/v1/links", body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as any).error.message).toEqual(message);
    }
    const unknown = await app.post("/api/v1/links", { url: "https://example.com/", utm: { sorce: "x" } });
    expect(((await unknown.json()) as any).error).toEqual({ code: "unknown_field", message: "unknown field 'utm.sorce'" });
  });

  test("a wrong content type is 415", async () => {
    const res = await app.post("/api/v1/links", '{"url":"https://example.com/"}', { "content-type": "text/plain" });
    expect(res.status).toBe(415);
    expect(((await res.json()) as any).error.code).toBe("unsupported_media_type");
  });

  test("a form-encoded body to the JSON API is 415", async () => {
    const res = await app.post("/api/v1/links", "url=https://example.com/", { "content-type": "application/x-www-form-urlencoded" });
    expect(res.status).toBe(415);
  });

  test("a declared Content-Length over the limit is 413 without reading the body", async () => {
    const res = await app.post("/api/v1/links", "{}", { "content-length": String(1024 * 1024) });
    expect(res.status).toBe(413);
  });

  test("nothing is stored for refused input", async () => {
    const before = (await (await app.request("/api/v1/links?limit=100", { headers: admin })).json()) as any;
    await app.post("/api/v1/links", { url: "javascript:alert(1)" });
    await app.post("/api/v1/links", { url: "https://example.com/", alias: "api" });
    const after = (await (await app.request("/api/v1/links?limit=100", { headers: admin })).json()) as any;
    expect(after.items.length).toBe(before.items.length);
  });
});

describe("GET /:code", () => {
  test("redirects with 302 and Location", async () => {
    const { json: link } = await app.createLink({ url: "https://example.com/target?q=1" });
    const res = await app.request(`/${link.code}`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://example.com/target?q=1");
  });

  test.each([301, 302, 307, 308])("uses the link's redirect type %d", async (redirectType) => {
    const { json: link } = await app.createLink({ url: `https://example.com/rt/${redirectType}`, redirectType });
    const res = await app.request(`/${link.code}`);
    expect(res.status).toBe(redirectType);
    expect(res.headers.get("location")).toBe(`https://example.com/rt/${redirectType}`);
  });

  test("HEAD answers the redirect too", async () => {
    const { json: link } = await app.createLink({ url: "https://example.com/head" });
    const res = await app.request(`/${link.code}`, { method: "HEAD" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://example.com/head");
  });

  test("unknown code: JSON 404 for API clients", async () => {
    const res = await app.request("/zzzzzzz", { headers: { accept: "application/json" } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error.code).toBe("not_found");
  });

  test("unknown code: an HTML page for browsers", async () => {
    const res = await app.request("/zzzzzzz", { headers: { accept: "text/html,application/xhtml+xml" } });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("does not exist");
  });

  test("malformed codes are 404 before any storage lookup", async () => {
    const before = app.runtime.resolver.storeLookups;
    for (const bad of ["a.b.c", "ab", "x".repeat(65), "%F0%9F%98%80abc", "abc%20def"]) {
      const res = await app.request(`/${bad}`);
      expect(res.status).toBe(404);
    }
    expect(app.runtime.resolver.storeLookups).toBe(before);
  });

  test("an alias created after a 404 for it resolves at once (the negative entry is dropped)", async () => {
    expect((await app.request("/later-alias")).status).toBe(404);
    await app.createLink({ url: "https://example.com/later", alias: "later-alias" });
    const res = await app.request("/later-alias");
    expect(res.status).toBe(302);
  });

  test("an expired link answers 410", async () => {
    const { json: link } = await app.createLink({ url: "https://example.com/exp", expiresAt: new Date(Date.now() + 300).toISOString() });
    expect((await app.request(`/${link.code}`)).status).toBe(302);
    await Bun.sleep(400);
    const res = await app.request(`/${link.code}`);
    expect(res.status).toBe(410);
    expect(((await res.json()) as any).error.code).toBe("expired");
  });

  test("a link over maxClicks answers 410, exactly after maxClicks redirects", async () => {
    const { json: link } = await app.createLink({ url: "https://example.com/limited", maxClicks: 3 });
    const statuses = await Promise.all(Array.from({ length: 10 }, () => app.request(`/${link.code}`).then((r) => r.status)));
    expect(statuses.filter((s) => s === 302)).toHaveLength(3);
    expect(statuses.filter((s) => s === 410)).toHaveLength(7);
  });

  test("HEAD does not spend a one-time link's click", async () => {
    const { json: link } = await app.createLink({ url: "https://example.com/once", maxClicks: 1 });
    expect((await app.request(`/${link.code}`, { method: "HEAD" })).status).toBe(302);
    expect((await app.request(`/${link.code}`)).status).toBe(302);
    expect((await app.request(`/${link.code}`)).status).toBe(410);
  });

  test("clicks are counted and reported by GET /api/v1/links/:code", async () => {
    const { json: link } = await app.createLink({ url: "https://example.com/counted" });
    for (let i = 0; i < 5; i++) await app.request(`/${link.code}`);
    await app.request(`/${link.code}`, { method: "HEAD" }); // not a click
    await app.runtime.flushAnalytics();
    const res = await app.request(`/api/v1/links/${link.code}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).clicks).toBe(5);
  });
});

describe("GET and DELETE /api/v1/links/:code", () => {
  test("GET returns the link with clicks; unknown is 404", async () => {
    const { json: link } = await app.createLink({ url: "https://example.com/get" });
    const res = await app.request(`/api/v1/links/${link.code}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ code: link.code, url: "https://example.com/get", clicks: 0, status: "active" });
    expect((await app.request("/api/v1/links/nope-nope")).status).toBe(404);
  });

  test("DELETE without a token is 401, with a wrong token 403", async () => {
    const { json: link } = await app.createLink({ url: "https://example.com/del-auth" });
    const none = await app.request(`/api/v1/links/${link.code}`, { method: "DELETE" });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    const wrong = await app.request(`/api/v1/links/${link.code}`, { method: "DELETE", headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(403);
    expect((await app.request(`/${link.code}`)).status).toBe(302);
  });

  test("DELETE with the admin token is 204; the link then answers 410 everywhere", async () => {
    const { json: link } = await app.createLink({ url: "https://example.com/del" });
    expect((await app.request(`/${link.code}`)).status).toBe(302); // now cached in L1
    const res = await app.request(`/api/v1/links/${link.code}`, { method: "DELETE", headers: admin });
    expect(res.status).toBe(204);
    expect((await app.request(`/${link.code}`)).status).toBe(410);
    expect((await app.request(`/api/v1/links/${link.code}`)).status).toBe(410);
    expect((await app.request(`/api/v1/links/${link.code}`, { method: "DELETE", headers: admin })).status).toBe(410);
    expect((await app.request("/api/v1/links/nope-nope", { method: "DELETE", headers: admin })).status).toBe(404);
  });

  test("a deleted URL can be shortened again and gets a new code", async () => {
    const first = await app.createLink({ url: "https://example.com/del-again" });
    await app.request(`/api/v1/links/${first.json.code}`, { method: "DELETE", headers: admin });
    const second = await app.createLink({ url: "https://example.com/del-again" });
    expect(second.status).toBe(201);
    expect(second.json.code).not.toBe(first.json.code);
  });

  test("listing needs the admin token once one is configured, and pages with a cursor", async () => {
    expect((await app.request("/api/v1/links")).status).toBe(401);
    const page1 = (await (await app.request("/api/v1/links?limit=2", { headers: admin })).json()) as any;
    expect(page1.items).toHaveLength(2);
    expect(page1.nextCursor).toMatch(/^\d+$/);
    const page2 = (await (await app.request(`/api/v1/links?limit=2&cursor=${page1.nextCursor}`, { headers: admin })).json()) as any;
    expect(page2.items[0].code).not.toBe(page1.items[0].code);
    expect(Date.parse(page2.items[0].createdAt)).toBeLessThanOrEqual(Date.parse(page1.items[1].createdAt));
    expect((await app.request("/api/v1/links?limit=0", { headers: admin })).status).toBe(400);
    expect((await app.request("/api/v1/links?cursor=abc", { headers: admin })).status).toBe(400);
  });
});

describe("compatibility endpoints", () => {
  test("POST /create {long_url} answers 200 {short_url}", async () => {
    const res = await app.post("/create", { long_url: "https://example.com/legacy" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.short_url).toMatch(/^https:\/\/rl\.example\/[0-9A-Za-z]{7}$/);
    expect((await app.request(new URL(body.short_url).pathname)).headers.get("location")).toBe("https://example.com/legacy");
  });

  test("POST /create validates like the main API", async () => {
    const res = await app.post("/create", { long_url: "javascript:alert(1)" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.code).toBe("unsupported_scheme");
    expect((await app.post("/create", { url: "https://example.com/" })).status).toBe(400);
  });

  test("POST /shorten from a JSON client answers {short_url}", async () => {
    const res = await app.request("/shorten", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: "long_url=https%3A%2F%2Fexample.com%2Fform",
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).short_url).toMatch(/^https:\/\/rl\.example\//);
  });

  test("POST /shorten from an HTML form redirects to the dashboard showing the link", async () => {
    const res = await app.request("/shorten", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: "long_url=https%3A%2F%2Fexample.com%2Fform2",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^\/\?created=[0-9A-Za-z]{7}$/);
  });

  test("POST /shorten with a malformed multipart body is 400 invalid_form, not 500", async () => {
    for (const type of ["multipart/form-data; boundary=xyz", "multipart/form-data"]) {
      const res = await app.request("/shorten", {
        method: "POST",
        headers: { "content-type": type, accept: "application/json" },
        body: "long_url=https://example.com/",
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as any).error.code).toBe("invalid_form");
    }
    const form = new FormData();
    form.set("long_url", "https://example.com/multipart");
    const ok = await app.request("/shorten", { method: "POST", headers: { accept: "application/json" }, body: form });
    expect(ok.status).toBe(200);
  });

  test("POST /shorten with a bad URL from a form shows the reason on the dashboard", async () => {
    const res = await app.request("/shorten", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: "long_url=javascript%3Aalert(1)",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toStartWith("/?error=");
  });
});

describe("service endpoints", () => {
  test("/healthz is 200", async () => {
    expect((await app.request("/healthz")).status).toBe(200);
  });

  test("/readyz reports each dependency", async () => {
    const res = await app.request("/readyz");
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.status).toBe("ready");
    expect(body.dependencies[0]).toMatchObject({ kind: "sqlite", up: true });
  });

  test("/openapi.json documents the API from the schemas", async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as any;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/v1/links", "/api/v1/links/{code}", "/{code}", "/create", "/shorten", "/readyz"]));
    expect(doc.paths["/api/v1/links"].post.requestBody.content["application/json"].schema.properties.url.type).toBe("string");
  });

  test("/openapi.json uses only OpenAPI operation names (no non-HTTP entries such as ws)", async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    const allowed = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace", "parameters", "summary", "description"]);
    for (const [path, ops] of Object.entries(doc.paths))
      for (const op of Object.keys(ops)) expect(`${path} ${op}`).toBe(allowed.has(op) ? `${path} ${op}` : "(valid operation)");
  });

  test("/ serves the dashboard and /docs the API page", async () => {
    const home = await app.request("/");
    expect(home.status).toBe(200);
    expect(home.headers.get("content-type")).toContain("text/html");
    expect(await home.text()).toContain("/shorten");
    expect((await app.request("/docs")).status).toBe(200);
    expect((await app.request("/assets/app.js")).headers.get("content-type")).toContain("javascript");
    expect((await app.request("/assets/nope.js")).status).toBe(404);
  });

  test("unknown API routes are JSON 404s", async () => {
    const res = await app.request("/api/v1/nothing/here");
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error.code).toBe("not_found");
  });
});

describe("when storage fails", () => {
  test("an uncached redirect answers 503 with Retry-After and /readyz turns 503", async () => {
    const broken = await startTestApp();
    await broken.runtime.store.close();
    const res = await broken.request("/abcdefg");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect((await broken.request("/readyz")).status).toBe(503);
    await broken.runtime.bus.close();
  });
});

describe("without ADMIN_TOKEN", () => {
  test("deletes are disabled (403) and listing is open", async () => {
    const open = await startTestApp();
    const { json: link } = await open.createLink({ url: "https://example.com/open" });
    const res = await open.request(`/api/v1/links/${link.code}`, { method: "DELETE", headers: { authorization: "Bearer anything" } });
    expect(res.status).toBe(403);
    expect((await open.request("/api/v1/links")).status).toBe(200);
    await open.close();
  });
});

describe("GET /metrics", () => {
  test("exposes redirect, cache, request and event metrics in the Prometheus format", async () => {
    const m = await startTestApp();
    try {
      const { json: link } = await m.createLink({ url: "https://example.com/metrics" });
      await m.request(`/${link.code}`);
      await m.request(`/${link.code}`);
      await m.request("/unknown1");
      await Bun.sleep(20); // request timings are recorded after the response is handed back
      const res = await m.request("/metrics");
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/plain");
      const text = await res.text();
      expect(text).toContain('ringlink_redirects_total{outcome="redirect"} 2');
      expect(text).toContain('ringlink_redirects_total{outcome="not_found"} 1');
      expect(text).toMatch(/ringlink_cache_hits_total \d+/);
      expect(text).toContain('ringlink_http_request_duration_seconds_count{route="/api/v1/links/",method="POST",status="201"} 1');
      expect(text).toContain("ringlink_redirect_duration_seconds_bucket");
      expect(text).toContain('ringlink_dependency_up{name="sqlite",kind="sqlite",shard=""} 1');
      // route labels are templates, never raw paths
      expect(text).not.toContain(link.code);
    } finally {
      await m.close();
    }
  });
});
