/** CORS_ORIGINS: preflights, the headers of API answers, redirects untouched, same-origin only by default. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config";
import { startTestApp, type TestApp } from "../support/embedded-app";

const ADMIN = "cors-test-admin-token-0123456789abcdef";
const auth = { authorization: `Bearer ${ADMIN}` };
const preflight = (origin: string, method = "POST") => ({
  method: "OPTIONS",
  headers: { origin, "access-control-request-method": method, "access-control-request-headers": "authorization, content-type" },
});

describe("with CORS_ORIGINS listing an origin", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ CORS_ORIGINS: "https://app.example, https://ops.example:8443", ADMIN_TOKEN: ADMIN });
  });
  afterAll(() => app.close());

  test("a preflight from it answers 204 with methods, headers, Max-Age and Vary, no credentials", async () => {
    const res = await app.request("/api/v1/links", preflight("https://app.example"));
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(res.headers.get("access-control-allow-methods")).toBe("GET, POST, PATCH, DELETE");
    expect(res.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(res.headers.get("access-control-allow-headers")).toContain("content-type");
    expect(Number(res.headers.get("access-control-max-age"))).toBeGreaterThan(0);
    expect(res.headers.get("vary")).toContain("Origin");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    const other = await app.request("/api/v1/links/abc/stats", preflight("https://ops.example:8443", "GET"));
    expect(other.headers.get("access-control-allow-origin")).toBe("https://ops.example:8443");
  });

  test("a preflight from another origin is refused with the JSON envelope", async () => {
    const res = await app.request("/api/v1/links", preflight("https://evil.example"));
    expect(res.status).toBe(403);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(((await res.json()) as any).error.code).toBe("origin_not_allowed");
  });

  test("answers, errors included, name the origin and expose Location; other origins get only Vary", async () => {
    const created = await app.request("/api/v1/links", {
      method: "POST",
      headers: { origin: "https://app.example", "content-type": "application/json", ...auth },
      body: JSON.stringify({ url: "https://example.com/cors" }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(created.headers.get("access-control-expose-headers")).toContain("location");
    expect(created.headers.get("vary")).toContain("Origin");
    const refused = await app.request("/api/v1/links", { headers: { origin: "https://app.example" } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBe("https://app.example");
    const foreign = await app.request("/api/v1/links", { headers: { origin: "https://evil.example", ...auth } });
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    expect(foreign.headers.get("vary")).toContain("Origin");
  });

  test("redirects and pages are untouched", async () => {
    const { json } = await app.createLink({ url: "https://example.com/redirect-cors" });
    const res = await app.request(`/${json.code}`, { headers: { origin: "https://app.example" } });
    expect(res.status).toBe(302);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("vary")).toBeNull();
    const options = await app.request(`/${json.code}`, preflight("https://app.example", "GET"));
    expect(options.headers.get("access-control-allow-origin")).toBeNull();
    expect((await app.request("/", { headers: { origin: "https://app.example" } })).headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("by default (no CORS_ORIGINS)", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({});
  });
  afterAll(() => app.close());

  test("no origin may call cross-origin: preflights are refused and answers carry no Allow-Origin", async () => {
    expect((await app.request("/api/v1/links", preflight("https://app.example"))).status).toBe(403);
    const res = await app.request("/api/v1/links", { headers: { origin: "https://app.example" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("a plain OPTIONS (no preflight) lists the methods", async () => {
    const res = await app.request("/api/v1/links", { method: "OPTIONS" });
    expect(res.status).toBe(204);
    expect(res.headers.get("allow")).toContain("PATCH");
  });
});

test("CORS_ORIGINS takes origins or *, and refuses what is not an origin", async () => {
  const app = await startTestApp({ CORS_ORIGINS: "*" });
  try {
    const res = await app.request("/openapi.json", { headers: { origin: "https://anywhere.example" } });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  } finally {
    await app.close();
  }
  expect(() => loadConfig({ CORS_ORIGINS: "https://app.example/path" })).toThrow("CORS_ORIGINS");
  expect(loadConfig({ CORS_ORIGINS: "https://APP.example:443" }).corsOrigins).toEqual(["https://app.example"]);
});
