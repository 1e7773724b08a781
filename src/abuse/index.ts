export { DomainBlocklist } from "./domain-blocklist";
export { UrlSafety } from "./url-safety";
