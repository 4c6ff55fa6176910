//! Every account as this node last heard of it, so that checking a session never touches the
//! database.
//!
//! A session token names its user, the user's session version when it was issued and its own
//! id (`jti`). A request's session holds only while the user exists and is not disabled, the
//! version is still the user's (a disable or a password reset raises it, ending every session)
//! and the session was not ended by logout. The role, brands and whether the password must be
//! changed come from here, never from the token, so a change applies to existing sessions at
//! once. Like the key ring, the accounts are loaded at start and replaced per user when the
//! change feed applies a `Change::User` (on the node that made it before the mutation answers,
//! on the others within a second).

use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use super::tokens::SessionClaims;
use crate::domain::account::AccountRecord;
use crate::domain::user::User;
use crate::error::{AppError, AppResult};

/// The session a request came with: what logout ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRef {
    /// The token's id (`jti`).
    pub id: String,
    pub user_id: String,
    pub expires_at: DateTime<Utc>,
}

impl SessionRef {
    pub fn of(claims: &SessionClaims) -> SessionRef {
        SessionRef {
            id: claims.jti.clone(),
            user_id: claims.sub.clone(),
            expires_at: DateTime::from_timestamp(claims.exp, 0).unwrap_or_else(Utc::now),
        }
    }
}

struct Account {
    user: User,
    session_version: i32,
    /// Sessions ended by logout whose tokens have not expired yet (as of the last reload).
    ended: HashSet<String>,
}

impl Account {
    fn of(record: &AccountRecord) -> Account {
        Account {
            user: record.user.clone(),
            session_version: record.session_version,
            ended: record.ended_sessions.iter().cloned().collect(),
        }
    }
}

#[derive(Default)]
pub struct Accounts {
    by_id: ArcSwap<HashMap<String, Arc<Account>>>,
}

const ENDED: &str = "this session has ended; sign in again";

impl Accounts {
    /// Replaces every account with `records`.
    pub fn load(&self, records: &[AccountRecord]) {
        let all = records
            .iter()
            .map(|r| (r.user.id.clone(), Arc::new(Account::of(r))))
            .collect();
        self.by_id.store(Arc::new(all));
    }

    /// Replaces the accounts `ids` with what `records` (their current rows) say.
    pub fn update(&self, ids: &BTreeSet<String>, records: &[AccountRecord]) {
        let mut all: HashMap<String, Arc<Account>> = (**self.by_id.load()).clone();
        for id in ids {
            all.remove(id);
        }
        for r in records {
            all.insert(r.user.id.clone(), Arc::new(Account::of(r)));
        }
        self.by_id.store(Arc::new(all));
    }

    /// The user a verified session token acts as now, or `UNAUTHENTICATED` when the session
    /// has ended (user unknown or disabled, sessions ended by a reset or disable, or logged out).
    pub fn check(&self, claims: &SessionClaims) -> AppResult<User> {
        let all = self.by_id.load();
        let account = all
            .get(&claims.sub)
            .ok_or_else(|| AppError::unauthenticated(ENDED))?;
        if account.user.disabled {
            return Err(AppError::unauthenticated(
                "this account is disabled; ask an admin to enable it",
            ));
        }
        if account.session_version != claims.ver || account.ended.contains(&claims.jti) {
            return Err(AppError::unauthenticated(ENDED));
        }
        Ok(account.user.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::tokens::SessionTokens;
    use crate::domain::user::Role;

    fn record(version: i32, disabled: bool, ended: &[&str]) -> AccountRecord {
        AccountRecord {
            user: User {
                id: "u1".into(),
                email: "a@x.test".into(),
                role: Role::Editor,
                brands: vec!["b".into()],
                disabled,
                must_change_password: false,
            },
            session_version: version,
            ended_sessions: ended.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_session_holds_until_its_version_moves_or_it_is_ended() {
        let tokens = SessionTokens::new(&[7u8; 32], 60);
        let accounts = Accounts::default();
        accounts.load(&[record(0, false, &[])]);
        let (token, _) = tokens.issue(&record(0, false, &[]).user, 0).unwrap();
        let claims = tokens.verify(&token).unwrap();
        assert!(accounts.check(&claims).is_ok());

        let ids: BTreeSet<String> = ["u1".to_string()].into();
        accounts.update(&ids, &[record(0, false, &[&claims.jti])]);
        assert!(accounts.check(&claims).is_err(), "logged out");
        accounts.update(&ids, &[record(1, false, &[])]);
        assert!(accounts.check(&claims).is_err(), "version moved");
        accounts.update(&ids, &[record(0, true, &[])]);
        assert!(accounts.check(&claims).is_err(), "disabled");
        accounts.update(&ids, &[]);
        assert!(accounts.check(&claims).is_err(), "gone");
    }
}
