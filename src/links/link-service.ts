/**
 * Creating, reading and deleting links. Knows nothing of HTTP: it takes plain values, returns
 * records and throws the typed errors from http/errors.
 */
import { createHash } from "node:crypto";
import type { CacheEntry, Invalidation, LinkCache, LruCache } from "../cache";
import { EventIds, type EventBus } from "../events";
import { Conflict, Gone, NotFound, Unavailable } from "../http/errors";
import { randomCode, type SnowflakeIds } from "../ids";
import type { InsertOutcome, LinkRecord, LinkStore } from "../storage";
import { validateCreateInput, type CreateLinkInput } from "./link-input";
import { stateOf, toCachedLink } from "./link-state";
import type { TargetUrlPolicy } from "./target-url";

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
  now?: () => number;
}

export interface CreateResult {
  link: LinkRecord;
  created: boolean;
}

/** Random codes collide rarely; co-location with the URL's shard costs ~shards tries on average. */
const MAX_INSERT_ATTEMPTS = 8;
const MAX_PLACEMENT_DRAWS = 256;

export function urlHash(url: string): string {
  return createHash("sha256").update(url).digest("base64url");
}

export class LinkService {
  private readonly now: () => number;

  constructor(private readonly deps: LinkServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  async create(input: CreateLinkInput): Promise<CreateResult> {
    const started = performance.now();
    const request = validateCreateInput(input, this.deps.policy, this.now());
    const hash = urlHash(request.url);
    const { store } = this.deps;

    if (request.reusable) {
      const existing = await store.findCanonical(hash);
      if (existing) return { link: existing, created: false };
    }

    for (let attempt = 0; attempt < MAX_INSERT_ATTEMPTS; attempt++) {
      const code = request.alias ?? this.placeCode(hash, request.reusable);
      const outcome = await this.tryInsert(request.alias === null && !request.reusable && attempt < MAX_INSERT_ATTEMPTS - 1, {
        id: this.deps.ids.next(),
        code,
        url: request.url,
        urlHash: hash,
        isAlias: request.alias !== null,
        canonical: request.reusable,
        redirectType: request.redirectType,
        createdAt: this.now(),
        expiresAt: request.expiresAt,
        maxClicks: request.maxClicks,
      });
      if (outcome === null) continue; // that code's shard is down; a free code may land on any other
      if (outcome.kind === "url_exists") return { link: outcome.link, created: false };
      if (outcome.kind === "code_taken") {
        if (request.alias !== null) throw new Conflict("alias_taken", `alias '${request.alias}' is already taken`);
        continue;
      }
      this.afterWrite(outcome.link);
      this.deps.bus.publish("link.created", {
        event_id: this.deps.eventIds.next(),
        type: "write",
        status: "OK",
        node: this.deps.nodeName,
        redis: null,
        db: store.description,
        short_code: code,
        latency_ms: performance.now() - started,
        ts: Date.now(),
        url: outcome.link.url,
      });
      return { link: outcome.link, created: true };
    }
    throw new Unavailable("could not allocate a short code, try again");
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

  /** A canonical link's code must live on the URL's shard so one shard decides both races. */
  private placeCode(hash: string, canonical: boolean): string {
    for (let i = 0; i < MAX_PLACEMENT_DRAWS; i++) {
      const code = randomCode(this.deps.codeLength);
      if (!canonical || this.deps.store.colocated(code, hash)) return code;
    }
    throw new Unavailable("could not place a short code on the URL's shard, try again");
  }

  /** Drops stale entries (including a cached "no such code") everywhere and warms the local L1. */
  private afterWrite(link: LinkRecord): void {
    this.deps.invalidation.publish(link.code);
    this.deps.l1.set(link.code, toCachedLink(link), this.deps.cacheTtlMs);
    void this.deps.l2?.set(toCachedLink(link), this.deps.cacheTtlMs).catch(() => {});
  }

  async get(code: string): Promise<LinkRecord> {
    const link = await this.deps.store.findByCode(code);
    if (!link) throw new NotFound(`no link with code '${code}'`);
    if (stateOf(link, this.now()) === "deleted") throw new Gone("deleted", `link '${code}' was deleted`);
    return link;
  }

  async remove(code: string): Promise<void> {
    const { store } = this.deps;
    const deleted = await store.softDelete(code, this.now());
    if (!deleted) {
      const link = await store.findByCode(code);
      if (!link) throw new NotFound(`no link with code '${code}'`);
      throw new Gone("deleted", `link '${code}' was already deleted`);
    }
    this.deps.invalidation.publish(code);
    await this.deps.l2?.delete(code).catch(() => {});
  }

  async list(limit: number, cursor?: bigint): Promise<{ items: LinkRecord[]; nextCursor: string | null }> {
    const items = await this.deps.store.listRecent(limit + 1, cursor);
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page, nextCursor: items.length > limit && last ? last.id.toString() : null };
  }
}
