/**
 * GET/HEAD /:code, the hot path. A cached hit answers synchronously (no Promise, no I/O); the click
 * event is handed to the bus without waiting; nothing about analytics can slow or fail a redirect.
 */
import { MISSING, type CachedLink, type CacheEntry } from "../cache";
import { boundedUserAgent, countryOf, referrerOrigin, type EventBus, type EventIds } from "../events";
import { jsonError } from "../http/errors";
import { isHumanAgent } from "../analytics/click-dimensions";
import { isWellFormedCode } from "../ids";
import { clientAddress, type Cidr } from "../ratelimit/client-address";
import type { RedirectOutcome, RedirectStats } from "../observability/redirect-stats";
import type { LinkStore } from "../storage";
import type { LinkResolver, ResolveSource } from "./link-resolver";
import { acceptsHtml, htmlPage, passwordPage } from "./pages";
import { HTML_HEADERS, PASSWORD_PAGE_HEADERS, gone, locationFor } from "./redirect-responses";
import { linkState } from "../links";
import { createUnlockHandler, type UnlockHandler, type PasswordGuard } from "./unlock-handler";
import { log } from "../log";

export interface RedirectDeps {
  resolver: LinkResolver;
  store: LinkStore;
  bus: EventBus;
  eventIds: EventIds;
  nodeName: string;
  visitorSalt: string;
  /** proxies whose X-Forwarded-For names the visitor (otherwise every visitor behind HAProxy is one) */
  trustedProxies?: readonly Cidr[];
  /** off switch for measuring what publishing costs */
  publishClicks: boolean;
  /** hot-path counters read by /metrics */
  stats: RedirectStats;
  /** the dashboard's 404 page, for browsers following an unknown code */
  notFoundHtml?: Uint8Array<ArrayBuffer>;
  /** rate limit of password attempts per client and link (POST /:code) */
  passwordGuard?: PasswordGuard;
  /** checks a password against its hash (through the process's hashing gate) */
  verifyPassword?: (password: string, hash: string) => Promise<boolean>;
}

/** Where the client's address comes from (Bun's server); asked only when a click event needs it. */
export interface PeerSource {
  requestIP(request: Request): { address: string } | null;
}

export type RedirectHandler = (request: Request, code: string, peer: PeerSource | null) => Response | Promise<Response>;

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };
// Unknown codes are the cheapest attack on a shortener: their answer is built once, not per request.
const NOT_FOUND_JSON = JSON.stringify({ error: { code: "not_found", message: "no link with this code" } });

const DEFAULT_NOT_FOUND = htmlPage("Link not found", "This short link does not exist. Check it for typos.");

function redirect(link: CachedLink, request: Request): Response {
  // Limited links must reach us on every visit, so browsers may not cache their redirect.
  const cacheControl = link.maxClicks !== null || link.expiresAt !== null ? "no-store" : "private, max-age=90";
  return new Response(null, { status: link.redirectType, headers: { location: locationFor(link, request), "cache-control": cacheControl } });
}

function passwordForm(request: Request, code: string): Response {
  const q = request.url.indexOf("?");
  return new Response(passwordPage(code, q === -1 ? "" : request.url.slice(q), null), { status: 200, headers: PASSWORD_PAGE_HEADERS });
}

export interface RedirectCore {
  /** GET/HEAD /:code */
  handle: RedirectHandler;
  /** POST /:code: a password-protected link's form */
  unlock: UnlockHandler;
}

export function createRedirectHandler(deps: RedirectDeps): RedirectHandler {
  return createRedirectCore(deps).handle;
}

export function createRedirectCore(deps: RedirectDeps): RedirectCore {
  const { resolver, store, bus, eventIds, nodeName, visitorSalt, publishClicks, stats } = deps;
  const notFoundPage = deps.notFoundHtml ?? DEFAULT_NOT_FOUND;

  function notFound(request: Request): Response {
    if (acceptsHtml(request)) return new Response(notFoundPage, { status: 404, headers: HTML_HEADERS });
    return new Response(NOT_FOUND_JSON, { status: 404, headers: JSON_HEADERS });
  }

  const trusted = deps.trustedProxies ?? [];
  function visitorAddress(request: Request, peer: PeerSource | null): string | null {
    const socket = peer?.requestIP(request)?.address ?? null;
    if (socket === null || trusted.length === 0) return socket;
    return clientAddress(socket, request.headers.get("x-forwarded-for"), trusted);
  }

  /** Salted and rotated daily: counts unique visitors per day without keeping any IP address. */
  function visitorHash(ip: string | null, ua: string | null, now: number): string | null {
    return ip === null ? null : Bun.hash(`${visitorSalt}|${ip}|${ua ?? ""}|${Math.floor(now / 86_400_000)}`).toString(36);
  }

  function publish(
    request: Request,
    code: string,
    status: "OK" | "NOT_FOUND" | "ERROR",
    source: ResolveSource | "none" | "error",
    latencyMs: number,
    peer: PeerSource | null,
  ): void {
    if (!publishClicks || request.method === "HEAD") return;
    const headers = request.headers;
    // Client-controlled values, reduced and bounded (events/click-fields.ts): they travel in every click event.
    const ua = boundedUserAgent(headers.get("user-agent"));
    const now = Date.now();
    bus.publish("link.clicked", {
      event_id: eventIds.next(),
      type: "read",
      status,
      node: nodeName,
      redis: null,
      db: null,
      short_code: code,
      latency_ms: latencyMs,
      ts: now,
      cache: source === "l1" || source === "redis" ? "HIT" : "MISS",
      source,
      referrer: referrerOrigin(headers.get("referer")),
      user_agent: ua,
      country: countryOf(headers.get("cf-ipcountry") ?? headers.get("x-country-code")),
      // Bots never count as unique visitors, so they skip the address lookup and the hash.
      visitor: isHumanAgent(ua) ? visitorHash(visitorAddress(request, peer), ua, now) : null,
    });
  }

  /** Records the outcome (metrics) and publishes the click event; `source` says where the lookup was answered. */
  function settle(request: Request, code: string, outcome: RedirectOutcome, source: ResolveSource | "error", started: number, peer: PeerSource | null): void {
    const latencyMs = performance.now() - started;
    stats.record(outcome, source === "error" ? null : source === "l1" || source === "redis", latencyMs);
    if (outcome === "redirect") publish(request, code, "OK", source, latencyMs, peer);
    else if (outcome === "not_found") publish(request, code, "NOT_FOUND", "none", latencyMs, peer);
    else if (outcome === "error") publish(request, code, "ERROR", "error", latencyMs, peer);
  }

  function answer(
    request: Request,
    code: string,
    entry: CacheEntry,
    source: ResolveSource,
    started: number,
    peer: PeerSource | null,
  ): Response | Promise<Response> {
    if (entry === MISSING) {
      settle(request, code, "not_found", source, started, peer);
      return notFound(request);
    }
    const state = linkState(entry, Date.now());
    if (state !== "active") {
      settle(request, code, "gone", source, started, peer);
      return gone(request, state);
    }
    // The interstitial is not a visit: no click is spent or counted until the password is right.
    if (entry.password) return passwordForm(request, code);
    if (entry.maxClicks !== null) return limitedRedirect(request, code, entry, source, started, peer);
    settle(request, code, "redirect", source, started, peer);
    return redirect(entry, request);
  }

  /** maxClicks is enforced by an atomic conditional update in the store, never by a cached count. */
  async function limitedRedirect(
    request: Request,
    code: string,
    entry: CachedLink,
    source: ResolveSource,
    started: number,
    peer: PeerSource | null,
  ): Promise<Response> {
    if (request.method === "HEAD") {
      // A HEAD (link previews, checkers) must not spend a click, only report whether one is left.
      const record = await store.findByCode(code);
      return record && record.clicksConsumed < (record.maxClicks ?? Infinity) ? redirect(entry, request) : gone(request, "click_limit_reached");
    }
    const budget = await store.takeClick(code);
    if (budget !== "granted") {
      settle(request, code, budget === "missing" ? "not_found" : "gone", source, started, peer);
      return budget === "missing" ? notFound(request) : gone(request, "click_limit_reached");
    }
    settle(request, code, "redirect", source, started, peer);
    return redirect(entry, request);
  }

  const handle: RedirectHandler = (request, code, peer) => {
    const started = performance.now();
    if (!isWellFormedCode(code)) return notFound(request);
    const cached = resolver.peek(code);
    if (cached !== undefined) return answer(request, code, cached, "l1", started, peer);
    return resolver.resolve(code).then(
      (r) => answer(request, code, r.entry, r.source, started, peer),
      (error: unknown) => {
        settle(request, code, "error", "error", started, peer);
        log.error("redirect lookup failed", { code, error });
        return jsonError(503, "unavailable", "link storage is unavailable, try again shortly", { "retry-after": "1" });
      },
    );
  };

  const unlock = createUnlockHandler({
    store,
    passwordGuard: deps.passwordGuard,
    verifyPassword: deps.verifyPassword,
    notFound,
    onRedirect: (request, code, started, peer) => settle(request, code, "redirect", "primary", started, peer),
  });
  return { handle, unlock };
}
