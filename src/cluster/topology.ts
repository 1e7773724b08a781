/**
 * The shard map as data. Shard i is PostgreSQL pair i plus Redis node i; a map keeps each shard's
 * index for life (a move adds shards at the end or removes them from the end), so the ring member
 * "shard-i" never changes meaning. While a move runs the document carries the map it moves from:
 * every process then routes writes and first reads to the new owner and falls back to the old one.
 */
export interface ShardMembers {
  primary: string;
  replica: string;
  /** null when the cluster runs without Redis */
  redis: string | null;
}

export interface MoveState {
  /** copying: links are being copied to their new shards; the old map is still consulted */
  state: "copying";
  from: ShardMembers[];
  startedAt: number;
}

export interface Topology {
  version: number;
  members: ShardMembers[];
  move: MoveState | null;
  updatedAt: number;
}

export interface MoveProgress {
  moved: number;
  total: number;
  updatedAt: number;
}

/** The map DATABASE_NODES / REDIS_NODES describe (version 0: not stored yet). */
export function topologyFromNodes(shards: ReadonlyArray<{ primary: string; replica: string }>, redis: readonly string[]): Topology {
  return {
    version: 0,
    members: shards.map((s, i) => ({ primary: s.primary, replica: s.replica, redis: redis[i] ?? null })),
    move: null,
    updatedAt: 0,
  };
}

export function sameMembers(a: readonly ShardMembers[], b: readonly ShardMembers[]): boolean {
  return a.length === b.length && a.every((m, i) => m.primary === b[i]!.primary && m.replica === b[i]!.replica && m.redis === b[i]!.redis);
}

/** A URL without its password, for logs and `ringlink topology`. */
export function redactUrl(url: string | null): string {
  if (url === null) return "-";
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString().replace(/\/$/, "");
  } catch {
    return url;
  }
}

/** The one line an instance logs when its env names a different map than the stored one. */
export function describeDifference(env: readonly ShardMembers[], stored: Topology): string {
  return `DATABASE_NODES/REDIS_NODES name ${env.length} shard(s) but the cluster's stored topology v${stored.version} has ${stored.members.length}${
    env.length === stored.members.length ? " with other addresses" : ""
  }: using the stored topology`;
}

export function parseTopology(document: string): Topology {
  const t = JSON.parse(document) as Topology;
  if (!Number.isInteger(t.version) || !Array.isArray(t.members) || t.members.length === 0) throw new Error("malformed topology document");
  return { version: t.version, members: t.members, move: t.move ?? null, updatedAt: t.updatedAt ?? 0 };
}

/** Every shard index either map names: during a shrink the removed shards still hold rows. */
export function shardIndices(t: Topology): number[] {
  const n = Math.max(t.members.length, t.move?.from.length ?? 0);
  return Array.from({ length: n }, (_, i) => i);
}

/** Members of shard i in the new map, else in the map being moved from. */
export function membersOf(t: Topology, index: number): ShardMembers | undefined {
  return t.members[index] ?? t.move?.from[index];
}
