-- The cluster's shard map, one row (id = 1) on every primary, written with a version check; the
-- highest version found on any primary is the authority (src/cluster/topology-table.ts).
CREATE TABLE IF NOT EXISTS topology (
  id          INTEGER PRIMARY KEY,
  version     BIGINT NOT NULL,
  document    TEXT NOT NULL,             -- JSON: members (primary, replica, redis per shard index) and the move in progress
  progress    TEXT,                      -- JSON: links moved so far by a running reshard (not versioned)
  verify      TEXT,                      -- JSON: the latest `ringlink verify` summary (not versioned)
  updated_at  BIGINT NOT NULL
);

-- 1 while a reshard copies the row to its new shard: writes skip a frozen row and retry at its new home.
ALTER TABLE links ADD COLUMN moving SMALLINT NOT NULL DEFAULT 0;

-- Click counts the analytics worker took for a link whose row had not reached its new shard yet;
-- the reshard adds them to the row once it has arrived (and `verify --repair` sweeps leftovers).
CREATE TABLE IF NOT EXISTS pending_clicks (
  code    TEXT PRIMARY KEY,
  clicks  BIGINT NOT NULL
);
