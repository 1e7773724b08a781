import type { LinkRecord } from "../storage";
import { stateOf } from "./link-state";

/** The public JSON shape of a link. Dates are ISO 8601; ids stay internal. */
export interface LinkView {
  code: string;
  shortUrl: string;
  url: string;
  createdAt: string;
  expiresAt: string | null;
  maxClicks: number | null;
  redirectType: number;
  clicks: number;
  status: string;
}

export function toLinkView(link: LinkRecord, publicBaseUrl: string, now = Date.now()): LinkView {
  return {
    code: link.code,
    shortUrl: `${publicBaseUrl}/${link.code}`,
    url: link.url,
    createdAt: new Date(link.createdAt).toISOString(),
    expiresAt: link.expiresAt === null ? null : new Date(link.expiresAt).toISOString(),
    maxClicks: link.maxClicks,
    redirectType: link.redirectType,
    clicks: link.clicks,
    status: stateOf(link, now),
  };
}
