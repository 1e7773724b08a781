/**
 * GET|HEAD /:code, the hot path, in the order a request meets it: the rate-limit guard (only when
 * RATE_LIMIT_REDIRECT is set), malformed codes refused before any I/O, the lookup (L1 answers
 * synchronously: no Promise, no I/O), the answer by the link-state rule, the click event handed to
 * the bus without waiting, and the access log line (ACCESS_LOG=all). The native Bun route and the
 * app's Elysia routes call this one handler (redirect-routes.ts); nothing about analytics can slow
 * or fail a redirect.
 *
 * A link with rules, a split or a preview carries them compiled in its cached entry (`routing`); an
 * ordinary link pays one field check for the feature, and a routed one is still answered without
 * I/O: the rules read the request only, the split reads the visitor hash.
 */
import { MISSING, type CachedLink, type CacheEntry } from "../cache";
import { agentInfo, isHumanAgent } from "../analytics";
import { boundedUserAgent, countryOf, referrerOrigin, type EventBus, type EventIds } from "../events";
import { AppError, jsonError, toErrorResponse } from "../errors";
import type { CountryLookup } from "../geo";
import { isWellFormedCode } from "../ids";
import { linkState } from "../links";
import { log } from "../log";
import { logRequest, type RedirectOutcome, type RedirectStats } from "../observability";
import { clientAddress, isTrustedPeer, type Cidr, type PeerAddressSource, type RateLimitGuard } from "../ratelimit";
import type { LinkStore } from "../storage";
import { SpanStatusCode, startRedirectSpan, withSpan } from "../tracing";
import { VisitFacts, decide, isPreviewCrawler, type CompiledRouting } from "../routing";
import type { DomainRegistry, ShortDomain } from "../domains";
import type { LinkResolver, ResolveSource } from "./link-resolver";
import { acceptsHtml, htmlPage, passwordPage } from "./pages";
import { HTML_HEADERS, PASSWORD_PAGE_HEADERS, PREVIEW_PAGE_HEADERS, gone, locationFor } from "./redirect-responses";
import { createUnlockHandler, type UnlockHandler } from "./unlock-handler";
import { VisitorHasher } from "./visitor-hash";

/** `peer` is Bun's server (for the client's address); null only where there is no socket (tools, some tests). */
export type RedirectHandler = (request: Request, code: string, peer: PeerAddressSource | null) => Response | Promise<Response>;

export interface RedirectDeps {
  /** short domains besides the default (absent or a single domain: codes are link keys as they are) */
  domains?: DomainRegistry;
  resolver: LinkResolver;
  store: LinkStore;
  bus: EventBus;
  eventIds: EventIds;
  nodeName: string;
  visitorSalt: string;
  /** proxies whose X-Forwarded-For names the visitor (otherwise every visitor behind HAProxy is one) */
  trustedProxies?: readonly Cidr[];
  /** GEOIP_DATABASE: the visitor's country when no trusted CDN header names it; null = header only */
  countries?: CountryLookup | null;
  /** TRACE_REDIRECTS when tracing is on: the share of redirects traced; 0 or absent = none */
  traceRatio?: number;
  /** RATE_LIMIT_REDIRECT; null: redirects are not limited (and pay nothing for it) */
  guard?: RateLimitGuard | null;
  /** off switch for measuring what publishing costs */
  publishClicks: boolean;
  /** ACCESS_LOG=all: one log line per redirect (at tens of thousands a second it costs more than the redirect) */
  logRequests?: boolean;
  /** hot-path counters read by /metrics */
  stats: RedirectStats;
  /** the dashboard's 404 page, for browsers following an unknown code */
  notFoundHtml?: Uint8Array<ArrayBuffer>;
  /** POST /:code: password attempts per client and link */
  passwordGuard?: RateLimitGuard;
  /** checks a password against its hash (through the process's hashing gate) */
  verifyPassword?: (password: string, hash: string) => Promise<boolean>;
}

/** One request on its way through: what every step below needs, made once per request. */
export interface Visit {
  request: Request;
  code: string;
  /** what the code is stored, cached and counted under: the code, or `host/code` on another domain */
  key: string;
  /** the configured domain the request came to; absent: the default domain */
  domain?: ShortDomain | null;
  peer: PeerAddressSource | null;
  /** performance.now() when the request arrived */
  started: number;
  /** the A/B variant this visit was sent to (links with a split only) */
  variant?: string | null;
  /** the client's address once something needed it (rules, split, click event): read once per visit */
  address?: string | null;
}

export interface RedirectCore {
  /** GET|HEAD /:code */
  redirect: RedirectHandler;
  /** POST /:code: a password-protected link's form */
  unlock: UnlockHandler;
}

export function createRedirectCore(deps: RedirectDeps): RedirectCore {
  const { resolver, store, bus, eventIds, nodeName, visitorSalt, publishClicks, stats } = deps;
  const guard = deps.guard ?? null;
  const logRequests = deps.logRequests === true;
  const trusted = deps.trustedProxies ?? [];
  const notFoundPage = deps.notFoundHtml ?? DEFAULT_NOT_FOUND;
  const countries = deps.countries ?? null;

  const traceRatio = deps.traceRatio ?? 0;
  const visitors = new VisitorHasher(visitorSalt);

  // Domains may be added while running (POST /api/v1/domains), so "only the default domain" is
  // asked per request: one size check when no other domain is served.
  const domains = deps.domains ?? null;

  const handle: RedirectHandler = (request, code, peer) => {
    const visit: Visit = { request, code, key: code, peer, started: performance.now() };
    const response = guard === null ? follow(visit) : guarded(visit, guard);
    return logRequests ? logged(visit, response) : response;
  };
  // Untraced (the default), the redirect pays one comparison for tracing.
  const redirect: RedirectHandler = (request, code, peer) =>
    traceRatio !== 0 && Math.random() < traceRatio ? traced(request, code, peer) : handle(request, code, peer);

  /** A sampled redirect: one span from arrival to the answer, with its status and where the lookup was answered. */
  function traced(request: Request, code: string, peer: PeerAddressSource | null): Response | Promise<Response> {
    const span = startRedirectSpan(code, request.method);
    const end = (response: Response) => {
      span.setAttribute("http.response.status_code", response.status);
      span.end();
      return response;
    };
    const response = withSpan(span, () => handle(request, code, peer));
    return response instanceof Promise
      ? response.then(end, (error: unknown) => {
          span.setStatus({ code: SpanStatusCode.ERROR }).end();
          throw error;
        })
      : end(response);
  }

  /** The client's budget first; a refusal is the JSON 429 with Retry-After, whatever routed the request. */
  async function guarded(visit: Visit, limit: RateLimitGuard): Promise<Response> {
    let headers: Record<string, string>;
    try {
      headers = await limit(visit.request, visit.peer);
    } catch (error) {
      if (error instanceof AppError) return toErrorResponse(error);
      throw error;
    }
    const response = await follow(visit);
    for (const [k, v] of Object.entries(headers)) response.headers.set(k, v);
    return response;
  }

  function follow(visit: Visit): Response | Promise<Response> {
    if (domains !== null && !domains.isSingle) {
      visit.domain = domains.domainOf(visit.request, visit.peer);
      visit.key = domains.keyFor(visit.domain, visit.code);
    }
    if (!isWellFormedCode(visit.code)) return notFound(visit.request, visit.domain);
    const cached = resolver.peek(visit.key);
    if (cached !== undefined) return answer(visit, cached, "l1");
    let now: CacheEntry | undefined;
    try {
      now = resolver.resolveNow(visit.key);
    } catch (error) {
      return lookupFailed(visit, error);
    }
    if (now !== undefined) return answer(visit, now, "primary");
    return resolver.resolve(visit.key).then(
      (found) => answer(visit, found.entry, found.source),
      (error: unknown) => lookupFailed(visit, error),
    );
  }

  function lookupFailed(visit: Visit, error: unknown): Response {
    settle(visit, "error", "error");
    log.error("redirect lookup failed", { code: visit.key, error });
    return jsonError(503, "unavailable", "link storage is unavailable, try again shortly", { "retry-after": "1" });
  }

  function answer(visit: Visit, entry: CacheEntry, source: ResolveSource): Response | Promise<Response> {
    if (entry === MISSING) {
      settle(visit, "not_found", source);
      return notFound(visit.request, visit.domain);
    }
    const state = linkState(entry, Date.now());
    if (state !== "active") {
      settle(visit, "gone", source);
      return gone(visit.request, state);
    }
    if (entry.routing !== undefined) return routed(visit, entry, entry.routing, source);
    // The interstitial is not a visit: no click is spent or counted until the password is right.
    if (entry.password) return passwordForm(visit);
    if (entry.maxClicks !== null) return limitedRedirect(visit, entry, source);
    settle(visit, "redirect", source);
    return redirectTo(entry, visit.request);
  }

  /**
   * A link with rules, a split or a preview. A preview crawler gets the preview page (counted as a
   * bot click; it spends no click budget and needs no password: the page shows only what the owner
   * wrote for it, never the target). Everyone else: first matching rule, else the split's variant,
   * else the link's own target.
   */
  function routed(visit: Visit, entry: CachedLink, routing: CompiledRouting, source: ResolveSource): Response | Promise<Response> {
    const { request } = visit;
    if (routing.previewHtml !== null && isPreviewCrawler(request.headers.get("user-agent"))) {
      settle(visit, "redirect", source);
      return new Response(routing.previewHtml, { status: 200, headers: PREVIEW_PAGE_HEADERS });
    }
    if (entry.password) return passwordForm(visit);
    const target = routedTarget(visit, entry, routing);
    if (entry.maxClicks !== null) return limitedRedirect(visit, entry, source, target);
    settle(visit, "redirect", source);
    return redirectTo(entry, request, target);
  }

  /** Where rules and split send this visit (the variant noted on the visit for its click event). */
  function routedTarget(visit: Visit, entry: CachedLink, routing: CompiledRouting): string {
    const { request } = visit;
    const clientIp = () => visitorAddress(visit);
    const facts = new VisitFacts({ request, parseAgent: agentInfo, clientIp, now: Date.now() });
    const decision = decide(routing, facts, () => splitBucket(clientIp(), request.headers.get("user-agent"), visit.key, facts.now));
    visit.variant = decision.variant;
    return decision.url ?? entry.url;
  }

  /**
   * 0-99 from the visitor hash's inputs (salt, address, user agent, UTC day) and the code: the same
   * person lands in the same bucket all day without a cookie, and two links split independently.
   */
  function splitBucket(ip: string | null, ua: string | null, code: string, now: number): number {
    return Number(Bun.hash.wyhash(`${visitorSalt}|${ip ?? ""}|${ua ?? ""}|${Math.floor(now / 86_400_000)}|${code}`) % 100n);
  }

  /** maxClicks is enforced by an atomic conditional update in the store, never by a cached count. */
  async function limitedRedirect(visit: Visit, entry: CachedLink, source: ResolveSource, target: string = entry.url): Promise<Response> {
    const { request, key: code } = visit;
    if (request.method === "HEAD") {
      // A HEAD (link previews, checkers) must not spend a click, only report whether one is left.
      const record = await store.findByCode(code);
      return record && record.clicksConsumed < (record.maxClicks ?? Infinity) ? redirectTo(entry, request, target) : gone(request, "click_limit_reached");
    }
    const budget = await store.takeClick(code);
    if (budget !== "granted") {
      settle(visit, budget === "missing" ? "not_found" : "gone", source);
      return budget === "missing" ? notFound(request, visit.domain) : gone(request, "click_limit_reached");
    }
    settle(visit, "redirect", source);
    return redirectTo(entry, request, target);
  }

  /** Records the outcome (metrics) and publishes the click event; `source` says where the lookup was answered. */
  function settle(visit: Visit, outcome: RedirectOutcome, source: ResolveSource | "error"): void {
    const latencyMs = performance.now() - visit.started;
    stats.record(outcome, source === "error" ? null : source === "l1" || source === "redis", latencyMs);
    if (outcome === "redirect") publishClick(visit, "OK", source, latencyMs);
    else if (outcome === "not_found") publishClick(visit, "NOT_FOUND", "none", latencyMs);
    else if (outcome === "error") publishClick(visit, "ERROR", "error", latencyMs);
  }

  function publishClick(visit: Visit, status: "OK" | "NOT_FOUND" | "ERROR", source: ResolveSource | "none" | "error", latencyMs: number): void {
    const { request } = visit;
    if (!publishClicks || request.method === "HEAD") return;
    const headers = request.headers;
    // Client-controlled values, reduced and bounded (events/click-fields.ts): they travel in every click event.
    const ua = boundedUserAgent(headers.get("user-agent"));
    const now = Date.now();
    // Bots never count as unique visitors or in the top lists, so they skip the address lookup,
    // the hash and the country lookup; so do unknown codes and errors, which count nobody.
    const counted = status === "OK" && isHumanAgent(ua);
    const address = counted ? visitorAddress(visit) : null;
    bus.publish("link.clicked", {
      event_id: eventIds.next(),
      type: "read",
      status,
      node: nodeName,
      redis: null,
      db: null,
      short_code: visit.key,
      latency_ms: latencyMs,
      ts: now,
      cache: source === "l1" || source === "redis" ? "HIT" : "MISS",
      source,
      referrer: referrerOrigin(headers.get("referer")),
      user_agent: ua,
      country: visitorCountry(visit, address),
      visitor: counted ? visitors.of(address, ua, now) : null,
      variant: visit.variant,
    });
  }

  /**
   * A CDN's country header wins when it is believed: always without TRUSTED_PROXIES (as before),
   * otherwise only from a trusted peer, so a client cannot name its own country. Without one, the
   * address is looked up here; the raw address never leaves this process, only the code does.
   */
  function visitorCountry(visit: Visit, address: string | null): string | null {
    const headers = visit.request.headers;
    const claimed = countryOf(headers.get("cf-ipcountry") ?? headers.get("x-country-code"));
    if (claimed !== null && (trusted.length === 0 || isTrustedPeer(visit.request, visit.peer, trusted))) return claimed;
    return countries !== null && address !== null ? countries.country(address) : null;
  }

  function visitorAddress(visit: Visit): string | null {
    if (visit.address !== undefined) return visit.address;
    const { request, peer } = visit;
    const socket = peer?.requestIP(request)?.address ?? null;
    visit.address = socket === null || trusted.length === 0 ? socket : clientAddress(socket, request.headers.get("x-forwarded-for"), trusted);
    return visit.address;
  }

  /** The canonical log line of a redirect, once its answer is known. */
  function logged(visit: Visit, response: Response | Promise<Response>): Response | Promise<Response> {
    const line = (res: Response) => {
      logRequest({ method: visit.request.method, route: "/:code", status: res.status, ms: performance.now() - visit.started });
      return res;
    };
    return response instanceof Promise ? response.then(line) : line(response);
  }

  /** A domain with a not-found redirect sends unknown codes there; otherwise the 404 (HTML for browsers). */
  function notFound(request: Request, domain?: ShortDomain | null): Response {
    if (domain?.notFoundRedirect) return new Response(null, { status: 302, headers: { location: domain.notFoundRedirect, "cache-control": "no-store" } });
    if (acceptsHtml(request)) return new Response(notFoundPage, { status: 404, headers: NOT_FOUND_HTML_HEADERS });
    return new Response(NOT_FOUND_JSON, { status: 404, headers: NOT_FOUND_JSON_HEADERS });
  }

  const unlock = createUnlockHandler({
    store,
    passwordGuard: deps.passwordGuard,
    verifyPassword: deps.verifyPassword,
    notFound,
    keyOf: domains === null ? undefined : (request, peer, code) => domains.keyFor(domains.domainOf(request, peer), code),
    // After the password, rules and split choose the target as they would have without one.
    targetOf: (visit, entry) => (entry.routing === undefined ? entry.url : routedTarget(visit, entry, entry.routing)),
    onRedirect: (visit) => settle(visit, "redirect", "primary"),
  });
  return { redirect, unlock };
}

// Built once: a Response copies a Headers instance in about half the time it builds one from an object.
const NOT_FOUND_JSON_HEADERS = new Headers({ "content-type": "application/json; charset=utf-8" });
const NOT_FOUND_HTML_HEADERS = new Headers(HTML_HEADERS);
// Unknown codes are the cheapest attack on a shortener: their answer is built once, not per request.
const NOT_FOUND_JSON = JSON.stringify({ error: { code: "not_found", message: "no link with this code" } });
const DEFAULT_NOT_FOUND = htmlPage("Link not found", "This short link does not exist. Check it for typos.", 404);

function redirectTo(link: CachedLink, request: Request, target?: string): Response {
  if (target === undefined && !link.forwardQuery) return new Response(null, { status: link.redirectType, headers: plainRedirectHeaders(link) });
  return new Response(null, { status: link.redirectType, headers: { location: locationFor(link, request, target), "cache-control": cacheControlOf(link) } });
}

function cacheControlOf(link: CachedLink): string {
  // Limited links must reach us on every visit, so browsers may not cache their redirect; nor may
  // they keep a routed link's answer, which depends on who asks and when.
  return link.maxClicks !== null || link.expiresAt !== null || link.routing !== undefined ? "no-store" : "private, max-age=90";
}

/**
 * A link whose answer is the same for everyone gets its headers built once, while it is cached:
 * a Response copies a Headers in about half the time it takes to build one from an object.
 */
const plainHeaders = new WeakMap<CachedLink, Headers>();

function plainRedirectHeaders(link: CachedLink): Headers {
  let headers = plainHeaders.get(link);
  if (headers === undefined) {
    headers = new Headers({ location: link.url, "cache-control": cacheControlOf(link) });
    plainHeaders.set(link, headers);
  }
  return headers;
}

function passwordForm({ request, code }: Visit): Response {
  const q = request.url.indexOf("?");
  return new Response(passwordPage(code, q === -1 ? "" : request.url.slice(q), null), { status: 200, headers: PASSWORD_PAGE_HEADERS });
}
