//! Accounts: login, users, delivery keys, and the bootstrap admin.

use chrono::{DateTime, Utc};

use super::{audit_event, Content};
use crate::auth::keyring::{new_token, token_hash};
use crate::auth::{passwords, Action, Principal};
use crate::domain::brand::parse_slug;
use crate::domain::input;
use crate::domain::user::{check_password, parse_email, Role, User};
use crate::error::{AppError, AppResult};
use crate::store::changes::Change;
use crate::store::{self, keys::DeliveryKeyRecord, time};

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

/// A delivery key just made; the only time its token is seen.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    pub record: DeliveryKeyRecord,
    pub token: String,
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
        self.limiter.check(&email, address)?;
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
            self.limiter.record_failure(&email, address);
            return Err(AppError::unauthenticated("wrong e-mail or password"));
        };
        self.limiter.record_success(&email);
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

    pub async fn create_delivery_key(
        &self,
        who: &Principal,
        brand: &str,
        name: &str,
    ) -> AppResult<IssuedKey> {
        who.authorize(Action::ManageKeys, Some(brand))?;
        let name = name.trim().to_string();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::bad_input(
                "a key needs a name of 1 to 100 characters",
            ));
        }
        let token = new_token();
        let record = DeliveryKeyRecord {
            id: crate::ids::new_id("key"),
            brand_slug: brand.to_string(),
            name,
            token_hash: token_hash(&token),
            created_by: who.actor(),
            created_at: time::now(),
            revoked_at: None,
        };
        let event = audit_event(who, "key.create", &record.id, Some(brand));
        let saved = record.clone();
        self.db
            .write(move |conn| {
                let brand = store::brands::require(conn, &saved.brand_slug)?;
                store::keys::insert(conn, &brand.id, &saved)?;
                store::audit::append(conn, event)?;
                store::changes::record(conn, &[Change::Key(saved.id.clone())])
            })
            .await?;
        self.listener.committed().await;
        Ok(IssuedKey { record, token })
    }

    /// Revokes a key; it is refused by every request that starts after this answers.
    pub async fn revoke_delivery_key(&self, who: &Principal, id: &str) -> AppResult<bool> {
        who.authorize(Action::ManageKeys, None)?;
        let event = audit_event(who, "key.revoke", id, None);
        let id = id.to_string();
        let revoked = self
            .db
            .write(move |conn| {
                if !store::keys::revoke(conn, &id)? {
                    return Err(AppError::not_found(format!("no live delivery key {id}")));
                }
                store::audit::append(conn, event)?;
                store::changes::record(conn, &[Change::Key(id.clone())])?;
                Ok(true)
            })
            .await?;
        self.listener.committed().await;
        Ok(revoked)
    }

    pub async fn delivery_keys(
        &self,
        who: &Principal,
        brand: Option<String>,
    ) -> AppResult<Vec<DeliveryKeyRecord>> {
        who.authorize(Action::ManageKeys, None)?;
        let all = self.db.read(store::keys::all).await?;
        Ok(all
            .into_iter()
            .filter(|k| brand.as_ref().is_none_or(|b| &k.brand_slug == b))
            .collect())
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
