-- Audiences: a brand's named, reusable rules (`{"audience": NAME}` inside other rules).
CREATE TABLE audiences (
    id TEXT PRIMARY KEY NOT NULL,
    brand_id TEXT NOT NULL REFERENCES brands(id),
    name TEXT NOT NULL,
    rule TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (brand_id, name)
);

-- Preview keys answer with each variant's latest revision and record nothing.
ALTER TABLE delivery_keys ADD COLUMN preview BOOLEAN NOT NULL DEFAULT FALSE;

-- Deleting is soft where auditors still read what was deleted: a deleted entry keeps its
-- revisions, audit rows and usage; its key is freed (renamed) so the key can be used again.
ALTER TABLE entries ADD COLUMN deleted_at TIMESTAMP;
ALTER TABLE content_types ADD COLUMN deleted_at TIMESTAMP;
ALTER TABLE content_types ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
-- Field renames, applied when revisions made before them are read (revisions never change):
-- a JSON list of {from, to, at}.
ALTER TABLE content_types ADD COLUMN renames TEXT NOT NULL DEFAULT '[]';
