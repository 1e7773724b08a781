/**
 * /:code in the app: GET and HEAD follow a link, POST unlocks a password-protected one (the
 * interstitial's form posts here). The app mounts these for in-process requests and the OpenAPI
 * document; the server binds the same `redirect` handler as a native Bun route (server/http-server.ts)
 * so real traffic skips the framework's routing. Every route passes Bun's server as the peer.
 */
import { Elysia, t } from "elysia";
import { ErrorResponse, alsoAnswers } from "../http";

/** What following a link answers besides the errors: the link's redirect type, or the password form. */
const FOLLOW_RESPONSES = {
  "200": { description: "a password-protected link's form (HTML)", content: { "text/html": { schema: { type: "string" } } } },
  "301": { description: "to the target (the link's redirect type 301)" },
  "302": { description: "to the target (the default redirect type)" },
  "307": { description: "to the target (the link's redirect type 307)" },
  "308": { description: "to the target (the link's redirect type 308)" },
};
import type { RedirectHandler } from "./redirect-handler";
import type { UnlockHandler } from "./unlock-handler";

export function redirectRoutes({ redirect, unlock }: { redirect: RedirectHandler; unlock: UnlockHandler }) {
  return new Elysia({ name: "redirect" })
    .get("/:code", ({ request, params, server }) => redirect(request, params.code, server), {
      detail: {
        summary: "Follow a short link (302 or the link's redirect type; 404 unknown; 410 deleted/disabled/expired/used up)",
        tags: ["redirect"],
        security: [],
        ...alsoAnswers(FOLLOW_RESPONSES),
      },
      response: { 404: ErrorResponse, 410: ErrorResponse },
    })
    .head("/:code", ({ request, params, server }) => redirect(request, params.code, server), {
      detail: {
        summary: "Check a short link without counting a click",
        tags: ["redirect"],
        security: [],
        ...alsoAnswers({ ...FOLLOW_RESPONSES, "404": { description: "no such code" }, "410": { description: "deleted, disabled, expired or used up" } }),
      },
    })
    .post("/:code", ({ request, params, server }) => unlock(request, params.code, server), {
      // The handler reads the form itself (size-capped); Elysia must not consume the body first.
      parse: "none",
      detail: {
        summary: "Unlock a password-protected link",
        description:
          "Form field (application/x-www-form-urlencoded) or JSON property `password`. Right: 303 to the target (spends a click of a limited link). " +
          "Wrong: 401 (the form again for browsers, JSON wrong_password otherwise). Attempts are rate limited per client and link (RATE_LIMIT_PASSWORD).",
        tags: ["redirect"],
        requestBody: {
          content: {
            "application/x-www-form-urlencoded": { schema: { type: "object", properties: { password: { type: "string" } }, required: ["password"] } },
            "application/json": { schema: { type: "object", properties: { password: { type: "string" } }, required: ["password"] } },
          },
        },
      },
      response: {
        303: t.Null({ description: "to the target" }),
        400: ErrorResponse,
        401: ErrorResponse,
        404: ErrorResponse,
        410: ErrorResponse,
        429: ErrorResponse,
      },
    });
}
