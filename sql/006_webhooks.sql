-- Webhooks: receivers of link events, their pending deliveries and a log of attempts.
-- Portable between SQLite and PostgreSQL. In distributed mode every shard gets the tables, but
-- webhooks and their deliveries live on shard 0 only, like the API keys that own them: one place
-- for the dispatcher to claim from, and few rows (deliveries are kept hours, not forever).
CREATE TABLE IF NOT EXISTS webhooks (
  id            TEXT PRIMARY KEY,          -- wh_<random>
  owner_key     TEXT,                      -- API key id; NULL = created by an admin, sees every link
  url           TEXT NOT NULL,
  events        TEXT NOT NULL,             -- comma list of topics
  click_sample  DOUBLE PRECISION NOT NULL DEFAULT 1,  -- share of link.clicked delivered (0 < r <= 1)
  secret        TEXT NOT NULL,             -- whsec_<base64>; signs every delivery
  created_at    BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS webhooks_owner_idx ON webhooks (owner_key, created_at);

CREATE TABLE IF NOT EXISTS webhook_deliveries (
  webhook_id      TEXT NOT NULL,
  event_id        TEXT NOT NULL,           -- webhook-id header is msg_<event_id>: stable across retries
  code            TEXT NOT NULL,
  topic           TEXT NOT NULL,
  seq             BIGINT NOT NULL,         -- event time * 1000 + a counter: a link's deliveries go in this order
  payload         TEXT NOT NULL,
  state           TEXT NOT NULL,           -- pending | delivered | failed
  attempts        INTEGER NOT NULL DEFAULT 0,
  enqueued_at     BIGINT NOT NULL,
  next_attempt_at BIGINT NOT NULL,         -- the head of a link's chain: when it may go; the rest wait at 9e15
  lease_until     BIGINT,                  -- a dispatcher is sending it until then
  finished_at     BIGINT,
  PRIMARY KEY (webhook_id, event_id)
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_chain_idx ON webhook_deliveries (webhook_id, code, seq) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS webhook_deliveries_due_idx ON webhook_deliveries (webhook_id, next_attempt_at) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS webhook_deliveries_finished_idx ON webhook_deliveries (finished_at) WHERE state <> 'pending';

CREATE TABLE IF NOT EXISTS webhook_attempts (
  webhook_id  TEXT NOT NULL,
  seq         BIGINT NOT NULL,             -- attempt time * 1000 + a counter
  event_id    TEXT NOT NULL,
  topic       TEXT NOT NULL,
  code        TEXT NOT NULL,
  attempt     INTEGER NOT NULL,
  at          BIGINT NOT NULL,
  status      INTEGER,                     -- HTTP status; NULL = no answer (timeout, refused)
  latency_ms  DOUBLE PRECISION NOT NULL,
  error       TEXT,
  outcome     TEXT NOT NULL,               -- delivered | retry | failed
  PRIMARY KEY (webhook_id, seq)
);
