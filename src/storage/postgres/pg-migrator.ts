/**
 * Applies sql/ migrations to one primary. The whole run is one transaction under a transaction-level
 * advisory lock: a second migrator waits for the first and then finds nothing left to do, and a
 * failure leaves the shard exactly as it was. Replicas get the DDL through replication, never directly.
 */
import type { MigrationReport } from "../link-store";
import { MIGRATIONS, MIGRATIONS_TABLE_DDL } from "../migrations";
import type { PgSql } from "./pg-node";

/** Any constant shared by all migrators; "rlmigr01" in ASCII. */
const MIGRATION_LOCK_KEY = 0x726c6d6967723031n;

export async function migrateShard(sql: PgSql, target: string, onProgress?: (line: string) => void): Promise<MigrationReport> {
  const report: MigrationReport = { target, applied: [], alreadyApplied: [] };
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY.toString()}::bigint)`;
    await tx.unsafe(MIGRATIONS_TABLE_DDL);
    const rows = await tx<{ version: number }[]>`SELECT version FROM schema_migrations`;
    const done = new Set(rows.map((r) => Number(r.version)));
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) {
        report.alreadyApplied.push(m.name);
        continue;
      }
      onProgress?.(`${target}: applying ${m.name}`);
      await tx.unsafe(m.sql);
      await tx`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${m.version}, ${m.name}, ${Date.now()})`;
      report.applied.push(m.name);
    }
  });
  onProgress?.(`${target}: ${report.applied.length === 0 ? "up to date" : `${report.applied.length} migration(s) applied`}`);
  return report;
}
