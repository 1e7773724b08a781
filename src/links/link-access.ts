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
 * - A password-protected link's target (query string included) is for its owner key and admins:
 *   everyone else who may read the link sees it without `url`, in a single view or a listing, and
 *   a listing's text search does not look into that URL (mayReadTarget, listScope).
 * 401 means no credentials, 403 credentials that are not enough (or not valid).
 */
import { Forbidden, Unauthorized } from "../errors";
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

  /** Whether the principal may see this link's target (the link itself being readable to it). */
  mayReadTarget(principal: Principal | null, link: LinkRecord): boolean {
    if (link.passwordHash === null) return true;
    return seesAllLinks(principal) || (principal?.kind === "key" && link.ownerKey === principal.id);
  }

  /**
   * Which links a listing may show (all, or one key's: `ownerKey`) and whether their protected
   * targets are the caller's to see and search: an admin's and a key's own are; the open
   * anonymous listing's are not.
   */
  async listScope(principal: Principal | null): Promise<{ ownerKey: string | undefined; protectedTargets: boolean }> {
    if (principal === null) {
      if (this.opts.adminToken !== undefined || (await this.opts.keys.anyActiveKeys())) {
        throw new Unauthorized("listing links needs an API key or the admin token");
      }
      return { ownerKey: undefined, protectedTargets: false };
    }
    return { ownerKey: seesAllLinks(principal) ? undefined : principal.id, protectedTargets: true };
  }

  mayClearUnsafe(principal: Principal | null): boolean {
    return seesAllLinks(principal);
  }
}
