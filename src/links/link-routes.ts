/** HTTP surface of the links feature: thin handlers over LinkService, with LinkAccess deciding who may. */
import { Elysia, t } from "elysia";
import { InvalidInput, readJsonBody } from "../http";
import { ownerIdOf, type Authenticate } from "../keys";
import type { RateLimitGuard } from "../ratelimit";
import type { LinkAccess } from "./link-access";
import type { CreateLinkInput } from "./link-input";
import { renderQr } from "./link-qr";
import type { LinkService } from "./link-service";
import {
  BulkCreateBody,
  BulkCreateResponse,
  CodeParams,
  CreateLinkBody,
  ErrorResponse,
  LinkList,
  LinkResponse,
  ListQuery,
  QrQuery,
  UpdateLinkBody,
} from "./link-schemas";
import { toLinkView, type LinkView } from "./link-view";

interface BulkResultView {
  index: number;
  status: number;
  link?: LinkView;
  error?: { code: string; message: string };
}

export interface LinkRoutesOptions {
  service: LinkService;
  access: LinkAccess;
  authenticate: Authenticate;
  publicBaseUrl: string;
  maxBodyBytes: number;
  createGuard: RateLimitGuard;
}

/** 1,000 items of a typical URL fit easily; the server's own body fence is at least this large. */
export const BULK_MAX_BODY_BYTES = 1024 * 1024;

/** Fields a bulk item may carry: the create body's. Checked here so a typo fails that item only. */
const CREATE_FIELDS = new Set(Object.keys(CreateLinkBody.properties));

export function linkRoutes({ service, access, authenticate, publicBaseUrl, maxBodyBytes, createGuard }: LinkRoutesOptions) {
  const rateLimit = async ({ request, server, set }: { request: Request; server: Parameters<RateLimitGuard>[1]; set: { headers: Record<string, string | number> } }) => {
    Object.assign(set.headers, await createGuard(request, server));
  };
  return new Elysia({ name: "links", prefix: "/api/v1/links" })
    .post(
      "/",
      async ({ body, request, set, server }) => {
        const principal = await authenticate(request, server);
        await access.assertMayCreate(principal, body);
        const { link, created } = await service.create(body, { owner: ownerIdOf(principal) });
        set.status = created ? 201 : 200;
        if (created) set.headers.location = `/api/v1/links/${link.code}`;
        return toLinkView(link, publicBaseUrl);
      },
      {
        // The named "json" entry never runs (our reader answers first); it tells the OpenAPI document the media type.
        parse: [({ request }) => readJsonBody(request, maxBodyBytes), "json"],
        beforeHandle: rateLimit,
        body: CreateLinkBody,
        detail: {
          summary: "Shorten a URL",
          description:
            "201 with a new link, or 200 with the existing link when the same URL was shortened before (send reuse:false for a new code). " +
            "Anonymous unless ANON_CREATE=false; a custom alias needs a key with the create scope once API keys exist. 422 blocked_domain / unsafe_url for refused targets.",
          tags: ["links"],
          security: [{}, { bearer: [] }],
        },
        response: {
          200: LinkResponse,
          201: LinkResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          409: ErrorResponse,
          413: ErrorResponse,
          415: ErrorResponse,
          422: ErrorResponse,
          429: ErrorResponse,
        },
      },
    )
    .post(
      "/bulk",
      async ({ body, request, server }) => {
        const principal = access.assertMayBulk(await authenticate(request, server));
        const owner = ownerIdOf(principal);
        // Items with unknown fields fail on their own, like a single create would (unknown_field).
        const results: BulkResultView[] = new Array(body.links.length);
        const valid: Array<{ index: number; item: CreateLinkInput }> = [];
        body.links.forEach((item, index) => {
          const unknown = Object.keys(item).find((k) => !CREATE_FIELDS.has(k));
          if (unknown !== undefined) results[index] = { index, status: 400, error: { code: "unknown_field", message: `unknown field '${unknown.slice(0, 40)}'` } };
          else valid.push({ index, item: item as unknown as CreateLinkInput });
        });
        const done = await service.createMany(valid.map((v) => v.item), { owner });
        done.forEach((r, i) => {
          const index = valid[i]!.index;
          results[index] = r.link ? { index, status: r.status, link: toLinkView(r.link, publicBaseUrl) } : { index, status: r.status, error: r.error };
        });
        const all = results;
        return { created: all.filter((r) => r.status === 201).length, failed: all.filter((r) => r.status >= 400).length, results: all };
      },
      {
        parse: [({ request }) => readJsonBody(request, BULK_MAX_BODY_BYTES), "json"],
        beforeHandle: rateLimit,
        body: BulkCreateBody,
        detail: {
          summary: "Create up to 1,000 links in one request (API key with the create scope)",
          description: "Always 200 when the request itself is valid: every item has its own status and link or error, in request order.",
          tags: ["links"],
          security: [{ bearer: [] }],
        },
        response: { 200: BulkCreateResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse, 429: ErrorResponse },
      },
    )
    .get(
      "/",
      async ({ query, request, server }) => {
        const ownerKey = await access.listOwner(await authenticate(request, server));
        const page = await service.list({
          limit: query.limit ?? 20,
          cursor: query.cursor === undefined ? undefined : BigInt(query.cursor),
          ownerKey,
          tag: query.tag,
          q: query.q,
        });
        return { items: page.items.map((l) => toLinkView(l, publicBaseUrl)), nextCursor: page.nextCursor };
      },
      {
        query: ListQuery,
        detail: {
          summary: "List links, newest first (cursor pagination; filter by tag or text)",
          description: "An API key lists the links it created; an admin key or ADMIN_TOKEN lists all. Open without credentials only while no ADMIN_TOKEN and no key exist.",
          tags: ["links"],
          security: [{ bearer: [] }],
        },
        response: { 200: LinkList, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    )
    .get(
      "/:code",
      async ({ params, request, server }) => {
        const link = await service.get(params.code);
        access.assertMayRead(await authenticate(request, server), link);
        return toLinkView(link, publicBaseUrl);
      },
      {
        params: CodeParams,
        detail: { summary: "A link with its click count (a key's links need that key with the stats scope)", tags: ["links"] },
        response: { 200: LinkResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 410: ErrorResponse },
      },
    )
    .patch(
      "/:code",
      async ({ params, body, request, server }) => {
        const principal = await authenticate(request, server);
        const link = await service.update(params.code, body, {
          authorize: (current) => access.assertOwns(principal, current, "manage", "changing links"),
          mayClearUnsafe: access.mayClearUnsafe(principal),
        });
        return toLinkView(link, publicBaseUrl);
      },
      {
        parse: [({ request }) => readJsonBody(request, maxBodyBytes), "json"],
        params: CodeParams,
        body: UpdateLinkBody,
        detail: {
          summary: "Change a link: target, expiry, maxClicks, redirect type, disabled, tags, password, query forwarding (manage scope)",
          description: "Every process and instance serves the new state within a second. null clears expiresAt, maxClicks and password.",
          tags: ["links"],
          security: [{ bearer: [] }],
        },
        response: { 200: LinkResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 410: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse, 422: ErrorResponse },
      },
    )
    .delete(
      "/:code",
      async ({ params, request, set, server }) => {
        const principal = await authenticate(request, server);
        await service.remove(params.code, (link) => access.assertOwns(principal, link, "manage", "deleting links"));
        set.status = 204;
        return null;
      },
      {
        params: CodeParams,
        detail: { summary: "Delete a link (manage scope on the key's own links; admin on any)", tags: ["links"], security: [{ bearer: [] }] },
        response: { 204: t.Null({ description: "deleted" }), 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 410: ErrorResponse },
      },
    )
    .get(
      "/:code/qr",
      async ({ params, query }) => {
        // Anyone who knows the code can draw its QR code: it holds only the public short URL.
        const link = await service.get(params.code);
        const format = query.format ?? "svg";
        const size = query.size ?? 256;
        if (!Number.isInteger(size)) throw new InvalidInput("invalid_size", "size must be a whole number of pixels");
        const qr = await renderQr(`${publicBaseUrl}/${link.code}`, format, size);
        return new Response(qr.body, { headers: { "content-type": qr.contentType, "cache-control": "public, max-age=86400" } });
      },
      {
        params: CodeParams,
        query: QrQuery,
        detail: {
          summary: "QR code of the short URL (SVG or PNG)",
          tags: ["links"],
          responses: {
            200: {
              description: "the QR code",
              content: { "image/svg+xml": { schema: { type: "string" } }, "image/png": { schema: { type: "string", format: "binary" } } },
            },
          },
        },
        response: { 400: ErrorResponse, 404: ErrorResponse, 410: ErrorResponse },
      },
    );
}

/** Link sub-resources served by other modules (the stats endpoint) that follow the read rule. */
const GUARDED_SUB_ROUTES = new Set(["/api/v1/links/:code/stats"]);

/**
 * Applies the read rule of LinkAccess to link sub-resources other modules serve (GET
 * /api/v1/links/:code/stats): a key's links need that key with the stats scope. Registered before
 * those modules; anonymous links pass without a lookup beyond the one the route makes anyway.
 */
export function linkReadGuard({ service, access, authenticate }: Pick<LinkRoutesOptions, "service" | "access" | "authenticate">) {
  return new Elysia({ name: "link-read-access" }).onBeforeHandle({ as: "global" }, async ({ route, params, request, server }) => {
    if (!GUARDED_SUB_ROUTES.has(route)) return;
    const code = (params as Record<string, string | undefined>).code;
    if (code === undefined) return;
    const link = await service.get(code).catch(() => null);
    // Unknown and deleted codes get the route's own 404/410.
    if (link !== null) access.assertMayRead(await authenticate(request, server), link);
  });
}
