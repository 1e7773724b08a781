import { Elysia } from "elysia";
import { alsoAnswers } from "../http";

/** GET /metrics in the Prometheus text format, for the whole instance. */
export function metricsRoutes(render: () => Promise<string>) {
  return new Elysia({ name: "metrics" }).get(
    "/metrics",
    async () => new Response(await render(), { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" } }),
    {
      detail: {
        summary: "Prometheus metrics for the whole instance (all processes)",
        tags: ["observability"],
        ...alsoAnswers({ 200: { description: "the Prometheus text format", content: { "text/plain": { schema: { type: "string" } } } } }),
      },
    },
  );
}
