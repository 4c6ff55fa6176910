ALTER TABLE webhook_deliveries
    DROP COLUMN claimed_until,
    DROP COLUMN claimed_by;
