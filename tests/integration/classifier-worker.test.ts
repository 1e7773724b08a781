/**
 * URL classification through the real pipeline: ringlink (distributed mode) publishes link.created
 * to Kafka, `ringlink worker classifier` (a separate process) classifies the URL with the ONNX model
 * and writes the category on the link's PostgreSQL shard; the link API then returns it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { ROOT, createLink, describeCluster, migrateOnce, startRinglink, waitFor, type ServerProcess } from "../support/cluster";
import { startWorker, type RunningWorker } from "../support/processes";

describeCluster("classifier worker: link.created -> Kafka -> ONNX model -> category on the shard", () => {
  // Topics of their own, so this run reads only its own events.
  const env = { KAFKA_TOPIC_PREFIX: `cls${Date.now().toString(36)}.` };
  let server: ServerProcess;
  let worker: RunningWorker;

  beforeAll(async () => {
    if (!process.env.KAFKA_BROKERS) throw new Error("KAFKA_BROKERS is not set: start the cluster with Kafka (scripts/cluster.sh up)");
    await migrateOnce();
    // The create-time check classifies a link itself when it runs the model (and the worker then
    // skips it): off here, so every category below is the worker's.
    server = await startRinglink({ ...env, UNSAFE_URL_THRESHOLD: "off" });
    worker = await startWorker(["bun", join(ROOT, "src/main.ts"), "worker", "classifier"], { cwd: ROOT, env, timeoutMs: 60_000 });
  }, 90_000);

  afterAll(async () => {
    await worker?.stop();
    await server?.stop();
  }, 30_000);

  test("a BBC news article is categorised `news` within a few seconds", async () => {
    const created = await createLink(server.base, { url: "https://www.bbc.co.uk/news/world-europe-12345678", reuse: false });
    expect(created.status).toBe(201);
    const code = created.body.code!;
    const started = Date.now();
    const link = await waitFor(
      "the category to appear",
      async () => {
        const body = (await (await fetch(`${server.base}/api/v1/links/${code}`)).json()) as { category: string | null; categoryConfidence: number | null };
        return body.category ? body : null;
      },
      10_000,
      100,
    );
    expect(link.category).toBe("news");
    expect(link.categoryConfidence).toBeGreaterThan(0.3);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 30_000);

  test("a batch of links is classified, and a URL the model finds odd does not stop the worker", async () => {
    // Unique per run: on a cluster kept from an earlier run the same URL would reuse its old link.
    const run = Date.now().toString(36);
    const urls = [
      `https://github.com/oven-sh/bun/issues/1?run=${run}`,
      "http://192.168.4.7/paypal/login/verify.php",
      `https://www.espn.com/nba/story/_/id/1?run=${run}`,
    ];
    // The private-address URL is refused at create (BLOCK_PRIVATE_TARGETS), so it never reaches the worker.
    const codes: string[] = [];
    for (const url of urls) {
      const res = await fetch(`${server.base}/api/v1/links`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ url }),
      });
      if (res.status === 201) codes.push(((await res.json()) as { code: string }).code);
    }
    expect(codes.length).toBe(2);
    for (const code of codes) {
      await waitFor(
        "a category",
        async () => ((await (await fetch(`${server.base}/api/v1/links/${code}`)).json()) as { category: string | null }).category,
        10_000,
        100,
      );
    }
    const metrics = await (await fetch(`${worker.base}/metrics`)).text();
    expect(metrics).toMatch(/ringlink_classifier_links_total\{outcome="classified"\} ([3-9]|\d\d+)/);
    expect((await worker.health()).status).toBe("ok");
  }, 30_000);
});
