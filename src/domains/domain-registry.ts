/**
 * Which domains exist, and the questions the link service and the redirect path ask of them:
 * the link key of a code on a request's host, whether a key may create on a domain, the root and
 * not-found redirects. The Host header is read as is; X-Forwarded-Host only when the socket peer is
 * a trusted proxy (TRUSTED_PROXIES), since anyone else can write it.
 */
import { Forbidden, Unprocessable } from "../errors";
import { isTrustedAddress, type Cidr, type PeerAddressSource } from "../ratelimit";
import { hostOfHeader, linkKey, normalizeHost, type ShortDomain } from "./short-domain";

export class DomainRegistry {
  private byHost = new Map<string, ShortDomain>();
  private roots = false;

  constructor(
    /** host of PUBLIC_BASE_URL */
    readonly defaultHost: string,
    /** the DOMAINS setting */
    private readonly configured: readonly ShortDomain[],
    private readonly trustedProxies: readonly Cidr[] = [],
  ) {
    this.apply([]);
  }

  /**
   * The domains added through the API (the store's current list), beside the configured ones; a
   * stored domain replaces a configured one of the same host, being the later and explicit say.
   */
  apply(stored: readonly ShortDomain[]): void {
    const next = new Map<string, ShortDomain>();
    for (const d of [...this.configured, ...stored]) if (d.host !== this.defaultHost) next.set(d.host, d);
    this.byHost = next;
    this.roots = [...next.values()].some((d) => d.rootRedirect !== null);
  }

  /** One domain added or changed in this process (others see it at their next refresh). */
  add(domain: ShortDomain): void {
    this.apply([...this.byHost.values()].filter((d) => d.host !== domain.host).concat(domain));
  }

  /** One domain removed in this process (others stop serving it at their next refresh). */
  remove(host: string): void {
    this.apply([...this.byHost.values()].filter((d) => d.host !== host));
  }

  /** Whether the DOMAINS setting names the host (the API cannot remove such a domain: the setting would bring it back). */
  isConfigured(host: string): boolean {
    return this.configured.some((d) => d.host === host);
  }

  /**
   * The hosts a creator may make links on, the default domain first: every domain that lists no
   * keys, and those that list this key (admins: all). What the dashboard offers in its picker;
   * domainForCreate still decides each create.
   */
  creatableBy(owner: string | null, isAdmin: boolean): string[] {
    const hosts = [...this.byHost.values()]
      .filter((d) => d.keys === null || isAdmin || (owner !== null && d.keys.includes(owner)))
      .map((d) => d.host)
      .sort();
    return [this.defaultHost, ...hosts];
  }

  /** true when only the default domain exists: the redirect path then skips every domain step */
  get isSingle(): boolean {
    return this.byHost.size === 0;
  }

  list(): ShortDomain[] {
    return [...this.byHost.values()];
  }

  find(host: string): ShortDomain | null {
    return this.byHost.get(host) ?? null;
  }

  /** The configured domain a request was sent to; null for the default domain or a host we do not serve. */
  domainOf(request: Request, peer: PeerAddressSource | null): ShortDomain | null {
    if (this.byHost.size === 0) return null;
    let raw = request.headers.get("host");
    const forwarded = request.headers.get("x-forwarded-host");
    if (forwarded !== null && this.trustedProxies.length > 0) {
      const socket = peer?.requestIP(request)?.address ?? null;
      if (socket !== null && isTrustedAddress(socket, this.trustedProxies)) raw = forwarded.split(",")[0]!.trim();
    }
    const host = hostOfHeader(raw);
    return host === null ? null : (this.byHost.get(host) ?? null);
  }

  /** true when some domain redirects its root: only then does `GET /` ask which domain it is on */
  get hasRootRedirects(): boolean {
    return this.roots;
  }

  /** `GET /` on a domain with a root redirect: the 302 there; null for everything else. */
  rootRedirect(request: Request, peer: PeerAddressSource | null): Response | null {
    if (request.method !== "GET" && request.method !== "HEAD") return null;
    const url = request.url;
    const path = url.indexOf("/", url.indexOf("//") + 2);
    if (path === -1 || (url.length !== path + 1 && url.charCodeAt(path + 1) !== 63) /* "?" */) return null;
    const target = this.domainOf(request, peer)?.rootRedirect ?? null;
    return target === null ? null : new Response(null, { status: 302, headers: { location: target, "cache-control": "no-store" } });
  }

  /** The link key a redirect looks up: `host/code` on a configured domain, the bare code otherwise. */
  keyFor(domain: ShortDomain | null, code: string): string {
    return domain === null ? code : `${domain.host}/${code}`;
  }

  /**
   * The domain a create names (null or absent: the default), checked: 422 unknown_domain when it is
   * not served here, 403 when the domain restricts creating to some keys and the caller is not one.
   * Answers the link key prefix's host (null for the default domain).
   */
  domainForCreate(raw: unknown, owner: string | null, isAdmin: boolean): string | null {
    if (raw === undefined || raw === null || raw === "") return null;
    const host = typeof raw === "string" ? normalizeHost(raw) : null;
    if (host === this.defaultHost) return null;
    const domain = host === null ? null : this.byHost.get(host);
    if (!domain) throw new Unprocessable("unknown_domain", `domain '${String(raw).slice(0, 100)}' is not served here`);
    if (domain.keys !== null && !isAdmin && (owner === null || !domain.keys.includes(owner))) {
      throw new Forbidden(`this key may not create links on ${domain.host}`);
    }
    return domain.host;
  }

  /** The link key of `code` on a domain named by an API caller (`?domain=`); 422 for one not served. */
  keyOf(code: string, rawDomain: string | undefined): string {
    if (rawDomain === undefined || rawDomain === "") return code;
    // The default host as links show it (`domain`), even one that is no host name (an IP literal).
    if (rawDomain.toLowerCase() === this.defaultHost) return code;
    const host = normalizeHost(rawDomain);
    if (host === this.defaultHost) return code;
    if (host === null || !this.byHost.has(host)) throw new Unprocessable("unknown_domain", `domain '${rawDomain.slice(0, 100)}' is not served here`);
    return linkKey(host, this.defaultHost, code);
  }
}
