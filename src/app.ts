/**
 * The composition root of the HTTP surface: one Elysia app assembled from the feature plugins.
 * `/:code` is mounted here too (for in-process tests and the OpenAPI document); the server also
 * binds the same redirect handler as a native Bun route so redirects skip the framework's routing.
 */
import { Elysia } from "elysia";
import { statsRoutes } from "./analytics";
import { dashboardRoutes } from "./dashboard";
import { domainRoutes } from "./domains";
import { healthRoutes } from "./health";
import { hasScope, ownerIdOf, seesAllLinks } from "./keys";
import { corsRoutes, ensureRoutableUrl, errorHandler } from "./http";
import { legacyRoutes, linkReadCheck, linkRoutes } from "./links";
import { metricsRoutes, requestLog } from "./observability";
import { openapiDocument } from "./openapi";
import { realtimeRoutes } from "./realtime";
import { redirectRoutes } from "./redirect";
import { sessionRoutes } from "./sessions";
import { webhookRoutes } from "./webhooks";
import type { Runtime } from "./runtime";
import { VERSION } from "./version";

export interface AppOptions {
  /** renders /metrics; the supervisor-merged view in multi-process mode */
  renderMetrics?: () => Promise<string>;
}

export function buildApp(runtime: Runtime, options: AppOptions = {}) {
  const { config } = runtime;
  return (
    new Elysia({ name: "ringlink", normalize: false })
      // Runs before Elysia reads the path out of request.url (see routable-url.ts).
      .wrap((handle, request) => {
        ensureRoutableUrl(request);
        return handle;
      })
      .use(errorHandler)
      .use(corsRoutes(config.corsOrigins))
      // A short domain's root may redirect elsewhere (DOMAINS root=); every other root is the dashboard.
      .onRequest(({ request, server }) => (runtime.domains.hasRootRedirects ? runtime.domains.rootRedirect(request, server) : undefined) ?? undefined)
      .use(requestLog(config.accessLog, runtime.metrics))
      .use(
        openapiDocument({
          title: "ringlink",
          version: VERSION,
          description: "A distributed, high-throughput URL shortener.",
          serverUrl: config.publicBaseUrl,
        }),
      )
      .use(
        healthRoutes(
          () => runtime.readiness(),
          (deps) => runtime.isReady(deps),
        ),
      )
      .use(metricsRoutes(options.renderMetrics ?? (() => runtime.metrics.text())))
      .use(dashboardRoutes(runtime.assets))
      .use(realtimeRoutes(runtime.realtime, runtime.watchAccess))
      .use(
        sessionRoutes({
          sessions: runtime.management.sessions,
          authenticateToken: runtime.management.authenticateToken,
          credentialsRequired: runtime.management.credentialsRequired,
          trustedProxies: config.trustedProxies,
          domains: (principal) => ({
            defaultDomain: runtime.domains.defaultHost,
            domains: principal !== null && !hasScope(principal, "create") ? [] : runtime.domains.creatableBy(ownerIdOf(principal), seesAllLinks(principal)),
          }),
        }),
      )
      .use(
        linkRoutes({
          service: runtime.links,
          publicBaseUrl: config.publicBaseUrl,
          access: runtime.management.access,
          authenticate: runtime.management.authenticate,
          maxBodyBytes: config.maxBodyBytes,
          guards: runtime.guards,
          qr: runtime.qr,
        }),
      )
      .use(
        statsRoutes({
          stats: runtime.stats,
          readsGuard: runtime.guards.reads,
          mayRead: linkReadCheck({ service: runtime.links, access: runtime.management.access, authenticate: runtime.management.authenticate }),
          keyOf: (code, domain) => runtime.links.keyOf(code, domain),
        }),
      )
      .use(webhookRoutes({ service: runtime.webhooks, authenticate: runtime.management.authenticate, maxBodyBytes: config.maxBodyBytes }))
      .use(
        legacyRoutes({
          service: runtime.links,
          publicBaseUrl: config.publicBaseUrl,
          maxBodyBytes: config.maxBodyBytes,
          createGuard: runtime.guards.create,
          access: runtime.management.access,
          authenticate: runtime.management.authenticate,
        }),
      )
      .use(
        domainRoutes({
          registry: runtime.domains,
          store: runtime.store.domains,
          authenticate: runtime.management.authenticate,
          hasLinks: (host) => runtime.store.hasLinksOnDomain(host),
          settleMs: runtime.domainSettleMs,
        }),
      )
      .use(redirectRoutes({ redirect: runtime.redirect, unlock: runtime.unlock }))
  );
}

export type App = ReturnType<typeof buildApp>;
