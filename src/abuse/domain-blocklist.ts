/**
 * A domain blocklist from a file: one domain per line (`#` comments, `*.` prefixes allowed); a
 * domain blocks itself and every subdomain. The file is polled (stat every second, like tail -F)
 * rather than watched with inotify, because editors and config managers replace files by rename,
 * which an inotify watch on the old inode never reports. A file that cannot be read keeps the last
 * good list (and says so once).
 */
import { readFileSync, unwatchFile, watchFile, type Stats } from "node:fs";
import { log } from "../log";

export function parseBlocklist(text: string): Set<string> {
  const domains = new Set<string>();
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim().toLowerCase();
    if (line === "") continue;
    const domain = line.replace(/^\*\./, "").replace(/^\.+|\.+$/g, "");
    if (domain !== "") domains.add(domain);
  }
  return domains;
}

export class DomainBlocklist {
  private domains: Set<string>;
  private watching: string | null = null;
  /** how many times the file was (re)loaded: lets tests wait for a reload */
  loads = 0;
  /**
   * Changes whenever the list may have changed. Cached links carry the version they were checked
   * against, so the redirect path re-checks a link only after a reload (one integer compare per
   * redirect otherwise).
   */
  version = 0;

  constructor(domains: Iterable<string> = []) {
    this.domains = new Set([...domains].map((d) => d.toLowerCase()));
  }

  static fromFile(path: string, pollMs = 1_000): DomainBlocklist {
    const list = new DomainBlocklist();
    list.load(path, true);
    list.watching = path;
    watchFile(path, { interval: pollMs, persistent: false }, (current: Stats, previous: Stats) => {
      if (current.mtimeMs !== previous.mtimeMs || current.size !== previous.size || current.ino !== previous.ino) list.load(path, false);
    });
    return list;
  }

  private load(path: string, first: boolean): void {
    try {
      this.domains = parseBlocklist(readFileSync(path, "utf8"));
      this.loads++;
      this.version++;
      if (!first) log.info("blocklist reloaded", { path, domains: this.domains.size });
    } catch (error) {
      if (first) throw new Error(`BLOCKLIST_FILE ${path}: ${(error as Error).message}`);
      log.warn("blocklist unreadable, keeping the previous list", { path, error });
    }
  }

  get size(): number {
    return this.domains.size;
  }

  /** The blocklist entry that covers `host` (itself or a parent domain), or null. */
  match(host: string): string | null {
    if (this.domains.size === 0) return null;
    let h = host.toLowerCase().replace(/\.$/, "");
    for (;;) {
      if (this.domains.has(h)) return h;
      const dot = h.indexOf(".");
      if (dot === -1) return null;
      h = h.slice(dot + 1);
    }
  }

  /** The entry covering a URL's host, or null (also for a URL that does not parse). */
  blockedBy(url: string): string | null {
    if (this.domains.size === 0) return null;
    try {
      return this.match(new URL(url).hostname);
    } catch {
      return null;
    }
  }

  close(): void {
    if (this.watching !== null) unwatchFile(this.watching);
    this.watching = null;
  }
}
