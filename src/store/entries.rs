//! Entries table, with keyset pagination ordered by key.
//!
//! A deleted entry stays (its variants, revisions, audit rows and usage are kept for auditors)
//! with `deleted_at` set and its key freed: lookups by key, lists and the snapshot skip it, and
//! only [`by_id`] still reads it.

use diesel::prelude::*;

use super::schema::entries;
use super::{time, DbConnection};
use crate::domain::entry::Entry;
use crate::error::{AppError, AppResult, ErrorCode};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = entries)]
struct EntryRow {
    id: String,
    brand_id: String,
    entry_key: String,
    content_type_id: String,
    description: Option<String>,
    version: i32,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

impl From<EntryRow> for Entry {
    fn from(r: EntryRow) -> Entry {
        Entry {
            id: r.id,
            brand_id: r.brand_id,
            key: r.entry_key,
            content_type_id: r.content_type_id,
            description: r.description,
            version: r.version,
        }
    }
}

pub fn insert(conn: &mut DbConnection, entry: &Entry) -> AppResult<()> {
    let now = time::to_db(time::now());
    let row = EntryRow {
        id: entry.id.clone(),
        brand_id: entry.brand_id.clone(),
        entry_key: entry.key.clone(),
        content_type_id: entry.content_type_id.clone(),
        description: entry.description.clone(),
        version: entry.version,
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(entries::table)
        .values(&row)
        .execute(conn)
        .map_err(|e| match AppError::from(e) {
            err if err.code == ErrorCode::Conflict => AppError::conflict(format!(
                "entry `{}` already exists in this brand",
                entry.key
            )),
            err => err,
        })?;
    Ok(())
}

pub fn by_key(conn: &mut DbConnection, brand_id: &str, key: &str) -> AppResult<Option<Entry>> {
    Ok(entries::table
        .filter(entries::deleted_at.is_null())
        .filter(entries::brand_id.eq(brand_id))
        .filter(entries::entry_key.eq(key))
        .select(EntryRow::as_select())
        .first(conn)
        .optional()?
        .map(Entry::from))
}

pub fn by_id(conn: &mut DbConnection, id: &str) -> AppResult<Option<Entry>> {
    Ok(entries::table
        .find(id)
        .select(EntryRow::as_select())
        .first(conn)
        .optional()?
        .map(Entry::from))
}

/// Entries by id, in chunks to stay under the backends' parameter limits.
pub fn by_ids(conn: &mut DbConnection, ids: &[String]) -> AppResult<Vec<Entry>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        let rows = entries::table
            .filter(entries::id.eq_any(chunk))
            .select(EntryRow::as_select())
            .load(conn)?;
        out.extend(rows.into_iter().map(Entry::from));
    }
    Ok(out)
}

/// The brands' entries that are not deleted.
pub fn of_brands(conn: &mut DbConnection, brand_ids: &[String]) -> AppResult<Vec<Entry>> {
    Ok(entries::table
        .filter(entries::deleted_at.is_null())
        .filter(entries::brand_id.eq_any(brand_ids))
        .select(EntryRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Entry::from)
        .collect())
}

/// Where a page starts: after the entry with this key and id.
#[derive(Debug, Clone)]
pub struct After {
    pub key: String,
    pub id: String,
}

/// One page of entries of the given brands, ordered by key then id, plus the total count.
pub fn page(
    conn: &mut DbConnection,
    brand_ids: &[String],
    content_type_ids: Option<&[String]>,
    after: Option<&After>,
    limit: i64,
) -> AppResult<(Vec<Entry>, i64)> {
    let mut query = entries::table
        .filter(entries::deleted_at.is_null())
        .filter(entries::brand_id.eq_any(brand_ids))
        .into_boxed();
    let mut count = entries::table
        .filter(entries::deleted_at.is_null())
        .filter(entries::brand_id.eq_any(brand_ids))
        .into_boxed();
    if let Some(types) = content_type_ids {
        query = query.filter(entries::content_type_id.eq_any(types.to_vec()));
        count = count.filter(entries::content_type_id.eq_any(types.to_vec()));
    }
    if let Some(after) = after {
        query = query.filter(
            entries::entry_key
                .gt(after.key.clone())
                .or(entries::entry_key
                    .eq(after.key.clone())
                    .and(entries::id.gt(after.id.clone()))),
        );
    }
    let rows = query
        .order((entries::entry_key.asc(), entries::id.asc()))
        .limit(limit)
        .select(EntryRow::as_select())
        .load(conn)?;
    let total: i64 = count.count().get_result(conn)?;
    Ok((rows.into_iter().map(Entry::from).collect(), total))
}

/// The entry with this id unless it is deleted.
pub fn live_by_id(conn: &mut DbConnection, id: &str) -> AppResult<Option<Entry>> {
    Ok(entries::table
        .find(id)
        .filter(entries::deleted_at.is_null())
        .select(EntryRow::as_select())
        .first(conn)
        .optional()?
        .map(Entry::from))
}

/// Marks an entry deleted and frees its key (renamed to `KEY~deleted~ID`, which no entry key
/// can be). False when it was deleted already.
pub fn soft_delete(conn: &mut DbConnection, entry: &Entry) -> AppResult<bool> {
    let now = time::to_db(time::now());
    let changed = diesel::update(
        entries::table
            .find(&entry.id)
            .filter(entries::deleted_at.is_null()),
    )
    .set((
        entries::deleted_at.eq(Some(now)),
        entries::entry_key.eq(format!("{}~deleted~{}", entry.key, entry.id)),
        entries::version.eq(entry.version + 1),
        entries::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Up to `limit` keys of the live entries of a content type, and how many there are.
pub fn keys_of_type(
    conn: &mut DbConnection,
    content_type_id: &str,
    limit: i64,
) -> AppResult<(Vec<String>, i64)> {
    let live = entries::table
        .filter(entries::deleted_at.is_null())
        .filter(entries::content_type_id.eq(content_type_id));
    let keys = live
        .order(entries::entry_key.asc())
        .limit(limit)
        .select(entries::entry_key)
        .load(conn)?;
    let count = live.count().get_result(conn)?;
    Ok((keys, count))
}
