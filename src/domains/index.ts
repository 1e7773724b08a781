export { linkKey, splitLinkKey, normalizeHost, hostOfHeader, type ShortDomain } from "./short-domain";
export { DomainRegistry } from "./domain-registry";
export { parseDomains } from "./domain-setting";
export { toDomain, type DomainRow, type DomainStore } from "./domain-store";
export { domainRoutes } from "./domain-routes";
