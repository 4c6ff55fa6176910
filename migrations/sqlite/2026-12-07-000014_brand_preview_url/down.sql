ALTER TABLE brands DROP COLUMN preview_url;
