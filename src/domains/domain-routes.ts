/** /api/v1/domains: the short domains served, adding or changing one, and removing one without links (admin scope). */
import { Elysia, t } from "elysia";
import { Conflict, InvalidInput, NotFound } from "../errors";
import { ErrorResponse } from "../http";
import { requireScope, type Authenticate } from "../keys";
import type { DomainRegistry } from "./domain-registry";
import type { DomainStore } from "./domain-store";
import { normalizeHost, type ShortDomain } from "./short-domain";

export interface DomainRoutesOptions {
  registry: DomainRegistry;
  store: DomainStore;
  authenticate: Authenticate;
  /** whether any live link is keyed on the host (every shard) */
  hasLinks(host: string): Promise<boolean>;
  /**
   * How long another process may go on serving a removed domain (its refresh period, plus a
   * margin for a create in flight); 0 when no other process shares the store. A removal waits
   * that long and looks for links again, so a create that slipped in on a process that had not
   * heard yet puts the domain back instead of leaving a link no request can reach.
   */
  settleMs?: number;
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

export function domainRoutes({ registry, store, authenticate, hasLinks, settleMs = 0, now = Date.now }: DomainRoutesOptions) {
  const inUse = (host: string) => new Conflict("domain_in_use", `${host} still has links: delete them first`);
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
    )
    .delete(
      "/:host",
      async ({ params, request, server, set }) => {
        requireScope(await authenticate(request, server), "admin", "removing domains");
        const host = normalizeHost(params.host);
        if (host === null) throw new InvalidInput("invalid_domain", "host must be a host name such as go.example.com");
        if (host === registry.defaultHost) throw new Conflict("domain_default", `${host} is the default domain (PUBLIC_BASE_URL): it cannot be removed`);
        if (registry.isConfigured(host)) throw new Conflict("domain_configured", `${host} is set by DOMAINS: remove it there and restart`);
        // The store, not this process's list: a domain another process added moments ago is removable too.
        const domain = (await store.listDomains()).find((d) => d.host === host);
        if (domain === undefined) throw new NotFound(`no domain ${host} was added`, "unknown_domain");
        if (await hasLinks(host)) throw inUse(host);
        await store.removeDomain(host);
        registry.remove(host);
        if (settleMs > 0) {
          await Bun.sleep(settleMs);
          if (await hasLinks(host)) {
            await store.saveDomain(domain, now());
            registry.add(domain);
            throw inUse(host);
          }
        }
        set.status = 204;
        return null;
      },
      {
        params: t.Object({ host: t.String({ description: "host name of the domain" }) }),
        detail: {
          summary: "Remove a short domain that has no links (admin scope)",
          description:
            "409 domain_in_use while any live link is on it (delete them first), domain_configured for a DOMAINS entry, domain_default for PUBLIC_BASE_URL's host; 404 unknown_domain for one never added. " +
            "Every process stops serving it within 5 s (its next re-read); requests to the host then reach the default domain. " +
            "With several processes or instances the answer waits those seconds and looks for links again: a link created meanwhile puts the domain back (409).",
          tags: ["domains"],
          security: [{ bearer: [] }],
        },
        response: {
          204: t.Null({ description: "removed" }),
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
          409: ErrorResponse,
        },
      },
    );
}
