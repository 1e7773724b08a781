export { readJsonBody, readBodyText, isJsonContentType } from "./json-body";
export { errorHandler } from "./error-handler";
export { ErrorResponse } from "./error-schema";
export { HTML_SECURITY_HEADERS, PASSWORD_PAGE_SECURITY_HEADERS, ASSET_SECURITY_HEADERS } from "./security-headers";
export { checkedQuery, ACCEPTS } from "./query-params";
export { EXPECTED } from "./expectation";
export { ensureRoutableUrl } from "./routable-url";
export { EXTRA_RESPONSES, alsoAnswers, type DocumentedResponse } from "./documented-responses";
export { corsRoutes, createCorsPolicy, corsHeaders, preflightResponse, CORS_MAX_AGE } from "./cors";
