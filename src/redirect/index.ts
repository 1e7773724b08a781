export { LinkResolver, type Resolution, type ResolveSource, type BlocklistScreen } from "./link-resolver";
export { createRedirectHandler, createRedirectCore, type RedirectHandler, type RedirectDeps, type RedirectCore } from "./redirect-handler";
export { htmlPage, acceptsHtml, passwordPage } from "./pages";
export { forwardQuery } from "./query-forwarding";
export { passwordRoutes } from "./password-routes";
export type { UnlockHandler, PasswordGuard } from "./unlock-handler";
