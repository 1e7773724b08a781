-- Links. Portable between SQLite (embedded) and PostgreSQL (one copy per shard).
-- Times are epoch milliseconds so both engines compare them the same way without time-zone rules.
CREATE TABLE IF NOT EXISTS links (
  id                BIGINT PRIMARY KEY,           -- 63-bit time-ordered id (NODE_ID + process bits)
  code              TEXT NOT NULL,
  url               TEXT NOT NULL,
  url_hash          TEXT NOT NULL,                -- sha256 of the normalised URL: reuse lookups
  is_alias          SMALLINT NOT NULL DEFAULT 0,
  canonical         SMALLINT NOT NULL DEFAULT 0,  -- 1 = the link a plain request for this URL reuses
  redirect_type     SMALLINT NOT NULL DEFAULT 302,
  created_at        BIGINT NOT NULL,
  expires_at        BIGINT,
  max_clicks        BIGINT,
  clicks_consumed   BIGINT NOT NULL DEFAULT 0,    -- exact, atomic; only for links with max_clicks
  clicks            BIGINT NOT NULL DEFAULT 0,    -- counted from click events, eventually consistent
  deleted_at        BIGINT
);

CREATE UNIQUE INDEX IF NOT EXISTS links_code_key ON links (code);
-- At most one live canonical link per URL: this index is what makes "same URL -> same code" atomic.
CREATE UNIQUE INDEX IF NOT EXISTS links_canonical_url_key ON links (url_hash) WHERE canonical = 1 AND deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS links_created_idx ON links (id);
