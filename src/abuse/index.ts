export { DomainBlocklist, parseBlocklist } from "./domain-blocklist";
export { UrlSafety, SUSPICIOUS, type Verdict, type UrlSafetyOptions } from "./url-safety";
