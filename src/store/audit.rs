//! The append-only, hash-chained audit log.
//!
//! Each row's `hash` is SHA-256 over the previous row's hash and this row's fields, so altering,
//! removing or re-ordering any row breaks every hash after it. Rows are appended inside the
//! transaction of the change they record; on PostgreSQL the table is locked for the rest of that
//! transaction so two writers never chain onto the same row (SQLite has one writer already).

use chrono::{DateTime, SecondsFormat, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::schema::audit_log;
use super::{time, DbConnection};
use crate::error::AppResult;

/// What happened, as the audit log records it.
#[derive(Debug, Clone, Default)]
pub struct AuditEvent {
    pub actor: String,
    pub action: String,
    pub target: String,
    pub brand: Option<String>,
    pub revision_before: Option<String>,
    pub revision_after: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub seq: i64,
    pub at: chrono::NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub brand: Option<String>,
    pub revision_before: Option<String>,
    pub revision_after: Option<String>,
    pub note: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn row_hash(row: &AuditRow) -> String {
    let at: DateTime<Utc> = time::from_db(row.at);
    let parts = [
        row.seq.to_string(),
        at.to_rfc3339_opts(SecondsFormat::Micros, true),
        row.actor.clone(),
        row.action.clone(),
        row.target.clone(),
        row.brand.clone().unwrap_or_default(),
        row.revision_before.clone().unwrap_or_default(),
        row.revision_after.clone().unwrap_or_default(),
        row.note.clone().unwrap_or_default(),
    ];
    let mut hasher = Sha256::new();
    hasher.update(row.prev_hash.as_bytes());
    for part in parts {
        hasher.update(b"\x1f");
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Appends one event; call inside the transaction of the change it records.
pub fn append(conn: &mut DbConnection, event: AuditEvent) -> AppResult<()> {
    if let DbConnection::Postgres(pg) = conn {
        diesel::sql_query("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE").execute(pg)?;
    }
    let last: Option<(i64, String)> = audit_log::table
        .order(audit_log::seq.desc())
        .select((audit_log::seq, audit_log::hash))
        .first(conn)
        .optional()?;
    let (seq, prev_hash) = last
        .map(|(s, h)| (s + 1, h))
        .unwrap_or((1, GENESIS.to_string()));
    let mut row = AuditRow {
        seq,
        at: time::to_db(time::now()),
        actor: event.actor,
        action: event.action,
        target: event.target,
        brand: event.brand,
        revision_before: event.revision_before,
        revision_after: event.revision_after,
        note: event.note,
        prev_hash,
        hash: String::new(),
    };
    row.hash = row_hash(&row);
    diesel::insert_into(audit_log::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
}

/// Walks the chain; returns the sequence number of the first row that does not verify.
pub fn first_broken(conn: &mut DbConnection) -> AppResult<Option<i64>> {
    let rows: Vec<AuditRow> = audit_log::table
        .order(audit_log::seq.asc())
        .select(AuditRow::as_select())
        .load(conn)?;
    let mut prev = GENESIS.to_string();
    for row in rows {
        if row.prev_hash != prev || row_hash(&row) != row.hash {
            return Ok(Some(row.seq));
        }
        prev = row.hash;
    }
    Ok(None)
}

/// Which audit rows to read: every bound is optional, `actor` and `action` match exactly.
#[derive(Debug, Clone, Default)]
pub struct RowFilter<'a> {
    pub brand: Option<&'a str>,
    pub actor: Option<&'a str>,
    pub action: Option<&'a str>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Rows in time order, optionally for one brand and a time range, after a sequence number.
pub fn page(
    conn: &mut DbConnection,
    brand: Option<&str>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    after_seq: i64,
    limit: i64,
) -> AppResult<Vec<AuditRow>> {
    let filter = RowFilter {
        brand,
        from,
        to,
        ..RowFilter::default()
    };
    filtered_page(conn, &filter, false, after_seq, limit)
}

/// Up to `limit` matching rows in time order after sequence number `after_seq`, or, with
/// `newest_first`, in reverse time order before `after_seq` (0: from the newest row).
pub fn filtered_page(
    conn: &mut DbConnection,
    filter: &RowFilter<'_>,
    newest_first: bool,
    after_seq: i64,
    limit: i64,
) -> AppResult<Vec<AuditRow>> {
    let mut query = audit_log::table.into_boxed();
    query = match (newest_first, after_seq) {
        (false, _) => query.filter(audit_log::seq.gt(after_seq)),
        (true, 0) => query,
        (true, _) => query.filter(audit_log::seq.lt(after_seq)),
    };
    if let Some(brand) = filter.brand {
        query = query.filter(audit_log::brand.eq(brand.to_string()));
    }
    if let Some(actor) = filter.actor {
        query = query.filter(audit_log::actor.eq(actor.to_string()));
    }
    if let Some(action) = filter.action {
        query = query.filter(audit_log::action.eq(action.to_string()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::at.ge(time::to_db(from)));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_log::at.lt(time::to_db(to)));
    }
    query = match newest_first {
        true => query.order(audit_log::seq.desc()),
        false => query.order(audit_log::seq.asc()),
    };
    Ok(query
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)?)
}

pub fn count(conn: &mut DbConnection) -> AppResult<i64> {
    Ok(audit_log::table.count().get_result(conn)?)
}
