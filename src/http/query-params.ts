/**
 * Query strings, parsed and range-checked in one place for every endpoint. A route's `t.Object`
 * query schema is both its OpenAPI description and the rule applied here: integers are digits only
 * (so `50.5`, `1e3`, `0x10`, `Infinity` and `1e400` are refused, however JavaScript would read
 * them) within `minimum`/`maximum`; strings meet `enum`, `minLength`/`maxLength` and `pattern`; a
 * parameter given twice is refused; defaults are filled in. A failure is a 400 whose message names
 * the parameter and what it accepts.
 *
 * The check runs in the route's `transform` hook, before Elysia's own validation, and reads the
 * raw URL: Elysia's query coercion does not survive minification, and in the compiled binary it let
 * `limit=1000000` through as the string "1000000".
 */
import { InvalidInput } from "../errors";
import { expectation, mustBe, numericRule, type SchemaShape } from "./expectation";
import { fieldErrorCode } from "./field-codes";

/** An extra test a schema helper attaches when a pattern cannot say it all (a cursor below 2^63). */
export const ACCEPTS = Symbol.for("ringlink.accepts");

interface ParamRule extends SchemaShape {
  default?: unknown;
  [ACCEPTS]?: (raw: string) => boolean;
}

/** The part of a `t.Object` schema the parser reads. */
export interface QuerySchema {
  properties: object;
  required?: string[];
}

const INTEGER = /^-?\d{1,15}$/;
const DECIMAL = /^-?\d{1,15}(?:\.\d{1,15})?$/;

function parseValue(name: string, rule: ParamRule, raw: string): unknown {
  const refuse = () => new InvalidInput(fieldErrorCode(name), mustBe(name, rule, raw));
  const number = numericRule(rule);
  if (number !== null) {
    if (!(number.type === "integer" ? INTEGER : DECIMAL).test(raw)) throw refuse();
    const n = Number(raw);
    if ((number.minimum !== undefined && n < number.minimum) || (number.maximum !== undefined && n > number.maximum)) throw refuse();
    return n;
  }
  if (rule.enum !== undefined && !rule.enum.includes(raw)) throw refuse();
  if (rule.minLength !== undefined && raw.length < rule.minLength) throw refuse();
  if (rule.maxLength !== undefined && raw.length > rule.maxLength) throw refuse();
  if (rule.pattern !== undefined && !new RegExp(rule.pattern).test(raw)) throw refuse();
  if (rule[ACCEPTS] !== undefined && !rule[ACCEPTS](raw)) throw refuse();
  return raw;
}

export function parseQuery(schema: QuerySchema, url: string): Record<string, unknown> {
  const at = url.indexOf("?");
  const params = new URLSearchParams(at === -1 ? "" : url.slice(at + 1));
  const required = new Set(schema.required ?? []);
  const out: Record<string, unknown> = {};
  for (const [name, rule] of Object.entries(schema.properties as Record<string, ParamRule>)) {
    const values = params.getAll(name);
    if (values.length > 1) throw new InvalidInput(fieldErrorCode(name), `${name} must be given once (got ${values.length} values)`);
    if (values.length === 1) out[name] = parseValue(name, rule, values[0]!);
    else if (rule.default !== undefined) out[name] = rule.default;
    else if (required.has(name)) throw new InvalidInput(fieldErrorCode(name), `${name} is required and must be ${expectation(rule)}`);
  }
  return out;
}

/**
 * Route options for a query schema: `...checkedQuery(ListQuery)` documents the parameters and
 * replaces the parsed query with the checked one before the handler (and Elysia's validation) runs.
 */
export function checkedQuery<S extends QuerySchema>(schema: S) {
  return {
    query: schema,
    transform: (context: { request: Request; query: Record<string, unknown> }) => {
      context.query = parseQuery(schema, context.request.url);
    },
  };
}
