/** GET and POST /api/v1/domains: the short domains served, and adding or changing one (admin scope). */
import { Elysia, t } from "elysia";
import { InvalidInput } from "../errors";
import { ErrorResponse } from "../http";
import { requireScope, type Authenticate } from "../keys";
import type { DomainRegistry } from "./domain-registry";
import type { DomainStore } from "./domain-store";
import { normalizeHost, type ShortDomain } from "./short-domain";

export interface DomainRoutesOptions {
  registry: DomainRegistry;
  store: DomainStore;
  authenticate: Authenticate;
  now?: () => number;
}

const DomainBody = t.Object(
  {
    host: t.String({ description: "host name of the short domain, such as go.example.com (its DNS must point at ringlink)" }),
    rootRedirect: t.Optional(t.Union([t.String({ description: "where GET / on this domain goes (http/https URL)" }), t.Null()])),
    notFoundRedirect: t.Optional(t.Union([t.String({ description: "where an unknown code on this domain goes" }), t.Null()])),
    keys: t.Optional(
      t.Union([t.Array(t.String(), { maxItems: 100, description: "API key ids that may create links here (null: anyone who may create)" }), t.Null()]),
    ),
  },
  { additionalProperties: false },
);

const DomainView = t.Object({
  host: t.String(),
  rootRedirect: t.Union([t.String(), t.Null()]),
  notFoundRedirect: t.Union([t.String(), t.Null()]),
  keys: t.Union([t.Array(t.String()), t.Null()]),
});

function redirectTarget(raw: unknown, field: string): string | null {
  if (raw === undefined || raw === null || raw === "") return null;
  let url: URL | null = null;
  try {
    url = new URL(String(raw));
  } catch {
    url = null;
  }
  if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) throw new InvalidInput("invalid_domain", `${field} must be an http(s) URL`);
  return url.href;
}

export function toShortDomain(body: { host: string; rootRedirect?: string | null; notFoundRedirect?: string | null; keys?: string[] | null }): ShortDomain {
  const host = normalizeHost(body.host);
  if (host === null) throw new InvalidInput("invalid_domain", "host must be a host name such as go.example.com (no scheme, port or path)");
  const keys = body.keys === undefined || body.keys === null ? null : [...new Set(body.keys.map((k) => k.trim()).filter((k) => k !== ""))];
  if (keys?.some((k) => !/^[A-Za-z0-9_-]{1,64}$/.test(k))) throw new InvalidInput("invalid_domain", "keys must be API key ids");
  return {
    host,
    rootRedirect: redirectTarget(body.rootRedirect, "rootRedirect"),
    notFoundRedirect: redirectTarget(body.notFoundRedirect, "notFoundRedirect"),
    keys,
  };
}

export function domainRoutes({ registry, store, authenticate, now = Date.now }: DomainRoutesOptions) {
  return new Elysia({ name: "domains", prefix: "/api/v1/domains" })
    .get(
      "/",
      async ({ request, server }) => {
        requireScope(await authenticate(request, server), "admin", "listing domains");
        return { default: registry.defaultHost, items: registry.list() };
      },
      {
        detail: { summary: "The short domains served besides the default one (admin scope)", tags: ["domains"], security: [{ bearer: [] }] },
        response: { 200: t.Object({ default: t.String(), items: t.Array(DomainView) }), 401: ErrorResponse, 403: ErrorResponse },
      },
    )
    .post(
      "/",
      async ({ body, request, server, set }) => {
        requireScope(await authenticate(request, server), "admin", "adding domains");
        const domain = toShortDomain(body);
        if (domain.host === registry.defaultHost) throw new InvalidInput("invalid_domain", `${domain.host} is the default domain (PUBLIC_BASE_URL)`);
        const existed = registry.find(domain.host) !== null;
        await store.saveDomain(domain, now());
        registry.add(domain);
        set.status = existed ? 200 : 201;
        return domain;
      },
      {
        body: DomainBody,
        detail: {
          summary: "Add or change a short domain (admin scope)",
          description: "Every process and instance serves it within a few seconds (they re-read the list every 5 s).",
          tags: ["domains"],
          security: [{ bearer: [] }],
        },
        response: { 200: DomainView, 201: DomainView, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    );
}
