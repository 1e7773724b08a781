/**
 * Dashboard sessions: the signed cookie (tamper, expiry), what the session endpoints answer, the
 * CSRF rule for cookie-authenticated writes, sessions ending with their key or admin token, and
 * the live stream closing (4401) when its credential is revoked.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Server } from "bun";
import { buildApp } from "../../src/app";
import { KeyService } from "../../src/keys";
import { startHttpServer } from "../../src/server/http-server";
import { SESSION_COOKIE, SessionService } from "../../src/sessions";
import type { ApiKeyRecord, ApiKeyStore } from "../../src/keys";
import { statSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config";
import { startTestApp, type TestApp } from "../support/embedded-app";

const ADMIN = "sessions-test-admin-token-0123456789abcdef";
const SECRET = "sessions-test-secret-0123456789abcdef0123";

/** An in-memory key store, so the service tests need no database. */
function memoryKeys(): ApiKeyStore & { rows: Map<string, ApiKeyRecord> } {
  const rows = new Map<string, ApiKeyRecord>();
  return {
    rows,
    insertKey: async (k) => void rows.set(k.id, k),
    findKey: async (id) => rows.get(id) ?? null,
    listKeys: async () => [...rows.values()],
    revokeKey: async (id, at) => {
      const k = rows.get(id);
      if (!k || k.revokedAt !== null) return false;
      k.revokedAt = at;
      return true;
    },
    countActiveKeys: async () => rows.size,
  };
}

describe("SessionService", () => {
  let now = 1_000_000;
  const store = memoryKeys();
  const keys = new KeyService({ store, now: () => now });
  const sessions = new SessionService({ secret: SECRET, ttlMs: 60_000, keys, adminToken: ADMIN, now: () => now });

  test("a session names its key and expires after its TTL", async () => {
    const { key } = await keys.create({ name: "dash", scopes: "stats,manage" });
    const opened = sessions.open(await keys.principalById(key.id));
    expect(opened.expiresAt).toBe(now + 60_000);
    const checked = await sessions.check(opened.value);
    expect(checked.principal).toMatchObject({ kind: "key", id: key.id });
    expect(checked.csrfToken).toBe(opened.csrfToken);
    now += 60_000;
    await expect(sessions.check(opened.value)).rejects.toMatchObject({ status: 401, code: "session_expired" });
    now -= 60_000;
  });

  test("a changed payload, a changed signature or another secret's cookie is refused", async () => {
    const { key } = await keys.create({ name: "tamper", scopes: "stats" });
    const { value } = sessions.open(await keys.principalById(key.id));
    const [payload, mac] = value.split(".") as [string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const forged = `${Buffer.from(JSON.stringify({ ...claims, sub: "admin", exp: claims.exp + 1e9 })).toString("base64url")}.${mac}`;
    await expect(sessions.check(forged)).rejects.toMatchObject({ status: 401, code: "session_invalid" });
    await expect(sessions.check(`${payload}.${mac.slice(0, -2)}AA`)).rejects.toMatchObject({ code: "session_invalid" });
    await expect(sessions.check("not-a-session")).rejects.toMatchObject({ code: "session_invalid" });
    const other = new SessionService({ secret: `${SECRET}-other`, ttlMs: 60_000, keys, adminToken: ADMIN, now: () => now });
    await expect(other.check(value)).rejects.toMatchObject({ code: "session_invalid" });
  });

  test("revoking the key ends its sessions; an admin session ends when ADMIN_TOKEN changes", async () => {
    const { key } = await keys.create({ name: "revoked", scopes: "stats" });
    const { value } = sessions.open(await keys.principalById(key.id));
    await keys.revoke(key.id);
    await expect(sessions.check(value)).rejects.toMatchObject({ status: 401, code: "session_ended" });

    const admin = sessions.open({ kind: "admin", id: "admin-token", name: "ADMIN_TOKEN" });
    expect((await sessions.check(admin.value)).principal.kind).toBe("admin");
    const rotated = new SessionService({ secret: SECRET, ttlMs: 60_000, keys, adminToken: `${ADMIN}-new`, now: () => now });
    await expect(rotated.check(admin.value)).rejects.toMatchObject({ code: "session_ended" });
    const removed = new SessionService({ secret: SECRET, ttlMs: 60_000, keys, adminToken: undefined, now: () => now });
    await expect(removed.check(admin.value)).rejects.toMatchObject({ code: "session_ended" });
  });
});

describe("the session endpoints and cookie-authenticated requests", () => {
  let t: TestApp;
  let server: Server<unknown>;
  let base: string;

  beforeAll(async () => {
    t = await startTestApp({ ADMIN_TOKEN: ADMIN, TRUSTED_PROXIES: "127.0.0.1,::1", RATE_LIMIT_AUTH_FAILURES: "off" });
    server = startHttpServer(buildApp(t.runtime), t.runtime, { port: 0, hostname: "127.0.0.1", reusePort: false });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    server.stop(true);
    await t.close();
  });

  const signIn = async (token: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}/api/v1/session`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ token }),
    });
    const setCookie = res.headers.get("set-cookie") ?? "";
    const cookie = /ringlink_session=([^;]*)/.exec(setCookie)?.[1] ?? "";
    return { res, setCookie, cookie: `${SESSION_COOKIE}=${cookie}`, body: (await res.json()) as any };
  };

  test("without a session GET answers signed out, and says that this server needs a key", async () => {
    const res = await fetch(`${base}/api/v1/session`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ signedIn: false, signInRequired: true, key: null, csrfToken: null });
  });

  test("a wrong token is refused with 403 and sets no cookie", async () => {
    const { res, setCookie, body } = await signIn("rl_AAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB");
    expect(res.status).toBe(403);
    expect(setCookie).toBe("");
    expect(body.error.code).toBe("forbidden");
  });

  test("signing in with a key sets an HttpOnly, SameSite=Strict cookie (Secure behind an https proxy) that acts as the key", async () => {
    const { key, token } = await t.runtime.management.keys.create({ name: "dashboard user", scopes: "create,manage,stats" });
    const { res, setCookie, cookie, body } = await signIn(token);
    expect(res.status).toBe(200);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    expect(setCookie).toContain("Path=/");
    expect(setCookie).toContain(`Max-Age=${12 * 3600}`);
    expect(setCookie).not.toContain("Secure");
    expect(body).toMatchObject({ signedIn: true, admin: false, key: { id: key.id, name: "dashboard user" } });
    expect(body.scopes.sort()).toEqual(["create", "manage", "stats"]);
    expect(JSON.stringify(body)).not.toContain(token);

    const behindProxy = await signIn(token, { "x-forwarded-proto": "https" });
    expect(behindProxy.setCookie).toContain("; Secure");

    // The cookie reads as the key: a link it creates is owned by the key and listed to it.
    const created = await fetch(`${base}/api/v1/links`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", "x-csrf-token": body.csrfToken },
      body: JSON.stringify({ url: "https://example.com/session/created" }),
    });
    expect(created.status).toBe(201);
    const link = (await created.json()) as any;
    expect(link.ownerKey).toBe(key.id);
    const listed = (await (await fetch(`${base}/api/v1/links`, { headers: { cookie } })).json()) as any;
    expect(listed.items.map((l: any) => l.code)).toContain(link.code);

    const me = (await (await fetch(`${base}/api/v1/session`, { headers: { cookie } })).json()) as any;
    expect(me).toMatchObject({ signedIn: true, key: { id: key.id }, csrfToken: body.csrfToken });
  });

  test("a cookie-authenticated write without the right X-CSRF-Token answers 403; reads need none; bearer writes need none", async () => {
    const { token } = await t.runtime.management.keys.create({ name: "csrf", scopes: "create,manage,stats" });
    const { cookie, body } = await signIn(token);
    const link = (await (
      await fetch(`${base}/api/v1/links`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ url: "https://example.com/csrf" }),
      })
    ).json()) as any;
    const patch = (headers: Record<string, string>) =>
      fetch(`${base}/api/v1/links/${link.code}`, {
        method: "PATCH",
        headers: { cookie, "content-type": "application/json", ...headers },
        body: JSON.stringify({ disabled: true }),
      });
    const wrongTokens: Array<Record<string, string>> = [{}, { "x-csrf-token": "wrong" }, { "x-csrf-token": `${body.csrfToken}x` }];
    for (const headers of wrongTokens) {
      const refused = await patch(headers);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as any).error.code).toBe("csrf_token_invalid");
    }
    expect((await fetch(`${base}/api/v1/links/${link.code}`, { method: "DELETE", headers: { cookie } })).status).toBe(403);
    expect((await fetch(`${base}/api/v1/links/${link.code}`, { headers: { cookie } })).status).toBe(200);
    const ok = await patch({ "x-csrf-token": body.csrfToken });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).disabled).toBe("manual");
  });

  test("revoking the key ends the session: requests answer 401 and GET says why and clears the cookie", async () => {
    const { key, token } = await t.runtime.management.keys.create({ name: "soon revoked", scopes: "stats" });
    const { cookie } = await signIn(token);
    expect((await fetch(`${base}/api/v1/links`, { headers: { cookie } })).status).toBe(200);
    await t.runtime.management.keys.revoke(key.id);
    const after = await fetch(`${base}/api/v1/links`, { headers: { cookie } });
    expect(after.status).toBe(401);
    expect(((await after.json()) as any).error.code).toBe("session_ended");
    const me = await fetch(`${base}/api/v1/session`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(me.headers.get("set-cookie")).toContain("Max-Age=0");
    expect(await me.json()).toMatchObject({ signedIn: false, signInRequired: true, ended: expect.stringContaining("revoked") });
  });

  test("a tampered cookie is refused; signing out clears the cookie", async () => {
    const { cookie } = await signIn(ADMIN);
    const tampered = `${cookie.slice(0, -3)}abc`;
    const res = await fetch(`${base}/api/v1/links`, { headers: { cookie: tampered } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.code).toBe("session_invalid");
    const out = await fetch(`${base}/api/v1/session`, { method: "DELETE", headers: { cookie } });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/ringlink_session=;.*Max-Age=0/);
  });

  test("X-Forwarded-Proto from a peer that is not a trusted proxy does not make the cookie Secure", async () => {
    // In-process requests have no socket peer, so nothing vouches for the header.
    const res = await t.post("/api/v1/session", { token: ADMIN }, { "x-forwarded-proto": "https" });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).not.toContain("Secure");
  });

  test("without SESSION_SECRET the secret is generated once in DATA_DIR, readable by its owner only", () => {
    const file = join(t.runtime.config.dataDir, "session-secret");
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  test("/ws accepts the session cookie and closes the stream with 4401 when its key is revoked", async () => {
    const { key, token } = await t.runtime.management.keys.create({ name: "watcher", scopes: "stats" });
    const { cookie } = await signIn(token);
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers: { cookie } } as unknown as string[]);
    const opened = await new Promise<boolean>((resolve) => {
      ws.onopen = () => resolve(true);
      ws.onclose = () => resolve(false);
    });
    expect(opened).toBe(true);
    const closed = new Promise<number>((resolve) => {
      ws.onclose = (e) => resolve(e.code);
    });
    const revokedAt = Date.now();
    await t.runtime.management.keys.revoke(key.id);
    expect(await closed).toBe(4401);
    expect(Date.now() - revokedAt).toBeLessThan(5_000);
  });
});

describe("SESSION_SECRET and SESSION_TTL", () => {
  test("a TTL reads as seconds or with a unit, within 1 minute and 30 days", () => {
    expect(loadConfig({}).sessionTtlMs).toBe(12 * 3_600_000);
    expect(loadConfig({ SESSION_TTL: "90" }).sessionTtlMs).toBe(90_000);
    expect(loadConfig({ SESSION_TTL: "30m" }).sessionTtlMs).toBe(1_800_000);
    expect(loadConfig({ SESSION_TTL: "7d" }).sessionTtlMs).toBe(7 * 86_400_000);
    expect(() => loadConfig({ SESSION_TTL: "10s" })).toThrow(/SESSION_TTL.*between 60 s and 30 days/);
    expect(() => loadConfig({ SESSION_TTL: "forever" })).toThrow(/SESSION_TTL.*duration/);
  });

  test("a short secret stops start-up", () => {
    expect(() => loadConfig({ SESSION_SECRET: "too-short" })).toThrow(/SESSION_SECRET.*at least 32/);
    expect(loadConfig({ SESSION_SECRET: SECRET }).sessionSecret).toBe(SECRET);
  });
});
