export * from "./errors";
export { readJsonBody, readBodyText, isJsonContentType } from "./json-body";
export { errorHandler } from "./error-handler";
export { requireAdmin, hasAdmin } from "./bearer";
export { HTML_SECURITY_HEADERS, PASSWORD_PAGE_SECURITY_HEADERS, ASSET_SECURITY_HEADERS } from "./security-headers";
export { checkedQuery, parseQuery, ACCEPTS, type QuerySchema } from "./query-params";
export { EXPECTED, expectation, mustBe } from "./expectation";
export { fieldErrorCode } from "./field-codes";
export { ensureRoutableUrl } from "./routable-url";
