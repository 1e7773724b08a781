/**
 * A bounded cache with per-entry expiry and approximate-LRU eviction ("second chance"), synchronous
 * so the redirect hot path can answer a hit without creating a Promise.
 *
 * Map keeps insertion order, so the first key iterated is the oldest insert. A hit only marks its
 * entry as used (one field write); moving it to the young end (a Map delete plus set, which was 8%
 * of a cached redirect's CPU) happens at eviction time instead, and only for entries that were used
 * since they last reached the old end. Entries never used there are evicted first, as in LRU.
 */
interface Entry<V> {
  value: V;
  expiresAt: number;
  used: boolean;
}

export class LruCache<K, V> {
  private readonly map = new Map<K, Entry<V>>();

  constructor(
    readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.map.delete(key);
      return undefined;
    }
    entry.used = true;
    return entry.value;
  }

  set(key: K, value: V, ttlMs: number): void {
    if (this.capacity <= 0) return;
    this.map.delete(key);
    this.map.set(key, { value, expiresAt: this.now() + ttlMs, used: false });
    if (this.map.size > this.capacity) this.evictOne();
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
      return;
    }
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }
}
