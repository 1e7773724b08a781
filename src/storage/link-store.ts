import type { DependencyHealth, NodeState } from "../cluster";
import type { ApiKeyStore } from "../keys";
import type { DomainStore } from "../domains";
import type { LinkPreview, RedirectRule, SplitVariant } from "../routing";

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
  /** the URL classifier's label, null until classified (or when classification failed) */
  category: string | null;
  categoryConfidence: number | null;
  /** id of the API key that created the link; null for anonymous links and the ADMIN_TOKEN */
  ownerKey: string | null;
  /** why the link stopped serving: set by PATCH (manual) or abuse protection (unsafe); null = serving */
  disabled: DisabledReason | null;
  /** argon2id hash (Bun.password); null = no password */
  passwordHash: string | null;
  /** append the short URL's query string to the target on redirect */
  forwardQuery: boolean;
  tags: string[];
  updatedAt: number | null;
  /** ordered redirect rules (first match wins); null = none */
  rules: RedirectRule[] | null;
  /** A/B split over weighted targets; null = none */
  variants: SplitVariant[] | null;
  /** what link-preview crawlers are shown; null = they are redirected like everyone */
  preview: LinkPreview | null;
}

export type DisabledReason = "manual" | "unsafe";

/** Fields every store fills in; the link-management ones are optional so tools (seed) stay short. */
export type NewLink = Omit<
  LinkRecord,
  | "clicksConsumed"
  | "clicks"
  | "deletedAt"
  | "category"
  | "categoryConfidence"
  | "ownerKey"
  | "disabled"
  | "passwordHash"
  | "forwardQuery"
  | "tags"
  | "updatedAt"
  | "rules"
  | "variants"
  | "preview"
> &
  Partial<Pick<LinkRecord, "ownerKey" | "passwordHash" | "forwardQuery" | "tags" | "rules" | "variants" | "preview" | "category" | "categoryConfidence">>;

/** The mutable state of a link, written as a whole by PATCH (the service merges onto the current row). */
export interface LinkChanges {
  url: string;
  urlHash: string;
  redirectType: RedirectType;
  expiresAt: number | null;
  maxClicks: number | null;
  disabled: DisabledReason | null;
  passwordHash: string | null;
  forwardQuery: boolean;
  tags: string[];
  updatedAt: number;
  rules: RedirectRule[] | null;
  variants: SplitVariant[] | null;
  preview: LinkPreview | null;
}

/** Listing filters; every field narrows the result. */
export interface LinkFilter {
  limit: number;
  /** cursor: only ids below this one (newest first) */
  beforeId?: bigint;
  /** only links created by this API key */
  ownerKey?: string;
  /** only links carrying this tag */
  tag?: string;
  /** case-insensitive substring of the URL or the code */
  q?: string;
  /** false: `q` does not look into the URLs of password-protected links (a reader who may not see them) */
  searchProtectedUrls?: boolean;
  /**
   * Look at no more than this many links (newest first below `beforeId`, deleted ones included),
   * so a filter that matches little costs a bounded scan rather than one over the whole table.
   * Absent: scan until `limit` records are found.
   */
  scanLimit?: number;
}

/** A page of `listLinks`. */
export interface LinkPage {
  records: LinkRecord[];
  /**
   * Set when the scan limit ran out before `limit` records were found: the oldest id looked at, so
   * the next page starts below it. Null when the page is full or the table has nothing older.
   */
  scannedTo: bigint | null;
}

export type InsertOutcome =
  | { kind: "inserted"; link: LinkRecord }
  | { kind: "code_taken" }
  /** A live canonical link for the same URL already exists (only when inserting a canonical link). */
  | { kind: "url_exists"; link: LinkRecord };

/** Result of atomically taking one click from a link's maxClicks budget. */
export type ClickBudget = "granted" | "exhausted" | "missing";

export interface MigrationReport {
  target: string;
  applied: string[];
  alreadyApplied: string[];
}

export interface LinkStore {
  readonly description: string;
  /** how events and the dashboard name the store: no file paths, addresses or credentials */
  readonly label: string;
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
  /**
   * The same read answered synchronously, for a store that can (embedded SQLite): a redirect on a
   * cold cache is then one prepared point query and no Promise. Absent where a read is I/O.
   */
  lookupNow?(code: string): LinkRecord | null;
  findCanonical(urlHash: string): Promise<LinkRecord | null>;
  softDelete(code: string, at: number): Promise<boolean>;
  takeClick(code: string): Promise<ClickBudget>;
  addClicks(counts: ReadonlyMap<string, number>): Promise<void>;
  /** Records the classifier's verdict on the code's shard primary; false when no such link. */
  setCategory(code: string, category: string, confidence: number): Promise<boolean>;
  /** Newest first; `beforeId` is the cursor (exclusive). */
  listRecent(limit: number, beforeId?: bigint): Promise<LinkRecord[]>;
  /** Newest first with filters (owner, tag, text); deleted links are left out. */
  listLinks(filter: LinkFilter): Promise<LinkPage>;
  /**
   * Whether any live (not deleted) link is keyed on this short domain (`host/...`), on any shard:
   * a domain is removed only without them.
   */
  hasLinksOnDomain(host: string): Promise<boolean>;
  /** Live (not deleted) links, for progress bars of tools such as export. */
  countLinks(): Promise<number>;
  /** Writes a live link's mutable state (and drops its canonical mark); null when missing or deleted. */
  updateLink(code: string, changes: LinkChanges): Promise<LinkRecord | null>;
  /** Disables a live link that is not disabled yet (abuse protection); false when nothing changed. */
  disableLink(code: string, reason: DisabledReason, at: number): Promise<boolean>;
  readonly apiKeys: ApiKeyStore;
  /** short domains added through the API (beside the DOMAINS setting) */
  readonly domains: DomainStore;
  health(): Promise<DependencyHealth[]>;
  /** Breaker state per remote node; absent for stores without remote nodes. */
  nodeStates?(): NodeState[];
  close(): Promise<void>;
}
