DROP TABLE ended_sessions;
ALTER TABLE users DROP COLUMN session_version;
ALTER TABLE users DROP COLUMN must_change_password;
ALTER TABLE users DROP COLUMN disabled;
