/**
 * The LinkStore port. Embedded mode implements it over SQLite; distributed mode over PostgreSQL
 * shard pairs. Services only ever see this interface.
 */
export type RedirectType = 301 | 302 | 307 | 308;

export interface LinkRecord {
  id: bigint;
  code: string;
  url: string;
  urlHash: string;
  isAlias: boolean;
  canonical: boolean;
  redirectType: RedirectType;
  createdAt: number;
  expiresAt: number | null;
  maxClicks: number | null;
  clicksConsumed: number;
  clicks: number;
  deletedAt: number | null;
}

export type NewLink = Omit<LinkRecord, "clicksConsumed" | "clicks" | "deletedAt">;

export type InsertOutcome =
  | { kind: "inserted"; link: LinkRecord }
  | { kind: "code_taken" }
  /** A live canonical link for the same URL already exists (only when inserting a canonical link). */
  | { kind: "url_exists"; link: LinkRecord };

/** Result of atomically taking one click from a link's maxClicks budget. */
export type ClickBudget = "granted" | "exhausted" | "missing";

export type NodeKind = "postgres-primary" | "postgres-replica" | "redis";

export interface DependencyHealth {
  name: string;
  kind: "sqlite" | NodeKind | "kafka";
  shard?: number;
  up: boolean;
  latencyMs: number;
  detail?: string;
  /** circuit breaker of a remote node (distributed mode) */
  breaker?: "closed" | "open" | "half-open";
}

/** A remote node's breaker, for metrics: read with `nodeStates()` on the store and the cache. */
export interface NodeState {
  name: string;
  kind: NodeKind;
  shard: number;
  address: string;
  state: "closed" | "open" | "half-open";
  /** consecutive failures seen by requests */
  failures: number;
  /** whether the last health probe reached the node */
  up: boolean;
  lastError?: string;
}

export interface MigrationReport {
  target: string;
  applied: string[];
  alreadyApplied: string[];
}

export interface LinkStore {
  readonly description: string;
  migrate(onProgress?: (line: string) => void): Promise<MigrationReport[]>;
  /**
   * Whether a code may hold a canonical link for this URL hash. Sharded stores answer true only
   * when both land on the same shard, so one shard's unique indexes decide both races atomically.
   */
  colocated(code: string, urlHash: string): boolean;
  insert(link: NewLink): Promise<InsertOutcome>;
  /** Authoritative read (the primary): for the API and for writes that depend on the current row. */
  findByCode(code: string): Promise<LinkRecord | null>;
  /** Read for serving redirects: may come from a replica; says where it came from. */
  lookup(code: string): Promise<{ record: LinkRecord | null; source: "replica" | "primary" }>;
  findCanonical(urlHash: string): Promise<LinkRecord | null>;
  softDelete(code: string, at: number): Promise<boolean>;
  takeClick(code: string): Promise<ClickBudget>;
  addClicks(counts: ReadonlyMap<string, number>): Promise<void>;
  /** Newest first; `beforeId` is the cursor (exclusive). */
  listRecent(limit: number, beforeId?: bigint): Promise<LinkRecord[]>;
  health(): Promise<DependencyHealth[]>;
  /** Breaker state per remote node; absent for stores without remote nodes. */
  nodeStates?(): NodeState[];
  close(): Promise<void>;
}
