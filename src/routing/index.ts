export type { LinkPreview, LinkRouting, RedirectRule, RuleCondition, SplitVariant } from "./routing-types";
export { MAX_RULES, MAX_VARIANTS, CONDITION_TYPES, validatePreview, validateRules, validateVariants, type UrlCheck } from "./routing-input";
export { compileRouting, decide, type CompiledRouting, type RoutingDecision } from "./compiled-routing";
export { VisitFacts, preferredLanguage, type AgentFacts } from "./visit-facts";
export { isPreviewCrawler, previewCrawlerFamily, PREVIEW_CRAWLER_FAMILIES } from "./preview-crawlers";
