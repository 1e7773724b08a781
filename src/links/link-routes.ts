/** HTTP surface of the links feature: thin handlers over LinkService, with LinkAccess deciding who may. */
import { Elysia, t } from "elysia";
import { ErrorResponse, alsoAnswers, checkedQuery, readJsonBody } from "../http";
import { InvalidInput } from "../errors";
import { ownerIdOf, type Authenticate, type Principal } from "../keys";
import { limitedBy, type PeerAddressSource, type RequestGuards } from "../ratelimit";
import type { LinkRecord } from "../storage";
import type { LinkAccess } from "./link-access";
import type { CreateLinkInput } from "./link-input";
import type { QrCodes } from "./qr-codes";
import { LIST_SCAN_LIMIT, type LinkService } from "./link-service";
import { BulkCreateBody, BulkCreateResponse, CodeParams, CreateLinkBody, LinkList, LinkResponse, ListQuery, QrQuery, UpdateLinkBody } from "./link-schemas";
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
  guards: RequestGuards;
  qr: QrCodes;
}

/** 1,000 items of a typical URL fit easily; the server's own body fence is at least this large. */
export const BULK_MAX_BODY_BYTES = 1024 * 1024;

/** Fields a bulk item may carry: the create body's. Checked here so a typo fails that item only. */
const CREATE_FIELDS = new Set(Object.keys(CreateLinkBody.properties));

/** A create's answer shows the target: its caller just sent that URL. */
const CREATOR = { showTarget: true };

/**
 * Items of one bulk request that may carry a password: each costs an argon2id hash (~100-200 ms
 * of a core), so a bulk request's hashing stays within a few seconds of one core.
 */
export const MAX_BULK_PASSWORDS = 20;

function setsPassword(item: { password?: unknown }): boolean {
  return typeof item.password === "string" && item.password !== "";
}

export function linkRoutes({ service, access, authenticate, publicBaseUrl, maxBodyBytes, guards, qr }: LinkRoutesOptions) {
  const viewFor = (principal: Principal | null, link: LinkRecord) => toLinkView(link, publicBaseUrl, { showTarget: access.mayReadTarget(principal, link) });
  const rateLimit = limitedBy(guards.create);
  /** New passwords spend the client's hashing budget before any hash is computed. */
  const spendHashes = async (request: Request, server: PeerAddressSource | null, count: number) => {
    if (count > 0) await guards.passwordHash(request, server, count);
  };
  return new Elysia({ name: "links", prefix: "/api/v1/links" })
    .post(
      "/",
      async ({ body, request, set, server }) => {
        const principal = await authenticate(request, server);
        await access.assertMayCreate(principal, body);
        await spendHashes(request, server, setsPassword(body) ? 1 : 0);
        const { link, created } = await service.create(body, { owner: ownerIdOf(principal) });
        set.status = created ? 201 : 200;
        if (created) set.headers.location = `/api/v1/links/${link.code}`;
        return toLinkView(link, publicBaseUrl, CREATOR);
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
        const passwords = body.links.filter(setsPassword).length;
        if (passwords > MAX_BULK_PASSWORDS) {
          throw new InvalidInput(
            "too_many_passwords",
            `at most ${MAX_BULK_PASSWORDS} items of a bulk request may set a password (got ${passwords}); send the rest in further requests`,
          );
        }
        await spendHashes(request, server, passwords);
        // Items with unknown fields fail on their own, like a single create would (unknown_field).
        const results: BulkResultView[] = new Array(body.links.length);
        const valid: Array<{ index: number; item: CreateLinkInput }> = [];
        body.links.forEach((item, index) => {
          const unknown = Object.keys(item).find((k) => !CREATE_FIELDS.has(k));
          if (unknown !== undefined)
            results[index] = { index, status: 400, error: { code: "unknown_field", message: `unknown field '${unknown.slice(0, 40)}'` } };
          else valid.push({ index, item: item as unknown as CreateLinkInput });
        });
        const done = await service.createMany(
          valid.map((v) => v.item),
          { owner },
        );
        done.forEach((r, i) => {
          const index = valid[i]!.index;
          results[index] =
            "error" in r
              ? { index, status: r.error.status, error: { code: r.error.code, message: r.error.message } }
              : { index, status: r.created ? 201 : 200, link: toLinkView(r.link, publicBaseUrl, CREATOR) };
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
          description:
            "Always 200 when the request itself is valid: every item has its own status and link or error, in request order. " +
            `At most ${MAX_BULK_PASSWORDS} items may set a password (400 too_many_passwords); each one spends a token of RATE_LIMIT_PASSWORD_HASH (429 when the client's budget is spent).`,
          tags: ["links"],
          security: [{ bearer: [] }],
        },
        response: {
          200: BulkCreateResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          413: ErrorResponse,
          415: ErrorResponse,
          429: ErrorResponse,
        },
      },
    )
    .get(
      "/",
      async ({ query, request, server }) => {
        const principal = await authenticate(request, server);
        const scope = await access.listScope(principal);
        const page = await service.list({
          limit: query.limit ?? 20,
          cursor: query.cursor === undefined ? undefined : BigInt(query.cursor),
          ownerKey: scope.ownerKey,
          tag: query.tag,
          q: query.q,
          searchProtectedUrls: scope.protectedTargets,
        });
        return { items: page.items.map((l) => viewFor(principal, l)), nextCursor: page.nextCursor };
      },
      {
        ...checkedQuery(ListQuery),
        beforeHandle: limitedBy(guards.reads),
        detail: {
          summary: "List links, newest first (cursor pagination; filter by tag or text)",
          description:
            "An API key lists the links it created; an admin key or ADMIN_TOKEN lists all. Open without credentials only while no ADMIN_TOKEN and no key exist. " +
            `A page looks at no more than ${LIST_SCAN_LIMIT.toLocaleString("en")} links, so a filtered page can hold fewer than limit items (even none) and still have a nextCursor: follow it to search further.`,
          tags: ["links"],
          security: [{ bearer: [] }],
        },
        response: { 200: LinkList, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse },
      },
    )
    .get(
      "/:code",
      async ({ params, request, server }) => {
        const link = await service.get(params.code);
        const principal = await authenticate(request, server);
        access.assertMayRead(principal, link);
        return viewFor(principal, link);
      },
      {
        params: CodeParams,
        detail: {
          summary: "A link with its click count (a key's links need that key with the stats scope)",
          tags: ["links"],
          security: [{}, { bearer: [] }],
        },
        response: { 200: LinkResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 410: ErrorResponse },
      },
    )
    .patch(
      "/:code",
      async ({ params, body, request, server }) => {
        const principal = await authenticate(request, server);
        await spendHashes(request, server, setsPassword(body) ? 1 : 0);
        const link = await service.update(params.code, body, {
          authorize: (current) => access.assertOwns(principal, current, "manage", "changing links"),
          mayClearUnsafe: access.mayClearUnsafe(principal),
        });
        return viewFor(principal, link);
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
        response: {
          200: LinkResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
          410: ErrorResponse,
          413: ErrorResponse,
          415: ErrorResponse,
          422: ErrorResponse,
        },
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
      async ({ params, query, set }) => {
        // Anyone who knows the code can draw its QR code: it holds only the public short URL.
        const link = await service.get(params.code);
        const format = query.format ?? "svg";
        const size = query.size ?? 256;
        const code = await qr.render(`${publicBaseUrl}/${link.code}`, format, size);
        const headers = new Headers(set.headers as Record<string, string>);
        headers.set("content-type", code.contentType);
        headers.set("cache-control", "public, max-age=86400");
        return new Response(code.body, { headers });
      },
      {
        params: CodeParams,
        ...checkedQuery(QrQuery),
        beforeHandle: limitedBy(guards.qr),
        detail: {
          summary: "QR code of the short URL (SVG or PNG)",
          description: "Rendered off the serving thread and cached; RATE_LIMIT_QR per client (429), 503 + Retry-After while the QR thread's queue is full.",
          tags: ["links"],
          security: [],
          ...alsoAnswers({
            200: {
              description: "the QR code",
              content: { "image/svg+xml": { schema: { type: "string" } }, "image/png": { schema: { type: "string", format: "binary" } } },
            },
          }),
        },
        response: { 400: ErrorResponse, 404: ErrorResponse, 410: ErrorResponse, 429: ErrorResponse, 503: ErrorResponse },
      },
    );
}

/** Throws 401/403 when the caller may not read this link; unknown and deleted codes pass (the route answers 404/410). */
export type LinkReadCheck = (request: Request, peer: PeerAddressSource | null, code: string) => Promise<void>;

/**
 * The read rule of LinkAccess for sub-resources of a link that other modules serve (its stats): a
 * key's links need that key with the stats scope; anonymous links pass without credentials.
 */
export function linkReadCheck({ service, access, authenticate }: Pick<LinkRoutesOptions, "service" | "access" | "authenticate">): LinkReadCheck {
  return async (request, peer, code) => {
    const link = await service.get(code).catch(() => null);
    if (link !== null) access.assertMayRead(await authenticate(request, peer), link);
  };
}
