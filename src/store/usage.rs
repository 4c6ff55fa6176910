//! Usage events tables: the source of truth for impressions, clicks and conversions.
//!
//! What an event served — brand, entry, variant, revision, device, locale — is one row of
//! `usage_served`, stored the first time it is served; each row of `usage_events` names it by
//! number, next to what is the event's own (id, kind, impression, time, hashed user key, allowed
//! attributes, value). Most events share a few served rows, so the row written per impression
//! stays narrow. Events are inserted in batches from the usage queue's writer (here); an id
//! already present is skipped, so a batch written twice counts once. They are read back in
//! `read`, grouped into reports in `report`, and deleted only for privacy: one person's in
//! `person`, those past a brand's retention in `retention`.

use std::borrow::Cow;
use std::collections::HashMap;

use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Double, Nullable, Text};
use diesel::sqlite::Sqlite;

use super::schema::{usage_events, usage_served};
use super::{time, to_json_text, Db, DbConnection};
use crate::error::{AppError, AppResult};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use crate::usage::event::UsageEvent;
use crate::usage::index::UsageIndex;
use crate::usage::queue::{SinkError, UsageSink};

mod person;
mod read;
mod report;
mod retention;

pub use person::{forget_person, person_events};
pub use read::{count, count_up_to, each_event_batch, events, impression, impressions, of_batches};
pub use report::{report, report_each};
pub use retention::{expire_batch, kept_since, ExpiredBatch};

/// Rows per INSERT statement on PostgreSQL (9 parameters each, well under its limit of 65,535).
const ROWS_PER_INSERT: usize = 1_000;

/// What an event served, as `usage_served` holds it.
#[derive(Insertable, Queryable, Selectable, Debug, PartialEq)]
#[diesel(table_name = usage_served)]
struct ServedRow<'a> {
    brand: Cow<'a, str>,
    entry_id: Cow<'a, str>,
    entry_key: Cow<'a, str>,
    variant_id: Cow<'a, str>,
    variant_name: Cow<'a, str>,
    revision: Cow<'a, str>,
    device: Cow<'a, str>,
    locale: Cow<'a, str>,
    experiment_id: Cow<'a, str>,
    arm_id: Cow<'a, str>,
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
    fn learn(&mut self, found: Vec<(String, i64)>) {
        if self.known.len() + found.len() > Self::MAX {
            self.known.clear();
        }
        self.known.extend(found);
    }
}

/// The number of each event's served row, in order, storing the rows not stored yet, and the
/// numbers this batch had to look up (for [`ServedNumbers::learn`] once it commits). Runs of
/// events that served the same (the common case) are not even keyed.
fn served_numbers(
    conn: &mut DbConnection,
    events: &[UsageEvent],
    known: &ServedNumbers,
) -> AppResult<(Vec<i64>, Vec<(String, i64)>)> {
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

// `None` is written as NULL (not DEFAULT), which SQLite needs for multi-row inserts.
#[derive(Insertable)]
#[diesel(table_name = usage_events, treat_none_as_default_value = false)]
struct NewUsageRow<'a> {
    id: &'a str,
    kind: &'a str,
    impression_id: &'a str,
    brand: &'a str,
    served: i64,
    at: chrono::NaiveDateTime,
    user_key_hash: Option<&'a str>,
    attributes: Cow<'a, str>,
    value: Option<f64>,
    batch: Option<i64>,
}

fn new_row(e: &UsageEvent, served: i64, batch: i64) -> NewUsageRow<'_> {
    NewUsageRow {
        id: &e.id,
        kind: e.kind.as_str(),
        impression_id: &e.impression_id,
        brand: &e.served.brand,
        served,
        at: time::to_db(e.at),
        user_key_hash: e.user_key_hash.as_deref(),
        attributes: attributes_text(&e.attributes),
        value: e.value,
        batch: Some(batch),
    }
}

/// The stored text of an event's attributes; most events carry none, and `{}` needs no encoder.
fn attributes_text(attributes: &serde_json::Map<String, serde_json::Value>) -> Cow<'static, str> {
    if attributes.is_empty() {
        Cow::Borrowed("{}")
    } else {
        Cow::Owned(to_json_text(attributes))
    }
}

/// Rows per multi-row INSERT on SQLite.
const SQLITE_ROWS_PER_INSERT: usize = 32;

/// Exactly [`SQLITE_ROWS_PER_INSERT`] rows in one INSERT. Its SQL depends only on its type, and
/// it says so (a static query id), so diesel prepares it once per connection and finds it again
/// by type; diesel's own multi-row insert cannot, as our rows borrow their text.
struct SqliteRowsInsert<'a>(&'a [SqliteRow<'a>; SQLITE_ROWS_PER_INSERT]);

/// A row and its time as the text SQLite stores ([`time::to_sqlite_text`]: diesel's own
/// formatting of a timestamp cost more than the rest of the row's binding).
struct SqliteRow<'a> {
    row: NewUsageRow<'a>,
    at: String,
}

impl QueryId for SqliteRowsInsert<'_> {
    type QueryId = SqliteRowsInsert<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl RunQueryDsl<diesel::SqliteConnection> for SqliteRowsInsert<'_> {}

/// The columns [`SqliteRowsInsert`] writes, in the order it binds them.
const INSERTED_COLUMNS: [&str; 10] = [
    usage_events::id::NAME,
    usage_events::kind::NAME,
    usage_events::impression_id::NAME,
    usage_events::brand::NAME,
    usage_events::served::NAME,
    usage_events::at::NAME,
    usage_events::user_key_hash::NAME,
    usage_events::attributes::NAME,
    usage_events::value::NAME,
    usage_events::batch::NAME,
];

impl QueryFragment<Sqlite> for SqliteRowsInsert<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        out.push_sql("INSERT INTO usage_events (");
        for (i, column) in INSERTED_COLUMNS.iter().enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_identifier(column)?;
        }
        out.push_sql(") VALUES ");
        for (i, SqliteRow { row, at }) in self.0.iter().enumerate() {
            out.push_sql(if i == 0 { "(" } else { ", (" });
            for text in [row.id, row.kind, row.impression_id, row.brand] {
                out.push_bind_param::<Text, _>(text)?;
                out.push_sql(", ");
            }
            out.push_bind_param::<BigInt, _>(&row.served)?;
            out.push_sql(", ");
            out.push_bind_param::<Text, _>(at)?;
            out.push_sql(", ");
            out.push_bind_param::<Nullable<Text>, _>(&row.user_key_hash)?;
            out.push_sql(", ");
            out.push_bind_param::<Text, _>(&row.attributes)?;
            out.push_sql(", ");
            out.push_bind_param::<Nullable<Double>, _>(&row.value)?;
            out.push_sql(", ");
            out.push_bind_param::<Nullable<BigInt>, _>(&row.batch)?;
            out.push_sql(")");
        }
        Ok(())
    }
}

/// Inserts events, skipping ids already stored; returns the ids that were new and the served
/// rows' numbers it looked up.
///
/// SQLite runs in-process: rows go in fixed-size multi-row statements (one cached prepared
/// statement opens the table and its indexes once for many rows), the rest one row at a time.
/// An id already stored (a retried batch) makes its statement fail alone — SQLite keeps the
/// transaction — and that chunk is then inserted row by row, each duplicate counting as not
/// new. PostgreSQL is a round trip away, so it gets large multi-row statements.
fn insert(
    conn: &mut DbConnection,
    events: &[UsageEvent],
    known: &ServedNumbers,
    batch: i64,
) -> AppResult<(Vec<String>, Vec<(String, i64)>)> {
    let (served, found) = served_numbers(conn, events, known)?;
    let mut inserted = Vec::with_capacity(events.len());
    match conn {
        DbConnection::Sqlite(c) => {
            let chunks = events.chunks_exact(SQLITE_ROWS_PER_INSERT);
            let rest = chunks.remainder();
            let rest_served = &served[events.len() - rest.len()..];
            for (chunk, served) in chunks.zip(served.chunks_exact(SQLITE_ROWS_PER_INSERT)) {
                let rows: [SqliteRow<'_>; SQLITE_ROWS_PER_INSERT] =
                    std::array::from_fn(|i| SqliteRow {
                        row: new_row(&chunk[i], served[i], batch),
                        at: time::to_sqlite_text(chunk[i].at),
                    });
                match SqliteRowsInsert(&rows).execute(c) {
                    Ok(_) => inserted.extend(chunk.iter().map(|e| e.id.clone())),
                    Err(e) if is_duplicate(&e) => {
                        insert_rows_sqlite(c, chunk, served, batch, &mut inserted)?
                    }
                    Err(e) => return Err(e.into()),
                }
                // A large batch is tens of milliseconds of work on a machine whose cores also
                // answer requests: let a woken request worker run between statements rather
                // than wait out the scheduler's time slice (it shows in delivery's p99).
                std::thread::yield_now();
            }
            insert_rows_sqlite(c, rest, rest_served, batch, &mut inserted)?;
        }
        DbConnection::Postgres(c) => {
            let rows: Vec<NewUsageRow<'_>> = events
                .iter()
                .zip(&served)
                .map(|(e, s)| new_row(e, *s, batch))
                .collect();
            for chunk in rows.chunks(ROWS_PER_INSERT) {
                let statement = diesel::insert_into(usage_events::table)
                    .values(chunk)
                    .on_conflict_do_nothing()
                    .returning(usage_events::id);
                inserted.extend(statement.get_results::<String>(c)?);
            }
        }
    }
    Ok((inserted, found))
}

/// One row per statement: a plain INSERT, prepared once (`ON CONFLICT` would make diesel
/// rebuild the SQL text for every row); a duplicate id fails its own statement only.
fn insert_rows_sqlite(
    c: &mut diesel::SqliteConnection,
    events: &[UsageEvent],
    served: &[i64],
    batch: i64,
    inserted: &mut Vec<String>,
) -> AppResult<()> {
    for (event, served) in events.iter().zip(served) {
        match diesel::insert_into(usage_events::table)
            .values(new_row(event, *served, batch))
            .execute(c)
        {
            Ok(_) => inserted.push(event.id.clone()),
            Err(e) if is_duplicate(&e) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Whether a statement failed because an event id is already stored.
fn is_duplicate(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// The usage queue's sink: each batch is inserted in one transaction on the write pool, then
/// the events that were new (never one twice) go to the usage index, when there is one. The
/// transaction opens with a `usage` change naming this node (`changes::record_usage_batch`),
/// through which the other nodes index the same events.
pub struct DbUsageSink {
    db: Db,
    index: Option<Arc<UsageIndex>>,
    /// This process's id in the change log.
    node: String,
    /// Held while a batch is written: batches are written one at a time anyway.
    served: Mutex<ServedNumbers>,
}

impl DbUsageSink {
    pub fn new(db: Db, index: Option<Arc<UsageIndex>>, node: &str) -> Self {
        DbUsageSink {
            db,
            index,
            node: node.to_string(),
            served: Mutex::default(),
        }
    }
}

impl UsageSink for DbUsageSink {
    fn write_batch(&self, events: &[UsageEvent]) -> Result<(), SinkError> {
        // From the commit to the hand-over, a deletion must wait (see `UsageIndex::storing`).
        let _storing = self.index.as_ref().map(|index| index.storing());
        let mut served = self
            .served
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (new, found) = self
            .db
            .write_blocking(|conn| {
                let batch = super::changes::record_usage_batch(conn, &self.node)?;
                insert(conn, events, &served, batch)
            })
            .map_err(|e| Box::new(e) as SinkError)?;
        served.learn(found);
        drop(served);
        if let Some(index) = &self.index {
            // The database holds them now; an index that cannot take them is rebuilt at start.
            // Every event is new only when no id repeats; otherwise each new id is indexed once
            // (a batch may hold one id twice: a resent tracked event).
            let indexed = if new.len() == events.len() {
                index.add(events)
            } else {
                let mut new: HashSet<String> = new.into_iter().collect();
                index.add(events.iter().filter(|e| new.remove(&e.id)))
            };
            if let Err(e) = indexed {
                tracing::error!(error = %e, "could not index usage events");
            }
        }
        Ok(())
    }

    fn flush(&self) -> Result<(), SinkError> {
        match &self.index {
            Some(index) => index.flush().map_err(SinkError::from),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::report::UNKNOWN_DEVICE;
    use crate::usage::UsageKind;

    #[test]
    fn attributes_are_stored_as_their_json_text() {
        let none = serde_json::Map::new();
        assert_eq!(attributes_text(&none), to_json_text(&none));
        let some = serde_json::json!({"segment": "skier", "tier": 3})
            .as_object()
            .unwrap()
            .clone();
        assert_eq!(attributes_text(&some), to_json_text(&some));
    }

    fn event(id: &str, variant: &str, device: Option<&str>) -> UsageEvent {
        crate::usage::report::tests::event(
            id,
            UsageKind::Impression,
            variant,
            device,
            "2026-03-01T10:00:00Z",
        )
    }

    #[test]
    fn each_thing_served_is_stored_once_and_events_read_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(
            &crate::config::DatabaseUrl::Sqlite(dir.path().join("vary.db")),
            2,
        )
        .unwrap();
        db.migrate().unwrap();
        let sink = DbUsageSink::new(db.clone(), None, "test-node");
        // Runs of the same, a change of device only, a return to an earlier one, across batches.
        let first: Vec<UsageEvent> = (0..40)
            .map(|n| event(&format!("imp_a{n:02}"), "var_1", Some("MOBILE")))
            .collect();
        // Events of one shared record (as delivery makes them) still part by device and locale.
        let shared = first[0].served.clone();
        let of_shared = |id: &str, device: Option<&'static str>, locale: &str| UsageEvent {
            served: shared.clone(),
            device: device.map(Cow::Borrowed),
            locale: locale.into(),
            ..event(id, "var_1", None)
        };
        let second = vec![
            of_shared("imp_b1", Some("MOBILE"), "en"),
            of_shared("imp_b2", None, "en"),
            event("imp_b3", "var_2", Some("MOBILE")),
            event("imp_b4", "var_1", None),
            of_shared("imp_b5", None, "de"),
        ];
        sink.write_batch(&first).unwrap();
        sink.write_batch(&second).unwrap();
        // A sink with nothing remembered finds the stored rows instead of storing them again.
        DbUsageSink::new(db.clone(), None, "test-node")
            .write_batch(&[event("imp_c1", "var_2", Some("MOBILE"))])
            .unwrap();

        let served: i64 = db
            .read_blocking(|conn| Ok(usage_served::table.count().get_result(conn)?))
            .unwrap();
        assert_eq!(
            served, 4,
            "MOBILE var_1, unknown var_1, MOBILE var_2, unknown var_1 in de"
        );
        let (from, to) = (
            "2026-03-01T00:00:00Z".parse().unwrap(),
            "2026-03-02T00:00:00Z".parse().unwrap(),
        );
        let stored = db
            .read_blocking(|conn| events(conn, "alpine", from, to))
            .unwrap();
        let mut expected: Vec<UsageEvent> = first.into_iter().chain(second).collect();
        expected.push(event("imp_c1", "var_2", Some("MOBILE")));
        for e in &mut expected {
            e.device.get_or_insert(Cow::Borrowed(UNKNOWN_DEVICE));
        }
        assert_eq!(stored, expected);
    }
}
