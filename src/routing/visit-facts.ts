/**
 * What rules look at in one request, each read at most once and only when a rule asks: the parsed
 * user agent, the preferred language, the country, the query string and the client address. A
 * link without rules never builds one.
 */
import { ipBytes } from "../ratelimit";

export interface AgentFacts {
  browser: string;
  os: string;
  device: string;
}

export interface VisitSources {
  request: Request;
  /** the (memoised) user-agent reader of the stats, so rules and stats agree on a family */
  parseAgent: (userAgent: string | null) => AgentFacts;
  /** the visitor's address (behind TRUSTED_PROXIES from X-Forwarded-For), null without a socket */
  clientIp: () => string | null;
  now: number;
}

export class VisitFacts {
  readonly now: number;
  private agentInfo: AgentFacts | undefined;
  private languageTag: string | null | undefined;
  private params: URLSearchParams | null | undefined;
  private address: Uint8Array | null | undefined;

  constructor(private readonly sources: VisitSources) {
    this.now = sources.now;
  }

  agent(): AgentFacts {
    if (this.agentInfo === undefined) this.agentInfo = this.sources.parseAgent(this.sources.request.headers.get("user-agent"));
    return this.agentInfo;
  }

  language(): string | null {
    if (this.languageTag === undefined) this.languageTag = preferredLanguage(this.sources.request.headers.get("accept-language"));
    return this.languageTag;
  }

  country(): string | null {
    const h = this.sources.request.headers;
    const raw = h.get("cf-ipcountry") ?? h.get("x-country-code");
    return raw === null ? null : raw.trim().toUpperCase();
  }

  /** null when the request has no query string (the common case costs no parse) */
  query(): URLSearchParams | null {
    if (this.params === undefined) {
      const url = this.sources.request.url;
      const q = url.indexOf("?");
      this.params = q === -1 || q === url.length - 1 ? null : new URLSearchParams(url.slice(q + 1));
    }
    return this.params;
  }

  ip(): Uint8Array | null {
    if (this.address === undefined) {
      const ip = this.sources.clientIp();
      this.address = ip === null ? null : ipBytes(ip);
    }
    return this.address;
  }
}

/**
 * The primary subtag of the language the visitor prefers most: the highest q-value wins, the
 * earlier entry on a tie; q=0 ("not this one") and "*" never win. "de-CH;q=0.9, en;q=0.8" -> "de".
 */
export function preferredLanguage(header: string | null): string | null {
  if (header === null || header === "") return null;
  let best: string | null = null;
  let bestQ = 0;
  // Scanned in place (no split into arrays): this runs on the redirect path. Bounded, since the
  // header is client-controlled: 32 entries is far beyond any browser's list.
  const text = header.length > 1024 ? header.slice(0, 1024) : header;
  let start = 0;
  for (let entries = 0; start < text.length && entries < 32; entries++) {
    let end = text.indexOf(",", start);
    if (end === -1) end = text.length;
    const semi = text.indexOf(";", start);
    const tagEnd = semi === -1 || semi > end ? end : semi;
    const tag = text.slice(start, tagEnd).trim();
    let q = 1;
    if (tagEnd < end) {
      const params = text.slice(tagEnd + 1, end);
      const at = params.search(/\bq\s*=/i);
      if (at !== -1) {
        q = Number.parseFloat(params.slice(params.indexOf("=", at) + 1).trim());
        if (!Number.isFinite(q)) q = 0;
      }
    }
    if (q > bestQ && tag !== "" && tag !== "*") {
      bestQ = q;
      const dash = tag.indexOf("-");
      best = (dash === -1 ? tag : tag.slice(0, dash)).toLowerCase();
    }
    start = end + 1;
  }
  return best;
}
