//! Writing events: one row of `usage_events` per event — its id, kind, impression, time, hashed
//! user key, allowed attributes, value and the number of its served row — inserted in batches
//! from the usage queue's sink. An id already present is skipped, so a batch written twice
//! counts once.
//!
//! Each backend gets the statements that suit it: SQLite, in-process, fixed-size multi-row
//! statements prepared once per connection; PostgreSQL, a round trip away, large multi-row ones.

use std::borrow::Cow;

use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Double, Nullable, Text};
use diesel::sqlite::Sqlite;

use super::served::{served_numbers, Found, ServedNumbers};
use crate::error::AppResult;
use crate::store::schema::usage_events;
use crate::store::{time, to_json_text, DbConnection};
use crate::usage::event::UsageEvent;

/// Rows per INSERT statement on PostgreSQL (9 parameters each, well under its limit of 65,535).
const ROWS_PER_INSERT: usize = 1_000;

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
pub(super) fn insert(
    conn: &mut DbConnection,
    events: &[UsageEvent],
    known: &ServedNumbers,
    batch: i64,
) -> AppResult<(Vec<String>, Found)> {
    let (served, found) = served_numbers(conn, events, known)?;
    let inserted = match conn {
        DbConnection::Sqlite(c) => insert_sqlite(c, events, &served, batch)?,
        DbConnection::Postgres(c) => insert_postgres(c, events, &served, batch)?,
    };
    Ok((inserted, found))
}

/// [`insert`] on SQLite: chunks of [`SQLITE_ROWS_PER_INSERT`] rows, then the rest row by row.
fn insert_sqlite(
    c: &mut diesel::SqliteConnection,
    events: &[UsageEvent],
    served: &[i64],
    batch: i64,
) -> AppResult<Vec<String>> {
    let mut inserted = Vec::with_capacity(events.len());
    let chunks = events.chunks_exact(SQLITE_ROWS_PER_INSERT);
    let rest = chunks.remainder();
    let rest_served = &served[events.len() - rest.len()..];
    for (chunk, served) in chunks.zip(served.chunks_exact(SQLITE_ROWS_PER_INSERT)) {
        let rows: [SqliteRow<'_>; SQLITE_ROWS_PER_INSERT] = std::array::from_fn(|i| SqliteRow {
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
    Ok(inserted)
}

/// [`insert`] on PostgreSQL: multi-row statements of [`ROWS_PER_INSERT`], returning the new ids.
fn insert_postgres(
    c: &mut diesel::PgConnection,
    events: &[UsageEvent],
    served: &[i64],
    batch: i64,
) -> AppResult<Vec<String>> {
    let mut inserted = Vec::with_capacity(events.len());
    let rows: Vec<NewUsageRow<'_>> = events
        .iter()
        .zip(served)
        .map(|(e, s)| new_row(e, *s, batch))
        .collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let statement = diesel::insert_into(usage_events::table)
            .values(chunk)
            .on_conflict_do_nothing()
            .returning(usage_events::id);
        inserted.extend(statement.get_results::<String>(c)?);
    }
    Ok(inserted)
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
