ALTER TABLE usage_events
    ADD COLUMN entry_id TEXT,
    ADD COLUMN entry_key TEXT,
    ADD COLUMN variant_id TEXT,
    ADD COLUMN variant_name TEXT,
    ADD COLUMN revision TEXT,
    ADD COLUMN device TEXT,
    ADD COLUMN locale TEXT,
    ADD COLUMN day TEXT;
UPDATE usage_events e SET entry_id = s.entry_id, entry_key = s.entry_key, variant_id = s.variant_id,
        variant_name = s.variant_name, revision = s.revision, device = s.device, locale = s.locale,
        day = to_char(e.at, 'YYYY-MM-DD')
    FROM usage_served s WHERE s.id = e.served;
ALTER TABLE usage_events
    ALTER COLUMN entry_id SET NOT NULL,
    ALTER COLUMN entry_key SET NOT NULL,
    ALTER COLUMN variant_id SET NOT NULL,
    ALTER COLUMN variant_name SET NOT NULL,
    ALTER COLUMN revision SET NOT NULL,
    ALTER COLUMN device SET NOT NULL,
    ALTER COLUMN locale SET NOT NULL,
    ALTER COLUMN day SET NOT NULL,
    DROP COLUMN served;
DROP TABLE usage_served;
