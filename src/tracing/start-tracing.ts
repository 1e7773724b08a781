/**
 * Turns tracing on for this process when an endpoint is configured; the SDK module is imported
 * only then, so a process without OTEL_EXPORTER_OTLP_ENDPOINT never loads it.
 */
import type { TracingConfig } from "../config";

/** Flushes what is buffered and stops tracing; a no-op when tracing is off. */
export type StopTracing = () => Promise<void>;

export async function startTracing(config: TracingConfig, role: string, instance: string): Promise<StopTracing> {
  if (config.endpoint === null) return async () => {};
  const { startTracingSdk } = await import("./tracing-sdk");
  return startTracingSdk({
    endpoint: config.endpoint,
    serviceName: role === "serve" ? config.serviceName : `${config.serviceName}-${role}`,
    sampleRatio: config.sampleRatio,
    instance,
  });
}
