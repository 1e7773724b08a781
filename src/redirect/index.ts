export { LinkResolver, type BlocklistScreen } from "./link-resolver";
export { createRedirectCore, type RedirectHandler, type RedirectCore } from "./redirect-handler";
export { redirectRoutes } from "./redirect-routes";
export type { UnlockHandler } from "./unlock-handler";
