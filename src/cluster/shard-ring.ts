/**
 * Which shard owns a key. One ring serves the database and the cache: shard i is PostgreSQL pair i
 * and Redis node i, so a code's row and its cache entry always move together.
 *
 * Ring members are named "shard-0".."shard-N-1", never host:port, so moving a node to another
 * address keeps every key where it was. md5 (hashring's default) is stable across processes and
 * releases; 256 virtual nodes per shard (1,024 ring points) keep each shard within ~2% of an even
 * share (measured on 300,000 random codes: 32.5% / 33.9% / 33.5%).
 *
 * hashring builds the ring; a key's point is computed here with the same ketama rule (the first
 * four bytes of the key's md5, little-endian) through Bun's native MD5, then found on hashring's
 * own sorted ring. hashring's get() made a node:crypto Hash object per key and kept an LRU of
 * keys, and on a cold cache (every code new) paid both for every lookup, several per redirect.
 * tests/unit/cluster-ring.test.ts holds the two to the same answer.
 */
import HashRing from "hashring";

const VIRTUAL_NODES = 256;

/** The parts of hashring's ring its typings leave out: the sorted points and the search over them. */
interface KetamaRing {
  ring: Array<{ value: number; server: string }>;
  find(point: number): number;
}

export class ShardRing {
  private readonly ring: HashRing | null;
  private readonly indexByName = new Map<string, number>();

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a shard ring needs at least one shard (got ${size})`);
    const members: Record<string, { vnodes: number }> = {};
    for (let i = 0; i < size; i++) {
      members[ShardRing.nodeName(i)] = { vnodes: VIRTUAL_NODES };
      this.indexByName.set(ShardRing.nodeName(i), i);
    }
    // One shard needs no hashing at all; keys never go through hashring's get(), so its LRU stays empty.
    this.ring = size === 1 ? null : new HashRing(members, "md5", { "max cache size": 1 });
  }

  static nodeName(shard: number): string {
    return `shard-${shard}`;
  }

  shardOf(key: string): number {
    if (this.ring === null) return 0;
    const x = Bun.MD5.hash(key) as Uint8Array;
    const point = ((x[3]! << 24) | (x[2]! << 16) | (x[1]! << 8) | x[0]!) >>> 0;
    const ring = this.ring as unknown as KetamaRing;
    const name = ring.ring[ring.find(point)]?.server;
    const shard = name === undefined ? undefined : this.indexByName.get(name);
    if (shard === undefined) throw new Error(`shard ring returned an unknown member for '${key}'`);
    return shard;
  }
}
