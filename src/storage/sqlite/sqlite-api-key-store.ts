/** API keys in the embedded SQLite file (the same database as the links, migration 004). */
import type { Database } from "bun:sqlite";
import type { ApiKeyRecord, ApiKeyStore } from "../../keys";
import { toKeyRecord, type KeyRow } from "../api-key-rows";

export class SqliteApiKeyStore implements ApiKeyStore {
  constructor(private readonly db: Database) {}

  async insertKey(key: ApiKeyRecord): Promise<void> {
    this.db
      .query(
        `INSERT INTO api_keys (id, name, secret_hash, scopes, created_at, expires_at, revoked_at)
         VALUES ($id, $name, $secretHash, $scopes, $createdAt, $expiresAt, $revokedAt)`,
      )
      .run({ ...key, scopes: key.scopes.join(",") });
  }

  async findKey(id: string): Promise<ApiKeyRecord | null> {
    const row = this.db.query<KeyRow, { id: string }>("SELECT * FROM api_keys WHERE id = $id").get({ id });
    return row ? toKeyRecord(row) : null;
  }

  async listKeys(): Promise<ApiKeyRecord[]> {
    return this.db.query<KeyRow, []>("SELECT * FROM api_keys ORDER BY created_at, id").all().map(toKeyRecord);
  }

  async revokeKey(id: string, at: number): Promise<boolean> {
    return this.db.query("UPDATE api_keys SET revoked_at = $at WHERE id = $id AND revoked_at IS NULL").run({ id, at }).changes > 0;
  }

  async countActiveKeys(now: number): Promise<number> {
    const row = this.db
      .query<{ n: bigint }, { now: number }>("SELECT count(*) AS n FROM api_keys WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $now)")
      .get({ now });
    return Number(row?.n ?? 0);
  }
}
