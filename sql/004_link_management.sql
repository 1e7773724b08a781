-- Link management: owners (API keys), lifecycle flags, password protection, query forwarding and
-- tags on links, plus the API keys themselves. Portable between SQLite and PostgreSQL.
-- In distributed mode every shard gets the api_keys table, but keys live on shard 0 only (one
-- place to revoke; reads are cached in-process for a few seconds).
ALTER TABLE links ADD COLUMN owner_key TEXT;                       -- id of the API key that created it; NULL = anonymous or ADMIN_TOKEN
ALTER TABLE links ADD COLUMN disabled TEXT;                        -- NULL = serving; 'manual' (PATCH) or 'unsafe' (classifier/blocklist)
ALTER TABLE links ADD COLUMN password_hash TEXT;                   -- argon2id (Bun.password); NULL = no password
ALTER TABLE links ADD COLUMN forward_query SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE links ADD COLUMN tags TEXT NOT NULL DEFAULT '';        -- ',a,b,' so one LIKE finds a tag on both engines
ALTER TABLE links ADD COLUMN updated_at BIGINT;
CREATE INDEX IF NOT EXISTS links_owner_idx ON links (owner_key, id);

CREATE TABLE IF NOT EXISTS api_keys (
  id           TEXT PRIMARY KEY,        -- public part of the token (rl_<id>_<secret>)
  name         TEXT NOT NULL,
  secret_hash  TEXT NOT NULL,           -- sha256 of the secret part; the token itself is never stored
  scopes       TEXT NOT NULL,           -- comma list: create, manage, stats, admin
  created_at   BIGINT NOT NULL,
  expires_at   BIGINT,
  revoked_at   BIGINT
);
