/**
 * API keys on one shard (shard 0) of the cluster. The sharded store hands in how to reach that
 * shard: writes on its primary, reads on its primary with the replica as fallback.
 */
import type { ApiKeyRecord, ApiKeyStore } from "../../keys";
import { toKeyRecord, type KeyRow } from "../api-key-rows";
import type { PgSql } from "./pg-node";

export interface KeyShardAccess {
  write<T>(op: (sql: PgSql) => Promise<T>): Promise<T>;
  read<T>(op: (sql: PgSql) => Promise<T>): Promise<T>;
}

export class PostgresApiKeyStore implements ApiKeyStore {
  constructor(private readonly shard: KeyShardAccess) {}

  async insertKey(key: ApiKeyRecord): Promise<void> {
    await this.shard.write(
      (sql) => sql`
        INSERT INTO api_keys (id, name, secret_hash, scopes, created_at, expires_at, revoked_at)
        VALUES (${key.id}, ${key.name}, ${key.secretHash}, ${key.scopes.join(",")}, ${key.createdAt}, ${key.expiresAt}, ${key.revokedAt})`,
    );
  }

  async findKey(id: string): Promise<ApiKeyRecord | null> {
    const rows = await this.shard.read((sql) => sql<KeyRow[]>`SELECT * FROM api_keys WHERE id = ${id}`);
    return rows[0] ? toKeyRecord(rows[0]) : null;
  }

  async listKeys(): Promise<ApiKeyRecord[]> {
    const rows = await this.shard.read((sql) => sql<KeyRow[]>`SELECT * FROM api_keys ORDER BY created_at, id`);
    return rows.map(toKeyRecord);
  }

  async revokeKey(id: string, at: number): Promise<boolean> {
    const result = await this.shard.write((sql) => sql`UPDATE api_keys SET revoked_at = ${at} WHERE id = ${id} AND revoked_at IS NULL`);
    return result.count > 0;
  }

  async countActiveKeys(now: number): Promise<number> {
    const rows = await this.shard.read(
      (sql) => sql<{ n: bigint }[]>`SELECT count(*) AS n FROM api_keys WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ${now})`,
    );
    return Number(rows[0]?.n ?? 0);
  }
}
