//! Accounts: login, users and the bootstrap admin (delivery keys are `keys`).

use chrono::{DateTime, Utc};

use super::{audit_event, Content};
use crate::auth::{passwords, Action, Principal};
use crate::domain::brand::parse_slug;
use crate::domain::input;
use crate::domain::user::{check_password, parse_email, Role, User};
use crate::error::{AppError, AppResult};
use crate::store;
use crate::store::changes::Change;

#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub password: String,
    pub role: Role,
    pub brands: Vec<String>,
}

impl Content {
    /// Checks credentials (throttled per account and address) and issues a session token. Every
    /// attempt is audited; the password never is.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        address: Option<&str>,
    ) -> AppResult<Session> {
        // An e-mail with control characters names no account (none can be made with one); it
        // is looked up as nobody, so the attempt costs the same and is audited, escaped.
        let unreadable = input::has_control_character(email);
        let email = printable(&email.trim().to_lowercase());
        let attempt = self.limiter.begin(&email, address)?;
        let (lookup_email, pwd) = (email.clone(), password.to_string());
        let found = self
            .db
            .read(move |conn| {
                let found = if unreadable {
                    None
                } else {
                    store::users::by_email_with_hash(conn, &lookup_email)?
                };
                let hash = found
                    .as_ref()
                    .map_or(passwords::dummy_hash().to_string(), |(_, h, _)| h.clone());
                let ok = passwords::verify(&pwd, &hash);
                Ok(found.filter(|_| ok).map(|(u, _, version)| (u, version)))
            })
            .await?;
        // A disabled account cannot sign in, even with its password; that is not a failure
        // that counts towards throttling.
        if let Some((user, _)) = found.as_ref().filter(|(u, _)| u.disabled) {
            let event = self.login_event(&user.email, "login.disabled", address);
            self.db
                .write(move |conn| store::audit::append(conn, event))
                .await?;
            return Err(AppError::unauthenticated(
                "this account is disabled; ask an admin to enable it",
            ));
        }
        let outcome = if found.is_some() {
            "login.success"
        } else {
            "login.failure"
        };
        let event = crate::store::audit::AuditEvent {
            actor: email.clone(),
            action: outcome.into(),
            target: email.clone(),
            note: address.map(|a| format!("from {a}")),
            ..Default::default()
        };
        self.db
            .write(move |conn| store::audit::append(conn, event))
            .await?;
        let Some((user, session_version)) = found else {
            attempt.failed()?;
            return Err(AppError::unauthenticated("wrong e-mail or password"));
        };
        attempt.succeeded();
        let (token, expires_at) = self.tokens.issue(&user, session_version)?;
        Ok(Session {
            token,
            expires_at,
            user,
        })
    }

    fn login_event(
        &self,
        email: &str,
        outcome: &str,
        address: Option<&str>,
    ) -> store::audit::AuditEvent {
        store::audit::AuditEvent {
            actor: email.to_string(),
            action: outcome.into(),
            target: email.to_string(),
            note: address.map(|a| format!("from {a}")),
            ..Default::default()
        }
    }

    pub async fn create_user(&self, who: &Principal, input: NewUser) -> AppResult<User> {
        who.authorize(Action::ManageUsers, None)?;
        let event = audit_event(who, "user.create", &input.email, None);
        self.insert_user(input, event).await
    }

    /// Creates a user on the operator's authority (the `vary user add` command).
    pub async fn create_user_as_operator(&self, input: NewUser) -> AppResult<User> {
        let event = store::audit::AuditEvent {
            actor: "operator".into(),
            action: "user.create".into(),
            ..Default::default()
        };
        self.insert_user(input, event).await
    }

    async fn insert_user(
        &self,
        input: NewUser,
        event: store::audit::AuditEvent,
    ) -> AppResult<User> {
        let email = parse_email(&input.email).map_err(AppError::bad_input)?;
        check_password(&input.password).map_err(AppError::bad_input)?;
        let mut brands = Vec::new();
        for b in &input.brands {
            let slug = parse_slug(b).map_err(AppError::bad_input)?;
            if !brands.contains(&slug) {
                brands.push(slug);
            }
        }
        if input.role.is_brand_scoped() && brands.is_empty() {
            return Err(AppError::bad_input(format!(
                "a {} needs at least one brand",
                input.role.as_str()
            )));
        }
        if !input.role.is_brand_scoped() && !brands.is_empty() {
            return Err(AppError::bad_input(format!(
                "a {} works across all brands; name no brand",
                input.role.as_str()
            )));
        }
        let password = input.password;
        let hash = tokio::task::spawn_blocking(move || passwords::hash(&password))
            .await
            .map_err(AppError::internal)??;
        let user = User {
            id: crate::ids::new_id("usr"),
            email,
            role: input.role,
            brands,
            disabled: false,
            must_change_password: false,
        };
        let saved = user.clone();
        self.db
            .write(move |conn| {
                for slug in &saved.brands {
                    store::brands::require(conn, slug)?;
                }
                store::users::insert(conn, &saved, &hash)?;
                store::audit::append(
                    conn,
                    store::audit::AuditEvent {
                        target: saved.email.clone(),
                        ..event
                    },
                )?;
                store::changes::record(conn, &[Change::User(saved.id.clone())])
            })
            .await?;
        self.listener.committed().await;
        Ok(user)
    }

    /// Creates the configured first admin when no user exists yet; true when it did.
    pub async fn bootstrap_admin(&self, email: &str, password: &str) -> AppResult<bool> {
        if self.db.read(store::users::count).await? > 0 {
            return Ok(false);
        }
        let input = NewUser {
            email: email.into(),
            password: password.into(),
            role: Role::Admin,
            brands: vec![],
        };
        let event = store::audit::AuditEvent {
            actor: "system".into(),
            action: "user.bootstrap".into(),
            ..Default::default()
        };
        self.insert_user(input, event).await.map(|_| true)
    }

    pub async fn users(&self, who: &Principal) -> AppResult<Vec<User>> {
        who.authorize(Action::ManageUsers, None)?;
        self.db.read(store::users::all).await
    }
}

/// Text with every control character written as its escape (`\u{0}`), for logs and the audit.
fn printable(text: &str) -> String {
    if !input::has_control_character(text) {
        return text.to_string();
    }
    text.chars()
        .map(|c| match c {
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {
                c.escape_unicode().to_string()
            }
            c => c.to_string(),
        })
        .collect()
}
