-- Embedded store only (a file named *.sqlite.sql; PostgreSQL records the version and does nothing).
-- The click aggregates become WITHOUT ROWID tables, clustered on their primary key: a click on a
-- code not clicked this minute then changes one B-tree per table instead of two (the rowid table
-- and its primary-key index), and each change dirties one page, not two, in the commit's WAL
-- frames. Measured on 200,000 codes with 20,000 uniformly random clicks per write: 30.8 -> 21.8 µs
-- of SQLite work per click. Same columns, same keys, same rows: every query reads them as before.

CREATE TABLE click_minutes_clustered (
  code          TEXT NOT NULL,
  minute_start  BIGINT NOT NULL,
  human         BIGINT NOT NULL DEFAULT 0,
  bot           BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (code, minute_start)
) WITHOUT ROWID;
INSERT INTO click_minutes_clustered (code, minute_start, human, bot) SELECT code, minute_start, human, bot FROM click_minutes;
DROP TABLE click_minutes;
ALTER TABLE click_minutes_clustered RENAME TO click_minutes;

CREATE TABLE click_visitors_clustered (
  code       TEXT NOT NULL,
  day_start  BIGINT NOT NULL,
  visitor    TEXT NOT NULL,
  PRIMARY KEY (code, day_start, visitor)
) WITHOUT ROWID;
INSERT INTO click_visitors_clustered (code, day_start, visitor) SELECT code, day_start, visitor FROM click_visitors;
DROP TABLE click_visitors;
ALTER TABLE click_visitors_clustered RENAME TO click_visitors;

CREATE TABLE click_dimensions_clustered (
  code       TEXT NOT NULL,
  day_start  BIGINT NOT NULL,
  dimension  TEXT NOT NULL,
  dim_value  TEXT NOT NULL,
  clicks     BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (code, day_start, dimension, dim_value)
) WITHOUT ROWID;
INSERT INTO click_dimensions_clustered (code, day_start, dimension, dim_value, clicks)
  SELECT code, day_start, dimension, dim_value, clicks FROM click_dimensions;
DROP TABLE click_dimensions;
ALTER TABLE click_dimensions_clustered RENAME TO click_dimensions;
