/** Webhooks in the embedded SQLite file (its own connection; the schema comes with the links' migrations). */
import type { Database } from "bun:sqlite";
import { openDatabase } from "../sqlite";
import { toAttempt, toDue, toWebhook, type AttemptRow, type DueRow, type WebhookRow } from "./webhook-rows";
import { DORMANT, type AttemptRecord, type DueDelivery, type NewDelivery, type WebhookRecord, type WebhookStore } from "./webhook-store";

export class SqliteWebhookStore implements WebhookStore {
  private readonly db: Database;

  constructor(path: string) {
    this.db = openDatabase(path);
  }

  async insertWebhook(w: WebhookRecord): Promise<void> {
    this.db
      .query(
        `INSERT INTO webhooks (id, owner_key, url, events, click_sample, secret, created_at)
         VALUES ($id, $owner, $url, $events, $sample, $secret, $createdAt)`,
      )
      .run({ id: w.id, owner: w.ownerKey, url: w.url, events: w.events.join(","), sample: w.clickSample, secret: w.secret, createdAt: w.createdAt });
  }

  async listWebhooks(owner?: string | null): Promise<WebhookRecord[]> {
    if (owner === undefined) return this.db.query<WebhookRow, []>("SELECT * FROM webhooks ORDER BY created_at, id").all().map(toWebhook);
    return this.db
      .query<WebhookRow, { owner: string | null }>("SELECT * FROM webhooks WHERE owner_key IS $owner ORDER BY created_at, id")
      .all({ owner })
      .map(toWebhook);
  }

  async findWebhook(id: string): Promise<WebhookRecord | null> {
    const row = this.db.query<WebhookRow, { id: string }>("SELECT * FROM webhooks WHERE id = $id").get({ id });
    return row ? toWebhook(row) : null;
  }

  async deleteWebhook(id: string): Promise<boolean> {
    return this.db.transaction(() => {
      this.db.query("DELETE FROM webhook_deliveries WHERE webhook_id = $id").run({ id });
      this.db.query("DELETE FROM webhook_attempts WHERE webhook_id = $id").run({ id });
      return this.db.query("DELETE FROM webhooks WHERE id = $id").run({ id }).changes > 0;
    })();
  }

  async enqueue(deliveries: readonly NewDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    // The first pending delivery of a link is its chain's head; later ones wait behind it.
    const insert = this.db.query(
      `INSERT INTO webhook_deliveries (webhook_id, event_id, code, topic, seq, payload, state, attempts, enqueued_at, next_attempt_at)
       VALUES ($webhookId, $eventId, $code, $topic, $seq, $payload, 'pending', 0, $enqueuedAt,
               CASE WHEN EXISTS (SELECT 1 FROM webhook_deliveries WHERE webhook_id = $webhookId AND code = $code AND state = 'pending')
                    THEN $dormant ELSE $enqueuedAt END)
       ON CONFLICT (webhook_id, event_id) DO NOTHING`,
    );
    this.db.transaction(() => {
      for (const d of deliveries) insert.run({ ...d, dormant: DORMANT });
    })();
  }

  async dueDeliveries(webhookId: string, now: number, limit: number): Promise<DueDelivery[]> {
    return this.db
      .query<DueRow, [string, number, number]>(
        `SELECT d.webhook_id, d.event_id, d.code, d.topic, d.seq, d.payload, d.enqueued_at, d.attempts, w.url, w.secret
         FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
         WHERE d.webhook_id = ?1 AND d.state = 'pending' AND d.next_attempt_at <= ?2 AND (d.lease_until IS NULL OR d.lease_until < ?2)
         ORDER BY d.next_attempt_at LIMIT ?3`,
      )
      .all(webhookId, now, limit)
      .map(toDue);
  }

  async claim(webhookId: string, eventId: string, now: number, leaseUntil: number): Promise<boolean> {
    return (
      this.db
        .query(
          `UPDATE webhook_deliveries SET lease_until = $leaseUntil
           WHERE webhook_id = $webhookId AND event_id = $eventId AND state = 'pending' AND next_attempt_at <= $now
             AND (lease_until IS NULL OR lease_until < $now)`,
        )
        .run({ webhookId, eventId, now, leaseUntil }).changes > 0
    );
  }

  async finishAttempt(a: AttemptRecord, seq: number, nextAttemptAt: number | null): Promise<void> {
    this.db.transaction(() => {
      this.db
        .query(
          `INSERT INTO webhook_attempts (webhook_id, seq, event_id, topic, code, attempt, at, status, latency_ms, error, outcome)
           VALUES ($webhookId, $seq, $eventId, $topic, $code, $attempt, $at, $status, $latencyMs, $error, $outcome)`,
        )
        .run({ ...a, seq });
      if (a.outcome === "retry") {
        this.db
          .query(
            `UPDATE webhook_deliveries SET attempts = $attempt, next_attempt_at = $next, lease_until = NULL
             WHERE webhook_id = $webhookId AND event_id = $eventId`,
          )
          .run({ attempt: a.attempt, next: nextAttemptAt ?? a.at, webhookId: a.webhookId, eventId: a.eventId });
      } else {
        this.db
          .query(
            `UPDATE webhook_deliveries SET attempts = $attempt, state = $state, finished_at = $at, lease_until = NULL
             WHERE webhook_id = $webhookId AND event_id = $eventId`,
          )
          .run({ attempt: a.attempt, state: a.outcome, at: a.at, webhookId: a.webhookId, eventId: a.eventId });
        this.wakeNext(a.webhookId, a.code, a.at);
      }
    })();
  }

  /** The chain's next delivery becomes its head (inside the transaction that ended the old head). */
  private wakeNext(webhookId: string, code: string, at: number): void {
    this.db
      .query(
        `UPDATE webhook_deliveries SET next_attempt_at = $at
         WHERE webhook_id = $webhookId AND event_id = (
           SELECT event_id FROM webhook_deliveries WHERE webhook_id = $webhookId AND code = $code AND state = 'pending' ORDER BY seq LIMIT 1)`,
      )
      .run({ webhookId, code, at });
  }

  async attempts(webhookId: string, limit: number): Promise<AttemptRecord[]> {
    return this.db
      .query<AttemptRow, [string, number]>("SELECT * FROM webhook_attempts WHERE webhook_id = ?1 ORDER BY seq DESC LIMIT ?2")
      .all(webhookId, limit)
      .map(toAttempt);
  }

  async pendingCounts(): Promise<Map<string, number>> {
    const rows = this.db
      .query<{ webhook_id: string; n: number }, []>("SELECT webhook_id, count(*) AS n FROM webhook_deliveries WHERE state = 'pending' GROUP BY webhook_id")
      .all();
    return new Map(rows.map((r) => [r.webhook_id, Number(r.n)]));
  }

  async prune(before: number, keepAttempts: number): Promise<void> {
    // A chain left without a head (cannot happen in one transaction; kept as a net) gets one.
    this.db
      .query(
        `UPDATE webhook_deliveries SET next_attempt_at = ?1
         WHERE state = 'pending' AND next_attempt_at = ?2 AND NOT EXISTS (
           SELECT 1 FROM webhook_deliveries e WHERE e.webhook_id = webhook_deliveries.webhook_id AND e.code = webhook_deliveries.code
             AND e.state = 'pending' AND (e.next_attempt_at < ?2 OR e.seq < webhook_deliveries.seq))`,
      )
      .run(Date.now(), DORMANT);
    this.db.query("DELETE FROM webhook_deliveries WHERE state <> 'pending' AND finished_at < ?1").run(before);
    this.db
      .query(
        `DELETE FROM webhook_attempts WHERE seq < (
           SELECT s.seq FROM webhook_attempts s WHERE s.webhook_id = webhook_attempts.webhook_id ORDER BY s.seq DESC LIMIT 1 OFFSET ?1)`,
      )
      .run(keepAttempts - 1);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
