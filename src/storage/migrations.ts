/**
 * Numbered migrations from sql/, imported as text so the compiled binary carries them.
 * The same files apply to SQLite and to every PostgreSQL primary (the SQL is kept portable),
 * except a `*.sqlite.sql` file: a change of the embedded store's physical layout that PostgreSQL
 * has no use for. There the version is recorded with nothing to do, so every store keeps one
 * version sequence.
 */
import links001 from "../../sql/001_links.sql" with { type: "text" };
import analytics002 from "../../sql/002_analytics.sql" with { type: "text" };
import category003 from "../../sql/003_link_category.sql" with { type: "text" };
import management004 from "../../sql/004_link_management.sql" with { type: "text" };
import liveCount005 from "../../sql/005_live_link_count.sql" with { type: "text" };
import webhooks006 from "../../sql/006_webhooks.sql" with { type: "text" };
import routing007 from "../../sql/007_link_routing.sql" with { type: "text" };
import domains008 from "../../sql/008_domains.sql" with { type: "text" };
import topology009 from "../../sql/009_topology.sql" with { type: "text" };
import clusteredAggregates010 from "../../sql/010_clustered_aggregates.sqlite.sql" with { type: "text" };

export interface Migration {
  version: number;
  name: string;
  /** what PostgreSQL runs */
  sql: string;
  /** what SQLite runs, when it differs (a *.sqlite.sql file) */
  sqlite?: string;
}

/** Nothing to do on PostgreSQL for an embedded-only migration. */
const NOTHING = "SELECT 1";

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "001_links.sql", sql: links001 },
  { version: 2, name: "002_analytics.sql", sql: analytics002 },
  { version: 3, name: "003_link_category.sql", sql: category003 },
  { version: 4, name: "004_link_management.sql", sql: management004 },
  { version: 5, name: "005_live_link_count.sql", sql: liveCount005 },
  { version: 6, name: "006_webhooks.sql", sql: webhooks006 },
  { version: 7, name: "007_link_routing.sql", sql: routing007 },
  { version: 8, name: "008_domains.sql", sql: domains008 },
  { version: 9, name: "009_topology.sql", sql: topology009 },
  { version: 10, name: "010_clustered_aggregates.sqlite.sql", sql: NOTHING, sqlite: clusteredAggregates010 },
];

export const MIGRATIONS_TABLE_DDL =
  "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
