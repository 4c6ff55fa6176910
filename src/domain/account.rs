//! An account as a node holds it to check sessions without the database: the user as they are
//! now, the version their sessions must carry, and the sessions ended by logout that have not
//! expired yet. `store::users` reads it; `auth::sessions` keeps it.

use super::user::User;

/// One account's session state.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountRecord {
    pub user: User,
    pub session_version: i32,
    pub ended_sessions: Vec<String>,
}
