/**
 * What the rest of ringlink uses of OpenTelemetry: spans around a step, a span's context as a W3C
 * `traceparent` carried inside an event, and a span continued from one. Only @opentelemetry/api is
 * imported here; the SDK and exporter load (tracing-sdk.ts) when OTEL_EXPORTER_OTLP_ENDPOINT is
 * set. Until then `enabled` is false and every helper calls straight through: no span objects,
 * no context lookups.
 */
import { ROOT_CONTEXT, SpanStatusCode, TraceFlags, context, trace, type Attributes, type Context, type Span } from "@opentelemetry/api";

export { SpanStatusCode, type Attributes, type Span };

const TRACER = "ringlink";

/** Set once by startTracing (tracing-sdk.ts); read by the helpers below. */
export const tracingState = { enabled: false };

export function tracingEnabled(): boolean {
  return tracingState.enabled;
}

/**
 * Runs `fn` inside a child span of the active one (or a new trace), ended when `fn` settles;
 * a thrown error marks the span as failed. Without tracing, just `fn()`.
 */
export function inSpan<T>(name: string, fn: (span: Span | null) => T, attributes?: Attributes): T {
  if (!tracingState.enabled) return fn(null);
  return trace.getTracer(TRACER).startActiveSpan(name, { attributes }, (span) => {
    let result: T;
    try {
      result = fn(span);
    } catch (error) {
      failed(span, error);
      span.end();
      throw error;
    }
    if (result instanceof Promise) {
      return result.then(
        (value) => {
          span.end();
          return value;
        },
        (error: unknown) => {
          failed(span, error);
          span.end();
          throw error;
        },
      ) as T;
    }
    span.end();
    return result;
  });
}

function failed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** The active span as a W3C traceparent (`00-<trace>-<span>-01`), or undefined when nothing is sampled. */
export function activeTraceparent(): string | undefined {
  if (!tracingState.enabled) return undefined;
  const ctx = trace.getActiveSpan()?.spanContext();
  if (ctx === undefined || (ctx.traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
  return `00-${ctx.traceId}-${ctx.spanId}-01`;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The context of a remote parent named by a traceparent (from an event), or the root context. */
export function contextFrom(traceparent: string | null | undefined): Context {
  const m = typeof traceparent === "string" ? TRACEPARENT.exec(traceparent) : null;
  if (m === null || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: m[1]!, spanId: m[2]!, traceFlags: Number.parseInt(m[3]!, 16), isRemote: true });
}

/**
 * A span continuing the trace an event carries (the worker's side of a create), or null without
 * tracing or without a carried trace. The caller ends it.
 */
export function startContinuedSpan(name: string, traceparent: string | null | undefined, attributes?: Attributes): Span | null {
  if (!tracingState.enabled || typeof traceparent !== "string") return null;
  return trace.getTracer(TRACER).startSpan(name, { attributes }, contextFrom(traceparent));
}

/** Runs `fn` with `span` active (so inSpan below it nests), or plainly without one. */
export function withSpan<T>(span: Span | null, fn: () => T): T {
  return span === null ? fn() : context.with(trace.setSpan(context.active(), span), fn);
}

/** A root span for a sampled redirect; the caller decides the sample (one boolean and a draw). */
export function startRedirectSpan(code: string, method: string): Span {
  return trace.getTracer(TRACER).startSpan(REDIRECT_SPAN, { root: true, attributes: { "http.request.method": method, "ringlink.code": code } });
}

/** The name the sampler recognises: redirects are sampled by TRACE_REDIRECTS before the span exists. */
export const REDIRECT_SPAN = "GET /:code";
