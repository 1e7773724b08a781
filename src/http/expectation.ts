/**
 * What a schema expects, as words: "a whole number from 1 to 100", "a number or null", "one of svg,
 * png". Validation errors of bodies and query strings are built from it, so a client reads a
 * sentence naming the field and the allowed values instead of a validator's internal message
 * ("Expected union value").
 */

/** Set by schema helpers whose rule is not worth spelling out from a pattern (a cursor, a tag). */
export const EXPECTED = Symbol.for("ringlink.expected");

export interface SchemaShape {
  [EXPECTED]?: string;
  type?: string | string[];
  anyOf?: SchemaShape[];
  properties?: Record<string, SchemaShape>;
  required?: string[];
  additionalProperties?: unknown;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: SchemaShape;
  pattern?: string;
  format?: string;
}

/**
 * Elysia's `t.Integer` / `t.Numeric` are a union of the number and a numeric string (its query
 * coercion); both name the same rule, which is the number's (the bounds sit on the union too).
 */
export function numericRule(schema: SchemaShape): SchemaShape | null {
  if (schema.type === "integer" || schema.type === "number") return schema;
  const number = schema.anyOf?.find((s) => s.type === "integer" || s.type === "number");
  const onlyCoercion = schema.anyOf?.every((s) => s === number || (s.type === "string" && (s.format === "integer" || s.format === "numeric")));
  return number && onlyCoercion ? { ...number, minimum: schema.minimum ?? number.minimum, maximum: schema.maximum ?? number.maximum } : null;
}

function range(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return "";
}

function length(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` of ${min} to ${max} characters`;
  if (min !== undefined) return ` of at least ${min} characters`;
  if (max !== undefined) return ` of at most ${max} characters`;
  return "";
}

function joinAlternatives(parts: string[]): string {
  const unique = [...new Set(parts)];
  if (unique.length <= 1) return unique[0] ?? "a valid value";
  // "true or false" joined with "null" reads "true, false or null"
  const flat = unique.flatMap((p) => (p === "true or false" ? ["true", "false"] : [p]));
  return `${flat.slice(0, -1).join(", ")} or ${flat[flat.length - 1]}`;
}

export function expectation(schema: SchemaShape | undefined): string {
  if (schema === undefined) return "a valid value";
  if (schema[EXPECTED] !== undefined) return schema[EXPECTED];
  const number = numericRule(schema);
  if (number !== null && number !== schema) return expectation(number);
  if (schema.anyOf) return joinAlternatives(schema.anyOf.map(expectation));
  if (schema.enum) return `one of ${schema.enum.map(String).join(", ")}`;
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  switch (Array.isArray(schema.type) ? schema.type[0] : schema.type) {
    case "integer":
      return `a whole number${range(schema.minimum, schema.maximum)}`;
    case "number":
      return `a number${range(schema.minimum, schema.maximum)}`;
    case "string":
      if (schema.pattern !== undefined) return `text matching ${schema.pattern}`;
      return `text${length(schema.minLength, schema.maxLength)}`;
    case "boolean":
      return "true or false";
    case "null":
      return "null";
    case "array": {
      const noun = schema.items?.type === "string" ? "strings" : schema.items?.type === "object" ? "objects" : "items";
      const { minItems: min, maxItems: max } = schema;
      const count =
        min !== undefined && max !== undefined ? `${min} to ${max} ` : max !== undefined ? `at most ${max} ` : min !== undefined ? `at least ${min} ` : "";
      return `a list of ${count}${noun}`;
    }
    case "object":
      return "an object";
    default:
      return "a valid value";
  }
}

/** "limit must be a whole number from 1 to 100 (got '50.5')" */
export function mustBe(field: string, schema: SchemaShape | undefined, got?: unknown): string {
  const shown = got === undefined ? "" : ` (got ${typeof got === "string" ? `'${got.slice(0, 40)}'` : JSON.stringify(got)?.slice(0, 40)})`;
  return `${field} must be ${expectation(schema)}${shown}`;
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value === "number" ? (Number.isInteger(value) ? "integer" : "number") : typeof value;
}

function typeMatches(schema: SchemaShape, value: unknown): boolean {
  const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  const t = jsonType(value);
  return types.length === 0 || types.includes(t) || (t === "integer" && types.includes("number"));
}

/** What failed deep inside a value, with its path: "utm.source" must be text, "tags.0" must be text. */
export interface Mismatch {
  path: string[];
  schema: SchemaShape;
  value: unknown;
  /** a property the schema does not allow (additionalProperties: false) */
  unknownProperty?: boolean;
}

/**
 * The innermost part of `value` that does not fit `schema`, or null when the shape fits (a rule
 * this walk does not know, such as a pattern, is left to the caller's own sentence). A union is
 * entered through the branch of the value's own type, so `{"utm":{"source":5}}` names
 * `utm.source`, not "utm must be an object or null".
 */
export function innerMismatch(schema: SchemaShape, value: unknown, path: string[] = [], depth = 0): Mismatch | null {
  if (depth > 8) return null;
  if (schema.anyOf) {
    const branch = schema.anyOf.find((b) => b.type !== undefined && typeMatches(b, value));
    return branch ? innerMismatch(branch, value, path, depth + 1) : { path, schema, value };
  }
  if (!typeMatches(schema, value)) return { path, schema, value };
  if (jsonType(value) === "object" && schema.properties) {
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      const property = schema.properties[key];
      if (property === undefined) {
        if (schema.additionalProperties === false) return { path: [...path, key], schema, value: object[key], unknownProperty: true };
        continue;
      }
      const inner = innerMismatch(property, object[key], [...path, key], depth + 1);
      if (inner) return inner;
    }
    const missing = (schema.required ?? []).find((key) => !(key in object));
    if (missing !== undefined) return { path: [...path, missing], schema: schema.properties[missing] ?? {}, value: undefined };
  }
  if (Array.isArray(value) && schema.items) {
    for (const [i, item] of value.entries()) {
      const inner = innerMismatch(schema.items, item, [...path, String(i)], depth + 1);
      if (inner) return inner;
    }
  }
  return null;
}
