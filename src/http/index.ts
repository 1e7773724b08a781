export * from "./errors";
export { readJsonBody, readBodyText, isJsonContentType } from "./json-body";
export { errorHandler } from "./error-handler";
export { requireAdmin, hasAdmin } from "./bearer";
export { checkedQuery, parseQuery, ACCEPTS, type QuerySchema } from "./query-params";
export { EXPECTED, expectation, mustBe } from "./expectation";
export { fieldErrorCode } from "./field-codes";
