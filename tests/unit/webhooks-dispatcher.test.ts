import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteLinkStore } from "../../src/storage";
import { retryDelayMs, WebhookDispatcher } from "../../src/webhooks/webhook-dispatcher";
import { WebhookMetrics } from "../../src/webhooks/webhook-metrics";
import { signWebhook, verifyWebhook } from "../../src/webhooks/webhook-signature";
import { SqliteWebhookStore } from "../../src/webhooks/sqlite-webhook-store";
import { startReceiver, waitFor } from "../support/webhook-receiver";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function store(): SqliteWebhookStore {
  const dir = mkdtempSync(join(tmpdir(), "ringlink-dispatch-"));
  const path = join(dir, "ringlink.sqlite");
  const links = new SqliteLinkStore(path); // applies the migrations
  const hooks = new SqliteWebhookStore(path);
  cleanups.push(async () => {
    await hooks.close();
    await links.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return hooks;
}

describe("signing", () => {
  test("matches the Standard Webhooks reference vector", () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const body = '{"test": 2432232314}';
    expect(signWebhook(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    const headers = { id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330", signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" };
    expect(verifyWebhook(secret, headers, body, 1614265330)).toBe(true);
    expect(verifyWebhook(secret, headers, `${body} `, 1614265330)).toBe(false);
    expect(verifyWebhook(secret, headers, body, 1614265330 + 3600)).toBe(false);
  });
});

describe("backoff", () => {
  test("doubles from the base with jitter in [half, whole] and stops growing at an hour", () => {
    expect(retryDelayMs(1, 5_000, () => 0)).toBe(2_500);
    expect(retryDelayMs(1, 5_000, () => 1)).toBe(5_000);
    expect(retryDelayMs(4, 5_000, () => 1)).toBe(40_000);
    expect(retryDelayMs(30, 5_000, () => 1)).toBe(3_600_000);
    // With the defaults a delivery is tried about 40 times over its 24 hours (33 to 57 by the draws).
    let at = 0;
    let attempts = 0;
    while (at <= 24 * 3_600_000) at += retryDelayMs(++attempts, 5_000, () => 0.5);
    expect(attempts).toBeGreaterThan(20);
    expect(attempts).toBeLessThan(45);
  });
});

describe("giving up", () => {
  test("a delivery still failing at the end of the retry window is marked failed and frees its link's chain", async () => {
    const hooks = store();
    const rx = startReceiver(() => new Response("down", { status: 503 }));
    cleanups.push(() => rx.stop());
    await hooks.insertWebhook({ id: "wh_t", ownerKey: null, url: rx.url, events: ["link.created"], clickSample: 1, secret: "whsec_AAAA", createdAt: 0 });
    const now = Date.now();
    await hooks.enqueue([
      { webhookId: "wh_t", eventId: "e1", code: "abc", topic: "link.created", seq: 1, payload: "{}", enqueuedAt: now },
      { webhookId: "wh_t", eventId: "e2", code: "abc", topic: "link.updated", seq: 2, payload: "{}", enqueuedAt: now },
    ]);
    const metrics = new WebhookMetrics();
    const dispatcher = new WebhookDispatcher({ store: hooks, metrics, timeoutMs: 500, concurrency: 2, retryBaseMs: 20, retryWindowMs: 300, pollMs: 20 });
    dispatcher.start();
    cleanups.push(() => dispatcher.stop());
    await waitFor(() => metrics.counts.failed >= 2, 10_000, "both deliveries to fail");
    const attempts = await hooks.attempts("wh_t", 100);
    const firstEvent = attempts.filter((a) => a.eventId === "e1").reverse();
    expect(firstEvent.length).toBeGreaterThan(2);
    expect(firstEvent.at(-1)!.outcome).toBe("failed");
    expect(firstEvent.slice(0, -1).every((a) => a.outcome === "retry" && a.status === 503)).toBe(true);
    // e2 waited for e1 to finish: its first attempt came after e1's last.
    const secondFirst = attempts.filter((a) => a.eventId === "e2").at(-1)!;
    expect(secondFirst.at).toBeGreaterThanOrEqual(firstEvent.at(-1)!.at);
    expect((await hooks.pendingCounts()).get("wh_t") ?? 0).toBe(0);
  });

  test("two dispatchers on one queue send each delivery once and keep a link's order", async () => {
    const hooks = store();
    const rx = startReceiver(async () => {
      await Bun.sleep(Math.random() * 5);
      return new Response("ok");
    });
    cleanups.push(() => rx.stop());
    await hooks.insertWebhook({ id: "wh_2", ownerKey: null, url: rx.url, events: ["link.created"], clickSample: 1, secret: "whsec_AAAA", createdAt: 0 });
    const now = Date.now();
    await hooks.enqueue(
      Array.from({ length: 60 }, (_, i) => ({
        webhookId: "wh_2",
        eventId: `e${i}`,
        code: `c${i % 3}`,
        topic: "link.updated" as const,
        seq: i,
        payload: JSON.stringify({ type: "link.updated", data: { code: `c${i % 3}`, n: i } }),
        enqueuedAt: now,
      })),
    );
    const make = () =>
      new WebhookDispatcher({
        store: hooks,
        metrics: new WebhookMetrics(),
        timeoutMs: 1_000,
        concurrency: 3,
        retryBaseMs: 20,
        retryWindowMs: 60_000,
        pollMs: 10,
      });
    const one = make();
    const two = make();
    one.start();
    two.start();
    cleanups.push(
      () => one.stop(),
      () => two.stop(),
    );
    await waitFor(() => rx.received.length >= 60, 10_000, "60 deliveries");
    await Bun.sleep(200);
    expect(rx.received).toHaveLength(60);
    expect(new Set(rx.received.map((r) => r.id)).size).toBe(60);
    for (const code of ["c0", "c1", "c2"]) {
      const ns = rx.received.filter((r) => r.json.data.code === code).map((r) => r.json.data.n as number);
      expect(ns).toEqual([...ns].sort((a, b) => a - b));
    }
  });
});
