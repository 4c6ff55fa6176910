ALTER TABLE brands ADD COLUMN preview_url TEXT;
