/**
 * Which shard owns a key under the current topology, and (while a move runs) which shard owned it
 * before. One router per process is shared by the link store, the Redis cache, the analytics
 * store and the rate limiter; `apply` swaps in a newer version for all of them at once.
 */
import { ShardRing } from "./shard-ring";
import { membersOf, shardIndices, type ShardMembers, type Topology } from "./topology";

export class ShardRouter {
  private current: Topology;
  private ring: ShardRing;
  private previousRing: ShardRing | null;
  private readonly listeners: Array<(t: Topology, before: Topology) => void> = [];

  constructor(topology: Topology) {
    this.current = topology;
    this.ring = new ShardRing(topology.members.length);
    this.previousRing = topology.move ? new ShardRing(topology.move.from.length) : null;
  }

  get topology(): Topology {
    return this.current;
  }

  get version(): number {
    return this.current.version;
  }

  /** Shards of the current map (new shards included, removed ones not). */
  get size(): number {
    return this.current.members.length;
  }

  get moving(): boolean {
    return this.current.move !== null;
  }

  /** Takes a newer version (older or equal ones are ignored); true when it changed anything. */
  apply(next: Topology): boolean {
    if (next.version <= this.current.version) return false;
    const before = this.current;
    this.current = next;
    this.ring = new ShardRing(next.members.length);
    this.previousRing = next.move ? new ShardRing(next.move.from.length) : null;
    for (const listener of this.listeners) listener(next, before);
    return true;
  }

  onChange(listener: (t: Topology, before: Topology) => void): void {
    this.listeners.push(listener);
  }

  shardOf(key: string): number {
    return this.ring.shardOf(key);
  }

  /** The key's owner under the map being moved from, when a move runs and it differs; else null. */
  previousShardOf(key: string): number | null {
    if (this.previousRing === null) return null;
    const old = this.previousRing.shardOf(key);
    return old === this.ring.shardOf(key) ? null : old;
  }

  /** Every shard index either map names. */
  indices(): number[] {
    return shardIndices(this.current);
  }

  members(index: number): ShardMembers {
    const m = membersOf(this.current, index);
    if (!m) throw new RangeError(`no shard ${index} in topology v${this.current.version}`);
    return m;
  }
}
