/**
 * How a CachedLink is stored in Redis: compact JSON with one-letter keys, optional fields left out
 * (a typical entry is the URL plus ~12 bytes). The negative entry is the bare string "0", which no
 * JSON object can be, so a cached "no such code" is never mistaken for a link.
 *
 * Compatibility: the link-management fields (x, p, q) are optional and absent for ordinary links,
 * so entries written before them decode as "serving, no password, no forwarding", and a process
 * that predates them ignores the keys it does not know. The same holds for `r`, a link's routing
 * (rules, split, preview) as stored, compiled again by the process that reads the entry.
 */
import type { CachedLink, CacheEntry } from "../link-cache";
import { MISSING } from "../link-cache";
import type { RedirectType } from "../../storage";
import { compileRouting, type LinkRouting } from "../../routing";

export const MISSING_VALUE = "0";

interface Stored {
  u: string;
  t: RedirectType;
  e?: number;
  m?: number;
  d?: 1;
  /** disabled: "m" manual, "u" unsafe */
  x?: "m" | "u";
  /** password protected */
  p?: 1;
  /** forwards the query string */
  q?: 1;
  /** rules, split and preview as stored on the link */
  r?: LinkRouting;
}

export function encodeLink(link: CachedLink): string {
  const stored: Stored = { u: link.url, t: link.redirectType };
  if (link.expiresAt !== null) stored.e = link.expiresAt;
  if (link.maxClicks !== null) stored.m = link.maxClicks;
  if (link.deleted) stored.d = 1;
  if (link.disabled !== null) stored.x = link.disabled === "unsafe" ? "u" : "m";
  if (link.password) stored.p = 1;
  if (link.forwardQuery) stored.q = 1;
  if (link.routing !== undefined) stored.r = link.routing.source;
  return JSON.stringify(stored);
}

const REDIRECT_TYPES = new Set([301, 302, 307, 308]);

/** Decodes a stored value; anything unrecognisable is reported as `null` (treated as a miss). */
export function decodeEntry(code: string, raw: string): CacheEntry | null {
  if (raw === MISSING_VALUE) return MISSING;
  let v: Partial<Stored>;
  try {
    v = JSON.parse(raw) as Partial<Stored>;
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null || typeof v.u !== "string" || !REDIRECT_TYPES.has(v.t as number)) return null;
  const entry: CachedLink = {
    code,
    url: v.u,
    redirectType: v.t as RedirectType,
    expiresAt: typeof v.e === "number" ? v.e : null,
    maxClicks: typeof v.m === "number" ? v.m : null,
    deleted: v.d === 1,
    disabled: v.x === "u" ? "unsafe" : v.x === "m" ? "manual" : null,
    password: v.p === 1,
    forwardQuery: v.q === 1,
  };
  if (v.r !== undefined) {
    const routing = readRouting(v.r);
    if (routing === undefined) return null;
    if (routing !== null) entry.routing = routing;
  }
  return entry;
}

/** A stored routing that does not compile is unrecognisable: the entry is then a miss (undefined). */
function readRouting(raw: unknown): ReturnType<typeof compileRouting> | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const r = raw as Partial<LinkRouting>;
  try {
    return compileRouting({ rules: r.rules ?? null, variants: r.variants ?? null, preview: r.preview ?? null });
  } catch {
    return undefined;
  }
}
