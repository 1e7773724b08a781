/** A collector stand-in on loopback: takes OTLP/HTTP JSON trace exports and keeps their spans. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  service: string;
  attributes: Record<string, unknown>;
}

export interface OtlpReceiver {
  endpoint: string;
  spans: ReceivedSpan[];
  stop(): void;
}

function attributeValue(v: Record<string, unknown>): unknown {
  return v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue;
}

export function startOtlpReceiver(): OtlpReceiver {
  const spans: ReceivedSpan[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      if (request.method !== "POST" || new URL(request.url).pathname !== "/v1/traces") return new Response("no", { status: 404 });
      const body = (await request.json()) as any;
      for (const rs of body.resourceSpans ?? []) {
        const service = rs.resource?.attributes?.find((a: any) => a.key === "service.name")?.value?.stringValue ?? "";
        for (const ss of rs.scopeSpans ?? [])
          for (const s of ss.spans ?? [])
            spans.push({
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? "",
              name: s.name,
              service,
              attributes: Object.fromEntries((s.attributes ?? []).map((a: any) => [a.key, attributeValue(a.value)])),
            });
      }
      return Response.json({});
    },
  });
  return { endpoint: `http://127.0.0.1:${server.port}`, spans, stop: () => server.stop(true) };
}
