DROP INDEX usage_served_experiment;
DROP INDEX usage_served_tuple;
ALTER TABLE usage_served DROP COLUMN arm_id;
ALTER TABLE usage_served DROP COLUMN experiment_id;
CREATE UNIQUE INDEX usage_served_tuple
    ON usage_served (brand, entry_id, variant_id, revision, device, locale, entry_key, variant_name);
DROP TABLE experiments;
