-- The change feed (see the PostgreSQL migration). AUTOINCREMENT: ids are never reused, even
-- after old rows are pruned. SQLite has one writer at a time, so ids follow commit order.
CREATE TABLE changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX changes_at ON changes (at);

-- Secrets every node of one deployment must share (the session and servedId signing secret),
-- created by the first node that needs one when none is configured.
CREATE TABLE shared_secrets (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- The change (kind `usage`) whose transaction stored each event: a node tails other nodes'
-- events through the change feed by it. NULL for events stored before the change feed.
ALTER TABLE usage_events ADD COLUMN batch BIGINT;
CREATE INDEX usage_events_batch ON usage_events (batch);
