/**
 * Creating, reading, changing and deleting links. Knows nothing of HTTP: it takes plain values,
 * returns records and throws the typed errors of src/errors. Who may do what is decided by the
 * caller (link-access.ts); the service only records the owner it is given.
 */
import { createHash } from "node:crypto";
import type { UrlSafety } from "../abuse";
import type { CacheEntry, Invalidation, LinkCache } from "../cache";
import { linkKey, type DomainRegistry } from "../domains";
import type { LruCache } from "../lru";
import type { LinkPreview, RedirectRule, SplitVariant } from "../routing";
import type { EventIds, EventBus, EventTopic, LinkEvent } from "../events";
import { AppError, Conflict, Gone, NotFound, Unavailable } from "../errors";
import { randomCode, type SnowflakeIds } from "../ids";
import type { InsertOutcome, LinkChanges, LinkFilter, LinkRecord, LinkStore } from "../storage";
import { validateAlias, validateCreateInput, validateUpdateInput, type CreateLinkInput, type UpdateLinkInput } from "./link-input";
import { GONE, stateOf, toCachedLink } from "./link-state";
import { PasswordHasher } from "./password-hasher";
import type { TargetUrlPolicy } from "./target-url";
import { log } from "../log";
import { activeTraceparent, inSpan } from "../tracing";

export interface LinkServiceDeps {
  store: LinkStore;
  l1: LruCache<string, CacheEntry>;
  l2: LinkCache | null;
  invalidation: Invalidation;
  bus: EventBus;
  ids: SnowflakeIds;
  eventIds: EventIds;
  nodeName: string;
  codeLength: number;
  cacheTtlMs: number;
  policy: TargetUrlPolicy;
  /** blocklist and unsafe-URL checks; absent = none (tools, tests) */
  safety?: UrlSafety;
  /** argon2id hashing through the process's hashing gate; absent = a gate of its own */
  hasher?: PasswordHasher;
  now?: () => number;
  /** short domains besides the default; absent = the default domain only */
  domains?: DomainRegistry;
}

export interface CreateResult {
  link: LinkRecord;
  created: boolean;
}

export interface CreateOptions {
  /** API key id recorded as the link's owner (null: anonymous or ADMIN_TOKEN) */
  owner?: string | null;
  /**
   * A code chosen by the caller (import): taken by a link to the same URL it answers that link
   * (created: false), so a rerun never duplicates; taken by another URL it is a 409.
   */
  presetCode?: string;
  /** admins may create on a domain that restricts creating to some keys */
  isAdmin?: boolean;
}

export interface UpdateOptions {
  /** throws when the caller may not change this link (ownership, scopes) */
  authorize?: (link: LinkRecord) => void;
  /** only admins may bring back a link abuse protection took down */
  mayClearUnsafe?: boolean;
}

/** One item of a bulk create, in input order: the link (new, or the URL's existing one), or why it failed. */
export type BulkItemResult = { index: number; link: LinkRecord; created: boolean } | { index: number; error: AppError };

/** Random codes collide rarely; co-location with the URL's shard costs ~shards tries on average. */
const MAX_INSERT_ATTEMPTS = 8;
const MAX_PLACEMENT_DRAWS = 256;
/** Links one listing page may look at (filters included): ~10 ms of SQLite scanning in 1 ms steps. */
export const LIST_SCAN_LIMIT = 10_000;
/** Bulk items run a few at a time: enough to hide round trips, few enough not to starve other requests. */
const BULK_CONCURRENCY = 16;

export function urlHash(url: string): string {
  return createHash("sha256").update(url).digest("base64url");
}

/** The other targets a link may send visitors to (rules, variants, the preview image): the blocklist screens them too. */
function routedUrls(r: { rules?: RedirectRule[] | null; variants?: SplitVariant[] | null; preview?: LinkPreview | null }): string[] {
  const urls: string[] = [];
  for (const rule of r.rules ?? []) urls.push(rule.url);
  for (const v of r.variants ?? []) urls.push(v.url);
  if (r.preview?.image) urls.push(r.preview.image);
  return urls;
}

export class LinkService {
  private readonly now: () => number;
  private readonly hasher: PasswordHasher;

  constructor(private readonly deps: LinkServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.hasher = deps.hasher ?? new PasswordHasher();
  }

  /** One trace per create (when tracing is on): validation, classification, shard insert, cache fill, publish. */
  create(input: CreateLinkInput, options: CreateOptions = {}): Promise<CreateResult> {
    return inSpan("link.create", async (span) => {
      const result = await this.createLink(input, options);
      span?.setAttributes({ "ringlink.code": result.link.code, "ringlink.created": result.created });
      return result;
    });
  }

  private async createLink(input: CreateLinkInput, options: CreateOptions): Promise<CreateResult> {
    const started = performance.now();
    const request = inSpan("link.validate", () => validateCreateInput(input, this.deps.policy, this.now()));
    const extra = routedUrls(request);
    const safety = this.deps.safety;
    // The check's verdict on the target is the link's category: stored with the insert and said in
    // link.created, so the background classifier does not run the model on the same URL again.
    const verdicts = safety
      ? await inSpan("link.classify", () => safety.assertSafe([request.url, ...extra], [typeof input.url === "string" ? input.url : request.url, ...extra]))
      : null;
    const verdict = verdicts?.[0] ?? null;
    const owner = options.owner ?? null;
    const domain = this.deps.domains?.domainForCreate(input.domain, owner, options.isAdmin === true) ?? null;
    // A key owns what it creates, so keyed (and imported) links never share the URL's anonymous link;
    // nor does a link on another domain share the default domain's.
    const reusable = request.reusable && owner === null && options.presetCode === undefined && domain === null;
    const keyOf = (code: string) => (domain === null ? code : linkKey(domain, "", code));
    const hash = urlHash(request.url);
    const { store } = this.deps;

    // No lookup first for a reusable URL: the insert itself answers "url_exists" (one round trip).
    const passwordHash = request.password === null ? null : await this.hasher.hash(request.password);
    const fixedCode = options.presetCode !== undefined ? validateAlias(options.presetCode) : request.alias;

    for (let attempt = 0; attempt < MAX_INSERT_ATTEMPTS; attempt++) {
      const code = keyOf(fixedCode ?? this.placeCode(hash, reusable, keyOf));
      const mayRedraw = fixedCode === null && !reusable && attempt < MAX_INSERT_ATTEMPTS - 1;
      const outcome = await inSpan(
        "link.shard_insert",
        () =>
          this.tryInsert(mayRedraw, {
            id: this.deps.ids.next(),
            code,
            url: request.url,
            urlHash: hash,
            isAlias: request.alias !== null,
            canonical: reusable,
            redirectType: request.redirectType,
            createdAt: this.now(),
            expiresAt: request.expiresAt,
            maxClicks: request.maxClicks,
            ownerKey: owner,
            passwordHash,
            forwardQuery: request.forwardQuery,
            tags: request.tags,
            rules: request.rules,
            variants: request.variants,
            preview: request.preview,
            category: verdict?.label ?? null,
            categoryConfidence: verdict?.confidence ?? null,
          }),
        { "ringlink.store": store.label, "ringlink.attempt": attempt },
      );
      if (outcome === null) continue; // that code's shard is down; a free code may land on any other
      if (outcome.kind === "url_exists") return { link: outcome.link, created: false };
      if (outcome.kind === "code_taken") {
        if (options.presetCode !== undefined) {
          const existing = await store.findByCode(code);
          if (existing && existing.url === request.url && existing.deletedAt === null) return { link: existing, created: false };
          throw new Conflict("code_taken", `code '${options.presetCode}' is already taken by another link`);
        }
        if (request.alias !== null) throw new Conflict("alias_taken", `alias '${request.alias}' is already taken`);
        continue;
      }
      inSpan("link.cache_fill", () => this.afterWrite(outcome.link));
      // link.created carries the publish span's context, so the classifier continues this trace.
      inSpan("link.publish", () =>
        this.publishWrite("link.created", outcome.link, started, {
          trace: activeTraceparent(),
          ...(outcome.link.category !== null ? { category: outcome.link.category } : {}),
        }),
      );
      return { link: outcome.link, created: true };
    }
    throw new Unavailable("could not allocate a short code, try again");
  }

  /** Up to 1,000 creates; each item succeeds or fails on its own, results in input order. */
  async createMany(items: readonly CreateLinkInput[], options: CreateOptions = {}): Promise<BulkItemResult[]> {
    const results: BulkItemResult[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
      for (;;) {
        const index = next++;
        if (index >= items.length) return;
        try {
          const { link, created } = await this.create(items[index]!, options);
          results[index] = { index, link, created };
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          results[index] = { index, error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(BULK_CONCURRENCY, items.length) }, worker));
    return results;
  }

  /**
   * A link with a random, non-canonical code may live on any shard: when the drawn code's shard
   * cannot take writes, answer null so the caller draws again instead of failing the create.
   */
  private async tryInsert(mayRedraw: boolean, link: Parameters<LinkStore["insert"]>[0]): Promise<InsertOutcome | null> {
    try {
      return await this.deps.store.insert(link);
    } catch (error) {
      if (mayRedraw && error instanceof Unavailable) return null;
      throw error;
    }
  }

  /** A canonical link's code must live on the URL's shard so one shard decides both races (by its link key). */
  private placeCode(hash: string, canonical: boolean, keyOf: (code: string) => string = (c) => c): string {
    for (let i = 0; i < MAX_PLACEMENT_DRAWS; i++) {
      const code = randomCode(this.deps.codeLength);
      if (!canonical || this.deps.store.colocated(keyOf(code), hash)) return code;
    }
    throw new Unavailable("could not place a short code on the URL's shard, try again");
  }

  /**
   * A write event for the link as it now is. Never awaited: consumers (the live stream, the
   * classifier, webhooks) must not delay or fail the request that changed the link.
   */
  private publishWrite(topic: Exclude<EventTopic, "link.clicked">, link: LinkRecord, started: number, extra: Partial<LinkEvent> = {}): void {
    this.deps.bus.publish(topic, {
      event_id: this.deps.eventIds.next(),
      type: "write",
      status: "OK",
      node: this.deps.nodeName,
      redis: null,
      db: this.deps.store.label,
      short_code: link.code,
      latency_ms: performance.now() - started,
      ts: Date.now(),
      url: link.url,
      target_private: link.ownerKey !== null || link.passwordHash !== null,
      ...extra,
    });
  }

  /**
   * The link key a caller names with a code and an optional domain (`?domain=`): the bare code on
   * the default domain, `host/code` on another; 422 unknown_domain for a domain not served here.
   */
  keyOf(code: string, domain?: string): string {
    if (domain === undefined || domain === "") return code;
    if (!this.deps.domains) throw new AppError(422, "unknown_domain", `domain '${domain.slice(0, 100)}' is not served here`);
    return this.deps.domains.keyOf(code, domain);
  }

  /** Drops stale entries (including a cached "no such code") everywhere and warms the local L1. */
  private afterWrite(link: LinkRecord): void {
    this.deps.invalidation.publish(link.code);
    this.deps.l1.set(link.code, toCachedLink(link), this.deps.cacheTtlMs);
    void this.deps.l2?.set(toCachedLink(link), this.deps.cacheTtlMs).catch(() => {});
  }

  /**
   * Every process and instance drops the code: the invalidation port deletes the shared entry
   * before it broadcasts (Redis), so no peer can read the old value back; the explicit L2 delete
   * covers a deployment without the Redis broadcast.
   */
  private async afterChange(code: string): Promise<void> {
    this.deps.invalidation.publish(code);
    await this.deps.l2?.delete(code).catch(() => {});
  }

  async get(code: string): Promise<LinkRecord> {
    const link = await this.deps.store.findByCode(code);
    if (!link) throw new NotFound(`no link with code '${code}'`);
    if (stateOf(link, this.now()) === "deleted") throw new Gone(GONE.deleted.code, `link '${code}' was deleted`);
    return link;
  }

  async update(code: string, input: UpdateLinkInput, options: UpdateOptions = {}): Promise<LinkRecord> {
    const started = performance.now();
    const patch = validateUpdateInput(input, this.deps.policy, this.now());
    const current = await this.get(code);
    options.authorize?.(current);
    if (patch.url !== undefined && patch.url !== current.url)
      await this.deps.safety?.assertSafe([patch.url], [typeof input.url === "string" ? input.url : patch.url]);
    let disabled = current.disabled;
    if (patch.disabled === true && disabled === null) disabled = "manual";
    if (patch.disabled === false && disabled !== null) {
      if (disabled === "unsafe" && !options.mayClearUnsafe) {
        throw new AppError(403, "forbidden", "this link was disabled as unsafe; only an admin may enable it again");
      }
      disabled = null;
    }
    const extra = routedUrls(patch);
    if (extra.length > 0) await this.deps.safety?.assertSafe(extra);
    const url = patch.url ?? current.url;
    const changes: LinkChanges = {
      url,
      urlHash: urlHash(url),
      redirectType: patch.redirectType ?? current.redirectType,
      expiresAt: patch.expiresAt === undefined ? current.expiresAt : patch.expiresAt,
      maxClicks: patch.maxClicks === undefined ? current.maxClicks : patch.maxClicks,
      disabled,
      passwordHash: patch.password === undefined ? current.passwordHash : patch.password === null ? null : await this.hasher.hash(patch.password),
      forwardQuery: patch.forwardQuery ?? current.forwardQuery,
      tags: patch.tags ?? current.tags,
      updatedAt: this.now(),
      rules: patch.rules === undefined ? current.rules : patch.rules,
      variants: patch.variants === undefined ? current.variants : patch.variants,
      preview: patch.preview === undefined ? current.preview : patch.preview,
    };
    const updated = await this.deps.store.updateLink(code, changes);
    if (!updated) throw new Gone(GONE.deleted.code, `link '${code}' was deleted`);
    await this.afterChange(code);
    this.publishWrite("link.updated", updated, started);
    if (current.disabled === null && updated.disabled !== null) this.publishWrite("link.disabled", updated, started, { disabled_reason: "manual" });
    return updated;
  }

  async remove(code: string, authorize?: (link: LinkRecord) => void): Promise<void> {
    const started = performance.now();
    const { store } = this.deps;
    const before = await this.get(code);
    authorize?.(before);
    const deleted = await store.softDelete(code, this.now());
    if (!deleted) {
      const link = await store.findByCode(code);
      if (!link) throw new NotFound(`no link with code '${code}'`);
      throw new Gone(GONE.deleted.code, `link '${code}' was already deleted`);
    }
    await this.afterChange(code);
    this.publishWrite("link.deleted", before, started);
  }

  /**
   * The hook for the asynchronous classifier: a verdict of `suspicious` at or above
   * UNSAFE_URL_THRESHOLD disables the link (it then answers 410 with a warning page everywhere
   * within a second). Returns whether the link was taken down by this call.
   */
  async flagUnsafe(code: string, label: string, confidence: number): Promise<boolean> {
    if (!this.deps.safety?.isUnsafe({ label, confidence })) return false;
    const started = performance.now();
    const disabled = await this.deps.store.disableLink(code, "unsafe", this.now());
    if (disabled) {
      await this.afterChange(code);
      const link = await this.deps.store.findByCode(code).catch(() => null);
      if (link) this.publishWrite("link.disabled", link, started, { disabled_reason: "unsafe" });
      log.warn("link disabled as unsafe", { code, label, confidence });
    }
    return disabled;
  }

  /**
   * A page of links, newest first. One page looks at no more than LIST_SCAN_LIMIT links, so a
   * filter that matches little may answer fewer than `limit` items with a cursor to go on from.
   */
  async list(
    filter: Omit<LinkFilter, "limit" | "beforeId" | "scanLimit"> & { limit: number; cursor?: bigint },
  ): Promise<{ items: LinkRecord[]; nextCursor: string | null }> {
    const { limit, cursor, ...rest } = filter;
    const { records, scannedTo } = await this.deps.store.listLinks({ ...rest, limit: limit + 1, beforeId: cursor, scanLimit: LIST_SCAN_LIMIT });
    const page = records.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor = records.length > limit && last ? last.id.toString() : scannedTo !== null ? scannedTo.toString() : null;
    return { items: page, nextCursor };
  }
}
