/**
 * Maps every error to the JSON envelope exactly once. Client mistakes keep their status; anything
 * unexpected becomes a 500 whose body says nothing about internals (the log line has the detail).
 */
import { Elysia, ValidationError } from "elysia";
import { AppError, jsonError, toErrorResponse } from "./errors";

/** Schema failures are reported with the code of the field that failed, e.g. /maxClicks. */
const FIELD_CODES: Record<string, string> = {
  url: "invalid_url",
  long_url: "invalid_url",
  alias: "invalid_alias",
  expiresAt: "invalid_expiry",
  maxClicks: "invalid_max_clicks",
  redirectType: "invalid_redirect_type",
  reuse: "invalid_reuse",
  limit: "invalid_limit",
  cursor: "invalid_cursor",
  password: "invalid_password",
  forwardQuery: "invalid_forward_query",
  tags: "invalid_tags",
  utm: "invalid_utm",
  disabled: "invalid_disabled",
  links: "invalid_bulk",
  tag: "invalid_tag",
  q: "invalid_query",
  format: "invalid_format",
  size: "invalid_size",
};

export function validationResponse(error: ValidationError): Response {
  const first = error.valueError;
  const field = first?.path?.split("/").filter(Boolean)[0];
  if (first?.message === "Unexpected property" && field !== undefined && first.path.split("/").length === 2) {
    // Rejected rather than ignored: a typo such as "expiresat" must not silently drop an option.
    return jsonError(400, "unknown_field", `unknown field '${field}'`);
  }
  const code = (field && FIELD_CODES[field]) ?? "invalid_request";
  const where = first?.path ? `${first.path.slice(1) || "body"}: ` : "";
  const message = first ? `${where}${first.message}` : "request does not match the schema";
  return jsonError(400, code, message);
}

export const errorHandler = new Elysia({ name: "error-handler" }).onError({ as: "global" }, ({ code, error, request }) => {
  if (error instanceof AppError) return toErrorResponse(error);
  // Elysia wraps whatever a parse hook throws in a ParseError; our own body readers throw AppErrors.
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof AppError) return toErrorResponse(cause);
  switch (code) {
    case "VALIDATION":
      return validationResponse(error as ValidationError);
    case "PARSE":
      return jsonError(400, "invalid_json", "request body could not be parsed");
    case "NOT_FOUND":
      return jsonError(404, "not_found", `no route for ${request.method} ${new URL(request.url).pathname}`);
    case "INVALID_COOKIE_SIGNATURE":
      return jsonError(400, "invalid_cookie", "cookie signature is invalid");
    default: {
      const status = (error as { status?: unknown }).status;
      if (typeof status === "number" && status >= 400 && status < 500) {
        return jsonError(status, "bad_request", "the request could not be processed");
      }
      console.error(JSON.stringify({ level: "error", msg: "unhandled error", path: new URL(request.url).pathname, error: String((error as Error)?.stack ?? error) }));
      return jsonError(500, "internal", "something went wrong on our side");
    }
  }
});
