/**
 * The one set of typed errors the API speaks. Services throw these; `toErrorResponse` maps them to
 * a status and the `{ error: { code, message } }` envelope in exactly one place.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidInput extends AppError {
  constructor(code: string, message: string) {
    super(400, code, message);
  }
}
export class Unauthorized extends AppError {
  constructor(message = "a bearer token is required") {
    super(401, "unauthorized", message, { "www-authenticate": 'Bearer realm="ringlink"' });
  }
}
export class Forbidden extends AppError {
  constructor(message = "this token may not do that") {
    super(403, "forbidden", message);
  }
}
export class NotFound extends AppError {
  constructor(message = "no such link", code = "not_found") {
    super(404, code, message);
  }
}
export class Conflict extends AppError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}
/** A link that no longer redirects; its code comes from the link-state rule (links/link-state.ts). */
export class Gone extends AppError {
  constructor(code: string, message: string) {
    super(410, code, message);
  }
}
/** Well-formed input refused on its merits: a blocklisted domain, a URL the classifier deems unsafe. */
export class Unprocessable extends AppError {
  constructor(code: string, message: string) {
    super(422, code, message);
  }
}
export class PayloadTooLarge extends AppError {
  constructor(limit: number) {
    super(413, "payload_too_large", `request body is larger than ${limit} bytes`);
  }
}
export class UnsupportedMediaType extends AppError {
  constructor(expected: string) {
    super(415, "unsupported_media_type", `content-type must be ${expected}`);
  }
}
export class RateLimited extends AppError {
  constructor(retryAfterSeconds: number, headers: Record<string, string> = {}, message = "too many requests, slow down") {
    super(429, "rate_limited", message, {
      ...headers,
      "retry-after": String(Math.max(1, Math.ceil(retryAfterSeconds))),
    });
  }
}
export class Unavailable extends AppError {
  constructor(message: string, retryAfterSeconds = 1) {
    super(503, "unavailable", message, { "retry-after": String(retryAfterSeconds) });
  }
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

export function jsonError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(errorBody(code, message)), { status, headers: { ...JSON_HEADERS, ...headers } });
}

export function toErrorResponse(error: AppError): Response {
  return jsonError(error.status, error.code, error.message, error.headers);
}
