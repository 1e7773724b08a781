/**
 * Validation and normalisation of a link's target URL. Every rule here answers 400 with its own
 * error code, so a client can tell *why* a URL was refused.
 */
import { InvalidInput } from "../errors";

export interface TargetUrlPolicy {
  maxLength: number;
  blockPrivateTargets: boolean;
  /** host name of this ringlink deployment (PUBLIC_BASE_URL), lower case */
  ownHostname: string;
  /** whether a host is one of our other short domains (DOMAINS, POST /api/v1/domains): a loop too */
  isOwnDomain?: (host: string) => boolean;
}

const FORBIDDEN_SCHEMES = new Set(["javascript:", "data:", "file:", "vbscript:", "blob:", "about:"]);

export function normalizeTargetUrl(raw: unknown, policy: TargetUrlPolicy): URL {
  if (typeof raw !== "string") throw new InvalidInput("invalid_url", "url must be a string");
  const trimmed = raw.trim();
  if (trimmed === "") throw new InvalidInput("invalid_url", "url is required");
  if (trimmed.length > policy.maxLength) {
    throw new InvalidInput("url_too_long", `url is longer than ${policy.maxLength} characters`);
  }
  // The WHATWG parser silently strips tabs and newlines inside a URL; a URL that contains them was
  // most likely pasted wrong, so say so instead of shortening something else.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f\s]/.test(trimmed)) {
    throw new InvalidInput("invalid_url", "url contains whitespace or control characters");
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new InvalidInput("invalid_url", "url is not an absolute URL (expected https://host/path)");
  }
  if (FORBIDDEN_SCHEMES.has(url.protocol) || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new InvalidInput("unsupported_scheme", `only http and https URLs can be shortened, not ${url.protocol.slice(0, 20)}`);
  }
  if (url.hostname === "") throw new InvalidInput("invalid_url", "url needs a host");
  if (url.username !== "" || url.password !== "") {
    throw new InvalidInput("credentials_in_url", "url must not contain user:password@");
  }
  const host = url.hostname.replace(/\.$/, "");
  // Any port on our own host name counts: a short link to another short link of ours is a loop risk.
  if (host.toLowerCase() === policy.ownHostname || policy.isOwnDomain?.(host.toLowerCase()) === true) {
    throw new InvalidInput("self_link", "url points at this shortener, which would loop");
  }
  if (policy.blockPrivateTargets) {
    const reason = privateTargetReason(host);
    if (reason) throw new InvalidInput("private_target", `url points at ${reason}, which is not allowed`);
  }
  if (url.href.length > policy.maxLength) {
    // Punycode and percent-encoding can grow a URL past the limit after parsing.
    throw new InvalidInput("url_too_long", `url is longer than ${policy.maxLength} characters once normalised`);
  }
  return url;
}

/**
 * Public names whose DNS answers a loopback address (or the address written into the name, as in
 * `10.0.0.1.nip.io`) for the name and every subdomain: development conveniences that would turn a
 * short link into a request to the visitor's own machine or network. README "Security" lists them.
 */
export const LOOPBACK_DOMAINS: readonly string[] = [
  "nip.io",
  "sslip.io",
  "xip.io",
  "traefik.me",
  "local.gd",
  "localtest.me",
  "lvh.me",
  "vcap.me",
  "lacolhost.com",
  "fuf.me",
  "localho.st",
];

/** Suffixes that name hosts on a local network (mDNS, home and corporate conventions). */
const LOCAL_NETWORK_SUFFIXES: readonly string[] = ["local", "internal", "lan", "home.arpa", "localdomain"];

// Compared in place: building `.${domain}` for each of the ~17 names cost ~1% of a create.
const isUnder = (host: string, domain: string): boolean =>
  host === domain || (host.length > domain.length && host.endsWith(domain) && host.charCodeAt(host.length - domain.length - 1) === 46);

/** Why a host is not a public target, or null when it is one. `host` is the parser's hostname. */
export function privateTargetReason(host: string): string | null {
  const h = host.toLowerCase();
  if (isUnder(h, "localhost")) return "localhost";
  if (LOCAL_NETWORK_SUFFIXES.some((s) => isUnder(h, s))) return "a local network name";
  if (LOOPBACK_DOMAINS.some((d) => isUnder(h, d))) return "a name that resolves to a loopback or private address";
  if (h.startsWith("[")) {
    const v6 = parseIpv6(h.slice(1, -1));
    return v6 ? ipv6Reason(v6) : "an unparsable IPv6 address";
  }
  const v4 = parseIpv4(h);
  if (v4) return ipv4Reason(v4);
  if (!h.includes(".")) return "a single-label host name";
  return null;
}

function parseIpv4(h: string): number[] | null {
  const parts = h.split(".");
  if (parts.length !== 4) return null;
  const nums = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return nums.every((n) => n >= 0 && n <= 255) ? nums : null;
}

function ipv4Reason([a, b]: number[]): string | null {
  if (a === undefined || b === undefined) return null;
  if (a === 0) return "an unspecified address";
  if (a === 127) return "a loopback address";
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return "a private address";
  if (a === 100 && b >= 64 && b <= 127) return "a carrier-grade NAT address";
  if (a === 169 && b === 254) return "a link-local address";
  if (a >= 224) return "a multicast or reserved address";
  return null;
}

/** The eight 16-bit groups of an IPv6 address (`::` expanded, a dotted IPv4 tail read), or null. */
function parseIpv6(text: string): number[] | null {
  let h = text.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  if (dotted?.[1]) {
    const v4 = parseIpv4(dotted[1]);
    if (!v4) return null;
    h = `${h.slice(0, -dotted[1].length)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = h.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string | undefined) => (s ? s.split(":") : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return all.map((g) => parseInt(g, 16));
}

const embeddedIpv4 = (hi: number, lo: number): number[] => [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];

/**
 * IPv6 ranges that are not public, and the ones that carry an IPv4 address (mapped, compatible,
 * translated, NAT64, 6to4): those are judged by the IPv4 address inside, so `[::ffff:7f00:1]`,
 * `[::127.0.0.1]`, `[64:ff9b::7f00:1]` and `[2002:7f00:1::]` are all loopback. Teredo (2001::/32)
 * is refused whole: it names a tunnelled client behind a NAT, never a site to link to.
 */
function ipv6Reason(g: number[]): string | null {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [number, number, number, number, number, number, number, number];
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroTo(8)) return "an unspecified address";
  if (zeroTo(7) && g7 === 1) return "a loopback address";
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible, deprecated), ::ffff:0:a.b.c.d (translated)
  if (zeroTo(5) && g5 === 0xffff) return ipv4Reason(embeddedIpv4(g6, g7));
  if (zeroTo(6)) return ipv4Reason(embeddedIpv4(g6, g7)) ?? "a deprecated IPv4-compatible address";
  if (zeroTo(4) && g4 === 0xffff && g5 === 0) return ipv4Reason(embeddedIpv4(g6, g7)) ?? "an IPv4-translated address";
  if (g0 === 0x64 && g1 === 0xff9b) {
    if (g2 === 1) return "a local-use NAT64 address";
    if (g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return ipv4Reason(embeddedIpv4(g6, g7));
  }
  if (g0 === 0x2002) return ipv4Reason(embeddedIpv4(g1, g2));
  if (g0 === 0x2001 && g1 === 0) return "a Teredo tunnel address";
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return "a discard-only address";
  if ((g0 & 0xfe00) === 0xfc00) return "a private (unique local) address";
  if ((g0 & 0xffc0) === 0xfe80) return "a link-local address";
  if ((g0 & 0xffc0) === 0xfec0) return "a site-local address";
  if ((g0 & 0xff00) === 0xff00) return "a multicast address";
  return null;
}
