export * from "./errors";
export { readJsonBody, readBodyText, isJsonContentType } from "./json-body";
export { errorHandler } from "./error-handler";
export { requireAdmin, hasAdmin } from "./bearer";
export { ensureRoutableUrl } from "./routable-url";
