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
  type ShardRing,
} from "../../cluster";
import type { ResilienceConfig, ShardNodes } from "../../config";
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
import { log } from "../../log";

export interface ShardedPostgresOptions {
  shards: readonly ShardNodes[];
  ring: ShardRing;
  resilience: ResilienceConfig;
  /** codes changed recently (fed by invalidations too): their lookups skip the replica */
  recentChanges?: RecentChanges;
}

interface Shard {
  index: number;
  primary: PgNode;
  replica: PgNode;
}

/** Click counts for shards that could not be written are kept for the next flush, up to this many codes. */
const MAX_CARRIED_CLICK_CODES = 100_000;

export class ShardedPostgresLinkStore implements LinkStore {
  readonly description: string;
  readonly label: string;
  private readonly shards: Shard[];
  private readonly ring: ShardRing;
  private readonly resilience: ResilienceConfig;
  private readonly retryPolicy: RetryPolicy;
  /** a read that has another node to fall back to gives up sooner (a quarter of the query timeout) */
  private readonly fallbackTimeoutMs: number;
  private readonly recent: RecentChanges;
  /** lookups by code, batched per node and event-loop turn */
  private readonly batchers = new Map<PgNode, CodeBatcher>();
  private readonly prober: HealthProber;
  private carriedClicks = new Map<string, number>();
  readonly apiKeys: ApiKeyStore;
  readonly domains: DomainStore;

  constructor(opts: ShardedPostgresOptions) {
    if (opts.shards.length !== opts.ring.size) {
      throw new Error(`${opts.shards.length} database shards but a ring of ${opts.ring.size}`);
    }
    this.ring = opts.ring;
    this.resilience = opts.resilience;
    this.recent = opts.recentChanges ?? new RecentChanges();
    this.retryPolicy = { retries: opts.resilience.readRetries, baseDelayMs: 20, maxDelayMs: 250 };
    this.fallbackTimeoutMs = Math.max(50, Math.round(opts.resilience.dbQueryTimeoutMs / 4));
    this.shards = opts.shards.map((nodes, index) => ({
      index,
      primary: new PgNode({ url: nodes.primary, shard: index, role: "primary", resilience: opts.resilience }),
      replica: new PgNode({ url: nodes.replica, shard: index, role: "replica", resilience: opts.resilience }),
    }));
    // Short on purpose: it is the `db` field of every link.created event. /readyz lists the addresses.
    this.description = `sharded-postgres (${this.shards.length} shards)`;
    this.label = this.description;
    this.prober = new HealthProber(
      this.shards.flatMap((s) => [s.primary.guard, s.replica.guard]),
      opts.resilience.probeIntervalMs,
    );
    this.prober.start();
    // Keys live on shard 0 only: reads go to its primary (a revocation must be seen at once) and
    // fall back to its replica while the primary is down, so authenticated requests keep working.
    const keyShard = this.shards[0]!;
    const keyShardAccess: KeyShardAccess = {
      write: (op) => this.onPrimary(keyShard, op, "write"),
      read: async (op) => {
        const deadline = this.deadline();
        try {
          return await this.call(keyShard.primary, op, deadline, true);
        } catch (error) {
          if (!keyShard.primary.guard.isFailure(error)) throw error;
          try {
            return await this.call(keyShard.replica, op, deadline, false);
          } catch (replicaError) {
            this.fail(keyShard, "replica", replicaError);
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
    };
  }

  // ---------------------------------------------------------------- routing and guarding

  private shardOf(key: string): Shard {
    return this.shards[this.ring.shardOf(key)]!;
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
    for (const shard of this.shards) {
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
    return this.ring.shardOf(code) === this.ring.shardOf(urlHash);
  }

  /**
   * One round trip: the INSERT skips any unique conflict (ON CONFLICT DO NOTHING), and the same
   * statement returns the URL's live canonical link when the insert did not happen. No row at all
   * means the code (or id) was taken, or a racing create's canonical row is not visible to this
   * statement's snapshot yet: the caller draws again and the next attempt sees it.
   */
  async insert(link: NewLink): Promise<InsertOutcome> {
    const shard = this.shardOf(link.code);
    const rows = await this.onPrimary(
      shard,
      (sql) => sql<Array<LinkRow & { inserted: number }>>`
        WITH ins AS (
          INSERT INTO links (id, code, url, url_hash, is_alias, canonical, redirect_type, created_at, expires_at, max_clicks,
                             owner_key, password_hash, forward_query, tags, rules, variants, preview)
          VALUES (${link.id.toString()}, ${link.code}, ${link.url}, ${link.urlHash}, ${link.isAlias ? 1 : 0}, ${link.canonical ? 1 : 0},
                  ${link.redirectType}, ${link.createdAt}, ${link.expiresAt}, ${link.maxClicks},
                  ${link.ownerKey ?? null}, ${link.passwordHash ?? null}, ${link.forwardQuery ? 1 : 0}, ${encodeTags(link.tags)},
                  ${encodeJson(link.rules)}, ${encodeJson(link.variants)}, ${encodeJson(link.preview)})
          ON CONFLICT DO NOTHING
          RETURNING *)
        SELECT ins.*, 1 AS inserted FROM ins
        UNION ALL
        SELECT l.*, 0 AS inserted FROM links l
        WHERE ${link.canonical ? 1 : 0} = 1 AND l.url_hash = ${link.urlHash} AND l.canonical = 1 AND l.deleted_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM ins)`,
      "write",
    );
    const row = rows[0];
    if (!row) return { kind: "code_taken" };
    if (row.inserted === 1) {
      this.recent.note(link.code);
      return { kind: "inserted", link: toRecord(row) };
    }
    return { kind: "url_exists", link: toRecord(row) };
  }

  async findByCode(code: string): Promise<LinkRecord | null> {
    const row = await this.onPrimary(this.shardOf(code), (sql) => ShardedPostgresLinkStore.byCode(sql, code), "read");
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
    const read = (node: PgNode, retry: boolean, timeoutMs?: number) => this.lookupOn(node, code, deadline, retry, timeoutMs);

    const primaryFirst = this.recent.has(code) || !shard.replica.guard.available;
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
    const row = await this.onPrimary(this.shardOf(urlHash), (sql) => ShardedPostgresLinkStore.canonical(sql, urlHash), "read");
    return row ? toRecord(row) : null;
  }

  async setCategory(code: string, category: string, confidence: number): Promise<boolean> {
    const result = await this.onPrimary(
      this.shardOf(code),
      (sql) => sql`UPDATE links SET category = ${category}, category_confidence = ${confidence} WHERE code = ${code}`,
      "write",
    );
    return result.count > 0;
  }

  async softDelete(code: string, at: number): Promise<boolean> {
    const result = await this.onPrimary(
      this.shardOf(code),
      (sql) => sql`UPDATE links SET deleted_at = ${at} WHERE code = ${code} AND deleted_at IS NULL`,
      "write",
    );
    this.recent.note(code);
    return result.count > 0;
  }

  async takeClick(code: string): Promise<ClickBudget> {
    const shard = this.shardOf(code);
    const rows = await this.onPrimary(
      shard,
      (sql) => sql`
        UPDATE links SET clicks_consumed = clicks_consumed + 1
        WHERE code = ${code} AND deleted_at IS NULL AND disabled IS NULL AND max_clicks IS NOT NULL AND clicks_consumed < max_clicks
        RETURNING clicks_consumed`,
      "write",
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
      const shard = this.shardOf(code);
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
          await this.onPrimary(
            shard,
            (sql) => sql`
              UPDATE links AS l SET clicks = l.clicks + v.n
              FROM unnest(${group.codes}::text[], ${group.counts}::bigint[]) AS v(code, n)
              WHERE l.code = v.code`,
            "write",
          );
        } catch (error) {
          if (error instanceof ShardUnavailable) this.carry(group.codes, group.counts);
          else log.error("click counts dropped", { shard: shard.index, codes: group.codes.length, error: errorSummary(error) });
        }
      }),
    );
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
      this.shards.map(async (shard) => {
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
    return mergeShardPages(perShard as ShardPage[], filter.limit);
  }

  async countLinks(): Promise<number> {
    const counts = await Promise.all(
      // The same shape as SQLite's count: every row (an index-only scan) minus the deleted ones (sql/005's partial index).
      this.shards.map((shard) =>
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
    const rows = await this.onPrimary(
      this.shardOf(code),
      // A changed link is no longer the plain link of its URL, so it stops being reused (canonical = 0).
      (sql) => sql<LinkRow[]>`
        UPDATE links SET url = ${c.url}, url_hash = ${c.urlHash}, redirect_type = ${c.redirectType}, expires_at = ${c.expiresAt},
               max_clicks = ${c.maxClicks}, disabled = ${c.disabled}, password_hash = ${c.passwordHash},
               forward_query = ${c.forwardQuery ? 1 : 0}, tags = ${encodeTags(c.tags)}, updated_at = ${c.updatedAt},
               rules = ${encodeJson(c.rules)}, variants = ${encodeJson(c.variants)}, preview = ${encodeJson(c.preview)}, canonical = 0
        WHERE code = ${code} AND deleted_at IS NULL
        RETURNING *`,
      "write",
    );
    this.recent.note(code);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async disableLink(code: string, reason: DisabledReason, at: number): Promise<boolean> {
    const result = await this.onPrimary(
      this.shardOf(code),
      (sql) => sql`UPDATE links SET disabled = ${reason}, updated_at = ${at}, canonical = 0 WHERE code = ${code} AND deleted_at IS NULL AND disabled IS NULL`,
      "write",
    );
    this.recent.note(code);
    return result.count > 0;
  }

  async health(): Promise<DependencyHealth[]> {
    return this.prober.probeAll();
  }

  nodeStates(): NodeState[] {
    return this.shards.flatMap((s) => [s.primary.guard.state(), s.replica.guard.state()]);
  }

  async close(): Promise<void> {
    this.prober.stop();
    if (this.carriedClicks.size > 0) await this.addClicks(new Map()).catch(() => {});
    if (this.carriedClicks.size > 0) {
      log.warn("click counts lost at shutdown (shard unavailable)", { codes: this.carriedClicks.size });
    }
    await Promise.all(this.shards.flatMap((s) => [s.primary.close(), s.replica.close()]));
  }
}
