DROP TABLE ended_sessions;
ALTER TABLE users
    DROP COLUMN session_version,
    DROP COLUMN must_change_password,
    DROP COLUMN disabled;
