/**
 * The WebhookStore port: webhooks, their pending deliveries (the durable queue the dispatcher
 * claims from) and the log of attempts. SQLite in embedded mode, shard 0's primary in distributed
 * mode (sql/006_webhooks.sql).
 */
import type { EventTopic } from "../events";

export interface WebhookRecord {
  id: string;
  /** API key id; null = an admin's webhook, which sees every link */
  ownerKey: string | null;
  url: string;
  events: EventTopic[];
  /** share of link.clicked events delivered, 0 < r <= 1 */
  clickSample: number;
  secret: string;
  createdAt: number;
}

export interface NewDelivery {
  webhookId: string;
  eventId: string;
  code: string;
  topic: EventTopic;
  seq: number;
  payload: string;
  enqueuedAt: number;
}

/** A pending delivery at the head of its link's chain, with what it takes to send it. */
export interface DueDelivery extends NewDelivery {
  attempts: number;
  url: string;
  secret: string;
}

export type AttemptOutcome = "delivered" | "retry" | "failed";

export interface AttemptRecord {
  webhookId: string;
  eventId: string;
  topic: EventTopic;
  code: string;
  /** 1 for the first try */
  attempt: number;
  at: number;
  /** HTTP status; null when nothing answered (timeout, connection refused) */
  status: number | null;
  latencyMs: number;
  error: string | null;
  outcome: AttemptOutcome;
}

/**
 * A link's pending deliveries to a webhook form a chain: only its head has a real
 * `next_attempt_at`; the others wait at DORMANT and the head's end (delivered or failed) wakes the
 * oldest of them in the same transaction. So "what may go now" is an index range read, however
 * long a chain a receiver that is down has let grow (a scan for heads took 100 ms per look at
 * 58,000 pending clicks of one link, on the serving thread).
 */
export const DORMANT = 9_000_000_000_000_000;

export interface WebhookStore {
  insertWebhook(webhook: WebhookRecord): Promise<void>;
  /** undefined = every webhook; a key id or null = that owner's */
  listWebhooks(owner?: string | null): Promise<WebhookRecord[]>;
  findWebhook(id: string): Promise<WebhookRecord | null>;
  /** Removes the webhook with its deliveries and log; false when there was none. */
  deleteWebhook(id: string): Promise<boolean>;
  /** Adds deliveries; one already queued for the same webhook and event is left as it is. */
  enqueue(deliveries: readonly NewDelivery[]): Promise<void>;
  /**
   * Up to `limit` deliveries of one webhook that may go now: pending, due, not leased, and the
   * oldest pending one of their link (so a link's events reach a receiver in order).
   */
  dueDeliveries(webhookId: string, now: number, limit: number): Promise<DueDelivery[]>;
  /** Takes a delivery for sending until `leaseUntil`; false when another dispatcher has it. */
  claim(webhookId: string, eventId: string, now: number, leaseUntil: number): Promise<boolean>;
  /**
   * Records an attempt and moves its delivery on: delivered or failed (finished), or pending
   * again at `nextAttemptAt` (retry).
   */
  finishAttempt(attempt: AttemptRecord, seq: number, nextAttemptAt: number | null): Promise<void>;
  /** The newest attempts of a webhook, newest first. */
  attempts(webhookId: string, limit: number): Promise<AttemptRecord[]>;
  /** Pending deliveries per webhook (metrics, the API). */
  pendingCounts(): Promise<Map<string, number>>;
  /** Drops finished deliveries older than `before` and all but the newest `keepAttempts` log rows per webhook. */
  prune(before: number, keepAttempts: number): Promise<void>;
  close(): Promise<void>;
}
