/**
 * The OpenTelemetry SDK, loaded only when OTEL_EXPORTER_OTLP_ENDPOINT is set: a tracer provider
 * with a batch processor and the OTLP/HTTP (protobuf) exporter, AsyncLocalStorage for the active
 * span across awaits, and the sampler. The exporter reads the other standard variables itself
 * (OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, _COMPRESSION; OTEL_BSP_* for the batch processor).
 */
import { context, trace, type Context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SamplingResult,
} from "@opentelemetry/sdk-trace";
import { REDIRECT_SPAN, tracingState } from "./tracing";

export interface TracingOptions {
  endpoint: string;
  serviceName: string;
  sampleRatio: number;
  /** service.instance.id: which process sent the span */
  instance: string;
}

/**
 * New traces: redirects are already drawn by TRACE_REDIRECTS when their span starts, so they are
 * kept; everything else by OTEL_TRACES_SAMPLER_ARG. A span with a parent follows the parent.
 */
class RingLinkRootSampler implements Sampler {
  private readonly ratio: TraceIdRatioBasedSampler;
  constructor(sampleRatio: number) {
    this.ratio = new TraceIdRatioBasedSampler(sampleRatio);
  }
  shouldSample(ctx: Context, traceId: string, name: string): SamplingResult {
    if (name === REDIRECT_SPAN) return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    return this.ratio.shouldSample(ctx, traceId);
  }
  toString(): string {
    return `RingLinkRootSampler{${this.ratio.toString()}}`;
  }
}

export function startTracingSdk(options: TracingOptions): () => Promise<void> {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": options.serviceName, "service.instance.id": options.instance }),
    sampler: new ParentBasedSampler({ root: new RingLinkRootSampler(options.sampleRatio) }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${options.endpoint}/v1/traces` }), scheduledDelayMillis: 1_000 })],
  });
  trace.setGlobalTracerProvider(provider);
  tracingState.enabled = true;
  return async () => {
    tracingState.enabled = false;
    await provider.shutdown().catch(() => {});
    trace.disable();
    context.disable();
  };
}
