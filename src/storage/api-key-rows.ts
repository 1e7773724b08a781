/** The api_keys table's row, the same in SQLite and PostgreSQL (migration 004), and its record. */
import type { ApiKeyRecord } from "../keys";

export interface KeyRow {
  id: string;
  name: string;
  secret_hash: string;
  scopes: string;
  created_at: bigint;
  expires_at: bigint | null;
  revoked_at: bigint | null;
}

export function toKeyRecord(row: KeyRow): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    secretHash: row.secret_hash,
    scopes: row.scopes.split(",").filter((s) => s !== ""),
    createdAt: Number(row.created_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}
