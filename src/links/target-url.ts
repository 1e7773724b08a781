/**
 * Validation and normalisation of a link's target URL. Every rule here answers 400 with its own
 * error code, so a client can tell *why* a URL was refused.
 */
import { InvalidInput } from "../http/errors";

export interface TargetUrlPolicy {
  maxLength: number;
  blockPrivateTargets: boolean;
  /** host name of this ringlink deployment (PUBLIC_BASE_URL), lower case */
  ownHostname: string;
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
  if (host.toLowerCase() === policy.ownHostname) {
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

/** Why a host is not a public target, or null when it is one. `host` is the parser's hostname. */
export function privateTargetReason(host: string): string | null {
  const h = host.toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost")) return "localhost";
  if (h.endsWith(".local") || h.endsWith(".internal") || h.endsWith(".lan")) return "a local network name";
  if (h.startsWith("[")) return ipv6Reason(h.slice(1, -1));
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

function ipv6Reason(h: string): string | null {
  if (h === "::") return "an unspecified address";
  if (h === "::1") return "a loopback address";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  if (mapped?.[1]) {
    const v4 = parseIpv4(mapped[1]);
    return v4 ? ipv4Reason(v4) : null;
  }
  const mappedHex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(h);
  if (mappedHex?.[1] && mappedHex[2]) {
    const hi = parseInt(mappedHex[1], 16);
    const lo = parseInt(mappedHex[2], 16);
    return ipv4Reason([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  }
  const first = parseInt(h.split(":")[0] || "0", 16);
  if ((first & 0xfe00) === 0xfc00) return "a private (unique local) address";
  if ((first & 0xffc0) === 0xfe80) return "a link-local address";
  if ((first & 0xff00) === 0xff00) return "a multicast address";
  return null;
}
