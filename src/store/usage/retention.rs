//! Deleting a brand's usage events older than its retention, a bounded batch at a time, and the
//! instant from which its reports are complete (`usage_kept_since`).
//!
//! A batch deletes the oldest events up to a cut: the time of the `limit`-th oldest event older
//! than the retention's instant (one microsecond past it, so it goes too), or that instant when
//! fewer are left. Everything before the cut is gone once the batch commits, so the usage index
//! can drop exactly the same events by brand and time (`Change::expire_usage` with the cut), and
//! reports are complete from the cut on.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::error::AppResult;
use crate::store::schema::{usage_events, usage_kept_since};
use crate::store::{time, DbConnection};

/// What one batch deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiredBatch {
    /// Events deleted (at least one).
    pub deleted: usize,
    /// Every event of the brand before this instant is deleted.
    pub cut: DateTime<Utc>,
}

/// Deletes about `limit` of `brand`'s oldest events before `before` (more only when several
/// share the last one's time); `None` when there are none. Records the cut as the brand's
/// `usage_kept_since` when later than the one stored. Call in a transaction, then record
/// `Change::expire_usage(brand, cut)`.
pub fn expire_batch(
    conn: &mut DbConnection,
    brand: &str,
    before: DateTime<Utc>,
    limit: usize,
) -> AppResult<Option<ExpiredBatch>> {
    let nth: Option<chrono::NaiveDateTime> = usage_events::table
        .filter(usage_events::brand.eq(brand))
        .filter(usage_events::at.lt(time::to_db(before)))
        .order(usage_events::at.asc())
        .offset(limit.saturating_sub(1) as i64)
        .select(usage_events::at)
        .first(conn)
        .optional()?;
    let cut = nth
        .map(|at| time::from_db(at) + Duration::microseconds(1))
        .map_or(before, |cut| cut.min(before));
    let deleted = diesel::delete(
        usage_events::table
            .filter(usage_events::brand.eq(brand))
            .filter(usage_events::at.lt(time::to_db(cut))),
    )
    .execute(conn)?;
    if deleted == 0 {
        return Ok(None);
    }
    keep_since(conn, brand, cut)?;
    Ok(Some(ExpiredBatch { deleted, cut }))
}

/// Moves the brand's `usage_kept_since` forward to `cut`.
fn keep_since(conn: &mut DbConnection, brand: &str, cut: DateTime<Utc>) -> AppResult<()> {
    let cut = time::to_db(cut);
    match kept_since(conn, brand)? {
        Some(known) if time::to_db(known) >= cut => Ok(()),
        Some(_) => {
            diesel::update(usage_kept_since::table.find(brand))
                .set(usage_kept_since::kept_since.eq(cut))
                .execute(conn)?;
            Ok(())
        }
        None => {
            diesel::insert_into(usage_kept_since::table)
                .values((
                    usage_kept_since::brand.eq(brand),
                    usage_kept_since::kept_since.eq(cut),
                ))
                .execute(conn)?;
            Ok(())
        }
    }
}

/// From when `brand`'s usage is complete: `None` when none of its events was ever deleted.
pub fn kept_since(conn: &mut DbConnection, brand: &str) -> AppResult<Option<DateTime<Utc>>> {
    let at: Option<chrono::NaiveDateTime> = usage_kept_since::table
        .find(brand)
        .select(usage_kept_since::kept_since)
        .first(conn)
        .optional()?;
    Ok(at.map(time::from_db))
}
