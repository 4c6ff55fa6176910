-- Experiments (#22): arms tested against each other on one entry. Arms are JSON text
-- (`[{"id", "name", "variant", "ranked", "weight"}]`), the audience a rule's JSON text.
CREATE TABLE experiments (
    id TEXT PRIMARY KEY NOT NULL,
    brand_id TEXT NOT NULL REFERENCES brands (id),
    entry_id TEXT NOT NULL,
    name TEXT NOT NULL,
    hypothesis TEXT,
    audience TEXT,
    arms TEXT NOT NULL,
    goal TEXT NOT NULL,
    mode TEXT NOT NULL,
    status TEXT NOT NULL,
    min_people_per_arm INTEGER NOT NULL,
    started_at TIMESTAMP,
    stopped_at TIMESTAMP,
    winner TEXT,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX experiments_brand ON experiments (brand_id, entry_id);
-- At most one RUNNING experiment per entry, also when two nodes start one at once.
CREATE UNIQUE INDEX experiments_one_running ON experiments (entry_id) WHERE status = 'running';

-- What an impression served now includes the experiment and arm it was enrolled in ('' outside
-- experiments, so that the served tuple stays unique): a served row per (variant revision, device,
-- locale, experiment, arm).
ALTER TABLE usage_served ADD COLUMN experiment_id TEXT NOT NULL DEFAULT '';
ALTER TABLE usage_served ADD COLUMN arm_id TEXT NOT NULL DEFAULT '';
DROP INDEX usage_served_tuple;
CREATE UNIQUE INDEX usage_served_tuple ON usage_served
    (brand, entry_id, variant_id, revision, device, locale, entry_key, variant_name, experiment_id, arm_id);
CREATE INDEX usage_served_experiment ON usage_served (experiment_id, arm_id) WHERE experiment_id <> '';
