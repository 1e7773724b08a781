/**
 * Distributed LinkStore: N PostgreSQL shards, each a primary and a streaming replica. The shard ring
 * routes a code (and a URL hash) to one shard; writes and authoritative reads go to that shard's
 * primary, redirect lookups to its replica first.
 *
 * Failure rules, per node (see src/cluster): each call has a timeout and runs behind the node's
 * circuit breaker; idempotent reads retry with jittered backoff inside one deadline; writes are
 * never retried (a timed-out INSERT may have committed). A shard whose primary cannot serve makes
 * writes to that shard fail with ShardUnavailable (503 + Retry-After) while other shards carry on,
 * and redirect lookups of that shard keep working from the replica.
 *
 * The shard map comes from a ShardRouter and may change while the store serves. During a move
 * (README "Growing and shrinking the cluster") a code's new owner is asked first and its old owner
 * second; every write carries `moving = 0`, so a row a reshard has frozen for copying is never
 * written on its old shard: the write waits for the copy and lands on the new shard instead.
 */
import {
  CircuitOpenError,
  Deadline,
  HealthProber,
  RecentChanges,
  ShardUnavailable,
  errorSummary,
  withRetries,
  type RetryPolicy,
  type ShardRouter,
} from "../../cluster";
import type { ResilienceConfig } from "../../config";
import type {
  ClickBudget,
  DisabledReason,
  InsertOutcome,
  LinkChanges,
  LinkFilter,
  LinkPage,
  LinkRecord,
  LinkStore,
  MigrationReport,
  NewLink,
} from "../link-store";
import type { ApiKeyStore } from "../../keys";
import { toDomain, type DomainRow, type DomainStore } from "../../domains";
import type { DependencyHealth, NodeState } from "../../cluster";
import { containsPattern, encodeJson, encodeTags, tagPattern } from "../link-columns";
import { mergeShardPages, toRecord, type LinkRow, type ShardPage } from "./link-rows";
import { PostgresApiKeyStore, type KeyShardAccess } from "./postgres-api-key-store";
import { migrateShard } from "./pg-migrator";
import { PgNode, type PgRole, type PgSql } from "./pg-node";
import { CodeBatcher } from "./code-batcher";
import { TurnBatch, type ItemResult } from "../turn-batch";
import { log } from "../../log";

export interface ShardedPostgresOptions {
  router: ShardRouter;
  resilience: ResilienceConfig;
  /** codes changed recently (fed by invalidations too): their lookups skip the replica */
  recentChanges?: RecentChanges;
}

interface Shard {
  index: number;
  /** primary and replica URLs this shard's nodes were opened for */
  urls: string;
  primary: PgNode;
  replica: PgNode;
}

/** Click counts for shards that could not be written are kept for the next flush, up to this many codes. */
const MAX_CARRIED_CLICK_CODES = 100_000;

/** Rows per multi-row INSERT: its 19 array parameters stay small, and one statement stays a few ms. */
const MAX_INSERT_BATCH = 256;

/** A write that met a row frozen by a reshard waits this long between looks (a batch copies in ~50 ms). */
const FROZEN_ROW_WAIT_MS = 10;

export class ShardedPostgresLinkStore implements LinkStore {
  readonly description: string;
  readonly label: string;
  private readonly shards = new Map<number, Shard>();
  private readonly router: ShardRouter;
  private readonly resilience: ResilienceConfig;
  private readonly retryPolicy: RetryPolicy;
  /** a read that has another node to fall back to gives up sooner (a quarter of the query timeout) */
  private readonly fallbackTimeoutMs: number;
  private readonly recent: RecentChanges;
  /** lookups by code, batched per node and event-loop turn */
  private readonly batchers = new Map<PgNode, CodeBatcher>();
  /** inserts, batched per shard and event-loop turn (a replaced shard's batch goes with it) */
  private readonly insertBatches = new WeakMap<Shard, TurnBatch<NewLink, InsertOutcome>>();
  private prober: HealthProber;
  private carriedClicks = new Map<string, number>();
  /** the URL hash `colocated` last placed, and its shard under that version of the shard map */
  private placedHash: string | null = null;
  private placedVersion = -1;
  private placedShard = -1;
  readonly apiKeys: ApiKeyStore;
  readonly domains: DomainStore;

  constructor(opts: ShardedPostgresOptions) {
    this.router = opts.router;
    this.resilience = opts.resilience;
    this.recent = opts.recentChanges ?? new RecentChanges();
    this.retryPolicy = { retries: opts.resilience.readRetries, baseDelayMs: 20, maxDelayMs: 250 };
    this.fallbackTimeoutMs = Math.max(50, Math.round(opts.resilience.dbQueryTimeoutMs / 4));
    // Short on purpose: it is the `db` field of every link.created event. /readyz lists the addresses.
    this.description = `sharded-postgres (${this.router.size} shards)`;
    this.label = this.description;
    this.prober = this.openShards();
    this.router.onChange(() => {
      this.prober.stop();
      this.prober = this.openShards();
    });
    // Keys live on shard 0 only: reads go to its primary (a revocation must be seen at once) and
    // fall back to its replica while the primary is down, so authenticated requests keep working.
    const keyShard = () => this.shardAt(0);
    const keyShardAccess: KeyShardAccess = {
      write: (op) => this.onPrimary(keyShard(), op, "write"),
      read: async (op) => {
        const deadline = this.deadline();
        const shard = keyShard();
        try {
          return await this.call(shard.primary, op, deadline, true);
        } catch (error) {
          if (!shard.primary.guard.isFailure(error)) throw error;
          try {
            return await this.call(shard.replica, op, deadline, false);
          } catch (replicaError) {
            this.fail(shard, "replica", replicaError);
          }
        }
      },
    };
    this.apiKeys = new PostgresApiKeyStore(keyShardAccess);
    // Domains added by the API live beside the keys, on shard 0, read the same way.
    this.domains = {
      listDomains: async () => (await keyShardAccess.read((sql) => sql<DomainRow[]>`SELECT * FROM domains ORDER BY host`)).map(toDomain),
      saveDomain: async (d, at) => {
        const keys = d.keys === null ? null : d.keys.join(",");
        await keyShardAccess.write(
          (sql) => sql`
            INSERT INTO domains (host, root_redirect, not_found_redirect, create_keys, updated_at)
            VALUES (${d.host}, ${d.rootRedirect}, ${d.notFoundRedirect}, ${keys}, ${at})
            ON CONFLICT (host) DO UPDATE SET root_redirect = EXCLUDED.root_redirect, not_found_redirect = EXCLUDED.not_found_redirect,
              create_keys = EXCLUDED.create_keys, updated_at = EXCLUDED.updated_at`,
        );
      },
      removeDomain: async (host) => (await keyShardAccess.write((sql) => sql`DELETE FROM domains WHERE host = ${host}`)).count > 0,
    };
  }

  // ---------------------------------------------------------------- routing and guarding

  /**
   * Opens the nodes of every shard the current map names (both maps during a move) and returns a
   * started prober over them. Nodes whose address did not change are kept with their pools.
   */
  private openShards(): HealthProber {
    const wanted = new Set(this.router.indices());
    for (const index of wanted) this.shardAt(index);
    for (const [index, shard] of this.shards) {
      if (wanted.has(index)) continue;
      this.shards.delete(index);
      // Requests still in flight on a removed shard get a grace period (pg-node closes with a timeout).
      void Promise.all([shard.primary.close(), shard.replica.close()]).catch(() => {});
    }
    const prober = new HealthProber(
      [...this.shards.values()].flatMap((s) => [s.primary.guard, s.replica.guard]),
      this.resilience.probeIntervalMs,
    );
    prober.start();
    return prober;
  }

  private shardAt(index: number): Shard {
    const nodes = this.router.members(index);
    const urls = `${nodes.primary} ${nodes.replica}`;
    let shard = this.shards.get(index);
    if (shard && shard.urls === urls) return shard;
    if (shard) void Promise.all([shard.primary.close(), shard.replica.close()]).catch(() => {});
    shard = {
      index,
      urls,
      primary: new PgNode({ url: nodes.primary, shard: index, role: "primary", resilience: this.resilience }),
      replica: new PgNode({ url: nodes.replica, shard: index, role: "replica", resilience: this.resilience }),
    };
    this.shards.set(index, shard);
    return shard;
  }

  private shardOf(key: string): Shard {
    return this.shardAt(this.router.shardOf(key));
  }

  /** The key's shard under the map being moved from, when a move runs and it differs. */
  private oldShardOf(key: string): Shard | null {
    const old = this.router.previousShardOf(key);
    return old === null ? null : this.shardAt(old);
  }

  /** Every shard that may hold rows now: the current map's, plus the old map's during a move. */
  private allShards(): Shard[] {
    return this.router.indices().map((i) => this.shardAt(i));
  }

  /**
   * A write to a link wherever it lives during a move: its new shard, else its old one (where the
   * statement's `moving = 0` skips a row being copied), then the new shard again (the copy may have
   * finished in between). Only a frozen row makes it look again, bounded by the request deadline.
   * Outside a move this is one statement on the code's shard, as before.
   */
  private async writeAtHome<T>(code: string, op: (sql: PgSql) => Promise<T>, hit: (result: T) => boolean): Promise<T> {
    const deadline = this.deadline();
    const shard = this.shardOf(code);
    let result = await this.onPrimary(shard, op, "write", deadline);
    const old = this.oldShardOf(code);
    if (hit(result) || old === null) return result;
    for (;;) {
      result = await this.onPrimary(old, op, "write", deadline);
      if (hit(result)) return result;
      result = await this.onPrimary(shard, op, "write", deadline);
      if (hit(result)) return result;
      const frozen = await this.onPrimary(old, (sql) => sql`SELECT 1 FROM links WHERE code = ${code} AND moving = 1`, "read", deadline);
      if (frozen.length === 0) return result;
      if (deadline.remaining() < FROZEN_ROW_WAIT_MS * 2) throw new ShardUnavailable(shard.index, "primary", new Error(`link ${code} is being moved`));
      await Bun.sleep(FROZEN_ROW_WAIT_MS);
    }
  }

  private deadline(): Deadline {
    return Deadline.after(this.resilience.requestDeadlineMs);
  }

  /** One call to one node: breaker + timeout clipped to the deadline; reads may retry. */
  private call<T>(node: PgNode, op: (sql: PgSql) => Promise<T>, deadline: Deadline, retry: boolean, timeoutMs = this.resilience.dbQueryTimeoutMs): Promise<T> {
    return this.retrying(node, () => node.guard.run(() => op(node.sql), deadline.clip(timeoutMs)), deadline, retry);
  }

  /** A link by code on this node, batched with the other lookups of this turn (see CodeBatcher). */
  private lookupOn(node: PgNode, code: string, deadline: Deadline, retry: boolean, timeoutMs = this.resilience.dbQueryTimeoutMs): Promise<LinkRow | null> {
    let batcher = this.batchers.get(node);
    if (!batcher) {
      batcher = new CodeBatcher((codes, ms) => node.guard.run(() => node.sql<LinkRow[]>`SELECT * FROM links WHERE code = ANY(${codes}::text[])`, ms));
      this.batchers.set(node, batcher);
    }
    const b = batcher;
    return this.retrying(node, () => b.get(code, deadline.clip(timeoutMs)), deadline, retry);
  }

  private retrying<T>(node: PgNode, attempt: () => Promise<T>, deadline: Deadline, retry: boolean): Promise<T> {
    if (!retry) return attempt();
    // Retrying a node whose breaker just opened would only fail again: give up at once.
    return withRetries(attempt, this.retryPolicy, deadline, (e) => node.guard.isFailure(e) && !(e instanceof CircuitOpenError));
  }

  /** Node failures leave the store as ShardUnavailable (503); statement errors pass through. */
  private fail(shard: Shard, role: PgRole, error: unknown): never {
    const node = role === "primary" ? shard.primary : shard.replica;
    if (node.guard.isFailure(error)) throw new ShardUnavailable(shard.index, role, error);
    throw error;
  }

  private async onPrimary<T>(shard: Shard, op: (sql: PgSql) => Promise<T>, kind: "read" | "write", deadline = this.deadline()): Promise<T> {
    try {
      return await this.call(shard.primary, op, deadline, kind === "read");
    } catch (error) {
      this.fail(shard, "primary", error);
    }
  }

  // ---------------------------------------------------------------- queries

  private static byCode(sql: PgSql, code: string): Promise<LinkRow | null> {
    return sql<LinkRow[]>`SELECT * FROM links WHERE code = ${code}`.then((rows) => rows[0] ?? null);
  }

  private static canonical(sql: PgSql, urlHash: string): Promise<LinkRow | null> {
    return sql<LinkRow[]>`SELECT * FROM links WHERE url_hash = ${urlHash} AND canonical = 1 AND deleted_at IS NULL`.then((rows) => rows[0] ?? null);
  }

  // ---------------------------------------------------------------- LinkStore

  async migrate(onProgress?: (line: string) => void): Promise<MigrationReport[]> {
    const reports: MigrationReport[] = [];
    const failures: string[] = [];
    // One shard at a time so the progress lines read in order; a shard that fails does not stop the others.
    for (const shard of this.allShards()) {
      const target = `shard-${shard.index} primary ${shard.primary.address}`;
      try {
        reports.push(await migrateShard(shard.primary.sql, target, onProgress));
      } catch (error) {
        onProgress?.(`${target}: FAILED: ${errorSummary(error)}`);
        failures.push(`${target}: ${errorSummary(error)}`);
      }
    }
    if (failures.length > 0) throw new Error(`migration failed on ${failures.length} shard(s): ${failures.join("; ")}`);
    return reports;
  }

  colocated(code: string, urlHash: string): boolean {
    // A canonical create asks this for one URL hash and ~shards random codes: the hash's shard is
    // looked up once (ring lookups were ~5% of a distributed create).
    if (this.placedHash !== urlHash || this.placedVersion !== this.router.version) {
      this.placedHash = urlHash;
      this.placedVersion = this.router.version;
      this.placedShard = this.router.shardOf(urlHash);
    }
    return this.router.shardOf(code) === this.placedShard;
  }

  /**
   * Mid-move checks first (per link), then the link joins its shard's batch of this turn: one
   * multi-row INSERT per shard and turn (insertBatch), so at 64 connections a shard takes a few
   * statements per turn instead of one per create. A shard that cannot write fails its batch only.
   */
  async insert(link: NewLink): Promise<InsertOutcome> {
    // Mid-move the new shard's unique indexes do not cover rows not yet copied from the old one:
    // an alias (or code) still living there is taken, and the URL's canonical link there is reused.
    const oldCodeShard = this.oldShardOf(link.code);
    if (oldCodeShard && (await this.onPrimary(oldCodeShard, (sql) => sql`SELECT 1 FROM links WHERE code = ${link.code}`, "read")).length > 0) {
      return { kind: "code_taken" };
    }
    const oldUrlShard = link.canonical ? this.oldShardOf(link.urlHash) : null;
    if (oldUrlShard) {
      const existing = await this.onPrimary(oldUrlShard, (sql) => ShardedPostgresLinkStore.canonical(sql, link.urlHash), "read");
      if (existing) return { kind: "url_exists", link: toRecord(existing) };
    }
    // Read after the awaits above: the map may have changed while they ran.
    const shard = this.shardOf(link.code);
    let batch = this.insertBatches.get(shard);
    if (!batch) {
      const target = shard;
      batch = new TurnBatch((links) => this.insertBatch(target, links), MAX_INSERT_BATCH);
      this.insertBatches.set(shard, batch);
    }
    return batch.add(link);
  }

  /**
   * One round trip for the batch: the rows go in in batch order, each skipping any unique conflict
   * (ON CONFLICT DO NOTHING, which also covers a conflict with an earlier row of the same batch), and
   * the same statement returns the live canonical links of the batch's reusable URLs as they were
   * before it. Per row: inserted (its id came back); else a canonical row whose URL now has a live
   * canonical link (an earlier row of this batch, else an existing one) is url_exists; else its
   * code (or id) was taken, or a racing create's canonical row is not visible to this statement's
   * snapshot yet: code_taken, the caller draws again and the next attempt sees it.
   */
  private async insertBatch(shard: Shard, links: NewLink[]): Promise<ItemResult<InsertOutcome>[]> {
    const text = (n: number | null) => (n === null ? null : String(n));
    const rows = await this.onPrimary(
      shard,
      (sql) => sql<Array<LinkRow & { inserted: number }>>`
        WITH v AS (
          SELECT * FROM unnest(
            ${links.map((l) => l.id.toString())}::text[], ${links.map((l) => l.code)}::text[], ${links.map((l) => l.url)}::text[],
            ${links.map((l) => l.urlHash)}::text[], ${links.map((l) => (l.isAlias ? "1" : "0"))}::text[],
            ${links.map((l) => (l.canonical ? "1" : "0"))}::text[], ${links.map((l) => String(l.redirectType))}::text[],
            ${links.map((l) => String(l.createdAt))}::text[], ${links.map((l) => text(l.expiresAt))}::text[],
            ${links.map((l) => text(l.maxClicks))}::text[], ${links.map((l) => l.ownerKey ?? null)}::text[],
            ${links.map((l) => l.passwordHash ?? null)}::text[], ${links.map((l) => (l.forwardQuery ? "1" : "0"))}::text[],
            ${links.map((l) => encodeTags(l.tags))}::text[], ${links.map((l) => encodeJson(l.rules))}::text[],
            ${links.map((l) => encodeJson(l.variants))}::text[], ${links.map((l) => encodeJson(l.preview))}::text[],
            ${links.map((l) => l.category ?? null)}::text[], ${links.map((l) => text(l.categoryConfidence ?? null))}::text[]
          ) WITH ORDINALITY AS v(id, code, url, url_hash, is_alias, canonical, redirect_type, created_at, expires_at, max_clicks,
                                 owner_key, password_hash, forward_query, tags, rules, variants, preview, category, category_confidence, ord)),
        ins AS (
          INSERT INTO links (id, code, url, url_hash, is_alias, canonical, redirect_type, created_at, expires_at, max_clicks,
                             owner_key, password_hash, forward_query, tags, rules, variants, preview, category, category_confidence)
          SELECT id::bigint, code, url, url_hash, is_alias::smallint, canonical::smallint, redirect_type::smallint, created_at::bigint,
                 expires_at::bigint, max_clicks::bigint, owner_key, password_hash, forward_query::smallint, tags, rules, variants, preview,
                 category, category_confidence::real
          FROM v ORDER BY ord
          ON CONFLICT DO NOTHING
          RETURNING *)
        SELECT ins.*, 1 AS inserted FROM ins
        UNION ALL
        SELECT l.*, 0 AS inserted FROM links l
        WHERE l.url_hash IN (SELECT url_hash FROM v WHERE canonical = '1') AND l.canonical = 1 AND l.deleted_at IS NULL`,
      "write",
    );
    const inserted = new Map<bigint, LinkRecord>();
    const canonicalByHash = new Map<string, LinkRecord>();
    for (const row of rows) {
      const record = toRecord(row);
      if (Number(row.inserted) === 1) inserted.set(record.id, record);
      // This batch's own canonical row wins over a snapshot row it could not have coexisted with.
      if (record.canonical && (Number(row.inserted) === 1 || !canonicalByHash.has(record.urlHash))) canonicalByHash.set(record.urlHash, record);
    }
    return links.map((link): ItemResult<InsertOutcome> => {
      const mine = inserted.get(link.id);
      if (mine) {
        this.recent.note(link.code);
        return { ok: true, value: { kind: "inserted", link: mine } };
      }
      const existing = link.canonical ? canonicalByHash.get(link.urlHash) : undefined;
      return { ok: true, value: existing ? { kind: "url_exists", link: existing } : { kind: "code_taken" } };
    });
  }

  async findByCode(code: string): Promise<LinkRecord | null> {
    const shard = this.shardOf(code);
    const read = (s: Shard) => this.onPrimary(s, (sql) => ShardedPostgresLinkStore.byCode(sql, code), "read");
    let row = await read(shard);
    const old = this.oldShardOf(code);
    // New owner, old owner, then the new owner again: a copy may finish between the first two looks.
    if (!row && old) row = (await read(old)) ?? (await read(shard));
    return row ? toRecord(row) : null;
  }

  /**
   * Replica first. A replica miss may be replication lag (a link created a moment ago), so it is
   * confirmed on the primary; a replica error falls back to the primary too. A code changed in the
   * last few seconds (RecentChanges) asks the primary first, since the replica may not have replayed
   * that change yet, and falls back to the replica.
   *
   * A replica *miss* is never final on its own: when the primary cannot confirm it, the lookup fails
   * (503) rather than answer 404, because a 404 is cached and the replica lags most exactly when its
   * primary has just crashed or restarted. Links the replica has are served either way.
   */
  async lookup(code: string): Promise<{ record: LinkRecord | null; source: "replica" | "primary" }> {
    const shard = this.shardOf(code);
    const deadline = this.deadline();
    const found = await this.lookupOnShard(shard, code, deadline);
    const old = this.oldShardOf(code);
    if (found.record || old === null) return found;
    const before = await this.lookupOnShard(old, code, deadline);
    if (before.record) return before;
    return this.lookupOnShard(shard, code, deadline, true);
  }

  private async lookupOnShard(
    shard: Shard,
    code: string,
    deadline: Deadline,
    primaryOnly = false,
  ): Promise<{ record: LinkRecord | null; source: "replica" | "primary" }> {
    const read = (node: PgNode, retry: boolean, timeoutMs?: number) => this.lookupOn(node, code, deadline, retry, timeoutMs);

    const primaryFirst = primaryOnly || this.recent.has(code) || !shard.replica.guard.available;
    if (!primaryFirst) {
      try {
        const row = await read(shard.replica, false, this.fallbackTimeoutMs);
        if (row) return { record: toRecord(row), source: "replica" };
      } catch {
        // Any replica error (down, recovery conflict, timeout): the primary is the fallback.
      }
    }
    try {
      const row = await read(shard.primary, true);
      return { record: row ? toRecord(row) : null, source: "primary" };
    } catch (error) {
      if (primaryFirst && shard.primary.guard.isFailure(error)) {
        const row = await read(shard.replica, false).catch(() => null);
        if (row) return { record: toRecord(row), source: "replica" };
      }
      this.fail(shard, "primary", error);
    }
  }

  async findCanonical(urlHash: string): Promise<LinkRecord | null> {
    let row = await this.onPrimary(this.shardOf(urlHash), (sql) => ShardedPostgresLinkStore.canonical(sql, urlHash), "read");
    const old = row ? null : this.oldShardOf(urlHash);
    if (old) row = await this.onPrimary(old, (sql) => ShardedPostgresLinkStore.canonical(sql, urlHash), "read");
    return row ? toRecord(row) : null;
  }

  async setCategory(code: string, category: string, confidence: number): Promise<boolean> {
    const result = await this.writeAtHome(
      code,
      (sql) => sql`UPDATE links SET category = ${category}, category_confidence = ${confidence} WHERE code = ${code} AND moving = 0`,
      (r) => r.count > 0,
    );
    return result.count > 0;
  }

  async softDelete(code: string, at: number): Promise<boolean> {
    const result = await this.writeAtHome(
      code,
      (sql) => sql`UPDATE links SET deleted_at = ${at} WHERE code = ${code} AND deleted_at IS NULL AND moving = 0`,
      (r) => r.count > 0,
    );
    this.recent.note(code);
    return result.count > 0;
  }

  async takeClick(code: string): Promise<ClickBudget> {
    const rows = await this.writeAtHome(
      code,
      (sql) => sql`
        UPDATE links SET clicks_consumed = clicks_consumed + 1
        WHERE code = ${code} AND deleted_at IS NULL AND disabled IS NULL AND max_clicks IS NOT NULL AND clicks_consumed < max_clicks AND moving = 0
        RETURNING clicks_consumed`,
      (r) => r.length > 0,
    );
    if (rows.length > 0) return "granted";
    return (await this.findByCode(code)) ? "exhausted" : "missing";
  }

  /**
   * One statement per shard. Counts for a shard that cannot be written are carried to the next
   * flush instead of being reported as a failure: the caller would otherwise re-send the whole batch
   * and double-count the shards that succeeded.
   */
  async addClicks(counts: ReadonlyMap<string, number>): Promise<void> {
    const pending = this.carriedClicks;
    this.carriedClicks = new Map();
    for (const [code, n] of counts) pending.set(code, (pending.get(code) ?? 0) + n);
    if (pending.size === 0) return;

    const byShard = new Map<Shard, { codes: string[]; counts: number[] }>();
    for (const [code, n] of pending) {
      // Mid-move a count goes to the row's old shard while it is still there (moving = 0 there);
      // what neither shard took (a row frozen for copying) is carried to the next flush.
      const shard = this.oldShardOf(code) ?? this.shardOf(code);
      let group = byShard.get(shard);
      if (!group) {
        group = { codes: [], counts: [] };
        byShard.set(shard, group);
      }
      group.codes.push(code);
      group.counts.push(n);
    }
    await Promise.all(
      [...byShard].map(async ([shard, group]) => {
        try {
          const done = await this.onPrimary(
            shard,
            (sql) => sql<{ code: string }[]>`
              UPDATE links AS l SET clicks = l.clicks + v.n
              FROM unnest(${group.codes}::text[], ${group.counts}::bigint[]) AS v(code, n)
              WHERE l.code = v.code AND l.moving = 0
              RETURNING l.code`,
            "write",
          );
          if (this.router.moving && done.length < group.codes.length) await this.addClicksAfterMove(shard, group, new Set(done.map((r) => r.code)));
        } catch (error) {
          if (error instanceof ShardUnavailable) this.carry(group.codes, group.counts);
          else log.error("click counts dropped", { shard: shard.index, codes: group.codes.length, error: errorSummary(error) });
        }
      }),
    );
  }

  /** Counts the old shard did not take: the row has moved (try its new shard) or is frozen (carry). */
  private async addClicksAfterMove(tried: Shard, group: { codes: string[]; counts: number[] }, done: Set<string>): Promise<void> {
    const codes: string[] = [];
    const counts: number[] = [];
    group.codes.forEach((code, i) => {
      if (!done.has(code) && this.shardOf(code) !== tried) {
        codes.push(code);
        counts.push(group.counts[i]!);
      }
    });
    if (codes.length === 0) return;
    const byShard = new Map<Shard, { codes: string[]; counts: number[] }>();
    codes.forEach((code, i) => {
      const shard = this.shardOf(code);
      const g = byShard.get(shard) ?? { codes: [], counts: [] };
      g.codes.push(code);
      g.counts.push(counts[i]!);
      byShard.set(shard, g);
    });
    for (const [shard, g] of byShard) {
      const took = await this.onPrimary(
        shard,
        (sql) => sql<{ code: string }[]>`
          UPDATE links AS l SET clicks = l.clicks + v.n
          FROM unnest(${g.codes}::text[], ${g.counts}::bigint[]) AS v(code, n)
          WHERE l.code = v.code AND l.moving = 0
          RETURNING l.code`,
        "write",
      );
      const landed = new Set(took.map((r) => r.code));
      const left = g.codes.map((c, i) => [c, g.counts[i]!] as const).filter(([c]) => !landed.has(c));
      // Still nowhere: frozen mid-copy on the old shard; the next flush finds it on its new one.
      this.carry(
        left.map(([c]) => c),
        left.map(([, n]) => n),
      );
    }
  }

  private carry(codes: string[], counts: number[]): void {
    codes.forEach((code, i) => {
      if (this.carriedClicks.size < MAX_CARRIED_CLICK_CODES || this.carriedClicks.has(code)) {
        this.carriedClicks.set(code, (this.carriedClicks.get(code) ?? 0) + counts[i]!);
      }
    });
  }

  /** Newest first across all shards: listLinks with no filter. */
  async listRecent(limit: number, beforeId?: bigint): Promise<LinkRecord[]> {
    return (await this.listLinks({ limit, beforeId })).records;
  }

  /**
   * Filters run on every shard (each returns at most `limit`), merged newest first. A shard whose
   * primary is down is read from its replica; with both down the whole listing fails, since a
   * page missing one shard would look complete and be wrong. With a scan limit each shard looks at
   * that many of its ids below the cursor; the merged page keeps only what every shard has scanned.
   */
  async listLinks(filter: LinkFilter): Promise<LinkPage> {
    const deadline = this.deadline();
    const scan = filter.scanLimit;
    const query = async (sql: PgSql): Promise<ShardPage> => {
      const below = filter.beforeId !== undefined ? sql`AND id < ${filter.beforeId.toString()}` : sql``;
      const owner = filter.ownerKey !== undefined ? sql`AND owner_key = ${filter.ownerKey}` : sql``;
      let within = sql``;
      let floor: bigint | null = null;
      if (scan !== undefined) {
        const [window] = await sql<{ n: number; low: string | null }[]>`
          SELECT count(*)::int AS n, min(id)::text AS low FROM (
            SELECT id FROM links WHERE TRUE ${below} ${owner} ORDER BY id DESC LIMIT ${scan}) w`;
        if (!window || window.low === null) return { records: [], floor: null };
        // A window shorter than the scan reached the shard's oldest link: no boundary.
        floor = window.n < scan ? null : BigInt(window.low);
        within = sql`AND id >= ${window.low}`;
      }
      const rows = await sql<LinkRow[]>`
        SELECT * FROM links
        WHERE deleted_at IS NULL ${within} ${below} ${owner}
          ${filter.tag !== undefined ? sql`AND tags LIKE ${tagPattern(filter.tag)} ESCAPE '\\'` : sql``}
          ${filter.q !== undefined ? sql`AND (${filter.searchProtectedUrls === false ? sql`password_hash IS NULL AND ` : sql``}lower(url) LIKE ${containsPattern(filter.q)} ESCAPE '\\' OR lower(code) LIKE ${containsPattern(filter.q)} ESCAPE '\\')` : sql``}
        ORDER BY id DESC LIMIT ${filter.limit}`;
      return { records: rows.map(toRecord), floor };
    };
    const perShard = await Promise.all(
      this.allShards().map(async (shard) => {
        try {
          return await this.call(shard.primary, query, deadline, true);
        } catch (error) {
          if (!shard.primary.guard.isFailure(error)) throw error;
          try {
            return await this.call(shard.replica, query, deadline, false);
          } catch (replicaError) {
            this.fail(shard, "replica", replicaError);
          }
        }
      }),
    );
    // Mid-move a link may briefly sit on two shards (copied, old copy not yet removed): list it once.
    const seen = new Set<string>();
    for (const page of perShard as ShardPage[]) page.records = page.records.filter((r) => !seen.has(r.code) && seen.add(r.code) !== undefined);
    return mergeShardPages(perShard as ShardPage[], filter.limit);
  }

  async hasLinksOnDomain(host: string): Promise<boolean> {
    // starts_with compares bytes whatever the database's collation (a range on `code` would not);
    // it scans each shard until the first hit, which suits a rare admin operation.
    const found = await Promise.all(
      this.allShards().map((shard) =>
        this.onPrimary(shard, (sql) => sql`SELECT 1 FROM links WHERE starts_with(code, ${`${host}/`}) AND deleted_at IS NULL LIMIT 1`, "read"),
      ),
    );
    return found.some((rows) => rows.length > 0);
  }

  async countLinks(): Promise<number> {
    const counts = await Promise.all(
      // The same shape as SQLite's count: every row (an index-only scan) minus the deleted ones (sql/005's partial index).
      // Mid-move a row frozen for copying is counted on its old shard until its copy replaces it.
      this.allShards().map((shard) =>
        this.onPrimary(
          shard,
          (sql) => sql<{ n: bigint }[]>`SELECT (SELECT count(*) FROM links) - (SELECT count(*) FROM links WHERE deleted_at IS NOT NULL) AS n`,
          "read",
        ),
      ),
    );
    return counts.reduce((sum, rows) => sum + Number(rows[0]?.n ?? 0), 0);
  }

  async updateLink(code: string, c: LinkChanges): Promise<LinkRecord | null> {
    const rows = await this.writeAtHome(
      code,
      // A changed link is no longer the plain link of its URL, so it stops being reused (canonical = 0).
      (sql) => sql<LinkRow[]>`
        UPDATE links SET url = ${c.url}, url_hash = ${c.urlHash}, redirect_type = ${c.redirectType}, expires_at = ${c.expiresAt},
               max_clicks = ${c.maxClicks}, disabled = ${c.disabled}, password_hash = ${c.passwordHash},
               forward_query = ${c.forwardQuery ? 1 : 0}, tags = ${encodeTags(c.tags)}, updated_at = ${c.updatedAt},
               rules = ${encodeJson(c.rules)}, variants = ${encodeJson(c.variants)}, preview = ${encodeJson(c.preview)}, canonical = 0
        WHERE code = ${code} AND deleted_at IS NULL AND moving = 0
        RETURNING *`,
      (r) => r.length > 0,
    );
    this.recent.note(code);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async disableLink(code: string, reason: DisabledReason, at: number): Promise<boolean> {
    const result = await this.writeAtHome(
      code,
      (sql) =>
        sql`UPDATE links SET disabled = ${reason}, updated_at = ${at}, canonical = 0 WHERE code = ${code} AND deleted_at IS NULL AND disabled IS NULL AND moving = 0`,
      (r) => r.count > 0,
    );
    this.recent.note(code);
    return result.count > 0;
  }

  async health(): Promise<DependencyHealth[]> {
    return this.prober.probeAll();
  }

  nodeStates(): NodeState[] {
    return [...this.shards.values()].flatMap((s) => [s.primary.guard.state(), s.replica.guard.state()]);
  }

  async close(): Promise<void> {
    this.prober.stop();
    if (this.carriedClicks.size > 0) await this.addClicks(new Map()).catch(() => {});
    if (this.carriedClicks.size > 0) {
      log.warn("click counts lost at shutdown (shard unavailable)", { codes: this.carriedClicks.size });
    }
    await Promise.all([...this.shards.values()].flatMap((s) => [s.primary.close(), s.replica.close()]));
  }
}
