//! Delivery keys table: only a hash of each token is stored, beside the key's limits (expiry,
//! origins as a JSON array, rate) and when it was last used (flushed from memory, at most once a
//! minute per key; see `content::keys`).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use std::num::NonZeroU32;

use super::schema::{brands, delivery_keys};
use super::{time, DbConnection};
use crate::domain::key_limits::KeyLimits;
use crate::domain::origin::Origin;
use crate::error::AppResult;

pub use crate::domain::delivery_key::DeliveryKeyRecord;

#[derive(Insertable)]
#[diesel(table_name = delivery_keys)]
struct NewKeyRow<'a> {
    id: &'a str,
    brand_id: &'a str,
    name: &'a str,
    token_hash: &'a str,
    created_by: &'a str,
    created_at: chrono::NaiveDateTime,
    revoked_at: Option<chrono::NaiveDateTime>,
    expires_at: Option<chrono::NaiveDateTime>,
    allowed_origins: Option<String>,
    rate_limit: Option<i32>,
    preview: bool,
}

pub fn insert(conn: &mut DbConnection, brand_id: &str, key: &DeliveryKeyRecord) -> AppResult<()> {
    let origins = key.limits.allowed_origins.as_ref().map(|list| {
        serde_json::Value::from(list.iter().map(Origin::as_str).collect::<Vec<_>>()).to_string()
    });
    diesel::insert_into(delivery_keys::table)
        .values(NewKeyRow {
            id: &key.id,
            brand_id,
            name: &key.name,
            token_hash: &key.token_hash,
            created_by: &key.created_by,
            created_at: time::to_db(key.created_at),
            revoked_at: None,
            expires_at: key.limits.expires_at.map(time::to_db),
            allowed_origins: origins,
            rate_limit: key.limits.rate_limit.map(|r| r.get() as i32),
            preview: key.preview,
        })
        .execute(conn)?;
    Ok(())
}

type KeyTuple = (
    (String, String, String, String, String),
    (chrono::NaiveDateTime, Option<chrono::NaiveDateTime>),
    (
        Option<chrono::NaiveDateTime>,
        Option<String>,
        Option<i32>,
        Option<chrono::NaiveDateTime>,
    ),
    bool,
);

/// Origins as stored; a value this version cannot read grants no origin (the narrowest reading).
fn origins_from_db(text: Option<String>) -> Option<Vec<Origin>> {
    let text = text?;
    let list: Vec<String> = serde_json::from_str(&text).unwrap_or_default();
    Some(list.iter().filter_map(|o| Origin::parse(o).ok()).collect())
}

fn to_record(t: KeyTuple) -> DeliveryKeyRecord {
    let ((id, brand_slug, name, token_hash, created_by), (created_at, revoked_at), limits, preview) =
        t;
    let (expires_at, origins, rate_limit, last_used_at) = limits;
    DeliveryKeyRecord {
        id,
        brand_slug,
        name,
        token_hash,
        created_by,
        created_at: time::from_db(created_at),
        revoked_at: revoked_at.map(time::from_db),
        limits: KeyLimits {
            expires_at: expires_at.map(time::from_db),
            allowed_origins: origins_from_db(origins),
            rate_limit: rate_limit.and_then(|r| NonZeroU32::new(r.max(0) as u32)),
        },
        last_used_at: last_used_at.map(time::from_db),
        preview,
    }
}

/// The columns a [`KeyTuple`] is read from.
macro_rules! key_columns {
    () => {
        (
            (
                delivery_keys::id,
                brands::slug,
                delivery_keys::name,
                delivery_keys::token_hash,
                delivery_keys::created_by,
            ),
            (delivery_keys::created_at, delivery_keys::revoked_at),
            (
                delivery_keys::expires_at,
                delivery_keys::allowed_origins,
                delivery_keys::rate_limit,
                delivery_keys::last_used_at,
            ),
            delivery_keys::preview,
        )
    };
}

/// Every key, revoked ones included, newest first.
pub fn all(conn: &mut DbConnection) -> AppResult<Vec<DeliveryKeyRecord>> {
    let rows: Vec<KeyTuple> = delivery_keys::table
        .inner_join(brands::table)
        .order(delivery_keys::created_at.desc())
        .select(key_columns!())
        .load(conn)?;
    Ok(rows.into_iter().map(to_record).collect())
}

/// The keys with these ids (revoked ones included).
pub fn by_ids(conn: &mut DbConnection, ids: &[String]) -> AppResult<Vec<DeliveryKeyRecord>> {
    let rows: Vec<KeyTuple> = delivery_keys::table
        .inner_join(brands::table)
        .filter(delivery_keys::id.eq_any(ids))
        .select(key_columns!())
        .load(conn)?;
    Ok(rows.into_iter().map(to_record).collect())
}

/// Marks a key revoked; false when no live key has that id.
pub fn revoke(conn: &mut DbConnection, id: &str) -> AppResult<bool> {
    let changed = diesel::update(
        delivery_keys::table
            .find(id)
            .filter(delivery_keys::revoked_at.is_null()),
    )
    .set(delivery_keys::revoked_at.eq(Some(time::to_db(time::now()))))
    .execute(conn)?;
    Ok(changed > 0)
}

/// Records when keys were last used; a stored time later than the one given (written by another
/// node) is kept.
pub fn record_use(conn: &mut DbConnection, uses: &[(String, DateTime<Utc>)]) -> AppResult<()> {
    for (id, at) in uses {
        let at = time::to_db(*at);
        diesel::update(
            delivery_keys::table.find(id).filter(
                delivery_keys::last_used_at
                    .is_null()
                    .or(delivery_keys::last_used_at.lt(at)),
            ),
        )
        .set(delivery_keys::last_used_at.eq(Some(at)))
        .execute(conn)?;
    }
    Ok(())
}
