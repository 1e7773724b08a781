/**
 * Maps every error to the JSON envelope exactly once. Client mistakes keep their status; anything
 * unexpected becomes a 500 whose body says nothing about internals (the log line has the detail).
 */
import { Elysia, type ValidationError } from "elysia";
import { AppError, jsonError, toErrorResponse } from "../errors";
import { expectation, innerMismatch, mustBe, type SchemaShape } from "./expectation";
import { fieldErrorCode } from "./field-codes";
import { log } from "../log";

/**
 * Schema failures are reported with the code of the field that failed (/maxClicks ->
 * invalid_max_clicks) and a sentence built from the field's schema: "maxClicks must be a number or
 * null", never the validator's own "Expected union value".
 */
export function validationResponse(error: ValidationError): Response {
  const first = error.valueError as { path?: string; message?: string; schema?: SchemaShape; value?: unknown } | undefined;
  const segments = first?.path?.split("/").filter(Boolean) ?? [];
  const field = segments[0];
  if (first?.message === "Unexpected property" && field !== undefined && segments.length === 1) {
    // Rejected rather than ignored: a typo such as "expiresat" must not silently drop an option.
    return jsonError(400, "unknown_field", `unknown field '${field.slice(0, 40)}'`);
  }
  // A union that failed as a whole (an object or list of the right kind, wrong inside) is
  // reported where it went wrong: "utm.source must be text", "tags.0 must be text".
  const inner = first?.schema?.anyOf && first.value !== null && typeof first.value === "object" ? innerMismatch(first.schema, first.value) : null;
  if (inner !== null && inner.path.length > 0) {
    const path = [...segments, ...inner.path].join(".");
    if (inner.unknownProperty) return jsonError(400, "unknown_field", `unknown field '${path.slice(0, 60)}'`);
    const said = inner.value === undefined ? `${path} is required and must be ${expectation(inner.schema)}` : mustBe(path, inner.schema, inner.value);
    return jsonError(400, fieldErrorCode(field), said);
  }
  const where = segments.length > 0 ? segments.join(".") : "the request body";
  const message = !first
    ? "the request does not match the schema"
    : first.value === undefined
      ? `${where} is required and must be ${expectation(first.schema)}`
      : mustBe(where, first.schema, first.value);
  return jsonError(400, fieldErrorCode(field), message);
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
      log.error("unhandled error", { path: new URL(request.url).pathname, error: String((error as Error)?.stack ?? error) });
      return jsonError(500, "internal", "something went wrong on our side");
    }
  }
});
