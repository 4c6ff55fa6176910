CREATE TABLE usage_events (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    impression_id TEXT NOT NULL,
    brand TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    entry_key TEXT NOT NULL,
    variant_id TEXT NOT NULL,
    variant_name TEXT NOT NULL,
    revision TEXT NOT NULL,
    device TEXT NOT NULL,
    locale TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    day TEXT NOT NULL,
    user_key_hash TEXT,
    attributes TEXT NOT NULL,
    value DOUBLE PRECISION
);
CREATE INDEX usage_events_brand_at ON usage_events (brand, at);
CREATE INDEX usage_events_impression ON usage_events (impression_id);
