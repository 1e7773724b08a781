/**
 * Numbered migrations from sql/, imported as text so the compiled binary carries them.
 * The same files apply to SQLite and to every PostgreSQL primary (the SQL is kept portable).
 */
import links001 from "../../sql/001_links.sql" with { type: "text" };

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [{ version: 1, name: "001_links.sql", sql: links001 }];

export const MIGRATIONS_TABLE_DDL =
  "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
