CREATE TABLE usage_events_wide (
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
INSERT INTO usage_events_wide
    SELECT e.id, e.kind, e.impression_id, e.brand, s.entry_id, s.entry_key, s.variant_id, s.variant_name, s.revision,
        s.device, s.locale, e.at, substr(e.at, 1, 10), e.user_key_hash, e.attributes, e.value
    FROM usage_events e JOIN usage_served s ON s.id = e.served;
DROP TABLE usage_events;
DROP TABLE usage_served;
ALTER TABLE usage_events_wide RENAME TO usage_events;
CREATE INDEX usage_events_brand_at ON usage_events (brand, at);
