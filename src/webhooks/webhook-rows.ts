/** The rows of sql/006_webhooks.sql, the same in SQLite and PostgreSQL, and their records. */
import { isEventTopic, type EventTopic } from "../events";
import type { AttemptOutcome, AttemptRecord, DueDelivery, WebhookRecord } from "./webhook-store";

type Num = number | bigint | string;

export interface WebhookRow {
  id: string;
  owner_key: string | null;
  url: string;
  events: string;
  click_sample: Num;
  secret: string;
  created_at: Num;
}

export interface DueRow {
  webhook_id: string;
  event_id: string;
  code: string;
  topic: string;
  seq: Num;
  payload: string;
  enqueued_at: Num;
  attempts: Num;
  url: string;
  secret: string;
}

export interface AttemptRow {
  webhook_id: string;
  event_id: string;
  topic: string;
  code: string;
  attempt: Num;
  at: Num;
  status: Num | null;
  latency_ms: Num;
  error: string | null;
  outcome: string;
}

export const topicsOf = (list: string): EventTopic[] => list.split(",").filter(isEventTopic);

export function toWebhook(row: WebhookRow): WebhookRecord {
  return {
    id: row.id,
    ownerKey: row.owner_key,
    url: row.url,
    events: topicsOf(row.events),
    clickSample: Number(row.click_sample),
    secret: row.secret,
    createdAt: Number(row.created_at),
  };
}

export function toDue(row: DueRow): DueDelivery {
  return {
    webhookId: row.webhook_id,
    eventId: row.event_id,
    code: row.code,
    topic: row.topic as EventTopic,
    seq: Number(row.seq),
    payload: row.payload,
    enqueuedAt: Number(row.enqueued_at),
    attempts: Number(row.attempts),
    url: row.url,
    secret: row.secret,
  };
}

export function toAttempt(row: AttemptRow): AttemptRecord {
  return {
    webhookId: row.webhook_id,
    eventId: row.event_id,
    topic: row.topic as EventTopic,
    code: row.code,
    attempt: Number(row.attempt),
    at: Number(row.at),
    status: row.status === null ? null : Number(row.status),
    latencyMs: Number(row.latency_ms),
    error: row.error,
    outcome: row.outcome as AttemptOutcome,
  };
}
