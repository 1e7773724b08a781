/**
 * What one click contributes to the "top" lists: referrer host, browser, OS, device type, country,
 * and for a link with an A/B split the variant it was sent to (other links have no variant row).
 * Values are normalised and length-capped here, because they are client-controlled and end up as
 * primary-key columns; a bounded vocabulary keeps the dimension table small.
 */
import type { LinkEvent } from "../events";
import { parseUserAgent, type UserAgentInfo } from "./user-agent";

export const DIMENSIONS = ["referrer", "browser", "os", "device", "country", "variant"] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** The value used when a click has no referrer (typed URL, app, privacy settings). */
export const DIRECT = "(direct)";
export const UNKNOWN = "(unknown)";
const MAX_HOST_LENGTH = 100;

/** The referrer's host name, lower case and without "www."; `(direct)` when absent or unreadable. */
export function referrerHost(referrer: string | null | undefined): string {
  if (referrer === null || referrer === undefined || referrer === "") return DIRECT;
  let host: string;
  try {
    host = new URL(referrer).hostname;
  } catch {
    return UNKNOWN;
  }
  host = host
    .toLowerCase()
    .replace(/^www\./, "")
    .replace(/\.$/, "");
  if (host === "") return UNKNOWN;
  return host.length > MAX_HOST_LENGTH ? host.slice(0, MAX_HOST_LENGTH) : host;
}

/** ISO 3166-1 alpha-2 from CF-IPCountry / X-Country-Code; Cloudflare's XX and T1 (Tor) included. */
export function countryCode(raw: string | null | undefined): string {
  if (raw === null || raw === undefined) return UNKNOWN;
  const code = raw.trim().toUpperCase();
  return /^[A-Z][A-Z0-9]$/.test(code) ? code : UNKNOWN;
}

/**
 * Real traffic repeats a few hundred user agents and referrers; parsing each once per process
 * instead of once per click takes most of the aggregation cost off the embedded redirect path.
 * Bounded: the memo is dropped whole when it fills (cheaper than LRU bookkeeping per lookup).
 */
const MEMO_LIMIT = 4096;
const uaMemo = new Map<string, UserAgentInfo>();
const referrerMemo = new Map<string, string>();

function memo<T>(cache: Map<string, T>, key: string, compute: () => T): T {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  if (cache.size >= MEMO_LIMIT) cache.clear();
  const value = compute();
  cache.set(key, value);
  return value;
}

const NO_AGENT = parseUserAgent(null);
const countryMemo = new Map<string, string>();

/** The parsed user agent, memoised: a redirect and an aggregation both ask for every click. */
export function agentInfo(userAgent: string | null | undefined): UserAgentInfo {
  return userAgent ? memo(uaMemo, userAgent, () => parseUserAgent(userAgent)) : NO_AGENT;
}

export function referrerValue(referrer: string | null | undefined): string {
  return referrer ? memo(referrerMemo, referrer, () => referrerHost(referrer)) : DIRECT;
}

export function countryValue(raw: string | null | undefined): string {
  return raw ? memo(countryMemo, raw, () => countryCode(raw)) : UNKNOWN;
}

/**
 * Whether a click from this user agent can count as a person. The redirect path asks it before
 * paying for the visitor hash (the socket address lookup and a hash): bots never count as unique
 * visitors, so their clicks need none.
 */
export function isHumanAgent(userAgent: string | null): boolean {
  return !agentInfo(userAgent).bot;
}

const MAX_VARIANT_LENGTH = 32;

/** The click's value for each of DIMENSIONS, in that order; null where the click has none (no split). */
export function dimensionValues(event: LinkEvent, ua: UserAgentInfo = agentInfo(event.user_agent)): Array<string | null> {
  const variant = typeof event.variant === "string" && event.variant !== "" ? event.variant.slice(0, MAX_VARIANT_LENGTH) : null;
  return [referrerValue(event.referrer), ua.browser, ua.os, ua.device, countryValue(event.country), variant];
}
