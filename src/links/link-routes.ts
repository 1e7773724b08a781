/** HTTP surface of the links feature: thin handlers over LinkService. */
import { Elysia, t } from "elysia";
import { Unauthorized, hasAdmin, readJsonBody, requireAdmin } from "../http";
import type { RateLimitGuard } from "../ratelimit";
import type { LinkService } from "./link-service";
import { CodeParams, CreateLinkBody, ErrorResponse, LinkList, LinkResponse, ListQuery } from "./link-schemas";
import { toLinkView } from "./link-view";

export interface LinkRoutesOptions {
  service: LinkService;
  publicBaseUrl: string;
  adminToken: string | undefined;
  maxBodyBytes: number;
  createGuard: RateLimitGuard;
}

export function linkRoutes({ service, publicBaseUrl, adminToken, maxBodyBytes, createGuard }: LinkRoutesOptions) {
  return new Elysia({ name: "links", prefix: "/api/v1/links" })
    .post(
      "/",
      async ({ body, set }) => {
        const { link, created } = await service.create(body);
        set.status = created ? 201 : 200;
        if (created) set.headers.location = `/api/v1/links/${link.code}`;
        return toLinkView(link, publicBaseUrl);
      },
      {
        // The named "json" entry never runs (our reader answers first); it tells the OpenAPI document the media type.
        parse: [({ request }) => readJsonBody(request, maxBodyBytes), "json"],
        beforeHandle: async ({ request, server, set }) => {
          Object.assign(set.headers, await createGuard(request, server));
        },
        body: CreateLinkBody,
        detail: {
          summary: "Shorten a URL",
          description: "201 with a new link, or 200 with the existing link when the same URL was shortened before (send reuse:false for a new code).",
          tags: ["links"],
        },
        response: { 200: LinkResponse, 201: LinkResponse, 400: ErrorResponse, 409: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse, 429: ErrorResponse },
      },
    )
    .get(
      "/",
      async ({ query, request }) => {
        // Listing reveals every code, so once an admin token exists it is required.
        if (adminToken !== undefined && !hasAdmin(request, adminToken)) throw new Unauthorized("listing links needs the admin token");
        const page = await service.list(query.limit ?? 20, query.cursor === undefined ? undefined : BigInt(query.cursor));
        return { items: page.items.map((l) => toLinkView(l, publicBaseUrl)), nextCursor: page.nextCursor };
      },
      {
        query: ListQuery,
        detail: { summary: "List links, newest first (cursor pagination)", tags: ["links"] },
        response: { 200: LinkList, 400: ErrorResponse, 401: ErrorResponse },
      },
    )
    .get("/:code", async ({ params }) => toLinkView(await service.get(params.code), publicBaseUrl), {
      params: CodeParams,
      detail: { summary: "A link with its click count", tags: ["links"] },
      response: { 200: LinkResponse, 404: ErrorResponse, 410: ErrorResponse },
    })
    .delete(
      "/:code",
      async ({ params, request, set }) => {
        requireAdmin(request, adminToken, "delete links");
        await service.remove(params.code);
        set.status = 204;
        return null;
      },
      {
        params: CodeParams,
        detail: { summary: "Delete a link (admin token)", tags: ["links"], security: [{ bearer: [] }] },
        response: { 204: t.Null({ description: "deleted" }), 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 410: ErrorResponse },
      },
    );
}
