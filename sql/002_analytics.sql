-- Click analytics: aggregates only (the API never scans raw events). Portable between SQLite
-- (embedded) and PostgreSQL (one copy per shard: a link's aggregates live on the link's shard).
-- Times are epoch milliseconds, buckets start on UTC minute/day boundaries.

-- Clicks per link per minute, split into people and bots. Hour and day series are sums of these:
-- at most 1,440 rows per link and day however many clicks there were.
CREATE TABLE IF NOT EXISTS click_minutes (
  code          TEXT NOT NULL,
  minute_start  BIGINT NOT NULL,
  human         BIGINT NOT NULL DEFAULT 0,
  bot           BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (code, minute_start)
);

-- One row per (link, UTC day, visitor hash): unique visitors per day is a count of rows. The hash
-- is salted and changes daily (see the redirect handler), so no IP address is ever stored.
CREATE TABLE IF NOT EXISTS click_visitors (
  code       TEXT NOT NULL,
  day_start  BIGINT NOT NULL,
  visitor    TEXT NOT NULL,
  PRIMARY KEY (code, day_start, visitor)
);

-- Human clicks per link per day by referrer host, browser, OS, device type and country.
CREATE TABLE IF NOT EXISTS click_dimensions (
  code       TEXT NOT NULL,
  day_start  BIGINT NOT NULL,
  dimension  TEXT NOT NULL,
  dim_value  TEXT NOT NULL,
  clicks     BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (code, day_start, dimension, dim_value)
);

-- Exactly-once, part 1: every applied event id, written in the same transaction as the counters,
-- so an event delivered twice (producer retry, spool replay) is counted once. Pruned by age.
CREATE TABLE IF NOT EXISTS processed_events (
  event_id      TEXT PRIMARY KEY,
  processed_at  BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS processed_events_age_idx ON processed_events (processed_at);

-- Exactly-once, part 2: per consumer group and partition, the next Kafka offset this database has
-- applied, committed with the counters. A redelivered message below it is skipped before any work.
CREATE TABLE IF NOT EXISTS consumer_offsets (
  consumer_group  TEXT NOT NULL,
  topic           TEXT NOT NULL,
  partition_id    INTEGER NOT NULL,
  next_offset     BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL,
  PRIMARY KEY (consumer_group, topic, partition_id)
);
