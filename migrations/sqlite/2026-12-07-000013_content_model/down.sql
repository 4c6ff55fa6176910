ALTER TABLE content_types DROP COLUMN renames;
ALTER TABLE content_types DROP COLUMN version;
ALTER TABLE content_types DROP COLUMN deleted_at;
ALTER TABLE entries DROP COLUMN deleted_at;
ALTER TABLE delivery_keys DROP COLUMN preview;
DROP TABLE audiences;
