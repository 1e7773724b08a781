-- Short domains added through the API (POST /api/v1/domains) beside those of the DOMAINS setting.
-- Like api_keys: every shard gets the table, the rows live on shard 0 only, every process reads
-- them at start and every few seconds after.
CREATE TABLE IF NOT EXISTS domains (
  host                TEXT PRIMARY KEY,   -- lower case, no port
  root_redirect       TEXT,
  not_found_redirect  TEXT,
  create_keys         TEXT,               -- comma list of API key ids that may create on it; NULL = any creator
  updated_at          BIGINT NOT NULL
);
