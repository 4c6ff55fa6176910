//! Users table. The password hash never leaves this module except to be verified.

use diesel::prelude::*;

use super::schema::users;
use super::{from_json_text, time, to_json_text, DbConnection};
use crate::domain::user::{Role, User};
use crate::error::{AppError, AppResult, ErrorCode};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
struct UserRow {
    id: String,
    email: String,
    password_hash: String,
    role: String,
    brands: String,
    created_at: chrono::NaiveDateTime,
}

impl UserRow {
    fn into_domain(self) -> AppResult<(User, String)> {
        let role: Role = self.role.parse().map_err(AppError::internal)?;
        let user = User {
            id: self.id,
            email: self.email,
            role,
            brands: from_json_text(&self.brands)?,
        };
        Ok((user, self.password_hash))
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

/// The user with that e-mail and their password hash.
pub fn by_email_with_hash(
    conn: &mut DbConnection,
    email: &str,
) -> AppResult<Option<(User, String)>> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(UserRow::into_domain)
        .transpose()
}

pub fn by_id(conn: &mut DbConnection, id: &str) -> AppResult<Option<User>> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(UserRow::into_domain)
        .transpose()?
        .map(|(u, _)| u))
}

pub fn all(conn: &mut DbConnection) -> AppResult<Vec<User>> {
    users::table
        .order(users::email.asc())
        .select(UserRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|r| r.into_domain().map(|(u, _)| u))
        .collect()
}

pub fn count(conn: &mut DbConnection) -> AppResult<i64> {
    Ok(users::table.count().get_result(conn)?)
}
