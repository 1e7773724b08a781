/**
 * Validation of rules, splits and previews on write. Every refusal is a 400 with its own code
 * (unknown_condition, invalid_cidr, invalid_language, too_many_rules, invalid_weights, ...) and a
 * message naming the field, e.g. `rules[2].conditions[0].anyOf[1]`. Target URLs go through the
 * caller's URL policy (`checkUrl`), the same one the link's own target meets.
 */
import { InvalidInput } from "../errors";
import { parseCidr } from "../ratelimit";
import {
  DEVICE_TYPES,
  type ConditionType,
  type LinkPreview,
  type QueryOperator,
  type RedirectRule,
  type RuleCondition,
  type RuleDevice,
  type SplitVariant,
} from "./routing-types";

export const MAX_RULES = 20;
export const MAX_CONDITIONS = 10;
export const MAX_VALUES = 50;
export const MAX_VARIANTS = 10;
export const MAX_PREVIEW_TITLE = 200;
export const MAX_PREVIEW_DESCRIPTION = 500;
export const CONDITION_TYPES: readonly ConditionType[] = ["device", "os", "browser", "language", "country", "query", "ip", "before", "after"];

/** Families the user-agent reader reports (analytics/user-agent.ts); matched without regard to case. */
export const OS_FAMILIES = ["Windows", "Windows Phone", "iOS", "Android", "ChromeOS", "macOS", "Linux", "Other"];
export const BROWSER_FAMILIES = [
  "Chrome",
  "Edge",
  "Firefox",
  "Safari",
  "Opera",
  "Samsung Internet",
  "Yandex Browser",
  "Vivaldi",
  "UC Browser",
  "Internet Explorer",
  "Bot",
  "Other",
];

/** Checks and normalises a target URL; throws InvalidInput. */
export type UrlCheck = (raw: unknown, field: string) => string;

const LANGUAGE = /^[A-Za-z]{2,3}$/;
const COUNTRY = /^[A-Za-z]{2}$/;
const QUERY_PARAM = /^[^\s&=#]{1,64}$/;
const VARIANT_NAME = /^[A-Za-z0-9_.-]{1,32}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], field: string, code: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new InvalidInput(code, `${field}.${key.slice(0, 32)} is not a known field (expected ${allowed.join(", ")})`);
  }
}

function stringList(raw: unknown, field: string, code: string): string[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_VALUES) {
    throw new InvalidInput(code, `${field} must be an array of 1-${MAX_VALUES} strings`);
  }
  return raw.map((v, i) => {
    if (typeof v !== "string" || v.trim() === "") throw new InvalidInput(code, `${field}[${i}] must be a non-empty string`);
    return v.trim();
  });
}

function oneOfFamilies(raw: unknown, field: string, families: readonly string[], what: string): string[] {
  return stringList(raw, field, "invalid_condition").map((v, i) => {
    const family = families.find((f) => f.toLowerCase() === v.toLowerCase());
    if (family === undefined) throw new InvalidInput("invalid_condition", `${field}[${i}] '${v.slice(0, 40)}' is not a known ${what} (${families.join(", ")})`);
    return family;
  });
}

function instant(raw: unknown, field: string): string {
  const ms = typeof raw === "string" && ISO_INSTANT.test(raw.trim()) ? Date.parse(raw.trim()) : Number.NaN;
  if (!Number.isFinite(ms)) throw new InvalidInput("invalid_instant", `${field} must be an ISO 8601 instant with a zone, such as 2030-01-31T12:00:00Z`);
  return new Date(ms).toISOString();
}

export function validateCondition(raw: unknown, field: string): RuleCondition {
  if (!isObject(raw) || typeof raw.type !== "string") throw new InvalidInput("invalid_condition", `${field} must be an object with a type`);
  const type = raw.type as ConditionType;
  if (!CONDITION_TYPES.includes(type)) {
    throw new InvalidInput("unknown_condition", `${field}.type '${String(raw.type).slice(0, 32)}' is not one of ${CONDITION_TYPES.join(", ")}`);
  }
  switch (type) {
    case "device": {
      onlyKeys(raw, ["type", "anyOf"], field, "invalid_condition");
      const values = stringList(raw.anyOf, `${field}.anyOf`, "invalid_condition").map((v) => v.toLowerCase());
      values.forEach((v, i) => {
        if (!(DEVICE_TYPES as readonly string[]).includes(v))
          throw new InvalidInput("invalid_condition", `${field}.anyOf[${i}] must be one of ${DEVICE_TYPES.join(", ")}`);
      });
      return { type, anyOf: values as RuleDevice[] };
    }
    case "os":
      onlyKeys(raw, ["type", "anyOf"], field, "invalid_condition");
      return { type, anyOf: oneOfFamilies(raw.anyOf, `${field}.anyOf`, OS_FAMILIES, "operating system") };
    case "browser":
      onlyKeys(raw, ["type", "anyOf"], field, "invalid_condition");
      return { type, anyOf: oneOfFamilies(raw.anyOf, `${field}.anyOf`, BROWSER_FAMILIES, "browser") };
    case "language": {
      onlyKeys(raw, ["type", "anyOf"], field, "invalid_condition");
      const values = stringList(raw.anyOf, `${field}.anyOf`, "invalid_language");
      values.forEach((v, i) => {
        if (!LANGUAGE.test(v))
          throw new InvalidInput(
            "invalid_language",
            `${field}.anyOf[${i}] '${v.slice(0, 20)}' is not a primary language tag (2-3 letters such as en, de, fil)`,
          );
      });
      return { type, anyOf: values.map((v) => v.toLowerCase()) };
    }
    case "country": {
      onlyKeys(raw, ["type", "anyOf"], field, "invalid_condition");
      const values = stringList(raw.anyOf, `${field}.anyOf`, "invalid_country");
      values.forEach((v, i) => {
        if (!COUNTRY.test(v)) throw new InvalidInput("invalid_country", `${field}.anyOf[${i}] must be an ISO 3166-1 alpha-2 code such as DE`);
      });
      return { type, anyOf: values.map((v) => v.toUpperCase()) };
    }
    case "query": {
      onlyKeys(raw, ["type", "param", "op", "value"], field, "invalid_condition");
      if (typeof raw.param !== "string" || !QUERY_PARAM.test(raw.param))
        throw new InvalidInput("invalid_condition", `${field}.param must be a query parameter name of 1-64 characters`);
      const op = raw.op as QueryOperator;
      if (op !== "present" && op !== "absent" && op !== "equals") throw new InvalidInput("invalid_condition", `${field}.op must be present, absent or equals`);
      if (op === "equals") {
        if (typeof raw.value !== "string" || raw.value.length > 200)
          throw new InvalidInput("invalid_condition", `${field}.value must be a string of at most 200 characters when op is equals`);
        return { type, param: raw.param, op, value: raw.value };
      }
      if (raw.value !== undefined) throw new InvalidInput("invalid_condition", `${field}.value is only for op equals`);
      return { type, param: raw.param, op };
    }
    case "ip": {
      onlyKeys(raw, ["type", "anyOf"], field, "invalid_condition");
      const values = stringList(raw.anyOf, `${field}.anyOf`, "invalid_cidr");
      values.forEach((v, i) => {
        if (parseCidr(v) === null)
          throw new InvalidInput(
            "invalid_cidr",
            `${field}.anyOf[${i}] '${v.slice(0, 50)}' is not an IPv4/IPv6 address or CIDR block (203.0.113.0/24, 2001:db8::/32)`,
          );
      });
      return { type, anyOf: values };
    }
    case "before":
    case "after":
      onlyKeys(raw, ["type", "at"], field, "invalid_condition");
      return { type, at: instant(raw.at, `${field}.at`) };
  }
}

export function validateRules(raw: unknown, checkUrl: UrlCheck): RedirectRule[] | null {
  if (raw === null) return null;
  if (!Array.isArray(raw)) throw new InvalidInput("invalid_rules", "rules must be an array of {conditions, url}");
  if (raw.length > MAX_RULES) throw new InvalidInput("too_many_rules", `a link may carry at most ${MAX_RULES} rules, not ${raw.length}`);
  if (raw.length === 0) return null;
  return raw.map((rule, r) => {
    const field = `rules[${r}]`;
    if (!isObject(rule)) throw new InvalidInput("invalid_rules", `${field} must be an object {conditions, url}`);
    onlyKeys(rule, ["conditions", "url"], field, "invalid_rules");
    const conditions = rule.conditions;
    if (!Array.isArray(conditions) || conditions.length === 0 || conditions.length > MAX_CONDITIONS) {
      throw new InvalidInput("invalid_rules", `${field}.conditions must be an array of 1-${MAX_CONDITIONS} conditions`);
    }
    return { conditions: conditions.map((c, i) => validateCondition(c, `${field}.conditions[${i}]`)), url: checkUrl(rule.url, `${field}.url`) };
  });
}

export function validateVariants(raw: unknown, checkUrl: UrlCheck): SplitVariant[] | null {
  if (raw === null) return null;
  if (!Array.isArray(raw) || raw.length < 2 || raw.length > MAX_VARIANTS) {
    throw new InvalidInput("invalid_variants", `variants must be an array of 2-${MAX_VARIANTS} {url, weight} (or null for no split)`);
  }
  const names = new Set<string>();
  let total = 0;
  const variants = raw.map((v, i): SplitVariant => {
    const field = `variants[${i}]`;
    if (!isObject(v)) throw new InvalidInput("invalid_variants", `${field} must be an object {url, weight, name?}`);
    onlyKeys(v, ["url", "weight", "name"], field, "invalid_variants");
    if (typeof v.weight !== "number" || !Number.isInteger(v.weight) || v.weight < 1 || v.weight > 99) {
      throw new InvalidInput("invalid_weights", `${field}.weight must be a whole percent from 1 to 99`);
    }
    const name = v.name === undefined ? String.fromCharCode(97 + i) : v.name;
    if (typeof name !== "string" || !VARIANT_NAME.test(name)) throw new InvalidInput("invalid_variants", `${field}.name must be 1-32 of A-Z a-z 0-9 _ . -`);
    if (names.has(name)) throw new InvalidInput("invalid_variants", `${field}.name '${name}' is used twice`);
    names.add(name);
    total += v.weight;
    return { name, url: checkUrl(v.url, `${field}.url`), weight: v.weight };
  });
  if (total !== 100) throw new InvalidInput("invalid_weights", `variant weights must sum to 100, not ${total}`);
  return variants;
}

export function validatePreview(raw: unknown, checkUrl: UrlCheck): LinkPreview | null {
  if (raw === null) return null;
  if (!isObject(raw)) throw new InvalidInput("invalid_preview", "preview must be an object {title, description?, image?}");
  onlyKeys(raw, ["title", "description", "image"], "preview", "invalid_preview");
  const title = typeof raw.title === "string" ? raw.title.trim() : "";
  if (title === "" || title.length > MAX_PREVIEW_TITLE) throw new InvalidInput("invalid_preview", `preview.title must be 1-${MAX_PREVIEW_TITLE} characters`);
  let description: string | null = null;
  if (raw.description !== undefined && raw.description !== null) {
    if (typeof raw.description !== "string" || raw.description.length > MAX_PREVIEW_DESCRIPTION)
      throw new InvalidInput("invalid_preview", `preview.description must be a string of at most ${MAX_PREVIEW_DESCRIPTION} characters`);
    description = raw.description.trim() || null;
  }
  const image = raw.image === undefined || raw.image === null || raw.image === "" ? null : checkUrl(raw.image, "preview.image");
  return { title, description, image };
}
