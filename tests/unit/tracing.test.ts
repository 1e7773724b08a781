/**
 * Traces over OTLP/HTTP to a receiver on loopback: a create is one trace with its steps and the
 * classification that follows it; redirects are traced only at TRACE_REDIRECTS; no endpoint, no
 * tracing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { activeTraceparent, contextFrom, inSpan, tracingEnabled } from "../../src/tracing";
import { trace } from "@opentelemetry/api";
import { startOtlpReceiver, type OtlpReceiver } from "../support/otlp-receiver";
import { startTestApp } from "../support/embedded-app";

const ROOT = join(import.meta.dir, "../..");

let receiver: OtlpReceiver;
beforeAll(() => {
  receiver = startOtlpReceiver();
});
afterAll(() => receiver.stop());

const CREATE_STEPS = ["link.validate", "link.classify", "link.shard_insert", "link.cache_fill", "link.publish"];

describe("tracing", () => {
  test("a create is one trace: its steps, then the background classification of the new link", async () => {
    // With the create-time model run on, the create classifies the link itself and nothing follows;
    // off, the background classifier does, in the create's trace.
    const app = await startTestApp({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_SERVICE_NAME: "ringlink-test", UNSAFE_URL_THRESHOLD: "off" });
    expect(tracingEnabled()).toBe(true);
    const { status, json } = await app.createLink({ url: "https://example.com/traced-create" });
    expect(status).toBe(201);
    await app.close(); // waits for the classifier, then flushes the spans

    const root = receiver.spans.find((s) => s.name === "link.create" && s.attributes["ringlink.code"] === json.code);
    expect(root).toBeDefined();
    expect(root!.parentSpanId).toBe("");
    expect(root!.service).toBe("ringlink-test");
    const inTrace = receiver.spans.filter((s) => s.traceId === root!.traceId);
    for (const step of CREATE_STEPS) {
      const span = inTrace.find((s) => s.name === step);
      expect([step, span?.parentSpanId]).toEqual([step, root!.spanId]);
    }
    const publish = inTrace.find((s) => s.name === "link.publish")!;
    const classified = inTrace.find((s) => s.name === "link.classify_category");
    expect(classified?.parentSpanId).toBe(publish.spanId);
    expect(classified?.attributes["ringlink.code"]).toBe(json.code);
    expect(typeof classified?.attributes["ringlink.category"]).toBe("string");
  }, 60_000);

  test("redirects are traced at TRACE_REDIRECTS and not by default", async () => {
    for (const [ratio, expected] of [
      ["1", 3],
      [undefined, 0],
    ] as const) {
      const app = await startTestApp({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, CLASSIFY_LINKS: "false", ...(ratio ? { TRACE_REDIRECTS: ratio } : {}) });
      const { json } = await app.createLink({ url: `https://example.com/traced-redirect-${ratio ?? "off"}` });
      for (let i = 0; i < 3; i++) expect((await app.request(`/${json.code}`)).status).toBe(302);
      await app.close();
      const redirects = receiver.spans.filter((s) => s.name === "GET /:code" && s.attributes["ringlink.code"] === json.code);
      expect(redirects.length).toBe(expected);
      for (const r of redirects) expect(r.attributes["http.response.status_code"]).toBe(302);
    }
  }, 60_000);

  test("without an endpoint nothing is traced and the helpers call straight through", async () => {
    const before = receiver.spans.length;
    const app = await startTestApp({ CLASSIFY_LINKS: "false", TRACE_REDIRECTS: "1" });
    expect(tracingEnabled()).toBe(false);
    const { json } = await app.createLink({ url: "https://example.com/untraced" });
    await app.request(`/${json.code}`);
    expect(inSpan("x", (span) => span)).toBeNull();
    expect(activeTraceparent()).toBeUndefined();
    await app.close();
    expect(receiver.spans.length).toBe(before);
  });

  test("without an endpoint the SDK is never imported; with one it is", () => {
    const dir = mkdtempSync(join(tmpdir(), "ringlink-sdk-"));
    try {
      const script = join(dir, "probe.ts");
      writeFileSync(
        script,
        [
          `import { loadConfig } from ${JSON.stringify(join(ROOT, "src/config"))};`,
          `import { createRuntime } from ${JSON.stringify(join(ROOT, "src/runtime"))};`,
          `const env = { DATA_DIR: ${JSON.stringify(join(dir, "data"))}, CLASSIFY_LINKS: "false", OTEL_EXPORTER_OTLP_ENDPOINT: process.env.PROBE_ENDPOINT ?? "" };`,
          "const runtime = await createRuntime(loadConfig(env));",
          'console.log(Object.keys(require.cache).filter((k) => k.includes("@opentelemetry/sdk-trace") || k.includes("exporter-trace-otlp")).length);',
          "await runtime.close();",
        ].join("\n"),
      );
      const loaded = (endpoint?: string) =>
        Number(
          Bun.spawnSync(["bun", script], { env: { ...process.env, PROBE_ENDPOINT: endpoint ?? "" } })
            .stdout.toString()
            .trim(),
        );
      expect(loaded()).toBe(0);
      expect(loaded(receiver.endpoint)).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  test("a carried traceparent names the parent; anything else starts a new trace", () => {
    const parent = trace.getSpanContext(contextFrom("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
    expect(parent).toMatchObject({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1, isRemote: true });
    for (const bad of [
      undefined,
      "",
      "garbage",
      "00-00000000000000000000000000000000-b7ad6b7169203331-01",
      "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",
    ])
      expect(trace.getSpanContext(contextFrom(bad))).toBeUndefined();
  });
});
