/**
 * The short domains a deployment serves besides its default one (the host of PUBLIC_BASE_URL).
 * A link lives on one domain; the same code may exist on several. A link is stored, cached,
 * routed on the ring, invalidated and counted under its *link key*: the bare code on the default
 * domain (so every existing link keeps its key, row and shard), `host/code` on any other. Nothing
 * below the link service and the redirect path needs to know about domains at all.
 */
export interface ShortDomain {
  /** lower-case host name, without port */
  host: string;
  /** where `GET /` on this domain goes; null: the default behaviour (the dashboard) */
  rootRedirect: string | null;
  /** where an unknown code on this domain goes; null: the 404 */
  notFoundRedirect: string | null;
  /** API key ids that may create links here; null: anyone who may create */
  keys: string[] | null;
}

/** The link key of `code` on `host` (null or the default host: the bare code). */
export function linkKey(host: string | null, defaultHost: string, code: string): string {
  return host === null || host === defaultHost ? code : `${host}/${code}`;
}

/** A link key apart: the domain (null = default) and the code. */
export function splitLinkKey(key: string): { host: string | null; code: string } {
  const slash = key.lastIndexOf("/");
  return slash === -1 ? { host: null, code: key } : { host: key.slice(0, slash), code: key.slice(slash + 1) };
}

const HOST = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A host name as a domain's key: lower case, no port, no trailing dot; null when it is not one. */
export function normalizeHost(raw: string): string | null {
  let host = raw.trim().toLowerCase();
  if (host.endsWith(".")) host = host.slice(0, -1);
  return HOST.test(host) ? host : null;
}

/** The Host header's name without its port (IPv6 literals are not domains and give null). */
export function hostOfHeader(raw: string | null): string | null {
  if (raw === null || raw === "" || raw.startsWith("[")) return null;
  const colon = raw.indexOf(":");
  return (colon === -1 ? raw : raw.slice(0, colon)).toLowerCase();
}
