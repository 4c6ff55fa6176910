//! One person's usage events, found by brand and hashed user key (the partial index
//! `usage_events_brand_person`): listed for `personData`, deleted for `forgetPerson`.

use diesel::prelude::*;

use super::read::{into_event, stored_events, StoredRow};
use crate::error::AppResult;
use crate::store::schema::usage_events;
use crate::store::DbConnection;
use crate::usage::event::UsageEvent;

/// Every stored event of `brand` whose hashed user key is `hash`, oldest first.
pub fn person_events(
    conn: &mut DbConnection,
    brand: &str,
    hash: &str,
) -> AppResult<Vec<UsageEvent>> {
    let rows: Vec<StoredRow> = stored_events!()
        .filter(usage_events::brand.eq(brand))
        .filter(usage_events::user_key_hash.eq(hash))
        .order((usage_events::at.asc(), usage_events::id.asc()))
        .load(conn)?;
    rows.into_iter().map(into_event).collect()
}

/// Deletes every stored event of `brand` whose hashed user key is `hash`; answers how many.
/// The caller records `Change::forget_person` in the same transaction, so every node's usage
/// index drops them too.
pub fn forget_person(conn: &mut DbConnection, brand: &str, hash: &str) -> AppResult<usize> {
    Ok(diesel::delete(
        usage_events::table
            .filter(usage_events::brand.eq(brand))
            .filter(usage_events::user_key_hash.eq(hash)),
    )
    .execute(conn)?)
}
