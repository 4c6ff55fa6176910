-- A user's lifecycle: a disabled user cannot sign in and their sessions end; a user signed in
-- with a one-time password must change it first. `session_version` grows whenever every session
-- of the user must end (disable, password reset); a session token carries the version it was
-- issued under.
ALTER TABLE users ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0;

-- Sessions ended one at a time (logout), by their token's id, kept until the token expires.
CREATE TABLE ended_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX ended_sessions_user ON ended_sessions (user_id);
