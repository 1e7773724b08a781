/**
 * Traces in a real collector: ringlink (distributed mode, Kafka) and `ringlink worker classifier`
 * export OTLP/HTTP to the Jaeger v2 that scripts/cluster.sh runs; a create and the worker's
 * classification of the new link are found as one trace through Jaeger's query API.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { ROOT, createLink, describeCluster, migrateOnce, startRinglink, waitFor, type ServerProcess } from "../support/cluster";
import { startWorker, type RunningWorker } from "../support/processes";

interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  processID: string;
  references: Array<{ refType: string; spanID: string }>;
  tags: Array<{ key: string; value: unknown }>;
}
interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

describeCluster("tracing: a create and its classification are one trace in Jaeger", () => {
  const run = Date.now().toString(36);
  const service = `ringlink-it-${run}`;
  let env: Record<string, string>;
  let server: ServerProcess;
  let worker: RunningWorker;
  let analytics: RunningWorker;
  let query: string;

  beforeAll(async () => {
    if (!process.env.KAFKA_BROKERS) throw new Error("KAFKA_BROKERS is not set: start the cluster with Kafka (scripts/cluster.sh up)");
    const otlp = process.env.JAEGER_OTLP_ENDPOINT;
    query = process.env.JAEGER_QUERY_URL ?? "";
    if (!otlp || !query)
      throw new Error("JAEGER_OTLP_ENDPOINT / JAEGER_QUERY_URL are not set: start the cluster with Jaeger (WITH_JAEGER=1 scripts/cluster.sh up)");
    env = { KAFKA_TOPIC_PREFIX: `trc${run}.`, OTEL_EXPORTER_OTLP_ENDPOINT: otlp, OTEL_SERVICE_NAME: service };
    await migrateOnce();
    // Without the create-time model run the worker classifies the link, continuing the create's trace.
    server = await startRinglink({ ...env, UNSAFE_URL_THRESHOLD: "off" });
    worker = await startWorker(["bun", join(ROOT, "src/main.ts"), "worker", "classifier"], { cwd: ROOT, env, timeoutMs: 60_000 });
    analytics = await startWorker(["bun", join(ROOT, "src/main.ts"), "worker", "analytics"], {
      cwd: ROOT,
      env: { ...env, ANALYTICS_GROUP: `trc-${run}` },
      timeoutMs: 60_000,
    });
  }, 90_000);

  afterAll(async () => {
    await analytics?.stop();
    await worker?.stop();
    await server?.stop();
  }, 30_000);

  test("the create's spans and the worker's classification span share one trace", async () => {
    const created = await createLink(server.base, { url: `https://www.bbc.co.uk/news/world-europe-${run}`, reuse: false });
    expect(created.status).toBe(201);
    const code = created.body.code!;
    await waitFor(
      "the category",
      async () => ((await (await fetch(`${server.base}/api/v1/links/${code}`)).json()) as { category: string | null }).category,
      15_000,
      100,
    );

    const tagOf = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;
    // Both processes export in batches about once a second; Jaeger answers once it has both parts.
    const found = await waitFor(
      "the trace in Jaeger with the classification span",
      async () => {
        const res = await fetch(`${query}/api/traces?service=${encodeURIComponent(service)}&operation=link.create&limit=50&lookback=1h`);
        if (res.status !== 200) return null;
        const traces = ((await res.json()) as { data: JaegerTrace[] | null }).data ?? [];
        const t = traces.find((x) => x.spans.some((s) => s.operationName === "link.create" && tagOf(s, "ringlink.code") === code));
        return t?.spans.some((s) => s.operationName === "link.classify_category") ? t : null;
      },
      20_000,
      250,
    );

    const byName = (name: string) => found.spans.find((s) => s.operationName === name);
    const root = byName("link.create")!;
    expect(root.references.length).toBe(0);
    for (const step of ["link.validate", "link.classify", "link.shard_insert", "link.cache_fill", "link.publish"]) {
      expect([step, byName(step)?.references[0]?.spanID]).toEqual([step, root.spanID]);
    }
    const classified = byName("link.classify_category")!;
    expect(classified.references[0]?.spanID).toBe(byName("link.publish")!.spanID);
    expect(tagOf(classified, "ringlink.code")).toBe(code);
    expect(tagOf(classified, "ringlink.category")).toBe("news");
    expect(found.processes[root.processID]?.serviceName).toBe(service);
    expect(found.processes[classified.processID]?.serviceName).toBe(`${service}-classifier`);
  }, 60_000);

  test("the analytics worker traces the batches it writes", async () => {
    const created = await createLink(server.base, { url: `https://example.com/traced-clicks-${run}`, reuse: false });
    expect((await fetch(`${server.base}/${created.body.code}`, { redirect: "manual" })).status).toBe(302);
    const spans = await waitFor(
      "an analytics.batch span in Jaeger",
      async () => {
        const res = await fetch(`${query}/api/traces?service=${encodeURIComponent(`${service}-analytics`)}&operation=analytics.batch&limit=5&lookback=1h`);
        const traces = res.status === 200 ? (((await res.json()) as { data: JaegerTrace[] | null }).data ?? []) : [];
        return traces.length > 0 ? traces.flatMap((t) => t.spans) : null;
      },
      20_000,
      250,
    );
    const batch = spans.find((s) => s.operationName === "analytics.batch")!;
    expect(batch.tags.find((t) => t.key === "messaging.destination.name")?.value).toBe(`trc${run}.link.clicked`);
    expect(Number(batch.tags.find((t) => t.key === "messaging.batch.message_count")?.value)).toBeGreaterThan(0);
  }, 60_000);
});
