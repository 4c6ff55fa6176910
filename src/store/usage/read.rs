//! Reading stored events back: whole, by id, by brand and time, by batch, and every one in
//! id order for rebuilding the usage index. Each event is joined to what it served.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::ServedRow;
use crate::error::{AppError, AppResult};
use crate::store::schema::usage_events;
use crate::store::{from_json_text, time, DbConnection};
use crate::usage::event::{ServedVariant, UsageEvent, UsageKind};

/// Events joined to what they served, as the read queries select them.
macro_rules! stored_events {
    () => {
        $crate::store::schema::usage_events::table
            .inner_join($crate::store::schema::usage_served::table)
            .select((
                super::read::StoredEvent::as_select(),
                super::ServedRow::as_select(),
            ))
    };
}

/// Hands every stored event to `each`, `batch` at a time, oldest first (rebuilding the usage
/// index); stops at the first error `each` returns. With `up_to`, only events stored before the
/// change feed or in batches up to that change id (the rest reach the index through the feed).
pub fn each_event_batch(
    conn: &mut DbConnection,
    up_to: Option<i64>,
    batch: usize,
    mut each: impl FnMut(Vec<UsageEvent>) -> Result<(), String>,
) -> AppResult<()> {
    let mut after: Option<String> = None;
    loop {
        let mut query = stored_events!()
            .order(usage_events::id.asc())
            .limit(batch as i64)
            .into_boxed();
        if let Some(up_to) = up_to {
            query = query.filter(
                usage_events::batch
                    .is_null()
                    .or(usage_events::batch.le(up_to)),
            );
        }
        if let Some(last) = &after {
            query = query.filter(usage_events::id.gt(last.clone()));
        }
        let rows: Vec<StoredRow> = query.load(conn)?;
        let done = rows.len() < batch;
        let events: Vec<UsageEvent> = rows.into_iter().map(into_event).collect::<AppResult<_>>()?;
        after = events.last().map(|e| e.id.clone());
        if !events.is_empty() {
            each(events).map_err(AppError::internal)?;
        }
        if done {
            return Ok(());
        }
    }
}

/// An event's own columns.
#[derive(Queryable, Selectable)]
#[diesel(table_name = usage_events)]
pub(super) struct StoredEvent {
    id: String,
    kind: String,
    impression_id: String,
    brand: String,
    at: chrono::NaiveDateTime,
    user_key_hash: Option<String>,
    attributes: String,
    value: Option<f64>,
}

pub(super) type StoredRow = (StoredEvent, ServedRow<'static>);

pub(super) fn into_event((event, served): StoredRow) -> AppResult<UsageEvent> {
    let kind = UsageKind::parse(&event.kind)
        .ok_or_else(|| AppError::internal(format!("unknown usage kind `{}`", event.kind)))?;
    Ok(UsageEvent {
        id: event.id,
        kind,
        impression_id: event.impression_id,
        served: Arc::new(ServedVariant {
            brand: event.brand,
            entry_id: served.entry_id.into_owned(),
            entry_key: served.entry_key.into_owned(),
            variant_id: served.variant_id.into_owned(),
            variant_name: served.variant_name.into_owned(),
            revision: served.revision.into_owned(),
            experiment_id: served.experiment_id.into_owned(),
            arm_id: served.arm_id.into_owned(),
        }),
        device: Some(Cow::Owned(served.device.into_owned())),
        locale: served.locale.into_owned(),
        at: time::from_db(event.at),
        user_key_hash: event.user_key_hash,
        attributes: from_json_text(&event.attributes)?,
        value: event.value,
    })
}

/// The stored impression with this id, if there is one.
pub fn impression(conn: &mut DbConnection, impression_id: &str) -> AppResult<Option<UsageEvent>> {
    let row = stored_events!()
        .filter(usage_events::id.eq(impression_id))
        .filter(usage_events::kind.eq(UsageKind::Impression.as_str()))
        .first(conn)
        .optional()?;
    row.map(into_event).transpose()
}

/// The stored impressions among `ids`, by id (in chunks under the parameter limits).
pub fn impressions(
    conn: &mut DbConnection,
    ids: &[String],
) -> AppResult<HashMap<String, UsageEvent>> {
    let mut found = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        let rows: Vec<StoredRow> = stored_events!()
            .filter(usage_events::id.eq_any(chunk))
            .filter(usage_events::kind.eq(UsageKind::Impression.as_str()))
            .load(conn)?;
        for row in rows {
            let event = into_event(row)?;
            found.insert(event.id.clone(), event);
        }
    }
    Ok(found)
}

/// Events of a brand in `[from, to)`, oldest first (tests and exports of raw events).
pub fn events(
    conn: &mut DbConnection,
    brand: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<Vec<UsageEvent>> {
    let rows: Vec<StoredRow> = stored_events!()
        .filter(usage_events::brand.eq(brand))
        .filter(usage_events::at.ge(time::to_db(from)))
        .filter(usage_events::at.lt(time::to_db(to)))
        .order((usage_events::at.asc(), usage_events::id.asc()))
        .load(conn)?;
    rows.into_iter().map(into_event).collect()
}

/// Counts every event stored (metrics, tests).
pub fn count(conn: &mut DbConnection) -> AppResult<i64> {
    Ok(usage_events::table.count().get_result(conn)?)
}

/// Counts the events [`each_event_batch`] hands out with `up_to`.
pub fn count_up_to(conn: &mut DbConnection, up_to: i64) -> AppResult<i64> {
    Ok(usage_events::table
        .filter(
            usage_events::batch
                .is_null()
                .or(usage_events::batch.le(up_to)),
        )
        .count()
        .get_result(conn)?)
}

/// The events stored in these batches (changes of kind `usage`), for the usage index of a
/// node that did not store them.
pub fn of_batches(conn: &mut DbConnection, batches: &[i64]) -> AppResult<Vec<UsageEvent>> {
    let mut events = Vec::new();
    for chunk in batches.chunks(500) {
        let rows: Vec<StoredRow> = stored_events!()
            .filter(usage_events::batch.eq_any(chunk))
            .order(usage_events::id.asc())
            .load(conn)?;
        for row in rows {
            events.push(into_event(row)?);
        }
    }
    Ok(events)
}

pub(super) use stored_events;
