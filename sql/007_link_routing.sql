-- Per-request routing on links: ordered redirect rules, an A/B split and preview metadata for
-- link-preview crawlers, each a JSON document in a TEXT column (portable between SQLite and
-- PostgreSQL; only the server reads them, never a query). NULL = the link has none.
ALTER TABLE links ADD COLUMN rules TEXT;      -- [{"conditions":[{"type":"device","anyOf":["mobile"]}],"url":"https://..."}]
ALTER TABLE links ADD COLUMN variants TEXT;   -- [{"name":"a","url":"https://...","weight":50}, ...]
ALTER TABLE links ADD COLUMN preview TEXT;    -- {"title":"...","description":"...","image":"https://..."}
