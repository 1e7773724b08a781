/**
 * Deliveries in embedded mode, end to end: the API and the redirect path publish events, the
 * in-process consumer queues them in SQLite, the dispatcher sends them to a real HTTP receiver on
 * loopback (Bun.serve, port 0).
 */
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../../src/app";
import { loadConfig } from "../../src/config";
import { createRuntime } from "../../src/runtime";
import { startTestApp, type TestApp } from "../support/embedded-app";
import { startReceiver, waitFor, type Receiver } from "../support/webhook-receiver";

const ADMIN = "admin-token-for-the-webhook-delivery-tests";
const admin = { authorization: `Bearer ${ADMIN}` };
const FAST = { ADMIN_TOKEN: ADMIN, WEBHOOK_ALLOW_LOOPBACK: "true", WEBHOOK_RETRY_BASE_MS: "20", WEBHOOK_TIMEOUT_MS: "300" };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function appWith(env: Record<string, string> = {}): Promise<TestApp> {
  const app = await startTestApp({ ...FAST, ...env });
  cleanups.push(() => app.close());
  return app;
}

function receiver(...args: Parameters<typeof startReceiver>): Receiver {
  const r = startReceiver(...args);
  cleanups.push(() => r.stop());
  return r;
}

async function json(res: Response): Promise<any> {
  return res.json();
}

async function addWebhook(app: TestApp, url: string, events: string[], headers: Record<string, string> = admin, extra: Record<string, unknown> = {}) {
  const res = await app.post("/api/v1/webhooks", { url, events, ...extra }, headers);
  expect(res.status).toBe(201);
  return (await json(res)) as { id: string; secret: string };
}

async function createLink(app: TestApp, url: string, headers: Record<string, string> = admin): Promise<string> {
  const res = await app.post("/api/v1/links", { url, reuse: false }, headers);
  expect(res.status).toBe(201);
  return (await json(res)).code;
}

const patch = (app: TestApp, code: string, body: unknown) =>
  app.request(`/api/v1/links/${code}`, { method: "PATCH", headers: { ...admin, "content-type": "application/json" }, body: JSON.stringify(body) });

describe("deliveries", () => {
  test("every lifecycle event and a click arrive in order, signed, with webhook-id msg_<event id>", async () => {
    const app = await appWith();
    const rx = receiver();
    const hook = await addWebhook(app, rx.url, ["link.created", "link.updated", "link.disabled", "link.deleted", "link.clicked"]);
    const code = await createLink(app, "https://example.com/one");
    expect((await app.request(`/${code}`)).status).toBe(302);
    await app.runtime.flushAnalytics();
    expect((await patch(app, code, { url: "https://example.com/two" })).status).toBe(200);
    expect((await patch(app, code, { disabled: true })).status).toBe(200);
    expect((await app.request(`/api/v1/links/${code}`, { method: "DELETE", headers: admin })).status).toBe(204);

    await waitFor(() => rx.received.length >= 6, 10_000, "six deliveries");
    expect(rx.received.map((r) => r.json.type)).toEqual(["link.created", "link.clicked", "link.updated", "link.updated", "link.disabled", "link.deleted"]);
    expect(rx.verified(hook.secret)).toBe(true);
    expect(rx.verified("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).toBe(false);
    for (const r of rx.received) {
      expect(r.id).toBe(`msg_${r.json.data.event_id}`);
      expect(r.json.data.code).toBe(code);
      expect(Math.abs(Number(r.timestamp) - Date.now() / 1000)).toBeLessThan(30);
    }
    expect(rx.received[0]!.json.data.url).toBe("https://example.com/one");
    expect(rx.received[2]!.json.data.url).toBe("https://example.com/two");
    expect(rx.received[4]!.json.data.reason).toBe("manual");
    expect(rx.received[1]!.json.data.user_agent).toBeDefined();

    // The receiver has the last request a moment before the log records its answer.
    let log = { pending: -1, attempts: [] as Array<{ outcome: string; status: number }> };
    await waitFor(
      async () => {
        log = await json(await app.request(`/api/v1/webhooks/${hook.id}/deliveries`, { headers: admin }));
        return log.pending === 0 && log.attempts.length >= 6;
      },
      5_000,
      "the sixth answer in the log",
    );
    expect(log.pending).toBe(0);
    expect(log.attempts).toHaveLength(6);
    expect(log.attempts.every((a: { outcome: string; status: number }) => a.outcome === "delivered" && a.status === 200)).toBe(true);

    const metrics = await (await app.request("/metrics")).text();
    expect(metrics).toMatch(/ringlink_webhook_attempts_total\{outcome="delivered"\} 6/);
    expect(metrics).toContain("ringlink_webhook_attempt_duration_seconds_bucket");
    expect(metrics).toMatch(/ringlink_webhook_pending 0/);
  });

  test("a key's webhook gets its own links' events only", async () => {
    const app = await appWith();
    const a = (await app.runtime.management.keys.create({ name: "a", scopes: "create,manage" })).token;
    const b = (await app.runtime.management.keys.create({ name: "b", scopes: "create,manage" })).token;
    const rx = receiver();
    await addWebhook(app, rx.url, ["link.created", "link.deleted"], { authorization: `Bearer ${a}` });
    const mine = await createLink(app, "https://example.com/mine", { authorization: `Bearer ${a}` });
    await createLink(app, "https://example.com/theirs", { authorization: `Bearer ${b}` });
    await createLink(app, "https://example.com/anonymous", {});
    const after = await createLink(app, "https://example.com/mine-again", { authorization: `Bearer ${a}` });
    await waitFor(() => rx.received.length >= 2, 5_000, "two deliveries");
    await Bun.sleep(300);
    expect(rx.received.map((r) => r.json.data.code)).toEqual([mine, after]);

    // A revoked key's webhooks fall silent (within the fan-out's 2 s view of the webhooks).
    const keyA = (await app.runtime.management.keys.list()).find((k) => k.name === "a")!;
    await app.runtime.management.keys.revoke(keyA.id);
    await Bun.sleep(2_100);
    expect((await app.request(`/api/v1/links/${mine}`, { method: "DELETE", headers: admin })).status).toBe(204);
    await Bun.sleep(500);
    expect(rx.received).toHaveLength(2);
  });

  test("a click sample delivers about that share of clicks", async () => {
    const app = await appWith();
    const rx = receiver();
    await addWebhook(app, rx.url, ["link.clicked"], admin, { clickSample: 0.25 });
    const code = await createLink(app, "https://example.com/sampled");
    for (let i = 0; i < 400; i++) await app.request(`/${code}`);
    await app.runtime.flushAnalytics();
    await waitFor(() => rx.received.length > 60, 5_000, "sampled clicks");
    await Bun.sleep(500);
    expect(rx.received.length).toBeGreaterThan(60);
    expect(rx.received.length).toBeLessThan(140);
  });
});

describe("retries", () => {
  test("after 500s: the same webhook-id again until a 2xx, every attempt in the log", async () => {
    const app = await appWith();
    const rx = receiver((_r, nth) => new Response("no", { status: nth <= 2 ? 500 : 204 }));
    const hook = await addWebhook(app, rx.url, ["link.created"]);
    await createLink(app, "https://example.com/retry");
    await waitFor(() => rx.received.length >= 3, 10_000, "three attempts");
    await Bun.sleep(200);
    expect(rx.received).toHaveLength(3);
    expect(new Set(rx.received.map((r) => r.id)).size).toBe(1);
    expect(rx.verified(hook.secret)).toBe(true);
    const log = await json(await app.request(`/api/v1/webhooks/${hook.id}/deliveries`, { headers: admin }));
    expect(log.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(["delivered", "retry", "retry"]);
    expect(log.attempts.map((a: { status: number }) => a.status)).toEqual([204, 500, 500]);
    expect(log.attempts.map((a: { attempt: number }) => a.attempt)).toEqual([3, 2, 1]);
    expect(log.attempts[1].error).toBe("HTTP 500");
  });

  test("after a timeout: the receiver that does not answer in time gets it again", async () => {
    const app = await appWith();
    const rx = receiver(async (_r, nth) => {
      if (nth === 1) await Bun.sleep(1_000);
      return new Response("ok");
    });
    const hook = await addWebhook(app, rx.url, ["link.created"]);
    await createLink(app, "https://example.com/slow");
    await waitFor(() => rx.received.length >= 2, 10_000, "a second attempt");
    expect(rx.received[0]!.id).toBe(rx.received[1]!.id);
    const log = await json(await app.request(`/api/v1/webhooks/${hook.id}/deliveries`, { headers: admin }));
    const first = log.attempts.find((a: { attempt: number }) => a.attempt === 1);
    expect(first.outcome).toBe("retry");
    expect(first.status).toBeNull();
    expect(first.error).toContain("no answer within 300 ms");
    expect(first.latencyMs).toBeGreaterThanOrEqual(250);
    expect(first.latencyMs).toBeLessThan(900);
  });
});

describe("order and isolation", () => {
  test("each link's events reach a receiver in order, whatever the receiver's delays", async () => {
    const app = await appWith({ WEBHOOK_CONCURRENCY: "4" });
    const rx = receiver(async () => {
      await Bun.sleep(Math.random() * 15);
      return new Response("ok");
    });
    await addWebhook(app, rx.url, ["link.created", "link.updated"]);
    const codes: string[] = [];
    for (let l = 0; l < 4; l++) codes.push(await createLink(app, `https://example.com/order/${l}/0`));
    for (let v = 1; v <= 6; v++)
      for (const [l, code] of codes.entries()) expect((await patch(app, code, { url: `https://example.com/order/${l}/${v}` })).status).toBe(200);
    await waitFor(() => rx.received.length >= 28, 15_000, "28 deliveries");
    for (const [l, code] of codes.entries()) {
      const seen = rx.received.filter((r) => r.json.data.code === code).map((r) => r.json.data.url);
      expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6].map((v) => `https://example.com/order/${l}/${v}`));
    }
    // The receiver had several requests at once (other links), so the order was not just a single line.
    const overlapping = rx.received.some((r, i) => i > 0 && r.at - rx.received[i - 1]!.at < 5);
    expect(overlapping).toBe(true);
  });

  test("a receiver that hangs does not hold up another receiver", async () => {
    const app = await appWith({ WEBHOOK_TIMEOUT_MS: "5000" });
    const hanging = receiver(() => new Promise<Response>(() => {}));
    const healthy = receiver();
    await addWebhook(app, hanging.url, ["link.created"]);
    await addWebhook(app, healthy.url, ["link.created"]);
    const started = Date.now();
    for (let i = 0; i < 20; i++) await createLink(app, `https://example.com/iso/${i}`);
    await waitFor(() => healthy.received.length >= 20, 3_000, "the healthy receiver's 20 deliveries");
    expect(Date.now() - started).toBeLessThan(3_000);
    // The hanging one holds its own slots (WEBHOOK_CONCURRENCY = 4) and nothing more.
    expect(hanging.received.length).toBe(4);
  });

  test("a dead receiver does not slow redirects (measured)", async () => {
    // A short timeout and a long backoff: the receiver's slots free up quickly while its one link's
    // chain stays blocked, the case where each look at the queue must not cost a scan of the backlog.
    const app = await appWith({ WEBHOOK_TIMEOUT_MS: "100", WEBHOOK_RETRY_BASE_MS: "60000" });
    const code = await createLink(app, "https://example.com/hot");
    // Per redirect: its own time, and the wall time per request of the whole run (the work the
    // event consumers and the dispatcher do between requests shares the thread, as in a server).
    const measure = async (n: number) => {
      const times: number[] = [];
      const began = performance.now();
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        const res = await app.request(`/${code}`);
        times.push(performance.now() - t0);
        expect(res.status).toBe(302);
        // Give the event consumers and the dispatcher their turns, as a live server would.
        await Bun.sleep(0);
      }
      const wallPerRequest = (performance.now() - began) / n;
      times.sort((a, b) => a - b);
      return { mean: times.reduce((a, b) => a + b, 0) / n, p95: times[Math.floor(n * 0.95)]!, wallPerRequest };
    };
    await measure(200);
    const baseline = await measure(1_000);
    const dead = receiver(() => new Promise<Response>(() => {}));
    const hook = await addWebhook(app, dead.url, ["link.clicked"]);
    // A backlog first (one link's chain behind a receiver that never answers), then the measure.
    await measure(2_000);
    await Bun.sleep(150); // the first tries have timed out: the slots are free, the chain waits for its retry
    const withDead = await measure(1_000);
    console.log(
      `redirect latency in-process: baseline mean ${baseline.mean.toFixed(3)} ms p95 ${baseline.p95.toFixed(3)} ms ` +
        `(${baseline.wallPerRequest.toFixed(3)} ms of wall time per request); with a dead receiver mean ${withDead.mean.toFixed(3)} ms ` +
        `p95 ${withDead.p95.toFixed(3)} ms (${withDead.wallPerRequest.toFixed(3)} ms)`,
    );
    // Any redirect that waited on the receiver would take the whole 100 ms timeout.
    expect(withDead.p95).toBeLessThan(50);
    expect(withDead.mean).toBeLessThan(baseline.mean * 3 + 0.5);
    // Queuing each click costs a little; a look at the backlog per event batch would cost far more.
    expect(withDead.wallPerRequest).toBeLessThan(baseline.wallPerRequest * 3 + 0.1);
    await app.runtime.flushAnalytics();
    const log = await json(await app.request(`/api/v1/webhooks/${hook.id}/deliveries`, { headers: admin }));
    expect(log.pending).toBeGreaterThan(2_500);
    expect(dead.received.length).toBeLessThanOrEqual(4);
  });
});

describe("durability", () => {
  test("a receiver down for a while gets every event once it is back, across a restart of the process", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "ringlink-hooks-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const config = loadConfig({ DATA_DIR: dataDir, ACCESS_LOG: "off", ...FAST });
    const probe = startReceiver();
    const port = probe.port;
    await probe.stop();

    let runtime = await createRuntime(config);
    let app = buildApp(runtime);
    const post = (path: string, body: unknown) =>
      app.handle(
        new Request(`http://localhost:8080${path}`, { method: "POST", headers: { ...admin, "content-type": "application/json" }, body: JSON.stringify(body) }),
      );
    const hook = await json(await post("/api/v1/webhooks", { url: `http://127.0.0.1:${port}/hook`, events: ["link.created"] }));
    const codes: string[] = [];
    for (let i = 0; i < 10; i++) codes.push((await json(await post("/api/v1/links", { url: `https://example.com/down/${i}` }))).code);
    await Bun.sleep(800); // several refused attempts each
    await runtime.close();

    const rx = receiver(undefined, port);
    runtime = await createRuntime(config);
    cleanups.push(() => runtime.close());
    app = buildApp(runtime);
    await waitFor(() => rx.unique().length >= 10, 15_000, "all ten events after the restart");
    expect(
      rx
        .unique()
        .map((r) => r.json.data.code)
        .sort(),
    ).toEqual([...codes].sort());
    expect(rx.verified(hook.secret)).toBe(true);
    // The receiver has the requests a moment before the log has their answers.
    type Attempt = { outcome: string; status: number | null };
    let log: { attempts: Attempt[] } = { attempts: [] };
    const delivered = () => log.attempts.filter((a) => a.outcome === "delivered").length;
    await waitFor(
      async () => {
        log = await json(await app.handle(new Request(`http://localhost:8080/api/v1/webhooks/${hook.id}/deliveries`, { headers: admin })));
        return delivered() >= 10;
      },
      5_000,
      "ten deliveries in the log",
    );
    expect(log.attempts.some((a) => a.outcome === "retry" && a.status === null)).toBe(true);
    expect(delivered()).toBe(10);
  });
});
