//! Audiences table: a brand's named rules, stored as canonical rule JSON text.

use diesel::prelude::*;

use super::schema::audiences;
use super::{from_json_text, time, DbConnection};
use crate::domain::audience::{compile_all, Audience, AudienceRules};
use crate::error::{AppError, AppResult, ErrorCode};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = audiences)]
struct AudienceRow {
    id: String,
    brand_id: String,
    name: String,
    rule: String,
    version: i32,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

impl AudienceRow {
    fn into_domain(self) -> AppResult<Audience> {
        Ok(Audience {
            id: self.id,
            brand_id: self.brand_id,
            name: self.name,
            rule: from_json_text(&self.rule)?,
            version: self.version,
            created_at: time::from_db(self.created_at),
            updated_at: time::from_db(self.updated_at),
        })
    }
}

pub fn insert(conn: &mut DbConnection, audience: &Audience) -> AppResult<()> {
    let row = AudienceRow {
        id: audience.id.clone(),
        brand_id: audience.brand_id.clone(),
        name: audience.name.clone(),
        rule: audience.rule.to_string(),
        version: audience.version,
        created_at: time::to_db(audience.created_at),
        updated_at: time::to_db(audience.updated_at),
    };
    diesel::insert_into(audiences::table)
        .values(&row)
        .execute(conn)
        .map_err(|e| match AppError::from(e) {
            err if err.code == ErrorCode::Conflict => AppError::conflict(format!(
                "audience `{}` already exists in this brand",
                audience.name
            )),
            err => err,
        })?;
    Ok(())
}

/// Writes the audience's new rule and version where the stored version is `expected`; false
/// when another write got there first.
pub fn update_checked(
    conn: &mut DbConnection,
    audience: &Audience,
    expected: i32,
) -> AppResult<bool> {
    let updated = diesel::update(
        audiences::table
            .filter(audiences::id.eq(&audience.id))
            .filter(audiences::version.eq(expected)),
    )
    .set((
        audiences::rule.eq(audience.rule.to_string()),
        audiences::version.eq(audience.version),
        audiences::updated_at.eq(time::to_db(audience.updated_at)),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn delete(conn: &mut DbConnection, id: &str) -> AppResult<()> {
    diesel::delete(audiences::table.find(id)).execute(conn)?;
    Ok(())
}

pub fn by_id(conn: &mut DbConnection, id: &str) -> AppResult<Option<Audience>> {
    audiences::table
        .find(id)
        .select(AudienceRow::as_select())
        .first(conn)
        .optional()?
        .map(AudienceRow::into_domain)
        .transpose()
}

/// A brand's audiences, by name.
pub fn of_brand(conn: &mut DbConnection, brand_id: &str) -> AppResult<Vec<Audience>> {
    audiences::table
        .filter(audiences::brand_id.eq(brand_id))
        .order(audiences::name.asc())
        .select(AudienceRow::as_select())
        .load(conn)?
        .into_iter()
        .map(AudienceRow::into_domain)
        .collect()
}

/// A brand's audiences compiled, ready to inline into rules. One that does not compile (which
/// saving prevents) is left out and logged: rules naming it are then refused or not served.
pub fn rules_of_brand(conn: &mut DbConnection, brand_id: &str) -> AppResult<AudienceRules> {
    let stored: Vec<(String, serde_json::Value)> = of_brand(conn, brand_id)?
        .into_iter()
        .map(|a| (a.name, a.rule))
        .collect();
    let (rules, failed) = compile_all(&stored);
    for (name, error) in failed {
        tracing::error!(audience = %name, %error, "stored audience does not compile");
    }
    Ok(rules)
}
