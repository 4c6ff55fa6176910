//! A user's lifecycle after creation: role, brands and disabling (`updateUser`, `vary user
//! disable`), passwords (`changePassword`, `resetPassword` with a one-time password) and
//! `logout`.
//!
//! Each writes the user, its audit row (never a password) and a `Change::User` in one
//! transaction, then has this node apply the change before answering: sessions are checked
//! against the accounts every node holds in memory (`auth::sessions`), so a disabled or reset
//! user's next request is refused, and a changed role or brand list applies at once, here and on
//! every other node within a second. The last active admin can be neither disabled nor demoted.

use super::{audit_event, Content};
use crate::auth::sessions::SessionRef;
use crate::auth::{passwords, Action, Principal};
use crate::domain::brand::parse_slug;
use crate::domain::user::{check_password, parse_email, Role, User};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::store::audit::AuditEvent;
use crate::store::changes::Change;
use crate::store::{self, DbConnection};

/// What `updateUser` changes; what is absent stays.
#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    pub role: Option<Role>,
    pub brands: Option<Vec<String>>,
    pub disabled: Option<bool>,
}

impl Content {
    /// Changes a user's role, brands or disabled flag (admins). Disabling ends every session of
    /// the user; a changed role or brand list applies to their sessions at once.
    pub async fn update_user(
        &self,
        who: &Principal,
        id: &str,
        update: UserUpdate,
    ) -> AppResult<User> {
        who.authorize(Action::ManageUsers, None)?;
        let brands = update.brands.as_deref().map(parse_brands).transpose()?;
        let event = audit_event(who, "user.update", id, None);
        let id = id.to_string();
        let user = self
            .db
            .write(move |conn| {
                let current = store::users::by_id(conn, &id)?
                    .ok_or_else(|| AppError::not_found(format!("no user {id}")))?;
                let next = updated(&current, &update, brands)?;
                require_brands(conn, &next.brands)?;
                save_profile(conn, &current, &next, describe(&current, &next), event)?;
                Ok(next)
            })
            .await?;
        self.listener.committed().await;
        Ok(user)
    }

    /// Disables the user with that e-mail on the operator's authority (`vary user disable`):
    /// they cannot sign in and every session they hold ends, on every node within a second.
    pub async fn disable_user_as_operator(&self, email: &str) -> AppResult<User> {
        let email = parse_email(email).map_err(AppError::bad_input)?;
        let user = self
            .db
            .write(move |conn| {
                let current = store::users::by_email(conn, &email)?
                    .ok_or_else(|| AppError::not_found(format!("no user {email}")))?;
                let next = User {
                    disabled: true,
                    ..current.clone()
                };
                let event = AuditEvent {
                    actor: "operator".into(),
                    action: "user.disable".into(),
                    target: current.id.clone(),
                    ..AuditEvent::default()
                };
                save_profile(conn, &current, &next, describe(&current, &next), event)?;
                Ok(next)
            })
            .await?;
        self.listener.committed().await;
        Ok(user)
    }

    /// Gives a user a one-time password (admins), answered once and never stored in clear:
    /// every session of the user ends, and signing in with it answers a session that must
    /// change the password before anything else.
    pub async fn reset_password(&self, who: &Principal, id: &str) -> AppResult<String> {
        who.authorize(Action::ManageUsers, None)?;
        let one_time = one_time_password();
        let hash = hash_password(one_time.clone()).await?;
        let event = audit_event(who, "user.resetPassword", id, None);
        let id = id.to_string();
        self.db
            .write(move |conn| {
                if store::users::by_id(conn, &id)?.is_none() {
                    return Err(AppError::not_found(format!("no user {id}")));
                }
                store::users::set_password(conn, &id, &hash, true, true)?;
                store::audit::append(conn, event)?;
                store::changes::record(conn, &[Change::User(id.clone())])
            })
            .await?;
        self.listener.committed().await;
        Ok(one_time)
    }

    /// Changes the caller's own password; a wrong `current` is `UNAUTHENTICATED`. Ends the
    /// obligation to change a one-time password; the caller's sessions go on.
    pub async fn change_password(
        &self,
        who: &Principal,
        current: &str,
        new: &str,
    ) -> AppResult<bool> {
        let user = who.account()?.clone();
        check_password(new).map_err(|e| AppError::bad_input(format!("the new password: {e}")))?;
        if new == current {
            return Err(AppError::bad_input(
                "the new password must differ from the current one",
            ));
        }
        let user_id = user.id.clone();
        let (_, old_hash, _) = self
            .db
            .read(move |conn| store::users::by_id_with_hash(conn, &user_id))
            .await?
            .ok_or_else(|| AppError::unauthenticated("this session has ended; sign in again"))?;
        let (given, stored) = (current.to_string(), old_hash.clone());
        let matches = tokio::task::spawn_blocking(move || passwords::verify(&given, &stored))
            .await
            .map_err(AppError::internal)?;
        if !matches {
            return Err(AppError::unauthenticated(
                "the current password is wrong; type the password you signed in with",
            ));
        }
        let hash = hash_password(new.to_string()).await?;
        let event = audit_event(who, "user.changePassword", &user.id, None);
        self.db
            .write(move |conn| {
                let still = store::users::by_id_with_hash(conn, &user.id)?;
                if still.is_none_or(|(_, h, _)| h != old_hash) {
                    return Err(AppError::conflict(
                        "the password was changed meanwhile; sign in again",
                    ));
                }
                store::users::set_password(conn, &user.id, &hash, false, false)?;
                store::audit::append(conn, event)?;
                store::changes::record(conn, &[Change::User(user.id.clone())])
            })
            .await?;
        self.listener.committed().await;
        Ok(true)
    }

    /// Ends the caller's current session only; their other sessions go on.
    pub async fn logout(&self, who: &Principal, session: Option<&SessionRef>) -> AppResult<bool> {
        let user = who.account()?;
        let session = session
            .filter(|s| s.user_id == user.id)
            .cloned()
            .ok_or_else(|| AppError::unauthenticated("sign in first"))?;
        let event = audit_event(who, "user.logout", &user.id, None);
        self.db
            .write(move |conn| {
                store::users::end_session(conn, &session.id, &session.user_id, session.expires_at)?;
                store::audit::append(conn, event)?;
                store::changes::record(conn, &[Change::User(session.user_id.clone())])
            })
            .await?;
        self.listener.committed().await;
        Ok(true)
    }
}

/// Brand slugs, parsed and without repeats.
fn parse_brands(raw: &[String]) -> AppResult<Vec<String>> {
    let mut brands = Vec::new();
    for b in raw {
        let slug = parse_slug(b).map_err(AppError::bad_input)?;
        if !brands.contains(&slug) {
            brands.push(slug);
        }
    }
    Ok(brands)
}

/// `current` with `update` applied: a role across all brands holds none; a role limited to
/// brands needs at least one (the ones given, else the ones it had).
fn updated(current: &User, update: &UserUpdate, brands: Option<Vec<String>>) -> AppResult<User> {
    let role = update.role.unwrap_or(current.role);
    let brands = match (role.is_brand_scoped(), brands) {
        (true, Some(brands)) => brands,
        (true, None) => current.brands.clone(),
        (false, Some(brands)) if !brands.is_empty() => {
            return Err(AppError::bad_input(format!(
                "an {} works across all brands; name no brand",
                role.as_str()
            )))
        }
        (false, _) => Vec::new(),
    };
    if role.is_brand_scoped() && brands.is_empty() {
        return Err(AppError::bad_input(format!(
            "a {} needs at least one brand: name the brands they work in",
            role.as_str()
        )));
    }
    Ok(User {
        role,
        brands,
        disabled: update.disabled.unwrap_or(current.disabled),
        ..current.clone()
    })
}

/// Every brand named exists; an unknown one is `BAD_INPUT`.
fn require_brands(conn: &mut DbConnection, brands: &[String]) -> AppResult<()> {
    for slug in brands {
        store::brands::require(conn, slug).map_err(|e| match e.code {
            ErrorCode::NotFound => AppError::bad_input(format!(
                "there is no brand `{slug}`: name existing brands only"
            )),
            _ => e,
        })?;
    }
    Ok(())
}

/// Writes `next` over `current` with its audit row and change, refusing to leave no active admin
/// (`CONFLICT`). Disabling ends every session of the user.
fn save_profile(
    conn: &mut DbConnection,
    current: &User,
    next: &User,
    note: String,
    event: AuditEvent,
) -> AppResult<()> {
    store::users::lock_accounts(conn)?;
    if current.is_active_admin()
        && !next.is_active_admin()
        && store::users::count_active_admins(conn)? <= 1
    {
        return Err(AppError::conflict(
            "this is the last active admin: make another user an admin first",
        ));
    }
    let end_sessions = next.disabled && !current.disabled;
    store::users::update_profile(conn, next, end_sessions)?;
    store::audit::append(
        conn,
        AuditEvent {
            note: Some(note),
            ..event
        },
    )?;
    store::changes::record(conn, &[Change::User(next.id.clone())])
}

/// What changed, for the audit log.
fn describe(current: &User, next: &User) -> String {
    let mut parts = vec![format!("user {}", current.email)];
    if current.role != next.role {
        parts.push(format!(
            "role {} → {}",
            current.role.as_str(),
            next.role.as_str()
        ));
    }
    if current.brands != next.brands {
        parts.push(format!(
            "brands [{}] → [{}]",
            current.brands.join(", "),
            next.brands.join(", ")
        ));
    }
    if current.disabled != next.disabled {
        parts.push(if next.disabled { "disabled" } else { "enabled" }.to_string());
    }
    parts.join("; ")
}

/// A one-time password: 20 random characters from 36 (about 103 bits), in groups of five.
fn one_time_password() -> String {
    let raw = crate::ids::random_token(20);
    raw.as_bytes()
        .chunks(5)
        .map(|c| std::str::from_utf8(c).expect("ASCII"))
        .collect::<Vec<_>>()
        .join("-")
}

async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || passwords::hash(&password))
        .await
        .map_err(AppError::internal)?
}
