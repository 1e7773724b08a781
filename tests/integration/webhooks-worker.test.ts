/**
 * Webhooks through the distributed pipeline: ringlink (distributed mode) publishes link events to
 * Kafka, `ringlink worker webhooks` (a separate process, its own consumer group) queues the
 * deliveries on shard 0 and sends them to a real receiver on loopback. The worker is stopped and
 * started again while the receiver is down; every event still arrives.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { ADMIN_TOKEN, ROOT, createLink, describeCluster, migrateOnce, startRinglink, type ServerProcess } from "../support/cluster";
import { startWorker, type RunningWorker } from "../support/processes";
import { startReceiver, waitFor, type Receiver } from "../support/webhook-receiver";
import { clusterConfig } from "../support/cluster";
import { PostgresWebhookStore } from "../../src/webhooks";

describeCluster("webhook worker: Kafka -> queue on shard 0 -> signed deliveries", () => {
  const run = Date.now().toString(36);
  // Topics and a group of their own, so this run reads only its own events.
  const env = {
    KAFKA_TOPIC_PREFIX: `wh${run}.`,
    WEBHOOK_GROUP: `ringlink-webhooks-${run}`,
    WEBHOOK_ALLOW_LOOPBACK: "true",
    WEBHOOK_RETRY_BASE_MS: "50",
    WEBHOOK_TIMEOUT_MS: "1000",
  };
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };
  let server: ServerProcess;
  let worker: RunningWorker | undefined;
  let rx: Receiver;
  let hook: { id: string; secret: string };
  const startHookWorker = () => startWorker(["bun", join(ROOT, "src/main.ts"), "worker", "webhooks"], { cwd: ROOT, env, timeoutMs: 60_000 });

  beforeAll(async () => {
    if (!process.env.KAFKA_BROKERS) throw new Error("KAFKA_BROKERS is not set: start the cluster with Kafka (scripts/cluster.sh up)");
    await migrateOnce();
    server = await startRinglink(env);
    worker = await startHookWorker();
    // The first delivery is refused once: the worker retries it.
    rx = startReceiver((_r, nth) => new Response(nth === 1 ? "busy" : "ok", { status: nth === 1 ? 500 : 200 }));
    const res = await fetch(`${server.base}/api/v1/webhooks`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ url: rx.url, events: ["link.created", "link.updated", "link.deleted", "link.clicked"] }),
    });
    expect(res.status).toBe(201);
    hook = (await res.json()) as { id: string; secret: string };
  }, 90_000);

  afterAll(async () => {
    // Shard 0 is shared by later suites on a kept cluster: leave no webhook behind.
    if (hook) await fetch(`${server.base}/api/v1/webhooks/${hook.id}`, { method: "DELETE", headers: admin }).catch(() => {});
    await worker?.stop();
    await server?.stop();
    await rx?.stop();
  }, 30_000);

  test("a link's events arrive in order and signed; a 500 is retried with the same webhook-id", async () => {
    const created = await createLink(server.base, { url: `https://example.com/hooks/${run}`, reuse: false });
    expect(created.status).toBe(201);
    const code = created.body.code!;
    expect((await fetch(`${server.base}/${code}`, { redirect: "manual" })).status).toBe(302);
    await Bun.sleep(300);
    const patched = await fetch(`${server.base}/api/v1/links/${code}`, {
      method: "PATCH",
      headers: admin,
      body: JSON.stringify({ url: `https://example.com/hooks/${run}/2` }),
    });
    expect(patched.status).toBe(200);
    await Bun.sleep(300);
    expect((await fetch(`${server.base}/api/v1/links/${code}`, { method: "DELETE", headers: admin })).status).toBe(204);

    await waitFor(() => rx.unique().length >= 4, 20_000, "four events");
    const ours = rx.unique().filter((r) => r.json.data.code === code);
    expect(ours.map((r) => r.json.type)).toEqual(["link.created", "link.clicked", "link.updated", "link.deleted"]);
    expect(rx.verified(hook.secret)).toBe(true);
    expect(rx.received[0]!.id).toBe(rx.received[1]!.id); // the refused first try, then the retry
    const log = (await (await fetch(`${server.base}/api/v1/webhooks/${hook.id}/deliveries`, { headers: admin })).json()) as {
      attempts: Array<{ outcome: string; status: number | null }>;
    };
    expect(log.attempts.some((a) => a.outcome === "retry" && a.status === 500)).toBe(true);
    const metrics = await (await fetch(`${worker!.base}/metrics`)).text();
    expect(metrics).toMatch(/ringlink_webhook_attempts_total\{outcome="delivered"\} [4-9]/);
  }, 40_000);

  test("events made while the worker is stopped and the receiver is down all arrive once both are back", async () => {
    await worker!.stop();
    worker = undefined;
    const port = rx.port;
    await rx.stop();
    const codes: string[] = [];
    for (let i = 0; i < 8; i++) {
      const created = await createLink(server.base, { url: `https://example.com/hooks/${run}/down/${i}`, reuse: false });
      expect(created.status).toBe(201);
      codes.push(created.body.code!);
    }
    worker = await startHookWorker();
    await Bun.sleep(1_500); // the worker queues them and its first attempts are refused
    rx = startReceiver(undefined, port);
    await waitFor(() => codes.every((c) => rx.unique().some((r) => r.json.data.code === c && r.json.type === "link.created")), 30_000, "all eight events");
    expect(rx.verified(hook.secret)).toBe(true);
    const health = await worker.health();
    expect(Number(health.retry)).toBeGreaterThan(0);
  }, 90_000);
});

// Its own suite, run after the worker above has stopped: no dispatcher may claim these rows.
describeCluster("webhook queue on shard 0: order across topics", () => {
  const run = Date.now().toString(36);
  test("on shard 0 an older event arriving late (another topic) goes before a newer one not tried yet", async () => {
    const store = new PostgresWebhookStore({ url: clusterConfig().shards[0]!.primary, connectTimeoutMs: 2_000, poolMax: 2 });
    const id = `wh_order${run}`;
    try {
      await store.insertWebhook({
        id,
        ownerKey: null,
        url: "http://127.0.0.1:9/",
        events: ["link.created", "link.updated"],
        clickSample: 1,
        secret: "whsec_AAAA",
        createdAt: 0,
      });
      const now = Date.now();
      const row = (eventId: string, topic: "link.created" | "link.updated", seq: number) => ({
        webhookId: id,
        eventId,
        code: "late1",
        topic,
        seq,
        payload: "{}",
        enqueuedAt: now,
      });
      await store.enqueue([row("u1", "link.updated", 2_000)]);
      await store.enqueue([row("c1", "link.created", 1_000)]);
      expect((await store.dueDeliveries(id, Date.now(), 10)).map((d) => d.eventId)).toEqual(["c1"]);
      expect(await store.claim(id, "u1", Date.now(), Date.now() + 1_000)).toBe(false); // waits behind c1
      expect(await store.claim(id, "c1", Date.now(), Date.now() + 1_000)).toBe(true);
      await store.finishAttempt(
        {
          webhookId: id,
          eventId: "c1",
          topic: "link.created",
          code: "late1",
          attempt: 1,
          at: Date.now(),
          status: 200,
          latencyMs: 1,
          error: null,
          outcome: "delivered",
        },
        1,
        null,
      );
      expect((await store.dueDeliveries(id, Date.now(), 10)).map((d) => d.eventId)).toEqual(["u1"]);
      // A head already being sent keeps its place: the late one waits behind it.
      expect(await store.claim(id, "u1", Date.now(), Date.now() + 60_000)).toBe(true);
      await store.enqueue([row("c0", "link.created", 500)]);
      expect(await store.dueDeliveries(id, Date.now(), 10)).toEqual([]);
    } finally {
      await store.deleteWebhook(id);
      await store.close();
    }
  });
});
