/**
 * Failed authentication is rate limited per client: a real server in-process (so each request has
 * a socket peer), with 127.0.0.1 as a trusted proxy so X-Forwarded-For names distinct clients.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Server } from "bun";
import { buildApp } from "../../src/app";
import { startHttpServer } from "../../src/server/http-server";
import { startTestApp, type TestApp } from "../support/embedded-app";

const ADMIN = "request-auth-admin-token-0123456789abcdef";
let t: TestApp;
let server: Server<unknown>;
let base: string;
let anonCode: string;

beforeAll(async () => {
  t = await startTestApp({ ADMIN_TOKEN: ADMIN, RATE_LIMIT_AUTH_FAILURES: "3/min", TRUSTED_PROXIES: "127.0.0.1,::1" });
  server = startHttpServer(buildApp(t.runtime), t.runtime, { port: 0, hostname: "127.0.0.1", reusePort: false });
  base = `http://127.0.0.1:${server.port}`;
  anonCode = (await t.createLink({ url: "https://example.com/auth-failures" })).json.code;
});
afterAll(async () => {
  server.stop(true);
  await t.close();
});

const as = (client: string, authorization?: string) => ({ "x-forwarded-for": client, ...(authorization ? { authorization } : {}) });
const list = (client: string, authorization?: string) => fetch(`${base}/api/v1/links?limit=1`, { headers: as(client, authorization) });

describe("failed authentication is rate limited per client", () => {
  test("three wrong admin tokens answer 403, the fourth 429 with Retry-After; then even the right token waits", async () => {
    const client = "203.0.113.7";
    for (let i = 0; i < 3; i++) expect((await list(client, `Bearer wrong-admin-token-${i}-xxxxxxxxxxxxxxxxxxxx`)).status).toBe(403);
    const limited = await list(client, "Bearer wrong-admin-token-3-xxxxxxxxxxxxxxxxxxxx");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get("ratelimit-policy")).toContain('"auth-failures";q=3');
    const body = (await limited.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("rate_limited");
    expect(body.error.message).toContain("failed authentications");
    // Blocked: the credentials are not looked at, so a correct guess is no different.
    const right = await list(client, `Bearer ${ADMIN}`);
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // Requests without credentials are not authentication attempts and still work.
    expect((await fetch(`${base}/api/v1/links/${anonCode}`, { headers: as(client) })).status).toBe(200);
  });

  test("another client keeps its own budget", async () => {
    expect((await list("203.0.113.8", `Bearer ${ADMIN}`)).status).toBe(200);
    expect((await list("203.0.113.8", "Bearer wrong-admin-token-xxxxxxxxxxxxxxxxxxxxxx")).status).toBe(403);
    expect((await list("203.0.113.8", `Bearer ${ADMIN}`)).status).toBe(200);
  });

  test("unknown, malformed, revoked and expired keys all count as failures", async () => {
    const { key, token } = await t.runtime.management.keys.create({ name: "revoked", scopes: "create,stats" });
    await t.runtime.management.keys.revoke(key.id);
    const client = "2001:db8::42";
    const attempts = [
      "Bearer rl_AAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", // unknown key
      "Basic dXNlcjpwYXNz", // malformed header
      `Bearer ${token}`, // revoked key
    ];
    const statuses = [];
    for (const authorization of attempts) statuses.push((await list(client, authorization)).status);
    expect(statuses).toEqual([403, 401, 403]);
    expect((await list(client, `Bearer ${ADMIN}`)).status).toBe(200);
    expect((await list(client, "Bearer rl_AAAAAAAA_CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC")).status).toBe(429);

    const expiring = await t.runtime.management.keys.create({ name: "expiring", scopes: "stats", expiresAt: Date.now() + 50 });
    await Bun.sleep(80);
    const other = "2001:db8::43";
    const unknown = "Bearer rl_AAAAAAAA_DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD";
    const seen = [];
    for (const authorization of [`Bearer ${expiring.token}`, unknown, unknown, unknown]) seen.push((await list(other, authorization)).status);
    expect(seen).toEqual([403, 403, 403, 429]);
  });

  test("every route that reads credentials is covered (create, update, delete, read)", async () => {
    const client = "198.51.100.9";
    const bad = "Bearer not-the-admin-token-xxxxxxxxxxxxxxxxxxxxx";
    const headers = { ...as(client, bad), "content-type": "application/json" };
    const statuses = [
      (await fetch(`${base}/api/v1/links`, { method: "POST", headers, body: JSON.stringify({ url: "https://example.com/x" }) })).status,
      (await fetch(`${base}/api/v1/links/${anonCode}`, { method: "PATCH", headers, body: JSON.stringify({ tags: ["a"] }) })).status,
      (await fetch(`${base}/api/v1/links/${anonCode}`, { method: "DELETE", headers })).status,
      (await fetch(`${base}/api/v1/links/${anonCode}`, { method: "DELETE", headers })).status,
    ];
    expect(statuses).toEqual([403, 403, 403, 429]);
  });

  test("with RATE_LIMIT_AUTH_FAILURES=off failures are never limited", async () => {
    const off = await startTestApp({ ADMIN_TOKEN: ADMIN, RATE_LIMIT_AUTH_FAILURES: "off" });
    try {
      const statuses = new Set<number>();
      for (let i = 0; i < 20; i++)
        statuses.add((await off.request("/api/v1/links", { headers: { authorization: "Bearer wrong-wrong-wrong-wrong-wrong-wrong" } })).status);
      expect([...statuses]).toEqual([403]);
    } finally {
      await off.close();
    }
  });
});
