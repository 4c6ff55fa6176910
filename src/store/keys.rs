//! Delivery keys table: only a hash of each token is stored.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::{brands, delivery_keys};
use super::{time, DbConnection};
use crate::error::AppResult;

/// A delivery key as stored (never its token).
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryKeyRecord {
    pub id: String,
    pub brand_slug: String,
    pub name: String,
    pub token_hash: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

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
}

pub fn insert(conn: &mut DbConnection, brand_id: &str, key: &DeliveryKeyRecord) -> AppResult<()> {
    diesel::insert_into(delivery_keys::table)
        .values(NewKeyRow {
            id: &key.id,
            brand_id,
            name: &key.name,
            token_hash: &key.token_hash,
            created_by: &key.created_by,
            created_at: time::to_db(key.created_at),
            revoked_at: None,
        })
        .execute(conn)?;
    Ok(())
}

type KeyTuple = (
    String,
    String,
    String,
    String,
    String,
    chrono::NaiveDateTime,
    Option<chrono::NaiveDateTime>,
);

fn to_record(t: KeyTuple) -> DeliveryKeyRecord {
    DeliveryKeyRecord {
        id: t.0,
        brand_slug: t.1,
        name: t.2,
        token_hash: t.3,
        created_by: t.4,
        created_at: time::from_db(t.5),
        revoked_at: t.6.map(time::from_db),
    }
}

/// Every key, revoked ones included, newest first.
pub fn all(conn: &mut DbConnection) -> AppResult<Vec<DeliveryKeyRecord>> {
    let rows: Vec<KeyTuple> = delivery_keys::table
        .inner_join(brands::table)
        .order(delivery_keys::created_at.desc())
        .select(KEY_COLUMNS)
        .load(conn)?;
    Ok(rows.into_iter().map(to_record).collect())
}

/// The keys with these ids (revoked ones included).
pub fn by_ids(conn: &mut DbConnection, ids: &[String]) -> AppResult<Vec<DeliveryKeyRecord>> {
    let rows: Vec<KeyTuple> = delivery_keys::table
        .inner_join(brands::table)
        .filter(delivery_keys::id.eq_any(ids))
        .select(KEY_COLUMNS)
        .load(conn)?;
    Ok(rows.into_iter().map(to_record).collect())
}

/// The columns a [`KeyTuple`] is read from.
const KEY_COLUMNS: (
    delivery_keys::id,
    brands::slug,
    delivery_keys::name,
    delivery_keys::token_hash,
    delivery_keys::created_by,
    delivery_keys::created_at,
    delivery_keys::revoked_at,
) = (
    delivery_keys::id,
    brands::slug,
    delivery_keys::name,
    delivery_keys::token_hash,
    delivery_keys::created_by,
    delivery_keys::created_at,
    delivery_keys::revoked_at,
);

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
