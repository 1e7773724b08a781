/**
 * Creating, listing, revoking and checking API keys. Every authenticated request needs its key, so
 * lookups are cached in this process for KEY_CACHE_MS (unknown ids too, so a flood of made-up
 * tokens stays off the database); a revocation made elsewhere therefore takes effect within that
 * time on every process and instance. Changes made through this service apply here at once.
 */
import { LruCache } from "../lru";
import { Forbidden } from "../errors";
import type { ApiKeyRecord, ApiKeyStore } from "./api-key-store";
import { hashSecret, newToken, parseToken, secretMatches } from "./api-key-token";
import type { Principal } from "./principal";
import { parseScopes, type Scope } from "./scopes";

export const KEY_CACHE_MS = 5_000;

export interface CreatedKey {
  key: ApiKeyRecord;
  /** shown once; only its hash is stored */
  token: string;
}

export interface KeyServiceOptions {
  store: ApiKeyStore;
  now?: () => number;
  cacheMs?: number;
}

export class KeyService {
  private readonly now: () => number;
  private readonly cacheMs: number;
  private readonly cache: LruCache<string, ApiKeyRecord | null>;
  private activeCount: { value: number; until: number } | null = null;

  constructor(private readonly opts: KeyServiceOptions) {
    this.now = opts.now ?? Date.now;
    this.cacheMs = opts.cacheMs ?? KEY_CACHE_MS;
    this.cache = new LruCache(10_000, this.now);
  }

  async create(input: { name: string; scopes: string | readonly string[]; expiresAt?: number | null }): Promise<CreatedKey> {
    const name = input.name.trim();
    if (name === "" || name.length > 100) throw new Error("a key needs a name of 1-100 characters");
    const scopes = parseScopes(typeof input.scopes === "string" ? input.scopes : input.scopes.join(","));
    const expiresAt = input.expiresAt ?? null;
    if (expiresAt !== null && expiresAt <= this.now()) throw new Error("the expiry must be in the future");
    const { id, secret, token } = newToken();
    const key: ApiKeyRecord = { id, name, secretHash: hashSecret(secret), scopes, createdAt: this.now(), expiresAt, revokedAt: null };
    await this.opts.store.insertKey(key);
    this.cache.delete(id);
    this.activeCount = null;
    return { key, token };
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.opts.store.listKeys();
  }

  async revoke(id: string): Promise<boolean> {
    const revoked = await this.opts.store.revokeKey(id, this.now());
    this.cache.delete(id);
    this.activeCount = null;
    return revoked;
  }

  /** Whether any usable key exists (it switches anonymous aliases off in the default mode). */
  async anyActiveKeys(): Promise<boolean> {
    const now = this.now();
    if (this.activeCount === null || this.activeCount.until <= now) {
      this.activeCount = { value: await this.opts.store.countActiveKeys(now), until: now + this.cacheMs };
    }
    return this.activeCount.value > 0;
  }

  private async cachedKey(id: string): Promise<ApiKeyRecord | null> {
    let key = this.cache.get(id);
    if (key === undefined) {
      key = await this.opts.store.findKey(id);
      this.cache.set(id, key, this.cacheMs);
    }
    return key;
  }

  private principalOf(key: ApiKeyRecord): Principal {
    if (key.revokedAt !== null) throw new Forbidden(`API key ${key.id} was revoked`);
    if (key.expiresAt !== null && key.expiresAt <= this.now()) throw new Forbidden(`API key ${key.id} has expired`);
    return { kind: "key", id: key.id, name: key.name, scopes: new Set(key.scopes as Scope[]) };
  }

  /** The key a token names, or Forbidden when it is malformed, unknown, revoked or expired. */
  async authenticate(token: string): Promise<Principal> {
    const parsed = parseToken(token);
    if (parsed === null) throw new Forbidden("this token is not a valid API key");
    const key = await this.cachedKey(parsed.id);
    if (key === null || !secretMatches(parsed.secret, key.secretHash)) throw new Forbidden("this token is not a valid API key");
    return this.principalOf(key);
  }

  /**
   * The key with this id, checked like a token's key but without its secret: for credentials that
   * already proved the secret once (a signed session). Through the same cache, so a revocation
   * reaches them within KEY_CACHE_MS too.
   */
  async principalById(id: string): Promise<Principal> {
    const key = await this.cachedKey(id);
    if (key === null) throw new Forbidden(`API key ${id} no longer exists`);
    return this.principalOf(key);
  }
}
