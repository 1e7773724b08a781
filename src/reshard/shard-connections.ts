/**
 * Connections of the maintenance tools (reshard, verify): small pools per node of their own, so a
 * move never competes with the serving processes' pools, and one Redis client per cache node.
 */
import { Redis } from "ioredis";
import postgres from "postgres";
import type { ShardMembers } from "../cluster";

export type Sql = postgres.Sql<{ bigint: bigint }>;

export class ShardConnections {
  private readonly pg = new Map<string, Sql>();
  private readonly redis = new Map<string, Redis>();

  sql(url: string): Sql {
    let sql = this.pg.get(url);
    if (!sql) {
      sql = postgres(url, {
        max: 4,
        connect_timeout: 5,
        idle_timeout: 30,
        types: { bigint: postgres.BigInt },
        onnotice: () => {},
        connection: { application_name: "ringlink-reshard" },
      }) as unknown as Sql;
      this.pg.set(url, sql);
    }
    return sql;
  }

  primary(m: ShardMembers): Sql {
    return this.sql(m.primary);
  }

  replica(m: ShardMembers): Sql {
    return this.sql(m.replica);
  }

  cache(m: ShardMembers): Redis | null {
    if (m.redis === null) return null;
    let client = this.redis.get(m.redis);
    if (!client) {
      client = new Redis(m.redis, { maxRetriesPerRequest: 1, connectTimeout: 1000, enableOfflineQueue: true });
      client.on("error", () => {});
      this.redis.set(m.redis, client);
    }
    return client;
  }

  async close(): Promise<void> {
    for (const r of this.redis.values()) r.disconnect();
    await Promise.all([...this.pg.values()].map((s) => s.end({ timeout: 2 }).catch(() => {})));
  }
}
