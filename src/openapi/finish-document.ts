/**
 * The rules the generated OpenAPI document does not follow on its own, applied to every copy
 * served. @elysiajs/openapi writes what the route schemas say; validators (swagger-parser, redocly,
 * openapi-spec-validator) and client generators also need:
 *
 * - no `content` on answers without a body (204, 3xx: the generator gives `t.Null()` a body of
 *   type "null"), and a `Location` header on every redirect;
 * - answers a route declares beside its schemas (`alsoAnswers` of src/http: redirects, pages,
 *   images) merged in, since the generator replaces `detail.responses` with the schema-derived ones;
 * - every operation's own `security`: `[]` where no credentials apply; wherever a bearer token is
 *   accepted the session cookie is too (the dashboard signs in once and sends the cookie);
 * - no trailing-slash paths (the router answers `/api/v1/links` and `/api/v1/links/` alike; a
 *   generator would otherwise build `.../links/`).
 */

import { EXTRA_RESPONSES } from "../http";

type Json = Record<string, unknown>;

export const SECURITY_SCHEMES = {
  bearer: { type: "http", scheme: "bearer", description: "An API key (rl_...) or ADMIN_TOKEN: `Authorization: Bearer <token>`." },
  session: {
    type: "apiKey",
    in: "cookie",
    name: "ringlink_session",
    description: "The dashboard's session (POST /api/v1/session with a token). Requests that change state with it must carry the X-CSRF-Token header.",
  },
} as const;

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

const bodiless = (status: string): boolean => status === "204" || status === "304" || /^3\d\d$/.test(status);

function finishOperation(operation: Json): Json {
  const extra = operation[EXTRA_RESPONSES] as Record<string, Json> | undefined;
  delete operation[EXTRA_RESPONSES];
  const responses: Record<string, Json> = { ...((operation.responses as Record<string, Json> | undefined) ?? {}), ...extra };
  for (const [status, response] of Object.entries(responses)) {
    const answer: Json = { ...response };
    if (typeof answer.description !== "string" || answer.description === "") answer.description = status.startsWith("2") ? "success" : "see the status";
    if (bodiless(status)) {
      delete answer.content;
      if (status !== "204" && status !== "304") {
        answer.headers = {
          Location: { description: "where the answer leads", schema: { type: "string", format: "uri-reference" } },
          ...(answer.headers as Json | undefined),
        };
      }
    }
    responses[status] = answer;
  }
  if (Object.keys(responses).length === 0) responses.default = { description: "see the operation's description" };
  operation.responses = responses;

  const security = (operation.security as Json[] | undefined) ?? [];
  const finished: Json[] = [];
  for (const requirement of security) {
    finished.push(requirement);
    if ("bearer" in requirement && !security.some((r) => "session" in r)) finished.push({ session: requirement.bearer });
  }
  operation.security = finished;
  return operation;
}

export interface FinishOptions {
  /** the public address clients use (PUBLIC_BASE_URL) */
  serverUrl: string;
}

/** A finished copy of the generated document (the generator's cached one is left as it is). */
export function finishDocument(generated: Json, { serverUrl }: FinishOptions): Json {
  const doc = structuredClone(generated);
  const paths: Record<string, Json> = {};
  for (const [path, item] of Object.entries((doc.paths as Record<string, Json> | undefined) ?? {})) {
    const key = path.length > 1 ? path.replace(/\/+$/, "") : path;
    paths[key] ??= {};
    const target = paths[key];
    for (const [method, operation] of Object.entries(item)) {
      target[method] = METHODS.includes(method) ? finishOperation(operation as Json) : operation;
    }
  }
  doc.paths = paths;
  doc.servers = [{ url: serverUrl, description: "this instance (PUBLIC_BASE_URL)" }];
  const components = (doc.components as Json | undefined) ?? {};
  components.securitySchemes = { ...((components.securitySchemes as Json | undefined) ?? {}), ...SECURITY_SCHEMES };
  doc.components = components;
  return doc;
}
