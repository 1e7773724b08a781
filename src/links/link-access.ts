/**
 * Who may do what with links: the rules of the API keys feature in one place.
 *
 * - Creating: anonymous when ANON_CREATE (default true), otherwise a key with `create`.
 * - Custom aliases: anonymous only while ANON_ALIASES allows it. The default `auto` allows them
 *   until the first API key exists (a fresh install behaves as before keys were introduced); once
 *   keys are in use an alias needs a key with `create`. `true`/`false` fix the rule.
 * - Bulk: a key with `create`.
 * - Changing and deleting: `manage`, on the key's own links; `admin` (and ADMIN_TOKEN) on any.
 * - Reading a link or its stats: anonymous links are public as before; a key's links need that key
 *   with `stats` (or `manage`), or admin.
 * - Listing: a key lists its own links, admin lists all; anonymous listing is open only while no
 *   ADMIN_TOKEN and no key exist (as before keys).
 * 401 means no credentials, 403 credentials that are not enough (or not valid).
 */
import { Forbidden, Unauthorized } from "../http/errors";
import { hasScope, requireScope, seesAllLinks, type KeyService, type Principal, type Scope } from "../keys";
import type { LinkRecord } from "../storage";

export type AnonAliases = "auto" | "true" | "false";

export interface LinkAccessOptions {
  keys: KeyService;
  adminToken: string | undefined;
  anonCreate: boolean;
  anonAliases: AnonAliases;
}

const present = (v: unknown): boolean => v !== undefined && v !== null && v !== "";

export class LinkAccess {
  constructor(private readonly opts: LinkAccessOptions) {}

  private async anonymousAliasesAllowed(): Promise<boolean> {
    if (this.opts.anonAliases === "true") return true;
    if (this.opts.anonAliases === "false") return false;
    return !(await this.opts.keys.anyActiveKeys());
  }

  async assertMayCreate(principal: Principal | null, input: { alias?: unknown }): Promise<void> {
    if (principal !== null) {
      requireScope(principal, "create", "creating links");
      return;
    }
    if (!this.opts.anonCreate) throw new Unauthorized("creating links needs an API key with the 'create' scope");
    if (present(input.alias) && !(await this.anonymousAliasesAllowed())) {
      throw new Unauthorized("custom aliases need an API key with the 'create' scope");
    }
  }

  assertMayBulk(principal: Principal | null): Principal {
    return requireScope(principal, "create", "bulk creation");
  }

  /** The link's owner, or any admin, with the scope; anonymous links belong to admins only. */
  assertOwns(principal: Principal | null, link: LinkRecord, scope: Scope, action: string): void {
    const who = requireScope(principal, scope, action);
    if (!seesAllLinks(who) && link.ownerKey !== who.id) throw new Forbidden(`this link belongs to another key; ${action} needs its own key or an admin key`);
  }

  assertMayRead(principal: Principal | null, link: LinkRecord): void {
    if (link.ownerKey === null) return;
    const scope: Scope = hasScope(principal, "manage") && !hasScope(principal, "stats") ? "manage" : "stats";
    this.assertOwns(principal, link, scope, "reading this link");
  }

  /** Which links a listing may show: all (undefined) or one key's. */
  async listOwner(principal: Principal | null): Promise<string | undefined> {
    if (principal === null) {
      if (this.opts.adminToken !== undefined || (await this.opts.keys.anyActiveKeys())) {
        throw new Unauthorized("listing links needs an API key or the admin token");
      }
      return undefined;
    }
    return seesAllLinks(principal) ? undefined : principal.id;
  }

  mayClearUnsafe(principal: Principal | null): boolean {
    return seesAllLinks(principal);
  }
}
