// URL parsing and registrable-domain logic shared by the features and by the
// train/test split. A full Public Suffix List would be a run-time download or a
// large vendored file; this small list covers the suffixes the dataset and
// typical shortened links use.

// Multi-label public suffixes under which every label is a separate registrant.
const MULTI_PART_SUFFIXES = [
  "co.uk",
  "org.uk",
  "ac.uk",
  "gov.uk",
  "nhs.uk",
  "ltd.uk",
  "plc.uk",
  "me.uk",
  "net.uk",
  "police.uk",
  "sch.uk",
  "com.au",
  "net.au",
  "org.au",
  "edu.au",
  "gov.au",
  "asn.au",
  "id.au",
  "nsw.gov.au",
  "vic.gov.au",
  "qld.gov.au",
  "wa.gov.au",
  "sa.gov.au",
  "tas.gov.au",
  "act.gov.au",
  "nt.gov.au",
  "co.nz",
  "org.nz",
  "govt.nz",
  "ac.nz",
  "net.nz",
  "school.nz",
  "co.jp",
  "ne.jp",
  "or.jp",
  "ac.jp",
  "go.jp",
  "gr.jp",
  "co.in",
  "net.in",
  "org.in",
  "gov.in",
  "ac.in",
  "nic.in",
  "res.in",
  "com.br",
  "gov.br",
  "org.br",
  "net.br",
  "edu.br",
  "co.za",
  "gov.za",
  "org.za",
  "ac.za",
  "com.mx",
  "gob.mx",
  "org.mx",
  "edu.mx",
  "com.ar",
  "gob.ar",
  "com.sg",
  "gov.sg",
  "edu.sg",
  "org.sg",
  "com.hk",
  "gov.hk",
  "edu.hk",
  "com.cn",
  "gov.cn",
  "edu.cn",
  "net.cn",
  "org.cn",
  "com.tw",
  "gov.tw",
  "edu.tw",
  "co.kr",
  "go.kr",
  "ac.kr",
  "or.kr",
  "com.tr",
  "gov.tr",
  "edu.tr",
  "co.il",
  "gov.il",
  "ac.il",
  "com.my",
  "gov.my",
  "edu.my",
  "co.id",
  "go.id",
  "ac.id",
  "com.ph",
  "gov.ph",
  "com.vn",
  "gov.vn",
  "co.th",
  "go.th",
  "ac.th",
  "com.pk",
  "gov.pk",
  "com.ng",
  "gov.ng",
  "co.ke",
  "go.ke",
  "com.eg",
  "gov.eg",
  "com.sa",
  "gov.sa",
  "com.ua",
  "gov.ua",
  "com.pl",
  "gouv.fr",
  "gv.at",
  "co.at",
  "or.at",
  "ac.at",
  "uk.com",
  "us.com",
] as const;

// Shared-hosting suffixes (the Public Suffix List's private section): each
// tenant subdomain is a different owner, which matters both for the split and
// for phishing, where throwaway tenants are the norm.
export const HOSTING_SUFFIXES = [
  "github.io",
  "gitlab.io",
  "blogspot.com",
  "web.app",
  "firebaseapp.com",
  "appspot.com",
  "netlify.app",
  "vercel.app",
  "pages.dev",
  "workers.dev",
  "r2.dev",
  "herokuapp.com",
  "glitch.me",
  "000webhostapp.com",
  "azurewebsites.net",
  "cloudapp.net",
  "onrender.com",
  "fly.dev",
  "surge.sh",
  "replit.app",
  "repl.co",
  "ngrok.io",
  "ngrok.app",
  "ngrok-free.app",
  "duckdns.org",
  "ddns.net",
  "wixsite.com",
  "weebly.com",
  "square.site",
  "webflow.io",
  "godaddysites.com",
  "mystrikingly.com",
  "s3.amazonaws.com",
  "blob.core.windows.net",
  "ipfs.dweb.link",
  "readthedocs.io",
] as const;

const SUFFIXES: ReadonlySet<string> = new Set<string>([...MULTI_PART_SUFFIXES, ...HOSTING_SUFFIXES]);

export interface ParsedUrl {
  /** false when even the lenient parse failed and host/path are best-effort splits of the raw text. */
  readonly ok: boolean;
  readonly scheme: string;
  /** Lower-case hostname without brackets or trailing dot; may be empty. */
  readonly host: string;
  readonly port: string;
  /** Pathname plus search, lower-cased; fragments are ignored. */
  readonly path: string;
  readonly hasUserInfo: boolean;
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

export function isIpLiteral(host: string): boolean {
  return IPV4.test(host) || host.includes(":");
}

/**
 * Lenient parse: scheme-less input ("example.com/x") is common in shortener
 * traffic, so a missing scheme is assumed to be http. Never throws.
 */
export function parseUrl(raw: string): ParsedUrl {
  const text = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  try {
    const u = new URL(withScheme);
    let host = u.hostname.toLowerCase();
    if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
    if (host.endsWith(".")) host = host.slice(0, -1);
    return {
      ok: host.length > 0,
      scheme: u.protocol.replace(/:$/, "").toLowerCase(),
      host,
      port: u.port,
      path: (u.pathname + u.search).toLowerCase(),
      hasUserInfo: u.username !== "" || u.password !== "",
    };
  } catch {
    const lower = text.toLowerCase();
    const slash = lower.indexOf("/");
    return {
      ok: false,
      scheme: "",
      host: slash < 0 ? lower : lower.slice(0, slash),
      port: "",
      path: slash < 0 ? "" : lower.slice(slash),
      hasUserInfo: lower.includes("@"),
    };
  }
}

export interface DomainParts {
  /** Registrable domain ("bbc.co.uk"); the host itself for IP literals and bare labels. */
  readonly registrable: string;
  /** Public suffix part ("co.uk", "com", "web.app"); empty for IP literals. */
  readonly suffix: string;
  /** First label of the registrable domain ("bbc"). */
  readonly name: string;
  /** Labels left of the registrable domain ("www", "news"). */
  readonly subdomains: readonly string[];
}

export function splitDomain(host: string): DomainParts {
  if (host === "" || isIpLiteral(host)) return { registrable: host, suffix: "", name: host, subdomains: [] };
  const labels = host.split(".").filter((l) => l.length > 0);
  if (labels.length < 2) return { registrable: host, suffix: "", name: host, subdomains: [] };
  // Longest matching suffix wins, so "s3.amazonaws.com" beats a plain "com".
  let suffixStart = labels.length - 1;
  for (let i = 1; i < labels.length; i++) {
    if (SUFFIXES.has(labels.slice(i).join("."))) {
      suffixStart = i;
      break;
    }
  }
  const nameIndex = suffixStart - 1;
  return {
    registrable: labels.slice(nameIndex).join("."),
    suffix: labels.slice(suffixStart).join("."),
    name: labels[nameIndex] ?? host,
    subdomains: labels.slice(0, nameIndex),
  };
}

/** Registrable domain of a URL or bare host name. */
export function registrableDomain(url: string): string {
  return splitDomain(parseUrl(url).host).registrable;
}

export function isHostingSuffix(suffix: string): boolean {
  return (HOSTING_SUFFIXES as readonly string[]).includes(suffix);
}
