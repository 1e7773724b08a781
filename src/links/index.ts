export { LinkService, urlHash, type CreateResult, type LinkServiceDeps } from "./link-service";
export { linkRoutes } from "./link-routes";
export { legacyRoutes } from "./legacy-routes";
export { toLinkView, type LinkView } from "./link-view";
export { stateOf, toCachedLink, type LinkState } from "./link-state";
export { validateCreateInput, validateAlias, RESERVED_ALIASES, type CreateLinkInput } from "./link-input";
export { normalizeTargetUrl, privateTargetReason, type TargetUrlPolicy } from "./target-url";
