//! The change log behind the change feed (`crate::feed`).
//!
//! Every change that a node holds in memory or in an index is appended here in the transaction
//! of the change itself, as the last thing that transaction does ([`record`]). On PostgreSQL the
//! writer first takes a transaction-scoped advisory lock, so ids are handed out in commit order:
//! a reader that has read every row up to id N will never see a row below N appear later. It
//! then sends `NOTIFY vary_changes`, which PostgreSQL delivers only if the transaction commits.
//! SQLite has one writer at a time, which gives the same order.

use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::schema::changes;
use super::{time, DbConnection};
use crate::error::{AppError, AppResult};

/// The channel nodes `LISTEN` on.
pub const CHANNEL: &str = "vary_changes";

/// The advisory lock every change writer holds until its commit (an arbitrary, fixed number).
const ORDER_LOCK: i64 = 0x7661_7279_0001;

/// What changed, naming the thing a node must refresh.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Change {
    /// What a brand serves may have changed: publish, unpublish, archive, policy, content types.
    /// The subject is the brand's id.
    Brand(String),
    /// A variant's searchable text, tags or status changed. The subject is the variant's id.
    Variant(String),
    /// A delivery key was created or revoked. The subject is the key's id.
    Key(String),
    /// A user's account changed: created, role, brands, disabled, password reset or changed, or
    /// one of their sessions ended by logout. The subject is the user's id.
    User(String),
    /// A node stored a batch of usage events, each naming this change's id as its `batch`. The
    /// subject is the storing node's id (it indexed them already).
    Usage(String),
    /// One person's usage events of a brand were deleted (`forgetPerson`). The subject is
    /// `{brand}/{hashed user key}` ([`Change::forget_person`]); never the raw key.
    ForgetPerson(String),
    /// A brand's usage events before an instant were deleted (retention). The subject is
    /// `{brand}/{instant in microseconds since the epoch}` ([`Change::expire_usage`]).
    ExpireUsage(String),
}

impl Change {
    fn kind(&self) -> &'static str {
        match self {
            Change::Brand(_) => "brand",
            Change::Variant(_) => "variant",
            Change::Key(_) => "key",
            Change::Usage(_) => "usage",
            Change::ForgetPerson(_) => "forget_person",
            Change::ExpireUsage(_) => "expire_usage",
            Change::User(_) => "user",
        }
    }

    /// The change recording that `brand`'s events of the person hashed `hash` were deleted.
    pub fn forget_person(brand: &str, hash: &str) -> Change {
        Change::ForgetPerson(format!("{brand}/{hash}"))
    }

    /// The change recording that `brand`'s events before `before` were deleted.
    pub fn expire_usage(brand: &str, before: DateTime<Utc>) -> Change {
        Change::ExpireUsage(format!("{brand}/{}", before.timestamp_micros()))
    }

    /// What a usage deletion names: the brand and the rest of the subject (`None` for other
    /// kinds and for a subject without a brand).
    fn brand_and(subject: &str) -> Option<(&str, &str)> {
        subject.split_once('/')
    }

    /// The brand and hashed user key of a [`Change::ForgetPerson`].
    pub fn forgotten_person(&self) -> Option<(&str, &str)> {
        match self {
            Change::ForgetPerson(subject) => Change::brand_and(subject),
            _ => None,
        }
    }

    /// The brand and the instant before which its events were deleted, of a
    /// [`Change::ExpireUsage`].
    pub fn expired_usage(&self) -> Option<(&str, DateTime<Utc>)> {
        let Change::ExpireUsage(subject) = self else {
            return None;
        };
        let (brand, micros) = Change::brand_and(subject)?;
        let before = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
        Some((brand, before))
    }

    fn subject(&self) -> &str {
        match self {
            Change::Brand(s)
            | Change::Variant(s)
            | Change::Key(s)
            | Change::Usage(s)
            | Change::ForgetPerson(s)
            | Change::ExpireUsage(s) => s,
            Change::User(s) => s,
        }
    }

    /// The change a stored row names; `None` for a kind this version does not know (written by
    /// a newer node during a rolling upgrade).
    fn from_row(kind: &str, subject: String) -> Option<Change> {
        match kind {
            "brand" => Some(Change::Brand(subject)),
            "variant" => Some(Change::Variant(subject)),
            "key" => Some(Change::Key(subject)),
            "usage" => Some(Change::Usage(subject)),
            "forget_person" => Some(Change::ForgetPerson(subject)),
            "expire_usage" => Some(Change::ExpireUsage(subject)),
            "user" => Some(Change::User(subject)),
            _ => None,
        }
    }
}

/// One row of the log as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedChange {
    pub id: i64,
    /// `None` when written by a newer version (skipped, but its id counts as applied).
    pub change: Option<Change>,
    pub at: DateTime<Utc>,
}

/// Appends `list` to the log. Call it last in the transaction, after every other write: on
/// PostgreSQL it takes the lock that orders commits, held until the transaction ends.
pub fn record(conn: &mut DbConnection, list: &[Change]) -> AppResult<()> {
    if list.is_empty() {
        return Ok(());
    }
    take_order_lock(conn)?;
    for change in list {
        insert(conn, change)?;
    }
    Ok(())
}

/// Opens a batch of usage events stored by `node`: call it first in the batch's transaction
/// (which touches only usage tables, so holding the lock for its rest cannot deadlock with a
/// content change) and store each event with the returned id as its `batch`.
pub fn record_usage_batch(conn: &mut DbConnection, node: &str) -> AppResult<i64> {
    take_order_lock(conn)?;
    insert(conn, &Change::Usage(node.to_string()))
}

/// On PostgreSQL: the lock that makes ids follow commit order, and the notification sent when
/// the transaction commits.
fn take_order_lock(conn: &mut DbConnection) -> AppResult<()> {
    if let DbConnection::Postgres(pg) = conn {
        pg.batch_execute(&format!(
            "SELECT pg_advisory_xact_lock({ORDER_LOCK}); NOTIFY {CHANNEL}"
        ))?;
    }
    Ok(())
}

fn insert(conn: &mut DbConnection, change: &Change) -> AppResult<i64> {
    Ok(diesel::insert_into(changes::table)
        .values((
            changes::kind.eq(change.kind()),
            changes::subject.eq(change.subject()),
            changes::at.eq(time::to_db(time::now())),
        ))
        .returning(changes::id)
        .get_result(conn)?)
}

/// Up to `limit` changes after `id`, oldest first.
pub fn after(conn: &mut DbConnection, id: i64, limit: i64) -> AppResult<Vec<LoggedChange>> {
    let rows: Vec<(i64, String, String, chrono::NaiveDateTime)> = changes::table
        .filter(changes::id.gt(id))
        .order(changes::id.asc())
        .limit(limit)
        .select((changes::id, changes::kind, changes::subject, changes::at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, subject, at)| LoggedChange {
            id,
            change: Change::from_row(&kind, subject),
            at: time::from_db(at),
        })
        .collect())
}

/// The newest id in the log (0 when empty).
pub fn latest(conn: &mut DbConnection) -> AppResult<i64> {
    let max: Option<i64> = changes::table
        .select(diesel::dsl::max(changes::id))
        .first(conn)?;
    Ok(max.unwrap_or(0))
}

/// The oldest id still in the log (`None` when empty): a node whose last applied id is below it
/// has missed pruned changes and must rebuild everything.
pub fn oldest(conn: &mut DbConnection) -> AppResult<Option<i64>> {
    changes::table
        .select(diesel::dsl::min(changes::id))
        .first(conn)
        .map_err(AppError::from)
}

/// Deletes changes older than `before`, always keeping the newest row (so ids keep growing and a
/// node can tell it is current). Returns how many were deleted.
pub fn prune(conn: &mut DbConnection, before: DateTime<Utc>) -> AppResult<usize> {
    let newest = latest(conn)?;
    Ok(diesel::delete(
        changes::table
            .filter(changes::at.lt(time::to_db(before)))
            .filter(changes::id.lt(newest)),
    )
    .execute(conn)?)
}
