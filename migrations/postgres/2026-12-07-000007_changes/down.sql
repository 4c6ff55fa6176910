DROP INDEX usage_events_batch;
ALTER TABLE usage_events DROP COLUMN batch;
DROP TABLE changes;
DROP TABLE shared_secrets;
