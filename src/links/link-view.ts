import { splitLinkKey } from "../domains";
import type { LinkPreview, RedirectRule, SplitVariant } from "../routing";
import type { LinkRecord } from "../storage";
import { stateOf } from "./link-state";

/** The public JSON shape of a link. Dates are ISO 8601; ids stay internal. */
export interface LinkView {
  code: string;
  /** the short domain the link lives on */
  domain: string;
  shortUrl: string;
  /** the target; null when the reader may not see it (LinkAccess.mayReadTarget) */
  url: string | null;
  createdAt: string;
  expiresAt: string | null;
  maxClicks: number | null;
  redirectType: number;
  clicks: number;
  status: string;
  /** the URL classifier's label; null until classified */
  category: string | null;
  categoryConfidence: number | null;
  tags: string[];
  forwardQuery: boolean;
  passwordProtected: boolean;
  /** why the link stopped serving (manual or unsafe), or null */
  disabled: string | null;
  /** id of the API key that owns the link, or null */
  ownerKey: string | null;
  updatedAt: string | null;
  /** rule and variant targets are targets too: null whenever `url` is hidden */
  rules: RedirectRule[] | null;
  variants: SplitVariant[] | null;
  preview: LinkPreview | null;
}

/**
 * Whether the view shows the target: every caller decides it, with LinkAccess.mayReadTarget for
 * whoever asked (or `true` when the reader supplied that URL itself, as a creator does).
 */
export interface ViewOptions {
  showTarget: boolean;
}

/** The domain and short URL of a link key: the default domain's base, or the same scheme on the link's own host. */
export function shortUrlOf(key: string, publicBaseUrl: string): { domain: string; code: string; shortUrl: string } {
  const { host, code } = splitLinkKey(key);
  const base = new URL(publicBaseUrl);
  if (host === null) return { domain: base.hostname, code, shortUrl: `${publicBaseUrl}/${code}` };
  return { domain: host, code, shortUrl: `${base.protocol}//${host}/${code}` };
}

export function toLinkView(link: LinkRecord, publicBaseUrl: string, { showTarget }: ViewOptions, now = Date.now()): LinkView {
  const { domain, code, shortUrl } = shortUrlOf(link.code, publicBaseUrl);
  return {
    code,
    domain,
    shortUrl,
    url: showTarget ? link.url : null,
    createdAt: new Date(link.createdAt).toISOString(),
    expiresAt: link.expiresAt === null ? null : new Date(link.expiresAt).toISOString(),
    maxClicks: link.maxClicks,
    redirectType: link.redirectType,
    clicks: link.clicks,
    status: stateOf(link, now),
    category: link.category,
    categoryConfidence: link.categoryConfidence === null ? null : Math.round(link.categoryConfidence * 1000) / 1000,
    tags: link.tags,
    forwardQuery: link.forwardQuery,
    passwordProtected: link.passwordHash !== null,
    disabled: link.disabled,
    ownerKey: link.ownerKey,
    updatedAt: link.updatedAt === null ? null : new Date(link.updatedAt).toISOString(),
    rules: showTarget ? link.rules : null,
    variants: showTarget ? link.variants : null,
    preview: link.preview,
  };
}
