/** Elysia schemas: they validate types at the edge and are the source of the OpenAPI document. */
import { t } from "elysia";

export const CreateLinkBody = t.Object(
  {
    url: t.String({ description: "http(s) URL to shorten, at most MAX_URL_LENGTH characters", examples: ["https://example.com/a"] }),
    alias: t.Optional(t.Union([t.String({ description: "custom code: 3-64 of A-Z a-z 0-9 _ -" }), t.Null()])),
    expiresAt: t.Optional(t.Union([t.String({ description: "ISO 8601 date-time in the future" }), t.Null()])),
    maxClicks: t.Optional(t.Union([t.Number({ description: "redirects allowed before the link answers 410" }), t.Null()])),
    redirectType: t.Optional(t.Union([t.Number({ description: "301, 302 (default), 307 or 308" }), t.Null()])),
    reuse: t.Optional(t.Boolean({ description: "false forces a new code even when the URL was shortened before" })),
  },
  { additionalProperties: false },
);

export const LinkResponse = t.Object({
  code: t.String(),
  shortUrl: t.String(),
  url: t.String(),
  createdAt: t.String({ format: "date-time" }),
  expiresAt: t.Union([t.String({ format: "date-time" }), t.Null()]),
  maxClicks: t.Union([t.Number(), t.Null()]),
  redirectType: t.Number(),
  clicks: t.Number(),
  status: t.String({ description: "active, expired, click_limit_reached or deleted" }),
});

export const LinkList = t.Object({ items: t.Array(LinkResponse), nextCursor: t.Union([t.String(), t.Null()]) });

export const ErrorResponse = t.Object({ error: t.Object({ code: t.String(), message: t.String() }) });

export const CodeParams = t.Object({ code: t.String({ pattern: "^[A-Za-z0-9_-]{3,64}$" }) });

export const ListQuery = t.Object({
  limit: t.Optional(t.Numeric({ minimum: 1, maximum: 100, default: 20 })),
  cursor: t.Optional(t.String({ pattern: "^[0-9]{1,19}$" })),
});

export const LegacyCreateBody = t.Object({ long_url: t.String() });
export const LegacyCreateResponse = t.Object({ short_url: t.String() });
