-- The change feed: one row per change that a node holds in memory or in an index (a brand's
-- published state, a variant's search document, a delivery key), written in the transaction of
-- the change itself. Writers take an advisory lock before inserting, so ids are handed out in
-- commit order and a reader that has seen id N has seen every change up to N.
CREATE TABLE changes (
    id BIGSERIAL PRIMARY KEY,
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
