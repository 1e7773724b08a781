/**
 * Embedded LinkStore over bun:sqlite in WAL mode. Several server processes may open the same file:
 * WAL lets readers run beside the single writer, and busy_timeout queues writers instead of failing.
 */
import type { Database, Statement } from "bun:sqlite";
import { openDatabase } from "../../sqlite";
import { ensurePrivateDir } from "../../files";
import { dirname } from "node:path";
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
import type { DependencyHealth } from "../../cluster";
import { containsPattern, encodeJson, encodeTags, tagPattern } from "../link-columns";
import { toRecord, type LinkRow } from "../link-rows";
import { MIGRATIONS, MIGRATIONS_TABLE_DDL } from "../migrations";
import { SqliteApiKeyStore } from "./sqlite-api-key-store";
import { TurnBatch, type ItemResult } from "../turn-batch";

/** Ids one listing step looks at: ~1 ms of LIKE filtering on the serving thread. */
const SCAN_WINDOW = 1_000;
/** Inserts per transaction: a few ms of the serving thread at most, whatever arrives in one turn. */
const MAX_INSERT_BATCH = 256;

function isUniqueViolation(error: unknown): string | null {
  const message = error instanceof Error ? error.message : String(error);
  if (!message.includes("UNIQUE constraint failed")) return null;
  return message;
}

export class SqliteLinkStore implements LinkStore {
  readonly description: string;
  readonly label = "sqlite";
  private readonly db: Database;
  private readonly stmts: {
    insert: Statement<LinkRow>;
    byCode: Statement<LinkRow>;
    canonical: Statement<LinkRow>;
    softDelete: Statement;
    takeClick: Statement<{ clicks_consumed: bigint }>;
    addClicks: Statement;
    setCategory: Statement;
    recent: Statement<LinkRow>;
    recentBefore: Statement<LinkRow>;
    update: Statement<LinkRow>;
    disable: Statement;
  };
  private readonly inserts = new TurnBatch<NewLink, InsertOutcome>((links) => this.insertBatch(links), MAX_INSERT_BATCH);
  readonly apiKeys: ApiKeyStore;
  readonly domains: DomainStore;

  constructor(readonly path: string) {
    if (path !== ":memory:") ensurePrivateDir(dirname(path));
    this.description = `sqlite:${path}`;
    this.db = openDatabase(path, { safeIntegers: true });
    this.applyMigrations();
    // Statements with RETURNING are read with .all(), never .get(): bun:sqlite's get() stops after
    // the first row and leaves the statement unfinished, so its write transaction stays open until
    // the next call, and the WAL can never be checkpointed (it grew past 5 GB seeding 300k links).
    this.stmts = {
      insert: this.db.query(
        `INSERT INTO links (id, code, url, url_hash, is_alias, canonical, redirect_type, created_at, expires_at, max_clicks,
                            owner_key, password_hash, forward_query, tags, rules, variants, preview, category, category_confidence)
         VALUES ($id, $code, $url, $urlHash, $isAlias, $canonical, $redirectType, $createdAt, $expiresAt, $maxClicks,
                 $ownerKey, $passwordHash, $forwardQuery, $tags, $rules, $variants, $preview, $category, $categoryConfidence)
         RETURNING *`,
      ),
      byCode: this.db.query("SELECT * FROM links WHERE code = $code"),
      canonical: this.db.query("SELECT * FROM links WHERE url_hash = $urlHash AND canonical = 1 AND deleted_at IS NULL"),
      softDelete: this.db.query("UPDATE links SET deleted_at = $at WHERE code = $code AND deleted_at IS NULL"),
      takeClick: this.db.query(
        `UPDATE links SET clicks_consumed = clicks_consumed + 1
         WHERE code = $code AND deleted_at IS NULL AND disabled IS NULL AND max_clicks IS NOT NULL AND clicks_consumed < max_clicks
         RETURNING clicks_consumed`,
      ),
      addClicks: this.db.query("UPDATE links SET clicks = clicks + $n WHERE code = $code"),
      setCategory: this.db.query("UPDATE links SET category = $category, category_confidence = $confidence WHERE code = $code"),
      recent: this.db.query("SELECT * FROM links WHERE deleted_at IS NULL ORDER BY id DESC LIMIT $limit"),
      recentBefore: this.db.query("SELECT * FROM links WHERE deleted_at IS NULL AND id < $before ORDER BY id DESC LIMIT $limit"),
      // A changed link is no longer the plain link of its URL, so it stops being reused (canonical = 0).
      update: this.db.query(
        `UPDATE links SET url = $url, url_hash = $urlHash, redirect_type = $redirectType, expires_at = $expiresAt, max_clicks = $maxClicks,
                disabled = $disabled, password_hash = $passwordHash, forward_query = $forwardQuery, tags = $tags, updated_at = $updatedAt,
                rules = $rules, variants = $variants, preview = $preview, canonical = 0
         WHERE code = $code AND deleted_at IS NULL
         RETURNING *`,
      ),
      disable: this.db.query(
        "UPDATE links SET disabled = $reason, updated_at = $at, canonical = 0 WHERE code = $code AND deleted_at IS NULL AND disabled IS NULL",
      ),
    };
    this.apiKeys = new SqliteApiKeyStore(this.db);
    const db = this.db;
    this.domains = {
      async listDomains() {
        return db.query<DomainRow, []>("SELECT * FROM domains ORDER BY host").all().map(toDomain);
      },
      async saveDomain(d, at) {
        db.query(
          `INSERT INTO domains (host, root_redirect, not_found_redirect, create_keys, updated_at) VALUES ($host, $root, $notFound, $keys, $at)
           ON CONFLICT (host) DO UPDATE SET root_redirect = $root, not_found_redirect = $notFound, create_keys = $keys, updated_at = $at`,
        ).run({ host: d.host, root: d.rootRedirect, notFound: d.notFoundRedirect, keys: d.keys === null ? null : d.keys.join(","), at });
      },
      async removeDomain(host) {
        return db.query("DELETE FROM domains WHERE host = $host").run({ host }).changes > 0;
      },
    };
  }

  private applyMigrations(onProgress?: (line: string) => void): MigrationReport {
    this.db.exec(MIGRATIONS_TABLE_DDL);
    const report: MigrationReport = { target: this.description, applied: [], alreadyApplied: [] };
    const isApplied = this.db.query<{ n: bigint }, [number]>("SELECT COUNT(*) AS n FROM schema_migrations WHERE version = ?");
    for (const m of MIGRATIONS) {
      // Checked inside the write lock: another process starting at the same moment may have just applied it.
      const applied = this.db
        .transaction((): boolean => {
          if (Number(isApplied.get(m.version)?.n ?? 0) > 0) return false;
          onProgress?.(`${this.description}: applying ${m.name}`);
          this.db.exec(m.sqlite ?? m.sql);
          this.db.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(m.version, m.name, Date.now());
          return true;
        })
        .immediate();
      (applied ? report.applied : report.alreadyApplied).push(m.name);
    }
    return report;
  }

  async migrate(onProgress?: (line: string) => void): Promise<MigrationReport[]> {
    return [this.applyMigrations(onProgress)];
  }

  colocated(): boolean {
    return true;
  }

  /**
   * Inserts of one event-loop turn share one IMMEDIATE transaction (see TurnBatch): one WAL commit
   * per turn instead of one per link, which was most of a create's storage cost. Each row is still
   * its own INSERT: a unique violation aborts only that statement, so every row gets its own answer,
   * and a later row of the batch sees the earlier ones (the same URL twice: one inserted, the other
   * url_exists with it).
   */
  insert(link: NewLink): Promise<InsertOutcome> {
    return this.inserts.add(link);
  }

  private insertBatch(links: NewLink[]): ItemResult<InsertOutcome>[] {
    return this.db.transaction(() => links.map((link) => this.insertOne(link))).immediate();
  }

  private insertOne(link: NewLink): ItemResult<InsertOutcome> {
    try {
      const [row] = this.stmts.insert.all({
        id: link.id,
        code: link.code,
        url: link.url,
        urlHash: link.urlHash,
        isAlias: link.isAlias ? 1 : 0,
        canonical: link.canonical ? 1 : 0,
        redirectType: link.redirectType,
        createdAt: link.createdAt,
        expiresAt: link.expiresAt,
        maxClicks: link.maxClicks,
        ownerKey: link.ownerKey ?? null,
        passwordHash: link.passwordHash ?? null,
        forwardQuery: link.forwardQuery ? 1 : 0,
        tags: encodeTags(link.tags),
        rules: encodeJson(link.rules),
        variants: encodeJson(link.variants),
        preview: encodeJson(link.preview),
        category: link.category ?? null,
        categoryConfidence: link.categoryConfidence ?? null,
      });
      if (!row) throw new Error("insert returned no row");
      return { ok: true, value: { kind: "inserted", link: toRecord(row) } };
    } catch (error) {
      const violation = isUniqueViolation(error);
      if (violation === null) {
        // An error SQLite answered by rolling the whole transaction back (disk full, I/O) fails the batch.
        if (!this.db.inTransaction) throw error;
        return { ok: false, error };
      }
      if (violation.includes("links.code")) return { ok: true, value: { kind: "code_taken" } };
      const existing = this.stmts.canonical.get({ urlHash: link.urlHash });
      // Not found: the violation was on the id, or (outside this transaction's lock) a concurrent
      // delete; report the code as taken so the caller simply tries again.
      return { ok: true, value: existing ? { kind: "url_exists", link: toRecord(existing) } : { kind: "code_taken" } };
    }
  }

  async findByCode(code: string): Promise<LinkRecord | null> {
    return this.lookupNow(code);
  }

  lookupNow(code: string): LinkRecord | null {
    const row = this.stmts.byCode.get({ code });
    return row ? toRecord(row) : null;
  }

  async lookup(code: string): Promise<{ record: LinkRecord | null; source: "primary" }> {
    return { record: await this.findByCode(code), source: "primary" };
  }

  async findCanonical(urlHash: string): Promise<LinkRecord | null> {
    const row = this.stmts.canonical.get({ urlHash });
    return row ? toRecord(row) : null;
  }

  async softDelete(code: string, at: number): Promise<boolean> {
    return this.stmts.softDelete.run({ code, at }).changes > 0;
  }

  async takeClick(code: string): Promise<ClickBudget> {
    const [row] = this.stmts.takeClick.all({ code });
    if (row) return "granted";
    return (await this.findByCode(code)) ? "exhausted" : "missing";
  }

  async addClicks(counts: ReadonlyMap<string, number>): Promise<void> {
    if (counts.size === 0) return;
    this.db.transaction(() => {
      for (const [code, n] of counts) this.stmts.addClicks.run({ code, n });
    })();
  }

  async setCategory(code: string, category: string, confidence: number): Promise<boolean> {
    return this.stmts.setCategory.run({ code, category, confidence }).changes > 0;
  }

  async listRecent(limit: number, beforeId?: bigint): Promise<LinkRecord[]> {
    const rows = beforeId === undefined ? this.stmts.recent.all({ limit }) : this.stmts.recentBefore.all({ limit, before: beforeId });
    return rows.map(toRecord);
  }

  /**
   * Scans in windows of SCAN_WINDOW ids (index only), each window's matches fetched with the
   * filters, one window per event-loop turn: bun:sqlite runs on the serving thread, and a text
   * search over 200,000 links held it for ~160 ms in one piece.
   */
  async listLinks(filter: LinkFilter): Promise<LinkPage> {
    const records: LinkRecord[] = [];
    let before = filter.beforeId;
    let budget = filter.scanLimit ?? Number.POSITIVE_INFINITY;
    for (;;) {
      const size = Math.min(SCAN_WINDOW, budget);
      const window = this.scanWindow(before, filter.ownerKey, size);
      if (window.rows === 0 || window.low === null) return { records, scannedTo: null };
      records.push(...this.matchesIn(filter, before, window.low, filter.limit - records.length));
      budget -= window.rows;
      if (records.length >= filter.limit || window.rows < size) return { records, scannedTo: null };
      if (budget <= 0) return { records, scannedTo: window.low };
      before = window.low;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** The next `size` ids below `before` (the owner's, if given): how many and the lowest. */
  private scanWindow(before: bigint | undefined, owner: string | undefined, size: number): { rows: number; low: bigint | null } {
    const where = ["1 = 1"];
    const params: Record<string, string | number | bigint> = { size };
    if (before !== undefined) {
      where.push("id < $before");
      params.before = before;
    }
    if (owner !== undefined) {
      where.push("owner_key = $owner");
      params.owner = owner;
    }
    const row = this.db
      .query<{ n: bigint; low: bigint | null }, Record<string, string | number | bigint>>(
        `SELECT count(*) AS n, min(id) AS low FROM (SELECT id FROM links WHERE ${where.join(" AND ")} ORDER BY id DESC LIMIT $size)`,
      )
      .get(params);
    return { rows: Number(row?.n ?? 0), low: row?.low ?? null };
  }

  private matchesIn(filter: LinkFilter, before: bigint | undefined, low: bigint, limit: number): LinkRecord[] {
    const where = ["deleted_at IS NULL", "id >= $low"];
    const params: Record<string, string | number | bigint> = { limit, low };
    if (before !== undefined) {
      where.push("id < $before");
      params.before = before;
    }
    if (filter.ownerKey !== undefined) {
      where.push("owner_key = $owner");
      params.owner = filter.ownerKey;
    }
    if (filter.tag !== undefined) {
      where.push("tags LIKE $tag ESCAPE '\\'");
      params.tag = tagPattern(filter.tag);
    }
    if (filter.q !== undefined) {
      const url = filter.searchProtectedUrls === false ? "(password_hash IS NULL AND lower(url) LIKE $q ESCAPE '\\')" : "lower(url) LIKE $q ESCAPE '\\'";
      where.push(`(${url} OR lower(code) LIKE $q ESCAPE '\\')`);
      params.q = containsPattern(filter.q);
    }
    // db.query caches the statement per SQL text: at most 24 shapes of this query exist.
    const rows = this.db
      .query<LinkRow, Record<string, string | number | bigint>>(`SELECT * FROM links WHERE ${where.join(" AND ")} ORDER BY id DESC LIMIT $limit`)
      .all(params);
    return rows.map(toRecord);
  }

  async hasLinksOnDomain(host: string): Promise<boolean> {
    // Every key on the domain starts with `host/`; '0' follows '/' in byte order, so this range is
    // exactly those keys, read from the unique index on code (SQLite compares TEXT bytewise).
    const row = this.db
      .query<{ n: number }, { lo: string; hi: string }>("SELECT 1 AS n FROM links WHERE code >= $lo AND code < $hi AND deleted_at IS NULL LIMIT 1")
      .get({ lo: `${host}/`, hi: `${host}0` });
    return row !== null;
  }

  async countLinks(): Promise<number> {
    // All rows minus the deleted ones (sql/005): both counts avoid reading the table itself.
    const row = this.db.query<{ n: bigint }, []>("SELECT (SELECT count(*) FROM links) - (SELECT count(*) FROM links WHERE deleted_at IS NOT NULL) AS n").get();
    return Number(row?.n ?? 0);
  }

  async updateLink(code: string, c: LinkChanges): Promise<LinkRecord | null> {
    const [row] = this.stmts.update.all({
      code,
      url: c.url,
      urlHash: c.urlHash,
      redirectType: c.redirectType,
      expiresAt: c.expiresAt,
      maxClicks: c.maxClicks,
      disabled: c.disabled,
      passwordHash: c.passwordHash,
      forwardQuery: c.forwardQuery ? 1 : 0,
      tags: encodeTags(c.tags),
      updatedAt: c.updatedAt,
      rules: encodeJson(c.rules),
      variants: encodeJson(c.variants),
      preview: encodeJson(c.preview),
    });
    return row ? toRecord(row) : null;
  }

  async disableLink(code: string, reason: DisabledReason, at: number): Promise<boolean> {
    return this.stmts.disable.run({ code, reason, at }).changes > 0;
  }

  async health(): Promise<DependencyHealth[]> {
    const started = performance.now();
    try {
      this.db.query("SELECT 1").get();
      return [{ name: "sqlite", kind: "sqlite", up: true, latencyMs: performance.now() - started }];
    } catch (error) {
      return [{ name: "sqlite", kind: "sqlite", up: false, latencyMs: performance.now() - started, detail: String(error) }];
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
