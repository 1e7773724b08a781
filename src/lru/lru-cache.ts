/**
 * A bounded cache with per-entry expiry and approximate-LRU eviction ("second chance"), synchronous
 * so the redirect hot path can answer a hit without creating a Promise.
 *
 * Map keeps insertion order, so the first key iterated is the oldest insert. A hit only marks its
 * entry as used (one field write); moving it to the young end (a Map delete plus set, which was 8%
 * of a cached redirect's CPU) happens at eviction time instead, and only for entries that were used
 * since they last reached the old end. Entries never used there are evicted first, as in LRU.
 *
 * Bounded by count and, given a `sizeOf`, by an estimate of the bytes its entries hold: a count
 * alone lets memory swing with the size of what is cached (a link with a 2,000-character URL and
 * routing rules holds ten times what a short one does).
 */
interface Entry<V> {
  value: V;
  expiresAt: number;
  used: boolean;
  bytes: number;
}

export interface ByteBudget<K, V> {
  maxBytes: number;
  /** an estimate of what one entry holds, key and value (called once per set) */
  sizeOf(key: K, value: V): number;
}

export class LruCache<K, V> {
  private readonly map = new Map<K, Entry<V>>();
  private heldBytes = 0;

  constructor(
    readonly capacity: number,
    private readonly now: () => number = Date.now,
    private readonly budget: ByteBudget<K, V> | null = null,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** the estimated bytes held (0 without a byte budget) */
  get bytes(): number {
    return this.heldBytes;
  }

  get(key: K): V | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.delete(key);
      return undefined;
    }
    entry.used = true;
    return entry.value;
  }

  set(key: K, value: V, ttlMs: number): void {
    if (this.capacity <= 0) return;
    this.delete(key);
    const bytes = this.budget === null ? 0 : this.budget.sizeOf(key, value);
    this.map.set(key, { value, expiresAt: this.now() + ttlMs, used: false, bytes });
    this.heldBytes += bytes;
    if (this.map.size > this.capacity) this.evictOne();
    if (this.budget !== null) while (this.heldBytes > this.budget.maxBytes && this.map.size > 1) this.evictOne();
  }

  /** Every used entry met on the way gets its second chance, so this ends within size + 1 steps. */
  private evictOne(): void {
    for (const [key, entry] of this.map) {
      if (entry.used) {
        entry.used = false;
        this.map.delete(key);
        this.map.set(key, entry);
        continue;
      }
      this.map.delete(key);
      this.heldBytes -= entry.bytes;
      return;
    }
  }

  delete(key: K): boolean {
    const entry = this.map.get(key);
    if (entry === undefined) return false;
    this.heldBytes -= entry.bytes;
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.heldBytes = 0;
  }
}
