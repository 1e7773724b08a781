-- What the URL classifier says a link is (news, shopping, suspicious, ...), written off the
-- request path by the classifier (in-process in embedded mode, `ringlink worker classifier` with Kafka).
ALTER TABLE links ADD COLUMN category TEXT;
ALTER TABLE links ADD COLUMN category_confidence REAL;
