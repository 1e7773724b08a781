/**
 * Semantic validation of a create request. The HTTP schema checks types first; this module owns the
 * rules (and is what bulk import and other non-HTTP callers go through), each with its own code.
 */
import { InvalidInput } from "../http/errors";
import type { RedirectType } from "../storage";
import { normalizeTargetUrl, type TargetUrlPolicy } from "./target-url";

export interface CreateLinkInput {
  url: unknown;
  alias?: unknown;
  expiresAt?: unknown;
  maxClicks?: unknown;
  redirectType?: unknown;
  reuse?: unknown;
}

export interface ValidLinkRequest {
  url: string;
  alias: string | null;
  expiresAt: number | null;
  maxClicks: number | null;
  redirectType: RedirectType;
  /** a plain request (no alias or options) may share the URL's existing link */
  reusable: boolean;
}

export const ALIAS_PATTERN = /^[A-Za-z0-9_-]{3,64}$/;
export const MAX_CLICKS_LIMIT = 1_000_000_000;
export const REDIRECT_TYPES: readonly RedirectType[] = [301, 302, 307, 308];
export const DEFAULT_REDIRECT_TYPE: RedirectType = 302;

/** Paths the server answers itself; an alias must never shadow one of them. */
export const RESERVED_ALIASES = new Set([
  "api", "ws", "metrics", "healthz", "readyz", "livez", "openapi", "openapi.json", "dashboard", "assets", "static",
  "docs", "create", "shorten", "admin", "login", "logout", "favicon.ico", "robots.txt", "index", "links", "stats",
  "health", "status", "public", "app", "www", "qr",
]);

export function validateAlias(raw: unknown): string {
  if (typeof raw !== "string") throw new InvalidInput("invalid_alias", "alias must be a string");
  const alias = raw.trim();
  if (!ALIAS_PATTERN.test(alias)) {
    throw new InvalidInput("invalid_alias", "alias must be 3-64 characters of A-Z, a-z, 0-9, _ and -");
  }
  if (RESERVED_ALIASES.has(alias.toLowerCase())) {
    throw new InvalidInput("reserved_alias", `'${alias}' is reserved by ringlink`);
  }
  return alias;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Date.parse rolls 2099-02-31 over to March 3rd; a date that does not exist is a client mistake. */
function isCalendarDate(iso: string): boolean {
  const [y, m, d] = iso.slice(0, 10).split("-").map(Number) as [number, number, number];
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function validateExpiry(raw: unknown, now: number): number {
  if (typeof raw !== "string" || !ISO_DATE.test(raw.trim())) {
    throw new InvalidInput("invalid_expiry", "expiresAt must be an ISO 8601 date-time such as 2030-01-31T12:00:00Z");
  }
  const ms = Date.parse(raw.trim());
  if (!Number.isFinite(ms) || !isCalendarDate(raw.trim())) throw new InvalidInput("invalid_expiry", "expiresAt is not a real date");
  if (ms <= now) throw new InvalidInput("invalid_expiry", "expiresAt is in the past");
  return ms;
}

export function validateMaxClicks(raw: unknown): number {
  if (typeof raw !== "number" || !Number.isInteger(raw) || raw < 1 || raw > MAX_CLICKS_LIMIT) {
    throw new InvalidInput("invalid_max_clicks", `maxClicks must be a whole number from 1 to ${MAX_CLICKS_LIMIT}`);
  }
  return raw;
}

export function validateRedirectType(raw: unknown): RedirectType {
  if (!REDIRECT_TYPES.includes(raw as RedirectType)) {
    throw new InvalidInput("invalid_redirect_type", "redirectType must be one of 301, 302, 307, 308");
  }
  return raw as RedirectType;
}

const present = (v: unknown): boolean => v !== undefined && v !== null && v !== "";

export function validateCreateInput(input: CreateLinkInput, policy: TargetUrlPolicy, now: number): ValidLinkRequest {
  const url = normalizeTargetUrl(input.url, policy).href;
  const alias = present(input.alias) ? validateAlias(input.alias) : null;
  const expiresAt = present(input.expiresAt) ? validateExpiry(input.expiresAt, now) : null;
  const maxClicks = present(input.maxClicks) ? validateMaxClicks(input.maxClicks) : null;
  const redirectType = present(input.redirectType) ? validateRedirectType(input.redirectType) : DEFAULT_REDIRECT_TYPE;
  if (input.reuse !== undefined && typeof input.reuse !== "boolean") {
    throw new InvalidInput("invalid_reuse", "reuse must be true or false");
  }
  const reusable =
    input.reuse !== false && alias === null && expiresAt === null && maxClicks === null && redirectType === DEFAULT_REDIRECT_TYPE;
  return { url, alias, expiresAt, maxClicks, redirectType, reusable };
}
