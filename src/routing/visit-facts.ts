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
  // Bounded: a header is client-controlled, and 32 entries is far beyond any browser's list.
  const entries = header.slice(0, 1024).split(",", 32);
  for (const entry of entries) {
    const [tagPart, ...params] = entry.split(";");
    const tag = tagPart!.trim();
    if (tag === "" || tag === "*") continue;
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split("=");
      if (k?.trim().toLowerCase() === "q") {
        q = Number(v?.trim());
        if (!Number.isFinite(q)) q = 0;
      }
    }
    if (q > bestQ) {
      bestQ = q;
      const dash = tag.indexOf("-");
      best = (dash === -1 ? tag : tag.slice(0, dash)).toLowerCase();
    }
  }
  return best;
}
