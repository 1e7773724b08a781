/** Elysia schemas: they validate types at the edge and are the source of the OpenAPI document. */
import { t } from "elysia";
import { ACCEPTS, EXPECTED } from "../http";

/**
 * The routing fields. Types are checked here; the rules of each (known condition types, CIDR blocks,
 * language tags, at most 20 rules, weights summing to 100) are link-input.ts's, with their own codes.
 */
const Condition = t.Object(
  {
    type: t.String({ description: "device, os, browser, language, country, query, ip, before or after", examples: ["device"] }),
    anyOf: t.Optional(
      t.Array(t.String(), {
        description:
          "device: desktop|mobile|tablet|bot|unknown; os: iOS, Android, Windows, macOS, Linux, ChromeOS, ...; browser: Chrome, Safari, Firefox, Edge, ...; " +
          "language: primary tags (the visitor's most preferred Accept-Language entry by q-value); country: ISO 3166-1 alpha-2; ip: addresses or CIDR blocks (IPv4/IPv6)",
      }),
    ),
    param: t.Optional(t.String({ description: "query: the parameter's name" })),
    op: t.Optional(t.String({ description: "query: present, absent or equals" })),
    value: t.Optional(t.String({ description: "query with op equals: the value" })),
    at: t.Optional(t.String({ description: "before/after: ISO 8601 instant with a zone" })),
  },
  { additionalProperties: true, description: "one condition; all of a rule's conditions must hold" },
);
const Rule = t.Object(
  { conditions: t.Array(Condition, { description: "1-10 conditions" }), url: t.String({ description: "where visitors matching every condition go" }) },
  { additionalProperties: true },
);
const Rules = t.Union([t.Array(Rule, { description: "ordered redirect rules (at most 20): the first that matches wins, else the link's url" }), t.Null()]);
const Variant = t.Object(
  {
    url: t.String(),
    weight: t.Number({ description: "whole percent; weights sum to 100" }),
    name: t.Optional(t.String({ description: "label in the stats (default a, b, c, ...)" })),
  },
  { additionalProperties: true },
);
const Variants = t.Union([
  t.Array(Variant, { description: "A/B split (2-10 variants): each visitor gets one variant per UTC day, by the visitor hash (no cookie); rules come first" }),
  t.Null(),
]);
const Preview = t.Union([
  t.Object(
    {
      title: t.String({ description: "1-200 characters" }),
      description: t.Optional(t.Union([t.String({ description: "at most 500 characters" }), t.Null()])),
      image: t.Optional(t.Union([t.String({ description: "http(s) image URL" }), t.Null()])),
    },
    { additionalProperties: true, description: "what link-preview crawlers (Slack, Discord, X, Facebook, LinkedIn, ...) are shown instead of the redirect" },
  ),
  t.Null(),
]);

export const CreateLinkBody = t.Object(
  {
    url: t.String({ description: "http(s) URL to shorten, at most MAX_URL_LENGTH characters", examples: ["https://example.com/a"] }),
    alias: t.Optional(t.Union([t.String({ description: "custom code: 3-64 of A-Z a-z 0-9 _ -" }), t.Null()])),
    expiresAt: t.Optional(t.Union([t.String({ description: "ISO 8601 date-time in the future" }), t.Null()])),
    maxClicks: t.Optional(t.Union([t.Number({ description: "redirects allowed before the link answers 410" }), t.Null()])),
    redirectType: t.Optional(t.Union([t.Number({ description: "301, 302 (default), 307 or 308" }), t.Null()])),
    reuse: t.Optional(t.Boolean({ description: "false forces a new code even when the URL was shortened before" })),
    password: t.Optional(
      t.Union([t.String({ description: "visitors must enter it before being redirected (4-128 characters; stored as argon2id)" }), t.Null()]),
    ),
    forwardQuery: t.Optional(
      t.Union([t.Boolean({ description: "append the short URL's query string to the target (merged; the visitor's values win)" }), t.Null()]),
    ),
    tags: t.Optional(t.Union([t.Array(t.String({ description: "1-32 of A-Z a-z 0-9 _ . -" }), { maxItems: 10 }), t.Null()])),
    utm: t.Optional(
      t.Union([
        t.Object(
          {
            source: t.Optional(t.String()),
            medium: t.Optional(t.String()),
            campaign: t.Optional(t.String()),
            term: t.Optional(t.String()),
            content: t.Optional(t.String()),
          },
          { additionalProperties: false, description: "UTM parameters added to the target URL as utm_source, utm_medium, ..." },
        ),
        t.Null(),
      ]),
    ),
    rules: t.Optional(Rules),
    variants: t.Optional(Variants),
    preview: t.Optional(Preview),
    domain: t.Optional(
      t.Union([
        t.String({ description: "short domain to create on (one of DOMAINS; default: PUBLIC_BASE_URL's host); the same code may exist on each" }),
        t.Null(),
      ]),
    ),
  },
  { additionalProperties: false },
);

/** `?domain=` on the routes that name a link by code: which domain's code (default: PUBLIC_BASE_URL's host). */
export const DomainQuery = t.Object(
  { domain: t.Optional(t.String({ maxLength: 253, description: "the link's short domain when it is not the default one" })) },
  // other parameters were always ignored on these routes, and still are
  { additionalProperties: true },
);

export const UpdateLinkBody = t.Object(
  {
    url: t.Optional(t.String({ description: "new target URL (same rules as on create)" })),
    expiresAt: t.Optional(t.Union([t.String({ description: "ISO 8601 date-time in the future" }), t.Null({ description: "null: never expires" })])),
    maxClicks: t.Optional(t.Union([t.Number(), t.Null({ description: "null: no limit" })])),
    redirectType: t.Optional(t.Number({ description: "301, 302, 307 or 308" })),
    disabled: t.Optional(t.Boolean({ description: "true stops the link (410 disabled); false serves it again" })),
    tags: t.Optional(t.Union([t.Array(t.String(), { maxItems: 10 }), t.Null()])),
    password: t.Optional(t.Union([t.String(), t.Null({ description: "null removes the password" })])),
    forwardQuery: t.Optional(t.Boolean()),
    rules: t.Optional(Rules),
    variants: t.Optional(Variants),
    preview: t.Optional(Preview),
  },
  { additionalProperties: false },
);

export const LinkResponse = t.Object({
  code: t.String(),
  domain: t.String({ description: "the short domain the link lives on (PUBLIC_BASE_URL's host or one of DOMAINS)" }),
  shortUrl: t.String(),
  url: t.Union([t.String(), t.Null()], {
    description: "the target; null for a password-protected link unless the caller is its owner key or an admin",
  }),
  createdAt: t.String({ format: "date-time" }),
  expiresAt: t.Union([t.String({ format: "date-time" }), t.Null()]),
  maxClicks: t.Union([t.Number(), t.Null()]),
  redirectType: t.Number(),
  clicks: t.Number(),
  status: t.String({ description: "active, expired, click_limit_reached, deleted, disabled or unsafe" }),
  category: t.Union([t.String({ description: "what the URL classifier says the target is (news, shopping, suspicious, ...)" }), t.Null()]),
  categoryConfidence: t.Union([t.Number({ minimum: 0, maximum: 1 }), t.Null()]),
  tags: t.Array(t.String()),
  forwardQuery: t.Boolean(),
  passwordProtected: t.Boolean(),
  disabled: t.Union([t.String({ description: "manual (PATCH) or unsafe (abuse protection)" }), t.Null()]),
  ownerKey: t.Union([t.String({ description: "id of the API key that created the link" }), t.Null()]),
  updatedAt: t.Union([t.String({ format: "date-time" }), t.Null()]),
  rules: Rules,
  variants: Variants,
  preview: Preview,
});

export const LinkList = t.Object({ items: t.Array(LinkResponse), nextCursor: t.Union([t.String(), t.Null()]) });

export const CodeParams = t.Object({ code: t.String({ pattern: "^[A-Za-z0-9_-]{3,64}$", [EXPECTED]: "a short code: 3 to 64 of A-Z a-z 0-9 _ -" }) });

/** Link ids are signed 64-bit integers, so a cursor above 2^63 - 1 cannot name a position. */
const MAX_ID = (1n << 63n) - 1n;

export const MAX_LIST_LIMIT = 100;

export const ListQuery = t.Object({
  limit: t.Optional(t.Integer({ minimum: 1, maximum: MAX_LIST_LIMIT, default: 20, description: "links per page" })),
  cursor: t.Optional(
    t.String({
      pattern: "^[0-9]{1,19}$",
      description: "nextCursor of the previous page",
      [EXPECTED]: "the nextCursor of an earlier page, a whole number below 2^63",
      [ACCEPTS]: (raw: string) => BigInt(raw) <= MAX_ID,
    }),
  ),
  tag: t.Optional(t.String({ pattern: "^[A-Za-z0-9_.-]{1,32}$", description: "only links with this tag", [EXPECTED]: "a tag: 1 to 32 of A-Z a-z 0-9 _ . -" })),
  q: t.Optional(t.String({ minLength: 1, maxLength: 200, description: "case-insensitive text in the URL or the code" })),
});

export const MAX_BULK_ITEMS = 1_000;

export const BulkCreateBody = t.Object(
  {
    links: t.Array(t.Record(t.String(), t.Unknown()), {
      minItems: 1,
      maxItems: MAX_BULK_ITEMS,
      description: "1-1,000 create bodies (the fields of POST /api/v1/links); each succeeds or fails on its own",
    }),
  },
  { additionalProperties: false },
);

export const BulkCreateResponse = t.Object({
  created: t.Number({ description: "items that made a new link" }),
  failed: t.Number({ description: "items refused" }),
  results: t.Array(
    t.Object({
      index: t.Number({ description: "position in the request" }),
      status: t.Number({ description: "201 created, 200 existing link, or the error's status" }),
      link: t.Optional(LinkResponse),
      error: t.Optional(t.Object({ code: t.String(), message: t.String() })),
    }),
  ),
});

export const QR_MIN_SIZE = 64;
export const QR_MAX_SIZE = 2048;

export const QrQuery = t.Object({
  format: t.Optional(t.UnionEnum(["svg", "png"], { default: "svg" })),
  size: t.Optional(t.Integer({ minimum: QR_MIN_SIZE, maximum: QR_MAX_SIZE, default: 256, description: "width and height in pixels" })),
  domain: t.Optional(t.String({ maxLength: 253, description: "the link's short domain when it is not the default one" })),
});

export const LegacyCreateBody = t.Object({ long_url: t.String() });
export const LegacyCreateResponse = t.Object({ short_url: t.String() });
