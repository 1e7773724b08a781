export { LinkResolver } from "./link-resolver";
export { createRedirectCore, type RedirectHandler } from "./redirect-handler";
export { redirectRoutes } from "./redirect-routes";
export type { UnlockHandler } from "./unlock-handler";
