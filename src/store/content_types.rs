//! Content types table. A deleted content type stays for the deleted entries that auditors still
//! read (its name freed as `NAME~deleted~ID`); lists and lookups by name skip it.

use diesel::prelude::*;

use super::schema::content_types;
use super::{from_json_text, time, to_json_text, DbConnection};
use crate::domain::content_type::change::LoggedRename;
use crate::domain::content_type::ContentType;
use crate::error::{AppError, AppResult, ErrorCode};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = content_types)]
struct ContentTypeRow {
    id: String,
    brand_id: String,
    name: String,
    fields: String,
    created_at: chrono::NaiveDateTime,
    version: i32,
}

impl ContentTypeRow {
    fn into_domain(self) -> AppResult<ContentType> {
        Ok(ContentType {
            id: self.id,
            brand_id: self.brand_id,
            name: self.name,
            fields: from_json_text(&self.fields)?,
            version: self.version,
        })
    }
}

pub fn insert(conn: &mut DbConnection, ct: &ContentType) -> AppResult<()> {
    let row = ContentTypeRow {
        id: ct.id.clone(),
        brand_id: ct.brand_id.clone(),
        name: ct.name.clone(),
        fields: to_json_text(&ct.fields),
        created_at: time::to_db(time::now()),
        version: ct.version,
    };
    diesel::insert_into(content_types::table)
        .values(&row)
        .execute(conn)
        .map_err(|e| match AppError::from(e) {
            err if err.code == ErrorCode::Conflict => AppError::conflict(format!(
                "content type `{}` already exists in this brand",
                ct.name
            )),
            err => err,
        })?;
    Ok(())
}

pub fn by_name(
    conn: &mut DbConnection,
    brand_id: &str,
    name: &str,
) -> AppResult<Option<ContentType>> {
    content_types::table
        .filter(content_types::deleted_at.is_null())
        .filter(content_types::brand_id.eq(brand_id))
        .filter(content_types::name.eq(name))
        .select(ContentTypeRow::as_select())
        .first(conn)
        .optional()?
        .map(ContentTypeRow::into_domain)
        .transpose()
}

pub fn by_id(conn: &mut DbConnection, id: &str) -> AppResult<ContentType> {
    content_types::table
        .find(id)
        .select(ContentTypeRow::as_select())
        .first(conn)?
        .into_domain()
}

pub fn by_ids(conn: &mut DbConnection, ids: &[String]) -> AppResult<Vec<ContentType>> {
    content_types::table
        .filter(content_types::id.eq_any(ids))
        .select(ContentTypeRow::as_select())
        .load(conn)?
        .into_iter()
        .map(ContentTypeRow::into_domain)
        .collect()
}

pub fn of_brand(conn: &mut DbConnection, brand_id: &str) -> AppResult<Vec<ContentType>> {
    content_types::table
        .filter(content_types::deleted_at.is_null())
        .filter(content_types::brand_id.eq(brand_id))
        .order(content_types::name.asc())
        .select(ContentTypeRow::as_select())
        .load(conn)?
        .into_iter()
        .map(ContentTypeRow::into_domain)
        .collect()
}

/// Marks a content type deleted and frees its name. False when it was deleted already.
pub fn soft_delete(conn: &mut DbConnection, ct: &ContentType) -> AppResult<bool> {
    let changed = diesel::update(
        content_types::table
            .find(&ct.id)
            .filter(content_types::deleted_at.is_null()),
    )
    .set((
        content_types::deleted_at.eq(Some(time::to_db(time::now()))),
        content_types::name.eq(format!("{}~deleted~{}", ct.name, ct.id)),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Whether the content type is deleted.
pub fn is_deleted(conn: &mut DbConnection, id: &str) -> AppResult<bool> {
    let deleted: Option<Option<chrono::NaiveDateTime>> = content_types::table
        .find(id)
        .select(content_types::deleted_at)
        .first(conn)
        .optional()?;
    Ok(!matches!(deleted, Some(None)))
}

/// Writes a content type's new name, fields and version, appending `renames` to its log, where
/// the stored version is `expected`; false when another write got there first.
pub fn update_checked(
    conn: &mut DbConnection,
    ct: &ContentType,
    expected: i32,
    renames: &[LoggedRename],
) -> AppResult<bool> {
    let mut log = renames_of(conn, &ct.id)?;
    log.extend_from_slice(renames);
    let updated = diesel::update(
        content_types::table
            .find(&ct.id)
            .filter(content_types::version.eq(expected))
            .filter(content_types::deleted_at.is_null()),
    )
    .set((
        content_types::name.eq(&ct.name),
        content_types::fields.eq(to_json_text(&ct.fields)),
        content_types::version.eq(ct.version),
        content_types::renames.eq(to_json_text(&log)),
    ))
    .execute(conn)
    .map_err(|e| match AppError::from(e) {
        err if err.code == ErrorCode::Conflict => AppError::conflict(format!(
            "content type `{}` already exists in this brand",
            ct.name
        )),
        err => err,
    })?;
    Ok(updated == 1)
}

/// A content type's rename log, oldest first.
pub fn renames_of(conn: &mut DbConnection, id: &str) -> AppResult<Vec<LoggedRename>> {
    let text: String = content_types::table
        .find(id)
        .select(content_types::renames)
        .first(conn)?;
    from_json_text(&text)
}
