//! Served rows: what an event served — brand, entry, variant, revision, device, locale, and the
//! experiment and arm it counted in — as one row of `usage_served`, stored the first time it is
//! served and named by number from every event that served it.
//!
//! A batch finds its events' numbers here: runs of events that served the same (the common
//! case) are not even compared field by field, rows already met are found in the sink's
//! [`ServedNumbers`], and only a row never met is looked up in (or stored into) the database.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use diesel::prelude::*;

use crate::error::{AppError, AppResult};
use crate::store::schema::usage_served;
use crate::store::DbConnection;
use crate::usage::event::UsageEvent;

/// What an event served, as `usage_served` holds it.
#[derive(Insertable, Queryable, Selectable, Debug, PartialEq)]
#[diesel(table_name = usage_served)]
pub(super) struct ServedRow<'a> {
    pub(super) brand: Cow<'a, str>,
    pub(super) entry_id: Cow<'a, str>,
    pub(super) entry_key: Cow<'a, str>,
    pub(super) variant_id: Cow<'a, str>,
    pub(super) variant_name: Cow<'a, str>,
    pub(super) revision: Cow<'a, str>,
    pub(super) device: Cow<'a, str>,
    pub(super) locale: Cow<'a, str>,
    pub(super) experiment_id: Cow<'a, str>,
    pub(super) arm_id: Cow<'a, str>,
}

fn served_row(e: &UsageEvent) -> ServedRow<'_> {
    let served = &*e.served;
    ServedRow {
        brand: Cow::Borrowed(&served.brand),
        entry_id: Cow::Borrowed(&served.entry_id),
        entry_key: Cow::Borrowed(&served.entry_key),
        variant_id: Cow::Borrowed(&served.variant_id),
        variant_name: Cow::Borrowed(&served.variant_name),
        revision: Cow::Borrowed(&served.revision),
        device: Cow::Borrowed(e.device_name()),
        locale: Cow::Borrowed(&e.locale),
        experiment_id: Cow::Borrowed(&served.experiment_id),
        arm_id: Cow::Borrowed(&served.arm_id),
    }
}

/// Whether two events certainly served the same row: the same shared [`ServedVariant`] (one per
/// published revision in a delivery snapshot), device and locale. Cheaper than comparing rows.
///
/// [`ServedVariant`]: crate::usage::ServedVariant
fn same_served(a: &UsageEvent, b: &UsageEvent) -> bool {
    Arc::ptr_eq(&a.served, &b.served) && a.device == b.device && a.locale == b.locale
}

impl ServedRow<'_> {
    /// Its fields joined by U+001F: one string that tells two served rows apart.
    fn write_key(&self, key: &mut String) {
        key.clear();
        for part in [
            &self.brand,
            &self.entry_id,
            &self.entry_key,
            &self.variant_id,
            &self.variant_name,
            &self.revision,
            &self.device,
            &self.locale,
            &self.experiment_id,
            &self.arm_id,
        ] {
            key.push_str(part);
            key.push('\u{1f}');
        }
    }
}

/// Numbers of served rows known to be stored, by [`ServedRow::write_key`]; kept by the sink across
/// batches, so a served row is looked up in the database once, when first met. Served rows are
/// never deleted, so a number once read stays right.
#[derive(Default)]
pub struct ServedNumbers {
    known: HashMap<String, i64>,
}

impl ServedNumbers {
    /// Beyond this many the map starts over (each entry is one key of about a hundred bytes).
    const MAX: usize = 100_000;

    /// Adds numbers read or stored by a batch whose transaction committed (not before: rows a
    /// rolled-back batch stored are gone).
    pub(super) fn learn(&mut self, found: Found) {
        if self.known.len() + found.len() > Self::MAX {
            self.known.clear();
        }
        self.known.extend(found);
    }
}

/// Served rows' numbers a batch looked up, by [`ServedRow::write_key`].
pub(super) type Found = Vec<(String, i64)>;

/// The number of each event's served row, in order, storing the rows not stored yet, and the
/// numbers this batch had to look up (for [`ServedNumbers::learn`] once it commits). Runs of
/// events that served the same (the common case) are not even keyed.
pub(super) fn served_numbers(
    conn: &mut DbConnection,
    events: &[UsageEvent],
    known: &ServedNumbers,
) -> AppResult<(Vec<i64>, Found)> {
    let mut found: HashMap<String, i64> = HashMap::new();
    let mut key = String::new();
    let mut numbers = Vec::with_capacity(events.len());
    let mut last: Option<(&UsageEvent, i64)> = None;
    for event in events {
        if let Some((last_event, number)) = last {
            if same_served(last_event, event) || served_row(last_event) == served_row(event) {
                numbers.push(number);
                continue;
            }
        }
        let row = served_row(event);
        row.write_key(&mut key);
        let number = match known
            .known
            .get(key.as_str())
            .or_else(|| found.get(key.as_str()))
        {
            Some(number) => *number,
            None => {
                let number = served_number(conn, &row)?;
                found.insert(key.clone(), number);
                number
            }
        };
        numbers.push(number);
        last = Some((event, number));
    }
    Ok((numbers, found.into_iter().collect()))
}

/// The number of a served row, stored first when it is new (another writer may store the same
/// row at the same time: the unique index keeps one, and both read its number back).
fn served_number(conn: &mut DbConnection, row: &ServedRow<'_>) -> AppResult<i64> {
    if let Some(number) = find_served(conn, row)? {
        return Ok(number);
    }
    match conn {
        DbConnection::Sqlite(c) => diesel::insert_into(usage_served::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConnection::Postgres(c) => diesel::insert_into(usage_served::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    find_served(conn, row)?
        .ok_or_else(|| AppError::internal("a served row just stored cannot be found"))
}

fn find_served(conn: &mut DbConnection, row: &ServedRow<'_>) -> AppResult<Option<i64>> {
    Ok(usage_served::table
        .filter(usage_served::brand.eq(row.brand.as_ref()))
        .filter(usage_served::entry_id.eq(row.entry_id.as_ref()))
        .filter(usage_served::variant_id.eq(row.variant_id.as_ref()))
        .filter(usage_served::revision.eq(row.revision.as_ref()))
        .filter(usage_served::device.eq(row.device.as_ref()))
        .filter(usage_served::locale.eq(row.locale.as_ref()))
        .filter(usage_served::entry_key.eq(row.entry_key.as_ref()))
        .filter(usage_served::variant_name.eq(row.variant_name.as_ref()))
        .filter(usage_served::experiment_id.eq(row.experiment_id.as_ref()))
        .filter(usage_served::arm_id.eq(row.arm_id.as_ref()))
        .select(usage_served::id)
        .first(conn)
        .optional()?)
}
