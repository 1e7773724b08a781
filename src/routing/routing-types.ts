/**
 * The per-request routing a link may carry, as stored and as the API shows it: ordered redirect
 * rules, an A/B split over weighted targets, and preview metadata for link-preview crawlers. All
 * three are optional; a link with none of them is an ordinary link and pays nothing for them.
 */

/** Device types as the user-agent reader names them (analytics/user-agent.ts). */
export const DEVICE_TYPES = ["desktop", "mobile", "tablet", "bot", "unknown"] as const;
export type RuleDevice = (typeof DEVICE_TYPES)[number];

export type QueryOperator = "present" | "absent" | "equals";

/** One condition of a rule; all conditions of a rule must hold. */
export type RuleCondition =
  | { type: "device"; anyOf: RuleDevice[] }
  | { type: "os"; anyOf: string[] }
  | { type: "browser"; anyOf: string[] }
  /** the visitor's preferred language (highest q in Accept-Language), primary subtag */
  | { type: "language"; anyOf: string[] }
  /** ISO 3166-1 alpha-2 from CF-IPCountry / X-Country-Code */
  | { type: "country"; anyOf: string[] }
  | { type: "query"; param: string; op: QueryOperator; value?: string }
  /** client addresses or CIDR blocks, IPv4 and IPv6 */
  | { type: "ip"; anyOf: string[] }
  | { type: "before"; at: string }
  | { type: "after"; at: string };

export type ConditionType = RuleCondition["type"];

export interface RedirectRule {
  conditions: RuleCondition[];
  url: string;
}

export interface SplitVariant {
  /** the label per-variant stats use: a, b, c ... unless given */
  name: string;
  url: string;
  /** whole percent; a split's weights sum to 100 */
  weight: number;
}

export interface LinkPreview {
  title: string;
  description: string | null;
  image: string | null;
}

/** What a link record carries (each null when absent). */
export interface LinkRouting {
  rules: RedirectRule[] | null;
  variants: SplitVariant[] | null;
  preview: LinkPreview | null;
}
