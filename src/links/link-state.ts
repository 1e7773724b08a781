import type { CachedLink } from "../cache";
import type { LinkRecord } from "../storage";

/** Why a link no longer redirects, or "active". One rule for the API and the redirect path. */
export type LinkState = "active" | "expired" | "click_limit_reached" | "deleted" | "disabled" | "unsafe";

export function stateOf(link: LinkRecord, now: number): LinkState {
  if (link.deletedAt !== null) return "deleted";
  if (link.disabled !== null) return link.disabled === "unsafe" ? "unsafe" : "disabled";
  if (link.expiresAt !== null && link.expiresAt <= now) return "expired";
  if (link.maxClicks !== null && link.clicksConsumed >= link.maxClicks) return "click_limit_reached";
  return "active";
}

export function toCachedLink(link: LinkRecord): CachedLink {
  return {
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
}
