-- A person's events are found by their brand and hashed user key (`personData`, `forgetPerson`,
-- `vary usage forget`): most events carry no user key, so the index holds only those that do.
CREATE INDEX usage_events_brand_person ON usage_events (brand, user_key_hash)
    WHERE user_key_hash IS NOT NULL;

-- Per brand, from when its usage reports are complete: the cut of the last deletion of events
-- older than the brand's `usageRetentionDays`. No row: nothing was ever deleted.
CREATE TABLE usage_kept_since (
    brand TEXT PRIMARY KEY NOT NULL,
    kept_since TIMESTAMP NOT NULL
);
