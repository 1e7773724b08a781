-- The dashboard shows the store's total of live links every few seconds. Counting every row is
-- cheap (SQLite counts a b-tree without reading rows); counting the deleted ones through this
-- partial index touches only them, so total - deleted stays a matter of milliseconds per million
-- links instead of a scan of the whole table.
CREATE INDEX IF NOT EXISTS links_deleted_idx ON links (id) WHERE deleted_at IS NOT NULL;
