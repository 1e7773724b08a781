export { LinkResolver, type Resolution, type ResolveSource } from "./link-resolver";
export { createRedirectHandler, type RedirectHandler, type RedirectDeps } from "./redirect-handler";
export { htmlPage, acceptsHtml } from "./pages";
