//! Timestamps as stored: naive UTC, truncated to microseconds (PostgreSQL's precision) so a value
//! reads back equal on both backends.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

pub fn to_db(at: DateTime<Utc>) -> NaiveDateTime {
    at.trunc_subsecs(6).naive_utc()
}

pub fn from_db(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}
