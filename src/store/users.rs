//! Users table and the sessions ended one at a time (logout). The password hash never leaves
//! this module except to be verified.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::{ended_sessions, users};
use super::{from_json_text, time, to_json_text, DbConnection};
use crate::domain::user::{Role, User};
use crate::error::{AppError, AppResult, ErrorCode};

pub use crate::domain::account::AccountRecord;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
struct UserRow {
    id: String,
    email: String,
    password_hash: String,
    role: String,
    brands: String,
    created_at: chrono::NaiveDateTime,
    disabled: bool,
    must_change_password: bool,
    session_version: i32,
}

impl UserRow {
    fn into_domain(self) -> AppResult<(User, String, i32)> {
        let role: Role = self.role.parse().map_err(AppError::internal)?;
        let user = User {
            id: self.id,
            email: self.email,
            role,
            brands: from_json_text(&self.brands)?,
            disabled: self.disabled,
            must_change_password: self.must_change_password,
        };
        Ok((user, self.password_hash, self.session_version))
    }
}

pub fn insert(conn: &mut DbConnection, user: &User, password_hash: &str) -> AppResult<()> {
    let row = UserRow {
        id: user.id.clone(),
        email: user.email.clone(),
        password_hash: password_hash.to_string(),
        role: user.role.as_str().to_string(),
        brands: to_json_text(&user.brands),
        created_at: time::to_db(time::now()),
        disabled: user.disabled,
        must_change_password: user.must_change_password,
        session_version: 0,
    };
    diesel::insert_into(users::table)
        .values(&row)
        .execute(conn)
        .map_err(|e| match AppError::from(e) {
            err if err.code == ErrorCode::Conflict => {
                AppError::conflict(format!("user {} already exists", user.email))
            }
            err => err,
        })?;
    Ok(())
}

/// The user with that e-mail, their password hash and session version.
pub fn by_email_with_hash(
    conn: &mut DbConnection,
    email: &str,
) -> AppResult<Option<(User, String, i32)>> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(UserRow::into_domain)
        .transpose()
}

/// The user with that id, their password hash and session version.
pub fn by_id_with_hash(
    conn: &mut DbConnection,
    id: &str,
) -> AppResult<Option<(User, String, i32)>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(UserRow::into_domain)
        .transpose()
}

pub fn by_id(conn: &mut DbConnection, id: &str) -> AppResult<Option<User>> {
    Ok(by_id_with_hash(conn, id)?.map(|(u, _, _)| u))
}

pub fn by_email(conn: &mut DbConnection, email: &str) -> AppResult<Option<User>> {
    Ok(by_email_with_hash(conn, email)?.map(|(u, _, _)| u))
}

pub fn all(conn: &mut DbConnection) -> AppResult<Vec<User>> {
    users::table
        .order(users::email.asc())
        .select(UserRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|r| r.into_domain().map(|(u, _, _)| u))
        .collect()
}

pub fn count(conn: &mut DbConnection) -> AppResult<i64> {
    Ok(users::table.count().get_result(conn)?)
}

/// Admins who are not disabled.
pub fn count_active_admins(conn: &mut DbConnection) -> AppResult<i64> {
    Ok(users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::disabled.eq(false))
        .count()
        .get_result(conn)?)
}

/// Writes a user's role, brands and disabled flag; `end_sessions` also ends every session they
/// hold (the session version grows).
pub fn update_profile(conn: &mut DbConnection, user: &User, end_sessions: bool) -> AppResult<()> {
    let bump = if end_sessions { 1 } else { 0 };
    diesel::update(users::table.find(&user.id))
        .set((
            users::role.eq(user.role.as_str()),
            users::brands.eq(to_json_text(&user.brands)),
            users::disabled.eq(user.disabled),
            users::session_version.eq(users::session_version + bump),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sets a user's password hash and whether they must change it; `end_sessions` also ends every
/// session they hold.
pub fn set_password(
    conn: &mut DbConnection,
    id: &str,
    password_hash: &str,
    must_change: bool,
    end_sessions: bool,
) -> AppResult<()> {
    let bump = if end_sessions { 1 } else { 0 };
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(password_hash),
            users::must_change_password.eq(must_change),
            users::session_version.eq(users::session_version + bump),
        ))
        .execute(conn)?;
    Ok(())
}

/// Ends one session (by its token's id) until `expires_at`, when its token expires anyway.
pub fn end_session(
    conn: &mut DbConnection,
    session: &str,
    user_id: &str,
    expires_at: DateTime<Utc>,
) -> AppResult<()> {
    let ended: i64 = ended_sessions::table
        .find(session)
        .count()
        .get_result(conn)?;
    if ended > 0 {
        return Ok(());
    }
    diesel::insert_into(ended_sessions::table)
        .values((
            ended_sessions::id.eq(session),
            ended_sessions::user_id.eq(user_id),
            ended_sessions::expires_at.eq(time::to_db(expires_at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets ended sessions whose tokens have expired; how many.
pub fn prune_ended_sessions(conn: &mut DbConnection, now: DateTime<Utc>) -> AppResult<usize> {
    Ok(diesel::delete(
        ended_sessions::table.filter(ended_sessions::expires_at.le(time::to_db(now))),
    )
    .execute(conn)?)
}

/// Every account, for a node's start.
pub fn accounts(conn: &mut DbConnection) -> AppResult<Vec<AccountRecord>> {
    let rows: Vec<UserRow> = users::table.select(UserRow::as_select()).load(conn)?;
    let ended: Vec<(String, String)> = ended_sessions::table
        .filter(ended_sessions::expires_at.gt(time::to_db(time::now())))
        .select((ended_sessions::user_id, ended_sessions::id))
        .load(conn)?;
    let mut by_user: std::collections::HashMap<String, Vec<String>> = Default::default();
    for (user, session) in ended {
        by_user.entry(user).or_default().push(session);
    }
    rows.into_iter()
        .map(|row| {
            let (user, _, session_version) = row.into_domain()?;
            let ended_sessions = by_user.remove(&user.id).unwrap_or_default();
            Ok(AccountRecord {
                user,
                session_version,
                ended_sessions,
            })
        })
        .collect()
}

/// The accounts of `ids` as they are now (a missing id has none).
pub fn accounts_by_ids(conn: &mut DbConnection, ids: &[String]) -> AppResult<Vec<AccountRecord>> {
    let rows: Vec<UserRow> = users::table
        .filter(users::id.eq_any(ids))
        .select(UserRow::as_select())
        .load(conn)?;
    let ended: Vec<(String, String)> = ended_sessions::table
        .filter(ended_sessions::user_id.eq_any(ids))
        .filter(ended_sessions::expires_at.gt(time::to_db(time::now())))
        .select((ended_sessions::user_id, ended_sessions::id))
        .load(conn)?;
    rows.into_iter()
        .map(|row| {
            let (user, _, session_version) = row.into_domain()?;
            let ended_sessions = ended
                .iter()
                .filter(|(u, _)| u == &user.id)
                .map(|(_, s)| s.clone())
                .collect();
            Ok(AccountRecord {
                user,
                session_version,
                ended_sessions,
            })
        })
        .collect()
}

/// The lock every change to who is an active admin takes first, so that two admins demoted or
/// disabled at once cannot leave none (PostgreSQL; SQLite has one writer at a time). It is held
/// until the transaction ends.
pub fn lock_accounts(conn: &mut DbConnection) -> AppResult<()> {
    /// An arbitrary, fixed number, distinct from the change log's.
    const ACCOUNTS_LOCK: i64 = 0x7661_7279_0002;
    if let DbConnection::Postgres(pg) = conn {
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({ACCOUNTS_LOCK})")).execute(pg)?;
    }
    Ok(())
}
