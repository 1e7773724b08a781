import { Elysia, t } from "elysia";
import { alsoAnswers } from "../http";
import type { DependencyHealth } from "../cluster";

export type ReadinessProbe = () => Promise<DependencyHealth[]>;

/**
 * /healthz: the process is alive. /readyz: whether this instance can serve, with each dependency's
 * state; 503 when it cannot, so a load balancer routes around it.
 */
export function healthRoutes(probe: ReadinessProbe, ready: (deps: DependencyHealth[]) => boolean) {
  return new Elysia({ name: "health" })
    .get("/healthz", () => ({ status: "ok" as const }), {
      detail: { summary: "Liveness", tags: ["health"] },
      response: { 200: t.Object({ status: t.Literal("ok") }) },
    })
    .get(
      "/readyz",
      async ({ set }) => {
        const dependencies = await probe();
        const ok = ready(dependencies);
        const degraded = ok && dependencies.some((d) => !d.up);
        if (!ok) set.status = 503;
        return {
          status: ok ? (degraded ? "degraded" : "ready") : "unavailable",
          dependencies: dependencies.map((d) => ({ ...d, latencyMs: Math.round(d.latencyMs * 100) / 100 })),
        };
      },
      {
        detail: {
          summary: "Readiness with per-dependency status (503 when not ready)",
          tags: ["health"],
          ...alsoAnswers({ 200: { description: "ready or degraded" }, 503: { description: "a shard has no readable node" } }),
        },
      },
    );
}
