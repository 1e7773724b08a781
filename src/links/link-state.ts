/**
 * The one rule for why a link does not redirect, in one order for every caller: the API's
 * `status`, GET|HEAD /:code (from a cached entry), POST /:code (from the record) and the 410 error
 * codes. Deleted first, then disabled (by its owner, or as unsafe: by abuse protection or a domain
 * on the blocklist), then expired, then used up; the first that applies wins, so a link both
 * disabled and expired says "disabled" wherever it is asked about.
 */
import type { CachedLink } from "../cache";
import { compileRouting } from "../routing";
import type { DisabledReason, LinkRecord } from "../storage";

export type LinkState = "active" | "deleted" | "disabled" | "unsafe" | "expired" | "click_limit_reached";
export type GoneState = Exclude<LinkState, "active">;

/** What the rule looks at. A cached entry has these fields as they are; a record goes through `stateOf`. */
export interface LinkFacts {
  deleted: boolean;
  disabled: DisabledReason | null;
  /** this process's blocklist check of the target (cached entries only) */
  blocked?: boolean;
  expiresAt: number | null;
  /** the click budget is spent (records only: a cached entry holds no counts, the store decides) */
  usedUp?: boolean;
}

/** Cheapest checks first: an ordinary cached link answers "active" after four reads. */
export function linkState(link: LinkFacts, now: number): LinkState {
  if (link.deleted) return "deleted";
  if (link.disabled !== null) return link.disabled === "unsafe" ? "unsafe" : "disabled";
  if (link.blocked === true) return "unsafe";
  if (link.expiresAt !== null && link.expiresAt <= now) return "expired";
  if (link.usedUp === true) return "click_limit_reached";
  return "active";
}

export function stateOf(link: LinkRecord, now: number): LinkState {
  return linkState(
    {
      deleted: link.deletedAt !== null,
      disabled: link.disabled,
      expiresAt: link.expiresAt,
      usedUp: link.maxClicks !== null && link.clicksConsumed >= link.maxClicks,
    },
    now,
  );
}

/** How each state that does not redirect answers: the error code of the JSON 410, and a browser's page. */
export const GONE: Readonly<Record<GoneState, { code: string; title: string; message: string }>> = {
  deleted: { code: "deleted", title: "Link no longer available", message: "This short link was deleted." },
  disabled: { code: "disabled", title: "Link disabled", message: "This short link has been disabled by its owner." },
  unsafe: {
    code: "unsafe_url",
    title: "Warning: link disabled",
    message: "This short link was disabled because its destination looks unsafe (phishing or malware). It will not be followed.",
  },
  expired: { code: "expired", title: "Link no longer available", message: "This short link has expired." },
  click_limit_reached: {
    code: "click_limit_reached",
    title: "Link no longer available",
    message: "This short link has been used the maximum number of times.",
  },
};

export function toCachedLink(link: LinkRecord): CachedLink {
  const entry: CachedLink = {
    code: link.code,
    url: link.url,
    redirectType: link.redirectType,
    expiresAt: link.expiresAt,
    maxClicks: link.maxClicks,
    deleted: link.deletedAt !== null,
    disabled: link.disabled,
    password: link.passwordHash !== null,
    forwardQuery: link.forwardQuery,
  };
  const routing = compileRouting({ rules: link.rules, variants: link.variants, preview: link.preview });
  if (routing !== null) entry.routing = routing;
  return entry;
}
