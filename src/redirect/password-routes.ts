/** POST /:code: the password form of a protected link posts here (the interstitial of GET /:code). */
import { Elysia, t } from "elysia";
import { ErrorResponse } from "../links/link-schemas";
import type { UnlockHandler } from "./unlock-handler";

export function passwordRoutes(unlock: UnlockHandler) {
  return new Elysia({ name: "link-password" }).post("/:code", ({ request, params, server }) => unlock(request, params.code, server), {
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
