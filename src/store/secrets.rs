//! Secrets every node of a deployment shares, kept in the database when none is configured.

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::schema::shared_secrets;
use super::{time, DbConnection};
use crate::error::AppResult;

/// The secret stored under `name`; when there is none yet, `candidate` is stored and returned.
/// Nodes starting at once agree: the first insert wins and the others read it.
pub fn get_or_insert(conn: &mut DbConnection, name: &str, candidate: &str) -> AppResult<String> {
    if let Some(value) = get(conn, name)? {
        return Ok(value);
    }
    let inserted = diesel::insert_into(shared_secrets::table)
        .values((
            shared_secrets::name.eq(name),
            shared_secrets::value.eq(candidate),
            shared_secrets::created_at.eq(time::to_db(time::now())),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(candidate.to_string()),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            Ok(get(conn, name)?.unwrap_or_else(|| candidate.to_string()))
        }
        Err(e) => Err(e.into()),
    }
}

fn get(conn: &mut DbConnection, name: &str) -> AppResult<Option<String>> {
    Ok(shared_secrets::table
        .find(name)
        .select(shared_secrets::value)
        .first(conn)
        .optional()?)
}
