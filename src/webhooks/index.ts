export type { WebhookStore, WebhookRecord, AttemptRecord, DueDelivery, NewDelivery } from "./webhook-store";
export { SqliteWebhookStore } from "./sqlite-webhook-store";
export { PostgresWebhookStore } from "./postgres-webhook-store";
export { WebhookService, MAX_WEBHOOKS_PER_OWNER, DELIVERY_LOG_SIZE } from "./webhook-service";
export { WebhookFanout, keyIsActive, payloadOf } from "./webhook-fanout";
export { WebhookDispatcher, retryDelayMs } from "./webhook-dispatcher";
export { WebhookMetrics } from "./webhook-metrics";
export { signWebhook, verifyWebhook, newWebhookSecret } from "./webhook-signature";
export { webhookRoutes } from "./webhook-routes";
