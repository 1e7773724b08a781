/** HTTP surface of webhooks: thin handlers over WebhookService. */
import { Elysia, t } from "elysia";
import { ErrorResponse, readJsonBody } from "../http";
import type { Authenticate } from "../keys";
import type { WebhookService } from "./webhook-service";
import type { AttemptRecord, WebhookRecord } from "./webhook-store";

export interface WebhookRoutesOptions {
  service: WebhookService;
  authenticate: Authenticate;
  maxBodyBytes: number;
}

const TOPICS = ["link.created", "link.updated", "link.deleted", "link.disabled", "link.clicked"] as const;

const CreateWebhookBody = t.Object(
  {
    url: t.String({ description: "http(s) URL that receives a POST per event; the links' target rules apply", examples: ["https://hooks.example/ringlink"] }),
    events: t.Array(t.String({ description: TOPICS.join(" | ") }), { minItems: 1, maxItems: 5 }),
    clickSample: t.Optional(t.Union([t.Number({ description: "share of link.clicked events delivered (0 < r <= 1, default 1)" }), t.Null()])),
  },
  { additionalProperties: false },
);

const WebhookView = t.Object({
  id: t.String(),
  url: t.String(),
  events: t.Array(t.String()),
  clickSample: t.Number(),
  ownerKey: t.Union([t.String(), t.Null()], { description: "the key whose links it sees; null = every link (an admin's)" }),
  createdAt: t.String(),
  secret: t.Optional(t.String({ description: "whsec_...: returned once, by the create" })),
});

const AttemptView = t.Object({
  eventId: t.String(),
  webhookId: t.String({ description: "the webhook-id header: msg_<eventId>" }),
  type: t.String(),
  code: t.String(),
  attempt: t.Number(),
  at: t.String(),
  status: t.Union([t.Number(), t.Null()]),
  latencyMs: t.Number(),
  error: t.Union([t.String(), t.Null()]),
  outcome: t.String({ description: "delivered | retry | failed" }),
});

const IdParams = t.Object({ id: t.String({ pattern: "^wh_[A-Za-z0-9_-]{1,64}$" }) });

function view(w: WebhookRecord, withSecret = false) {
  return {
    id: w.id,
    url: w.url,
    events: w.events,
    clickSample: w.clickSample,
    ownerKey: w.ownerKey,
    createdAt: new Date(w.createdAt).toISOString(),
    ...(withSecret ? { secret: w.secret } : {}),
  };
}

function attemptView(a: AttemptRecord) {
  return {
    eventId: a.eventId,
    webhookId: `msg_${a.eventId}`,
    type: a.topic,
    code: a.code,
    attempt: a.attempt,
    at: new Date(a.at).toISOString(),
    status: a.status,
    latencyMs: a.latencyMs,
    error: a.error,
    outcome: a.outcome,
  };
}

const security = [{ bearer: [] }];

export function webhookRoutes({ service, authenticate, maxBodyBytes }: WebhookRoutesOptions) {
  return new Elysia({ name: "webhooks", prefix: "/api/v1/webhooks" })
    .post(
      "/",
      async ({ body, request, server, set }) => {
        const webhook = await service.create(await authenticate(request, server), body);
        set.status = 201;
        set.headers.location = `/api/v1/webhooks/${webhook.id}`;
        return view(webhook, true);
      },
      {
        parse: [({ request }) => readJsonBody(request, maxBodyBytes), "json"],
        body: CreateWebhookBody,
        detail: {
          summary: "Add a webhook (manage scope: the key's own links; admin: every link)",
          description: "Deliveries are signed (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature). The secret is in this answer only.",
          tags: ["webhooks"],
          security,
        },
        response: { 201: WebhookView, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse, 422: ErrorResponse },
      },
    )
    .get("/", async ({ request, server }) => ({ items: (await service.list(await authenticate(request, server))).map((w) => view(w)) }), {
      detail: { summary: "Webhooks (a key's own; every one for an admin)", tags: ["webhooks"], security },
      response: { 200: t.Object({ items: t.Array(WebhookView) }), 401: ErrorResponse, 403: ErrorResponse },
    })
    .get("/:id", async ({ params, request, server }) => view(await service.get(await authenticate(request, server), params.id)), {
      params: IdParams,
      detail: { summary: "One webhook", tags: ["webhooks"], security },
      response: { 200: WebhookView, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
    })
    .delete(
      "/:id",
      async ({ params, request, server, set }) => {
        await service.remove(await authenticate(request, server), params.id);
        set.status = 204;
        return null;
      },
      {
        params: IdParams,
        detail: { summary: "Delete a webhook and its pending deliveries", tags: ["webhooks"], security },
        response: { 204: t.Null({ description: "deleted" }), 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    )
    .get(
      "/:id/deliveries",
      async ({ params, request, server }) => {
        const { attempts, pending } = await service.deliveries(await authenticate(request, server), params.id);
        return { pending, attempts: attempts.map(attemptView) };
      },
      {
        params: IdParams,
        detail: { summary: "The webhook's last 100 delivery attempts (newest first) and how many deliveries wait", tags: ["webhooks"], security },
        response: { 200: t.Object({ pending: t.Number(), attempts: t.Array(AttemptView) }), 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    );
}
