//! `forgetPerson` at scale (issue figure: under 2 s with 5,000,000 events stored): stores
//! 5,000,000 usage events of 100,000 people (about 50 each, a third of events without a user
//! key) through the usage queue's real sink (database, then usage index), then forgets five
//! people one after another, each the way the server does it: one transaction deleting the
//! person's events with its audit row and the change for every node's usage index
//! (`content::privacy::forget_in`), then this node's usage index deleting the same events and
//! committing (what the change feed does before `forgetPerson` answers).
//!
//! `cargo bench --bench forget` runs the full size (`VARY_FORGET_EVENTS`, `VARY_FORGET_PEOPLE`
//! override it; `VARY_FORGET_DATABASE` names a PostgreSQL URL instead of a temporary SQLite
//! file). Under `cargo test` it runs a small size as a smoke test. Every run checks that the
//! person's events are gone from both and that the index still counts what the database holds.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use vary::config::DatabaseUrl;
use vary::content::privacy::{forget_audit, forget_in};
use vary::store::usage::{count, person_events, DbUsageSink};
use vary::store::Db;
use vary::usage::queue::UsageSink;
use vary::usage::{ServedVariant, UsageEvent, UsageIndex, UsageKind, UserKeyHasher, USAGE_WRITER};

const BRAND: &str = "scale";

fn size(name: &str, full: bool, full_size: usize, smoke: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { full_size } else { smoke })
}

/// The events, in time order over 30 days; event `n` belongs to person `n * 7919 % people`
/// unless `n % 3 == 0` (no user key).
fn events(count: usize, people: &[String]) -> impl Iterator<Item = UsageEvent> + '_ {
    let start = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap();
    let served: Vec<Arc<ServedVariant>> = (0..1_000)
        .map(|v| {
            Arc::new(ServedVariant {
                brand: BRAND.into(),
                entry_id: format!("ent_{:05}", v / 10),
                entry_key: format!("entry-{}", v / 10),
                variant_id: format!("var_{v:06}"),
                variant_name: format!("Variant {v}"),
                revision: format!("{v:064x}"),
                ..Default::default()
            })
        })
        .collect();
    (0..count).map(move |n| UsageEvent {
        id: format!("evt_{n:010}"),
        kind: if n % 10 == 9 {
            UsageKind::Click
        } else {
            UsageKind::Impression
        },
        impression_id: format!("imp_{n:010}"),
        served: served[n % served.len()].clone(),
        device: Some(["MOBILE", "DESKTOP"][n % 2].into()),
        locale: "en".into(),
        at: start
            + chrono::Duration::milliseconds(
                (n as u64 * 30 * 86_400_000 / count.max(1) as u64) as i64,
            ),
        user_key_hash: (n % 3 != 0).then(|| people[n * 7919 % people.len()].clone()),
        attributes: Default::default(),
        value: None,
    })
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let event_count = size("VARY_FORGET_EVENTS", full, 5_000_000, 20_000);
    let people_count = size("VARY_FORGET_PEOPLE", full, 100_000, 400);
    let dir = tempfile::tempdir().expect("temp dir");
    let url = std::env::var("VARY_FORGET_DATABASE")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("vary.db").display()));
    let db = Db::connect(&DatabaseUrl::parse(&url).expect("database URL"), 4).expect("connect");
    db.migrate().expect("migrate");
    db.write_blocking(|conn| {
        use diesel::connection::SimpleConnection;
        conn.batch_execute("DELETE FROM usage_events; DELETE FROM changes")
            .map_err(Into::into)
    })
    .expect("start from an empty usage table");
    db.write_blocking(|conn| {
        if vary::store::brands::by_slug(conn, BRAND)?.is_some() {
            return Ok(());
        }
        let brand = vary::domain::brand::Brand {
            id: "brd_scale".into(),
            slug: BRAND.into(),
            name: "Scale".into(),
            default_locale: "en".into(),
            locales: vec!["en".into()],
            policy: Default::default(),
            version: 1,
            preview_url: None,
        };
        vary::store::brands::insert(conn, &brand)
    })
    .expect("the brand");
    let hasher = UserKeyHasher::new(b"bench secret");
    let people: Vec<String> = (0..people_count)
        .map(|p| hasher.hash(&format!("person-{p}")))
        .collect();

    let index = Arc::new(UsageIndex::open(&dir.path().join("usage"), USAGE_WRITER).unwrap());
    let sink = DbUsageSink::new(db.clone(), Some(index.clone()), "bench-node");
    let started = Instant::now();
    let mut batch = Vec::with_capacity(2_000);
    for event in events(event_count, &people) {
        batch.push(event);
        if batch.len() == 2_000 {
            sink.write_batch(&batch).expect("write batch");
            batch.clear();
        }
    }
    sink.write_batch(&batch).expect("write batch");
    sink.flush().expect("flush");
    println!(
        "stored {event_count} events of {people_count} people in {:.1} s ({})",
        started.elapsed().as_secs_f64(),
        db.backend()
    );

    let mut took: Vec<Duration> = Vec::new();
    let mut forgotten = 0usize;
    for p in [1usize, 17, 4_242, 31_337, 77_777].map(|p| p % people_count) {
        let hash = people[p].clone();
        let before = {
            let hash = hash.clone();
            db.read_blocking(move |conn| person_events(conn, BRAND, &hash))
                .unwrap()
                .len()
        };
        let started = Instant::now();
        let deleted = {
            let hash = hash.clone();
            let audit = forget_audit("bench".into(), BRAND, &hash);
            db.write_blocking(move |conn| forget_in(conn, BRAND, &hash, audit))
        };
        let deleted = match deleted {
            Ok(n) => n,
            Err(e) => panic!("forget: {e}"),
        };
        index.forget_person(BRAND, &hash).unwrap();
        index.flush().unwrap();
        took.push(started.elapsed());
        assert_eq!(deleted, before, "every event of the person deleted");
        forgotten += deleted;
        let left = db
            .read_blocking(move |conn| person_events(conn, BRAND, &hash))
            .unwrap();
        assert!(left.is_empty());
    }
    let stored = db.read_blocking(count).unwrap() as u64;
    assert_eq!(stored, (event_count - forgotten) as u64);
    assert_eq!(
        index.num_events(),
        stored,
        "the index dropped exactly the same events"
    );
    took.sort();
    println!(
        "forgetPerson over {event_count} events ({} events of 5 people): median {:.0} ms, slowest {:.0} ms (database delete + audit + change, usage index delete + commit)",
        forgotten,
        took[2].as_secs_f64() * 1000.0,
        took[4].as_secs_f64() * 1000.0
    );
    index.shutdown().unwrap();
}
