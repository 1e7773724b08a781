import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../support/embedded-app";

const ADMIN = "admin-token-for-the-webhook-tests";
let app: TestApp;
let keyA: string;
let keyB: string;
let statsOnly: string;

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const json = (res: Response): Promise<any> => res.json();

beforeAll(async () => {
  app = await startTestApp({ ADMIN_TOKEN: ADMIN, WEBHOOK_ALLOW_LOOPBACK: "true" });
  keyA = (await app.runtime.management.keys.create({ name: "a", scopes: "create,manage" })).token;
  keyB = (await app.runtime.management.keys.create({ name: "b", scopes: "create,manage" })).token;
  statsOnly = (await app.runtime.management.keys.create({ name: "s", scopes: "stats" })).token;
});
afterAll(() => app.close());

describe("POST /api/v1/webhooks", () => {
  test("needs credentials, and the manage scope", async () => {
    const body = { url: "https://hooks.example/x", events: ["link.created"] };
    expect((await app.post("/api/v1/webhooks", body)).status).toBe(401);
    expect((await app.post("/api/v1/webhooks", body, auth(statsOnly))).status).toBe(403);
  });

  test("answers 201 with a whsec_ secret once; reads never show it", async () => {
    const res = await app.post("/api/v1/webhooks", { url: "https://hooks.example/a", events: ["link.created", "link.clicked"], clickSample: 0.5 }, auth(keyA));
    expect(res.status).toBe(201);
    const created = await json(res);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(created.secret.slice(6), "base64").length).toBe(24);
    expect(created).toMatchObject({ url: "https://hooks.example/a", events: ["link.created", "link.clicked"], clickSample: 0.5 });
    expect(res.headers.get("location")).toBe(`/api/v1/webhooks/${created.id}`);
    const one = await json(await app.request(`/api/v1/webhooks/${created.id}`, { headers: auth(keyA) }));
    expect(one.secret).toBeUndefined();
    const list = await json(await app.request("/api/v1/webhooks", { headers: auth(keyA) }));
    expect(list.items.map((w: { id: string }) => w.id)).toContain(created.id);
    expect(list.items.every((w: { secret?: string }) => w.secret === undefined)).toBe(true);
  });

  test("refuses private, link-local and (without the switch) loopback targets with 400 private_target", async () => {
    for (const url of ["http://10.0.0.5/h", "http://169.254.169.254/latest", "http://192.168.1.1/", "http://[fe80::1]/", "http://printer.local/"]) {
      const res = await app.post("/api/v1/webhooks", { url, events: ["link.created"] }, auth(ADMIN));
      expect(res.status).toBe(400);
      expect((await json(res)).error.code).toBe("private_target");
    }
    // The switch is on in this app: loopback passes, nothing else does.
    expect((await app.post("/api/v1/webhooks", { url: "http://127.0.0.1:9/h", events: ["link.created"] }, auth(ADMIN))).status).toBe(201);
    const strict = await startTestApp({ ADMIN_TOKEN: ADMIN });
    try {
      const res = await strict.post("/api/v1/webhooks", { url: "http://127.0.0.1:9/h", events: ["link.created"] }, auth(ADMIN));
      expect(res.status).toBe(400);
      expect((await json(res)).error.code).toBe("private_target");
    } finally {
      await strict.close();
    }
  });

  test("refuses bad input with 400 and a code", async () => {
    const cases: Array<[unknown, string]> = [
      [{ url: "ftp://x.example/", events: ["link.created"] }, "unsupported_scheme"],
      [{ url: "https://x.example/", events: ["link.exploded"] }, "invalid_events"],
      [{ url: "https://x.example/", events: ["link.clicked"], clickSample: 0 }, "invalid_click_sample"],
      [{ url: "https://x.example/", events: ["link.clicked"], clickSample: 1.5 }, "invalid_click_sample"],
    ];
    for (const [body, code] of cases) {
      const res = await app.post("/api/v1/webhooks", body, auth(ADMIN));
      expect(res.status).toBe(400);
      expect((await json(res)).error.code).toBe(code);
    }
    const empty = await app.post("/api/v1/webhooks", { url: "https://x.example/", events: [] }, auth(ADMIN));
    expect(empty.status).toBe(400);
    expect((await app.post("/api/v1/webhooks", "{not json", auth(ADMIN))).status).toBe(400);
  });
});

describe("who sees which webhook", () => {
  test("a key sees and deletes only its own; an admin sees every one", async () => {
    const b = (await (await app.post("/api/v1/webhooks", { url: "https://hooks.example/b", events: ["link.deleted"] }, auth(keyB))).json()) as { id: string };
    expect((await app.request(`/api/v1/webhooks/${b.id}`, { headers: auth(keyA) })).status).toBe(403);
    expect((await app.request(`/api/v1/webhooks/${b.id}/deliveries`, { headers: auth(keyA) })).status).toBe(403);
    expect((await app.request(`/api/v1/webhooks/${b.id}`, { method: "DELETE", headers: auth(keyA) })).status).toBe(403);
    const listA: any = await (await app.request("/api/v1/webhooks", { headers: auth(keyA) })).json();
    expect(listA.items.some((w: { id: string }) => w.id === b.id)).toBe(false);
    const all: any = await (await app.request("/api/v1/webhooks", { headers: auth(ADMIN) })).json();
    expect(all.items.some((w: { id: string }) => w.id === b.id)).toBe(true);
    expect((await app.request(`/api/v1/webhooks/${b.id}`, { method: "DELETE", headers: auth(keyB) })).status).toBe(204);
    expect((await app.request(`/api/v1/webhooks/${b.id}`, { headers: auth(ADMIN) })).status).toBe(404);
    expect((await app.request("/api/v1/webhooks/wh_nope", { headers: auth(ADMIN) })).status).toBe(404);
  });
});
