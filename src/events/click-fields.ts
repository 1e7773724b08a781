/**
 * What a click event may carry of the visitor's request headers. Those values are the client's to
 * choose and travel far (the live stream, Kafka records, the on-disk spool, the aggregates), so
 * each is reduced to what analytics uses and bounded here, once, where the event is made.
 */

/** Far past any real user agent; keeps a record of events within the broker's message limit. */
export const MAX_USER_AGENT = 512;
/** A scheme, a host name of at most 253 characters and a port fit. */
const MAX_ORIGIN = 300;
/** Longer Referer headers are reduced without being remembered (the memo holds short keys only). */
const MAX_MEMO_KEY = 2048;
const MEMO_LIMIT = 1024;

/** The user agent, cut to MAX_USER_AGENT characters. */
export function boundedUserAgent(raw: string | null): string | null {
  return raw !== null && raw.length > MAX_USER_AGENT ? raw.slice(0, MAX_USER_AGENT) : raw;
}

function originOf(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  // `host` carries no user name or password; for http(s) this is URL.origin.
  if (url.host === "") return null;
  const origin = `${url.protocol}//${url.host}`;
  return origin.length > MAX_ORIGIN ? null : origin;
}

// Real traffic repeats a few hundred referrers: each is parsed once per process, not once per
// click. Dropped whole when full (cheaper than LRU bookkeeping on the redirect path).
const memo = new Map<string, string | null>();

/**
 * The Referer reduced to its origin (scheme and host, e.g. `https://news.example`): its path and
 * query string may hold search terms or session tokens. Null when absent or not a URL.
 */
export function referrerOrigin(raw: string | null): string | null {
  if (raw === null || raw === "") return null;
  if (raw.length > MAX_MEMO_KEY) return originOf(raw);
  const known = memo.get(raw);
  if (known !== undefined) return known;
  if (memo.size >= MEMO_LIMIT) memo.clear();
  const origin = originOf(raw);
  memo.set(raw, origin);
  return origin;
}

const isAsciiLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** A country code from a proxy header (CF-IPCountry, X-Country-Code): two ASCII letters, upper-cased, or null. */
export function countryOf(raw: string | null): string | null {
  if (raw === null || raw.length !== 2 || !isAsciiLetter(raw.charCodeAt(0)) || !isAsciiLetter(raw.charCodeAt(1))) return null;
  return raw.toUpperCase();
}
