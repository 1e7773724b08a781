/**
 * Semantic validation of a create request. The HTTP schema checks types first; this module owns the
 * rules (and is what bulk import and other non-HTTP callers go through), each with its own code.
 */
import { AppError, InvalidInput } from "../errors";
import { validatePreview, validateRules, validateVariants, type LinkPreview, type RedirectRule, type SplitVariant, type UrlCheck } from "../routing";
import type { RedirectType } from "../storage";
import { normalizeTargetUrl, type TargetUrlPolicy } from "./target-url";

export interface CreateLinkInput {
  url: unknown;
  alias?: unknown;
  expiresAt?: unknown;
  maxClicks?: unknown;
  redirectType?: unknown;
  reuse?: unknown;
  password?: unknown;
  forwardQuery?: unknown;
  tags?: unknown;
  utm?: unknown;
  rules?: unknown;
  variants?: unknown;
  preview?: unknown;
  /** checked by the service against the domain registry */
  domain?: unknown;
}

export interface ValidLinkRequest {
  url: string;
  alias: string | null;
  expiresAt: number | null;
  maxClicks: number | null;
  redirectType: RedirectType;
  /** plain text until the service hashes it */
  password: string | null;
  forwardQuery: boolean;
  tags: string[];
  rules: RedirectRule[] | null;
  variants: SplitVariant[] | null;
  preview: LinkPreview | null;
  /** a plain request (no alias or options) may share the URL's existing link */
  reusable: boolean;
}

/** PATCH: absent fields stay as they are; null clears expiresAt, maxClicks and password. */
export interface UpdateLinkInput {
  url?: unknown;
  expiresAt?: unknown;
  maxClicks?: unknown;
  redirectType?: unknown;
  disabled?: unknown;
  tags?: unknown;
  password?: unknown;
  forwardQuery?: unknown;
  rules?: unknown;
  variants?: unknown;
  preview?: unknown;
}

export interface ValidLinkUpdate {
  url?: string;
  expiresAt?: number | null;
  maxClicks?: number | null;
  redirectType?: RedirectType;
  disabled?: boolean;
  tags?: string[];
  password?: string | null;
  forwardQuery?: boolean;
  rules?: RedirectRule[] | null;
  variants?: SplitVariant[] | null;
  preview?: LinkPreview | null;
}

export const ALIAS_PATTERN = /^[A-Za-z0-9_-]{3,64}$/;
export const MAX_CLICKS_LIMIT = 1_000_000_000;
export const REDIRECT_TYPES: readonly RedirectType[] = [301, 302, 307, 308];
export const DEFAULT_REDIRECT_TYPE: RedirectType = 302;

/** Paths the server answers itself; an alias must never shadow one of them. */
export const RESERVED_ALIASES = new Set([
  "api",
  "ws",
  "metrics",
  "healthz",
  "readyz",
  "livez",
  "openapi",
  "openapi.json",
  "dashboard",
  "assets",
  "static",
  "docs",
  "create",
  "shorten",
  "admin",
  "login",
  "logout",
  "favicon.ico",
  "robots.txt",
  "index",
  "links",
  "stats",
  "health",
  "status",
  "public",
  "app",
  "www",
  "qr",
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

export const TAG_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/;
export const MAX_TAGS = 10;
export const PASSWORD_MIN = 4;
export const PASSWORD_MAX = 128;
export const UTM_FIELDS = ["source", "medium", "campaign", "term", "content"] as const;

export function validateTags(raw: unknown): string[] {
  if (!Array.isArray(raw)) throw new InvalidInput("invalid_tags", "tags must be an array of strings");
  const tags = [...new Set(raw.map((t) => (typeof t === "string" ? t.trim() : t)))];
  if (tags.length > MAX_TAGS) throw new InvalidInput("invalid_tags", `at most ${MAX_TAGS} tags`);
  for (const t of tags) {
    if (typeof t !== "string" || !TAG_PATTERN.test(t)) throw new InvalidInput("invalid_tags", "a tag is 1-32 of A-Z a-z 0-9 _ . -");
  }
  return tags as string[];
}

export function validatePassword(raw: unknown): string {
  if (typeof raw !== "string" || raw.length < PASSWORD_MIN || raw.length > PASSWORD_MAX) {
    throw new InvalidInput("invalid_password", `password must be a string of ${PASSWORD_MIN}-${PASSWORD_MAX} characters`);
  }
  return raw;
}

function validateBoolean(raw: unknown, code: string, name: string): boolean {
  if (typeof raw !== "boolean") throw new InvalidInput(code, `${name} must be true or false`);
  return raw;
}

/** UTM parameters become part of the target URL (set, replacing any the URL already had). */
export function applyUtm(url: URL, raw: unknown): URL {
  if (raw === undefined || raw === null) return url;
  if (typeof raw !== "object" || Array.isArray(raw)) throw new InvalidInput("invalid_utm", 'utm must be an object such as {"source":"newsletter"}');
  const out = new URL(url.href);
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!(UTM_FIELDS as readonly string[]).includes(key))
      throw new InvalidInput("invalid_utm", `utm.${key.slice(0, 20)} is not one of ${UTM_FIELDS.join(", ")}`);
    if (typeof value !== "string" || value.length === 0 || value.length > 200)
      throw new InvalidInput("invalid_utm", `utm.${key} must be a string of 1-200 characters`);
    out.searchParams.set(`utm_${key}`, value);
  }
  return out;
}

/** Rule, variant and preview image URLs meet the target's policy; the message names the field. */
function urlCheck(policy: TargetUrlPolicy): UrlCheck {
  return (raw, field) => {
    try {
      return normalizeTargetUrl(raw, policy).href;
    } catch (error) {
      if (error instanceof AppError) throw new InvalidInput(error.code, `${field}: ${error.message}`);
      throw error;
    }
  };
}

const present = (v: unknown): boolean => v !== undefined && v !== null && v !== "";

export function validateCreateInput(input: CreateLinkInput, policy: TargetUrlPolicy, now: number): ValidLinkRequest {
  const url = applyUtm(normalizeTargetUrl(input.url, policy), input.utm).href;
  if (url.length > policy.maxLength) throw new InvalidInput("url_too_long", `url is longer than ${policy.maxLength} characters with its UTM parameters`);
  const alias = present(input.alias) ? validateAlias(input.alias) : null;
  const expiresAt = present(input.expiresAt) ? validateExpiry(input.expiresAt, now) : null;
  const maxClicks = present(input.maxClicks) ? validateMaxClicks(input.maxClicks) : null;
  const redirectType = present(input.redirectType) ? validateRedirectType(input.redirectType) : DEFAULT_REDIRECT_TYPE;
  if (input.reuse !== undefined && typeof input.reuse !== "boolean") {
    throw new InvalidInput("invalid_reuse", "reuse must be true or false");
  }
  const password = present(input.password) ? validatePassword(input.password) : null;
  const forwardQuery =
    input.forwardQuery === undefined || input.forwardQuery === null ? false : validateBoolean(input.forwardQuery, "invalid_forward_query", "forwardQuery");
  const tags = input.tags === undefined || input.tags === null ? [] : validateTags(input.tags);
  const check = urlCheck(policy);
  const rules = input.rules === undefined ? null : validateRules(input.rules, check);
  const variants = input.variants === undefined ? null : validateVariants(input.variants, check);
  const preview = input.preview === undefined ? null : validatePreview(input.preview, check);
  const reusable =
    input.reuse !== false &&
    alias === null &&
    expiresAt === null &&
    maxClicks === null &&
    redirectType === DEFAULT_REDIRECT_TYPE &&
    password === null &&
    !forwardQuery &&
    tags.length === 0 &&
    rules === null &&
    variants === null &&
    preview === null;
  return { url, alias, expiresAt, maxClicks, redirectType, password, forwardQuery, tags, rules, variants, preview, reusable };
}

export function validateUpdateInput(input: UpdateLinkInput, policy: TargetUrlPolicy, now: number): ValidLinkUpdate {
  const out: ValidLinkUpdate = {};
  if (input.url !== undefined) out.url = normalizeTargetUrl(input.url, policy).href;
  if (input.expiresAt !== undefined) out.expiresAt = input.expiresAt === null ? null : validateExpiry(input.expiresAt, now);
  if (input.maxClicks !== undefined) out.maxClicks = input.maxClicks === null ? null : validateMaxClicks(input.maxClicks);
  if (input.redirectType !== undefined) out.redirectType = validateRedirectType(input.redirectType);
  if (input.disabled !== undefined) out.disabled = validateBoolean(input.disabled, "invalid_disabled", "disabled");
  if (input.tags !== undefined) out.tags = input.tags === null ? [] : validateTags(input.tags);
  if (input.password !== undefined) out.password = input.password === null ? null : validatePassword(input.password);
  if (input.forwardQuery !== undefined) out.forwardQuery = validateBoolean(input.forwardQuery, "invalid_forward_query", "forwardQuery");
  const check = urlCheck(policy);
  if (input.rules !== undefined) out.rules = validateRules(input.rules, check);
  if (input.variants !== undefined) out.variants = validateVariants(input.variants, check);
  if (input.preview !== undefined) out.preview = validatePreview(input.preview, check);
  if (Object.keys(out).length === 0) throw new InvalidInput("empty_update", "nothing to change: send at least one field");
  return out;
}
