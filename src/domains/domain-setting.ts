/**
 * The DOMAINS setting: a comma list of entries, each a host name followed by optional
 * space-separated `root=URL`, `not-found=URL` and `keys=ID+ID` (API key ids that may create there):
 *
 *   DOMAINS="go.example.com root=https://example.com, links.example.org not-found=https://example.org/404 keys=k1a2b3+k4c5d6"
 *
 * Errors are plain messages; config.ts names the setting.
 */
import { normalizeHost, type ShortDomain } from "./short-domain";

function httpTarget(raw: string, what: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${what} '${raw.slice(0, 80)}' is not an absolute URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`${what} must be an http(s) URL`);
  return url.href;
}

export function parseDomains(raw: string | undefined): ShortDomain[] {
  if (raw === undefined || raw.trim() === "") return [];
  const seen = new Set<string>();
  return raw
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "")
    .map((entry) => {
      const [first, ...options] = entry.split(/\s+/);
      const host = normalizeHost(first!);
      if (host === null) throw new Error(`'${first!.slice(0, 80)}' is not a host name`);
      if (seen.has(host)) throw new Error(`${host} is listed twice`);
      seen.add(host);
      const domain: ShortDomain = { host, rootRedirect: null, notFoundRedirect: null, keys: null };
      for (const option of options) {
        const eq = option.indexOf("=");
        const name = eq === -1 ? option : option.slice(0, eq);
        const value = eq === -1 ? "" : option.slice(eq + 1);
        if (name === "root") domain.rootRedirect = httpTarget(value, `${host} root`);
        else if (name === "not-found") domain.notFoundRedirect = httpTarget(value, `${host} not-found`);
        else if (name === "keys") domain.keys = value.split("+").filter((k) => k !== "");
        else throw new Error(`${host}: unknown option '${name.slice(0, 40)}' (root=, not-found=, keys=)`);
      }
      return domain;
    });
}
