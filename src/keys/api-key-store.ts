/**
 * The API-key store port. Keys live in the SQLite file in embedded mode and on shard 0 of the
 * cluster in distributed mode (one row to revoke; every instance reads it through a short
 * in-process cache); the storage module has both adapters.
 */

/** An API key as stored: the secret itself is never kept, only its hash. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  secretHash: string;
  scopes: string[];
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

export interface ApiKeyStore {
  insertKey(key: ApiKeyRecord): Promise<void>;
  findKey(id: string): Promise<ApiKeyRecord | null>;
  listKeys(): Promise<ApiKeyRecord[]>;
  revokeKey(id: string, at: number): Promise<boolean>;
  /** keys neither revoked nor expired at `now` */
  countActiveKeys(now: number): Promise<number>;
}
