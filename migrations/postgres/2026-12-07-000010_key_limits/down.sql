ALTER TABLE delivery_keys DROP COLUMN last_used_at;
ALTER TABLE delivery_keys DROP COLUMN rate_limit;
ALTER TABLE delivery_keys DROP COLUMN allowed_origins;
ALTER TABLE delivery_keys DROP COLUMN expires_at;
