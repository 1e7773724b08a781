/**
 * One PostgreSQL node: a small pool for requests, a one-connection pool for the health probe (so a
 * saturated request pool can never make a healthy node look dead), and the node's breaker.
 *
 * Pools are replaced after failures: a pool that saw a node failure is swapped for a fresh one at
 * the next successful probe, and the probe pool after each failed probe. Besides shedding dead
 * sockets early, this drops connections poisoned by the postgres.js write defect described in
 * postgres-js-workarounds.ts (they would otherwise time out forever on a healthy node).
 */
import postgres from "postgres";
import { GuardedNode, addressOf } from "../../cluster";
import type { ResilienceConfig } from "../../config";
import { isPgNodeFailure } from "./pg-errors";

export type PgSql = postgres.Sql<{ bigint: bigint }>;
export type PgRole = "primary" | "replica";

export interface PgNodeOptions {
  url: string;
  shard: number;
  role: PgRole;
  resilience: ResilienceConfig;
}

function pool(url: string, max: number, resilience: ResilienceConfig, prepare: boolean): PgSql {
  return postgres(url, {
    max,
    connect_timeout: resilience.dbConnectTimeoutMs / 1000,
    // Idle connections go after 30 s so a quiet process does not pin server slots.
    idle_timeout: 30,
    prepare,
    types: { bigint: postgres.BigInt },
    onnotice: () => {},
    connection: { application_name: "ringlink" },
  }) as unknown as PgSql;
}

/** In-flight queries of a replaced pool get this long to finish before its sockets are closed. */
const RETIRE_GRACE_SECONDS = 5;

export class PgNode {
  readonly guard: GuardedNode;
  readonly address: string;
  private requestPool: PgSql;
  private probePool: PgSql;
  private requestPoolFailed = false;

  constructor(readonly opts: PgNodeOptions) {
    const { shard, role, resilience } = opts;
    this.address = addressOf(opts.url, 5432);
    // Prepared statements: the hot queries are a handful of shapes, parsed once per connection.
    this.requestPool = this.newRequestPool();
    this.probePool = this.newProbePool();
    this.guard = new GuardedNode({
      name: `shard-${shard}/${role}`,
      kind: role === "primary" ? "postgres-primary" : "postgres-replica",
      shard,
      address: this.address,
      failureThreshold: resilience.breakerFailures,
      probeTimeoutMs: resilience.dbConnectTimeoutMs + resilience.dbQueryTimeoutMs,
      isNodeFailure: (error) => {
        const failed = isPgNodeFailure(error);
        if (failed) this.requestPoolFailed = true;
        return failed;
      },
      ping: () => this.ping(),
    });
  }

  /** The request pool; read it at call time, it is replaced after failures. */
  get sql(): PgSql {
    return this.requestPool;
  }

  private newRequestPool(): PgSql {
    return pool(this.opts.url, this.opts.resilience.dbPoolMax, this.opts.resilience, true);
  }

  private newProbePool(): PgSql {
    return pool(this.opts.url, 1, this.opts.resilience, false);
  }

  private async ping(): Promise<void> {
    try {
      await this.probePool`SELECT 1`.simple();
    } catch (error) {
      const old = this.probePool;
      this.probePool = this.newProbePool();
      void old.end({ timeout: 0 }).catch(() => {});
      throw error;
    }
    if (this.requestPoolFailed) {
      // The node answers again: start over with fresh connections.
      this.requestPoolFailed = false;
      const old = this.requestPool;
      this.requestPool = this.newRequestPool();
      void old.end({ timeout: RETIRE_GRACE_SECONDS }).catch(() => {});
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.requestPool.end({ timeout: 2 }), this.probePool.end({ timeout: 1 })]);
  }
}
