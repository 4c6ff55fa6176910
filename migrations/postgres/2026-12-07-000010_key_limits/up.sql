-- Delivery keys may expire, may be limited to some browser origins (a JSON array of origins)
-- and to a rate (answers per second); when each was last used is flushed from memory.
ALTER TABLE delivery_keys ADD COLUMN expires_at TIMESTAMP;
ALTER TABLE delivery_keys ADD COLUMN allowed_origins TEXT;
ALTER TABLE delivery_keys ADD COLUMN rate_limit INTEGER;
ALTER TABLE delivery_keys ADD COLUMN last_used_at TIMESTAMP;
