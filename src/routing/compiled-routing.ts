/**
 * Rules, split and preview turned once per cached entry into what a request needs: each rule a
 * list of predicates over VisitFacts (CIDRs parsed, instants as epoch ms, value lists as Sets),
 * the split as cumulative bounds over 0-99, and the preview page already rendered. Evaluating a
 * request is then plain comparisons: no parsing of the link's routing, no I/O.
 */
import { inCidr, parseCidr, type Cidr } from "../ratelimit";
import { renderPreviewPage } from "./preview-page";
import type { LinkRouting, RuleCondition } from "./routing-types";
import type { VisitFacts } from "./visit-facts";

type Predicate = (facts: VisitFacts) => boolean;

interface CompiledRule {
  readonly test: readonly Predicate[];
  readonly url: string;
}

interface CompiledVariant {
  readonly name: string;
  readonly url: string;
  /** the variant takes buckets below this bound (and at or above the previous variant's) */
  readonly upTo: number;
}

export interface CompiledRouting {
  /** what was compiled, for the shared cache to store and the next process to compile again */
  readonly source: LinkRouting;
  readonly rules: readonly CompiledRule[] | null;
  readonly variants: readonly CompiledVariant[] | null;
  /** the crawler page, rendered once; null without preview metadata */
  readonly previewHtml: string | null;
}

/** Where one request goes: `url` null means the link's own target. */
export interface RoutingDecision {
  url: string | null;
  variant: string | null;
}

const OWN_TARGET: RoutingDecision = { url: null, variant: null };

/** null when the link carries no routing at all: the cached entry then has no routing field. */
export function compileRouting(source: LinkRouting): CompiledRouting | null {
  if (source.rules === null && source.variants === null && source.preview === null) return null;
  let bound = 0;
  return {
    source,
    rules: source.rules === null ? null : source.rules.map((r) => ({ test: r.conditions.map(compileCondition), url: r.url })),
    variants:
      source.variants === null
        ? null
        : source.variants.map((v) => {
            bound += v.weight;
            return { name: v.name, url: v.url, upTo: bound };
          }),
    previewHtml: source.preview === null ? null : renderPreviewPage(source.preview),
  };
}

function compileCondition(c: RuleCondition): Predicate {
  switch (c.type) {
    case "device": {
      const set = new Set<string>(c.anyOf);
      return (f) => set.has(f.agent().device);
    }
    case "os": {
      const set = new Set(c.anyOf);
      return (f) => set.has(f.agent().os);
    }
    case "browser": {
      const set = new Set(c.anyOf);
      return (f) => set.has(f.agent().browser);
    }
    case "language": {
      const set = new Set(c.anyOf);
      return (f) => {
        const lang = f.language();
        return lang !== null && set.has(lang);
      };
    }
    case "country": {
      const set = new Set(c.anyOf);
      return (f) => {
        const country = f.country();
        return country !== null && set.has(country);
      };
    }
    case "query": {
      const { param, op } = c;
      if (op === "present") return (f) => f.query()?.has(param) === true;
      if (op === "absent") return (f) => f.query()?.has(param) !== true;
      const value = c.value ?? "";
      return (f) => f.query()?.getAll(param).includes(value) === true;
    }
    case "ip": {
      const blocks = c.anyOf.map(parseCidr).filter((b): b is Cidr => b !== null);
      return (f) => {
        const ip = f.ip();
        return ip !== null && blocks.some((b) => inCidr(ip, b));
      };
    }
    case "before": {
      const at = Date.parse(c.at);
      return (f) => f.now < at;
    }
    case "after": {
      const at = Date.parse(c.at);
      return (f) => f.now >= at;
    }
  }
}

/** The target of the first rule whose conditions all hold, or null. */
export function firstMatchingRule(routing: CompiledRouting, facts: VisitFacts): string | null {
  const rules = routing.rules;
  if (rules === null) return null;
  outer: for (const rule of rules) {
    for (const test of rule.test) if (!test(facts)) continue outer;
    return rule.url;
  }
  return null;
}

/** The split's variant for a bucket in 0-99 (from the visitor hash: the same person, the same variant that day). */
export function variantFor(routing: CompiledRouting, bucket: number): { name: string; url: string } | null {
  const variants = routing.variants;
  if (variants === null) return null;
  for (const v of variants) if (bucket < v.upTo) return v;
  return variants[variants.length - 1]!;
}

/**
 * First matching rule, else the split's variant, else the link's own target. A rule beats the
 * split: rules say where a kind of visitor must go, the split shares out the rest.
 */
export function decide(routing: CompiledRouting, facts: VisitFacts, bucket: () => number): RoutingDecision {
  const ruled = firstMatchingRule(routing, facts);
  if (ruled !== null) return { url: ruled, variant: null };
  // The bucket (a hash) is computed only for a link that has a split.
  if (routing.variants === null) return OWN_TARGET;
  const variant = variantFor(routing, bucket())!;
  return { url: variant.url, variant: variant.name };
}
