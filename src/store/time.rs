//! Timestamps as stored: naive UTC, truncated to microseconds (PostgreSQL's precision) so a value
//! reads back equal on both backends.

use chrono::{DateTime, Datelike, NaiveDateTime, SubsecRound, Timelike, Utc};

use crate::digits;
use crate::usage::event::day_of;

pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

pub fn to_db(at: DateTime<Utc>) -> NaiveDateTime {
    at.trunc_subsecs(6).naive_utc()
}

pub fn from_db(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

/// How diesel writes a `Timestamp` into SQLite: `%F %T%.f`, the fraction in 0, 3 or 6 digits.
const SQLITE_FORMAT: &str = "%F %T%.f";

/// A timestamp as SQLite stores it, the very text diesel writes for [`to_db`]'s value (so stored
/// values and bound bounds compare as text), built without a formatting pattern: the usage
/// writer needs one per event, and chrono's strftime cost more than the rest of its row's binding.
pub fn to_sqlite_text(at: DateTime<Utc>) -> String {
    let at = to_db(at);
    let (year, nanos) = (at.year(), at.nanosecond());
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        // Signed or five-digit years and leap seconds: rare enough for the general formatter.
        return at.format(SQLITE_FORMAT).to_string();
    }
    let mut out = day_of(at.and_utc());
    for (value, before) in [(at.hour(), ' '), (at.minute(), ':'), (at.second(), ':')] {
        out.push(before);
        digits::push(&mut out, value.into(), 2, 10);
    }
    // `%.f`: no fraction for whole seconds, else milliseconds or microseconds, as exact.
    match nanos {
        0 => {}
        n if n % 1_000_000 == 0 => {
            out.push('.');
            digits::push(&mut out, (n / 1_000_000).into(), 3, 10);
        }
        n => {
            out.push('.');
            digits::push(&mut out, (n / 1_000).into(), 6, 10);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sqlite_text_is_exactly_what_diesel_writes() {
        let base = Utc.with_ymd_and_hms(2026, 12, 2, 9, 5, 7).unwrap();
        let mut instants = vec![
            base,
            Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(-44, 3, 15, 12, 0, 0).unwrap(),
        ];
        for micros in [
            1, 9, 10, 999, 1_000, 1_001, 500_000, 123_456, 999_999, 100_000, 20_000,
        ] {
            instants.push(base + chrono::Duration::microseconds(micros));
        }
        // Nanoseconds are truncated first, as `to_db` does.
        instants.push(base + chrono::Duration::nanoseconds(1_234_567));
        // And many more, whole seconds, milliseconds and microseconds, across years 1970 to 9999.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for n in 0..10_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let micros = (state >> 8) as i64 % 253_402_300_800_000_000;
            let micros = [
                micros,
                micros / 1_000 * 1_000,
                micros / 1_000_000 * 1_000_000,
            ][n % 3];
            instants.push(DateTime::from_timestamp_micros(micros).unwrap());
        }
        for at in instants {
            assert_eq!(
                to_sqlite_text(at),
                to_db(at).format(SQLITE_FORMAT).to_string(),
                "{at:?}"
            );
        }
    }
}
