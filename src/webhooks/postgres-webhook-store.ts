/**
 * Webhooks on shard 0's primary, beside the API keys that own them. One place means one queue:
 * every dispatcher (any number of `ringlink worker webhooks`) claims from the same rows, so a
 * link's deliveries keep their order and a restarted worker finds what was pending. The pool is
 * this module's own and small, so deliveries never take connections redirects and creates need.
 */
import postgres from "postgres";
import { toAttempt, toDue, toWebhook, type AttemptRow, type DueRow, type WebhookRow } from "./webhook-rows";
import { DORMANT, type AttemptRecord, type DueDelivery, type NewDelivery, type WebhookRecord, type WebhookStore } from "./webhook-store";

type Sql = postgres.Sql<Record<string, never>>;

export interface PostgresWebhookStoreOptions {
  /** shard 0's primary */
  url: string;
  connectTimeoutMs: number;
  poolMax: number;
}

export class PostgresWebhookStore implements WebhookStore {
  private readonly sql: Sql;

  constructor(opts: PostgresWebhookStoreOptions) {
    this.sql = postgres(opts.url, {
      max: opts.poolMax,
      connect_timeout: Math.max(1, Math.ceil(opts.connectTimeoutMs / 1000)),
      idle_timeout: 30,
      onnotice: () => {},
      connection: { application_name: "ringlink-webhooks" },
    });
  }

  async insertWebhook(w: WebhookRecord): Promise<void> {
    await this.sql`
      INSERT INTO webhooks (id, owner_key, url, events, click_sample, secret, created_at)
      VALUES (${w.id}, ${w.ownerKey}, ${w.url}, ${w.events.join(",")}, ${w.clickSample}, ${w.secret}, ${w.createdAt})`;
  }

  async listWebhooks(owner?: string | null): Promise<WebhookRecord[]> {
    const rows =
      owner === undefined
        ? await this.sql<WebhookRow[]>`SELECT * FROM webhooks ORDER BY created_at, id`
        : owner === null
          ? await this.sql<WebhookRow[]>`SELECT * FROM webhooks WHERE owner_key IS NULL ORDER BY created_at, id`
          : await this.sql<WebhookRow[]>`SELECT * FROM webhooks WHERE owner_key = ${owner} ORDER BY created_at, id`;
    return rows.map(toWebhook);
  }

  async findWebhook(id: string): Promise<WebhookRecord | null> {
    const rows = await this.sql<WebhookRow[]>`SELECT * FROM webhooks WHERE id = ${id}`;
    return rows[0] ? toWebhook(rows[0]) : null;
  }

  async deleteWebhook(id: string): Promise<boolean> {
    return this.sql.begin(async (tx) => {
      await tx`DELETE FROM webhook_deliveries WHERE webhook_id = ${id}`;
      await tx`DELETE FROM webhook_attempts WHERE webhook_id = ${id}`;
      const result = await tx`DELETE FROM webhooks WHERE id = ${id}`;
      return result.count > 0;
    }) as Promise<boolean>;
  }

  async enqueue(deliveries: readonly NewDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    const byWebhook = new Map<string, NewDelivery[]>();
    for (const d of deliveries) {
      const list = byWebhook.get(d.webhookId);
      if (list) list.push(d);
      else byWebhook.set(d.webhookId, [d]);
    }
    await this.sql.begin(async (tx) => {
      for (const [webhookId, list] of byWebhook) {
        // Serialises with the end of a head (finishAttempt) so a chain never ends up without one.
        await tx`SELECT pg_advisory_xact_lock(hashtext(${webhookId}))`;
        const codes = [...new Set(list.map((d) => d.code))];
        const existing = await tx<{ code: string }[]>`
          SELECT DISTINCT code FROM webhook_deliveries WHERE webhook_id = ${webhookId} AND state = 'pending' AND code = ANY(${codes})`;
        const hasChain = new Set(existing.map((r) => r.code));
        // Kafka hands a link's events of different topics over apart (a link.updated may come
        // before its link.created): an older event takes the place of a head not tried yet.
        // FOR UPDATE holds off a claim of that head until this commits (the claim then finds it dormant).
        const heads = await tx<{ code: string; event_id: string; seq: string | number; attempts: number; lease_until: string | number | null }[]>`
          SELECT code, event_id, seq, attempts, lease_until FROM webhook_deliveries
          WHERE webhook_id = ${webhookId} AND state = 'pending' AND code = ANY(${codes}) AND next_attempt_at < ${DORMANT}
          FOR UPDATE`;
        const now = Date.now();
        const replaceable = new Map(heads.filter((h) => h.attempts === 0 && (h.lease_until === null || Number(h.lease_until) < now)).map((h) => [h.code, h]));
        const sorted = [...list].sort((a, b) => a.seq - b.seq);
        const demote: string[] = [];
        for (const d of sorted) {
          const head = replaceable.get(d.code);
          if (head && d.seq < Number(head.seq)) {
            demote.push(head.event_id);
            hasChain.delete(d.code);
          }
          replaceable.delete(d.code);
        }
        if (demote.length > 0) {
          await tx`UPDATE webhook_deliveries SET next_attempt_at = ${DORMANT} WHERE webhook_id = ${webhookId} AND event_id = ANY(${demote})`;
        }
        const rows = sorted.map((d) => {
          const head = !hasChain.has(d.code);
          hasChain.add(d.code);
          return {
            webhook_id: d.webhookId,
            event_id: d.eventId,
            code: d.code,
            topic: d.topic,
            seq: d.seq,
            payload: d.payload,
            state: "pending",
            attempts: 0,
            enqueued_at: d.enqueuedAt,
            next_attempt_at: head ? d.enqueuedAt : DORMANT,
          };
        });
        // One statement per 500 rows keeps the bind parameters far below PostgreSQL's 65,535.
        for (let i = 0; i < rows.length; i += 500) {
          await tx`INSERT INTO webhook_deliveries ${this.sql(rows.slice(i, i + 500))} ON CONFLICT (webhook_id, event_id) DO NOTHING`;
        }
      }
    });
  }

  async dueDeliveries(webhookId: string, now: number, limit: number): Promise<DueDelivery[]> {
    const rows = await this.sql<DueRow[]>`
      SELECT d.webhook_id, d.event_id, d.code, d.topic, d.seq, d.payload, d.enqueued_at, d.attempts, w.url, w.secret
      FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
      WHERE d.webhook_id = ${webhookId} AND d.state = 'pending' AND d.next_attempt_at <= ${now}
        AND (d.lease_until IS NULL OR d.lease_until < ${now})
      ORDER BY d.next_attempt_at LIMIT ${limit}`;
    return rows.map(toDue);
  }

  async claim(webhookId: string, eventId: string, now: number, leaseUntil: number): Promise<boolean> {
    const result = await this.sql`
      UPDATE webhook_deliveries SET lease_until = ${leaseUntil}
      WHERE webhook_id = ${webhookId} AND event_id = ${eventId} AND state = 'pending' AND next_attempt_at <= ${now}
        AND (lease_until IS NULL OR lease_until < ${now})`;
    return result.count > 0;
  }

  async finishAttempt(a: AttemptRecord, seq: number, nextAttemptAt: number | null): Promise<void> {
    await this.sql.begin(async (tx) => {
      await tx`
        INSERT INTO webhook_attempts (webhook_id, seq, event_id, topic, code, attempt, at, status, latency_ms, error, outcome)
        VALUES (${a.webhookId}, ${seq}, ${a.eventId}, ${a.topic}, ${a.code}, ${a.attempt}, ${a.at}, ${a.status}, ${a.latencyMs}, ${a.error}, ${a.outcome})`;
      if (a.outcome === "retry") {
        await tx`
          UPDATE webhook_deliveries SET attempts = ${a.attempt}, next_attempt_at = ${nextAttemptAt ?? a.at}, lease_until = NULL
          WHERE webhook_id = ${a.webhookId} AND event_id = ${a.eventId}`;
      } else {
        await tx`SELECT pg_advisory_xact_lock(hashtext(${a.webhookId}))`;
        await tx`
          UPDATE webhook_deliveries SET attempts = ${a.attempt}, state = ${a.outcome}, finished_at = ${a.at}, lease_until = NULL
          WHERE webhook_id = ${a.webhookId} AND event_id = ${a.eventId}`;
        // The chain's next delivery becomes its head.
        await tx`
          UPDATE webhook_deliveries SET next_attempt_at = ${a.at}
          WHERE webhook_id = ${a.webhookId} AND event_id = (
            SELECT event_id FROM webhook_deliveries
            WHERE webhook_id = ${a.webhookId} AND code = ${a.code} AND state = 'pending' ORDER BY seq LIMIT 1)`;
      }
    });
  }

  async attempts(webhookId: string, limit: number): Promise<AttemptRecord[]> {
    const rows = await this.sql<AttemptRow[]>`SELECT * FROM webhook_attempts WHERE webhook_id = ${webhookId} ORDER BY seq DESC LIMIT ${limit}`;
    return rows.map(toAttempt);
  }

  async pendingCounts(): Promise<Map<string, number>> {
    const rows = await this.sql<{ webhook_id: string; n: bigint }[]>`
      SELECT webhook_id, count(*) AS n FROM webhook_deliveries WHERE state = 'pending' GROUP BY webhook_id`;
    return new Map(rows.map((r) => [r.webhook_id, Number(r.n)]));
  }

  async prune(before: number, keepAttempts: number): Promise<void> {
    // A chain left without a head (cannot happen under the advisory lock; kept as a net) gets one.
    await this.sql`
      UPDATE webhook_deliveries d SET next_attempt_at = ${Date.now()}
      WHERE d.state = 'pending' AND d.next_attempt_at = ${DORMANT} AND NOT EXISTS (
        SELECT 1 FROM webhook_deliveries e WHERE e.webhook_id = d.webhook_id AND e.code = d.code
          AND e.state = 'pending' AND (e.next_attempt_at < ${DORMANT} OR e.seq < d.seq))`;
    await this.sql`DELETE FROM webhook_deliveries WHERE state <> 'pending' AND finished_at < ${before}`;
    await this.sql`
      DELETE FROM webhook_attempts a WHERE a.seq < (
        SELECT s.seq FROM webhook_attempts s WHERE s.webhook_id = a.webhook_id ORDER BY s.seq DESC LIMIT 1 OFFSET ${keepAttempts - 1})`;
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 2 });
  }
}
