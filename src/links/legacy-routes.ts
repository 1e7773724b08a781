/**
 * Endpoints of the two systems ringlink replaces, so their clients keep working unchanged:
 * `POST /create {long_url}` -> `{short_url}` and the HTML form `POST /shorten` (field long_url).
 */
import { Elysia } from "elysia";
import { ErrorResponse, HTML_SECURITY_HEADERS, alsoAnswers, isJsonContentType, readBodyText, readJsonBody } from "../http";
import { AppError, InvalidInput, UnsupportedMediaType } from "../errors";
import { ownerIdOf, type Authenticate } from "../keys";
import { limitedBy, type RateLimitGuard } from "../ratelimit";
import type { LinkAccess } from "./link-access";
import { LegacyCreateBody, LegacyCreateResponse } from "./link-schemas";
import type { LinkService } from "./link-service";

export interface LegacyRoutesOptions {
  service: LinkService;
  publicBaseUrl: string;
  maxBodyBytes: number;
  createGuard: RateLimitGuard;
  access: LinkAccess;
  authenticate: Authenticate;
}

async function readForm(request: Request, limit: number): Promise<Record<string, unknown>> {
  const type = request.headers.get("content-type");
  if (isJsonContentType(type)) return (await readJsonBody(request, limit)) as Record<string, unknown>;
  if (type?.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(await readBodyText(request, limit)));
  }
  if (type?.toLowerCase().startsWith("multipart/form-data")) {
    const text = await readBodyText(request, limit);
    const form = await new Response(text, { headers: { "content-type": type } }).formData().catch(() => {
      throw new InvalidInput("invalid_form", "request body is not valid multipart/form-data (check the boundary and the parts)");
    });
    return Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === "string"));
  }
  throw new UnsupportedMediaType("application/x-www-form-urlencoded, multipart/form-data or application/json");
}

/** Refusals a person can fix in the form (input, alias taken, key needed, refused target). */
const BROWSER_ERRORS = new Set([400, 401, 409, 422]);

function backToDashboard(set: { status?: number | string; headers: Record<string, string | number> }, query: string): string {
  set.status = 303;
  Object.assign(set.headers, HTML_SECURITY_HEADERS, { location: `/?${query}` });
  return "";
}

function wantsJson(request: Request): boolean {
  const accept = request.headers.get("accept") ?? "";
  return accept.includes("application/json") || (!accept.includes("text/html") && isJsonContentType(request.headers.get("content-type")));
}

export function legacyRoutes({ service, publicBaseUrl, maxBodyBytes, createGuard, access, authenticate }: LegacyRoutesOptions) {
  const guard = limitedBy(createGuard);
  return new Elysia({ name: "legacy-links" })
    .post(
      "/create",
      async ({ body, request, server }) => {
        // The same access rules as the main API: ANON_CREATE, and a key's links are owned by it.
        const principal = await authenticate(request, server);
        await access.assertMayCreate(principal, {});
        const { link } = await service.create({ url: body.long_url }, { owner: ownerIdOf(principal) });
        return { short_url: `${publicBaseUrl}/${link.code}` };
      },
      {
        parse: [({ request }) => readJsonBody(request, maxBodyBytes), "json"],
        beforeHandle: guard,
        body: LegacyCreateBody,
        detail: { summary: "Compatibility: shorten {long_url}", tags: ["compatibility"], security: [{}, { bearer: [] }] },
        response: { 200: LegacyCreateResponse, 400: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse, 429: ErrorResponse },
      },
    )
    .post(
      "/shorten",
      async ({ request, set, server }) => {
        const form = await readForm(request, maxBodyBytes);
        const json = wantsJson(request);
        try {
          if (typeof form.long_url !== "string") throw new InvalidInput("invalid_url", "form field long_url is required");
          const principal = await authenticate(request, server);
          await access.assertMayCreate(principal, { alias: form.alias });
          const { link } = await service.create(
            {
              url: form.long_url,
              alias: form.alias || undefined,
              expiresAt: typeof form.expires_at === "string" && form.expires_at !== "" ? toIso(form.expires_at) : undefined,
            },
            { owner: ownerIdOf(principal) },
          );
          if (json) return { short_url: `${publicBaseUrl}/${link.code}` };
          return backToDashboard(set, `created=${encodeURIComponent(link.code)}`);
        } catch (error) {
          // A browser that posted the plain HTML form gets the dashboard back with the reason shown.
          // Only the error's code travels: the page shows its own text for it, never text taken
          // from its address (which anyone can put in a link).
          if (json || !(error instanceof AppError) || !BROWSER_ERRORS.has(error.status)) throw error;
          return backToDashboard(set, `error=${encodeURIComponent(error.code)}`);
        }
      },
      {
        parse: "none",
        beforeHandle: guard,
        detail: {
          summary: "Compatibility: HTML form field long_url; JSON {short_url} or a redirect to the dashboard",
          tags: ["compatibility"],
          security: [{}, { bearer: [] }],
          requestBody: {
            content: {
              "application/x-www-form-urlencoded": {
                schema: {
                  type: "object",
                  properties: { long_url: { type: "string" }, alias: { type: "string" }, expires_at: { type: "string" } },
                  required: ["long_url"],
                },
              },
            },
          },
          ...alsoAnswers({
            200: { description: "JSON {short_url} (Accept: application/json)", content: { "application/json": { schema: LegacyCreateResponse } } },
            303: { description: "back to the dashboard with the new code or the refusal's code" },
          }),
        },
      },
    );
}

/** A datetime-local field has no zone: read it as UTC unless it says otherwise. */
function toIso(value: string): string {
  return /[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value.length === 16 ? `${value}:00` : value}Z`;
}
