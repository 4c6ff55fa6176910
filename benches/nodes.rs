//! Several nodes on one PostgreSQL, measured with real processes:
//! - **propagation**: a publish or unpublish answered by node A, then served by node B; p50 and
//!   p99 over `CHANGES` changes;
//! - **catch-up while running**: `MISSED` changes committed at once by another writer (editors'
//!   saves of 200 variants and the brand's publishes, written straight into the change log in
//!   one transaction): the time until B has applied them all (`vary_changes_applied_id`);
//! - **catch-up at start**: B stopped, `MISSED` changes made, B started: the time until its
//!   `/readyz` answers 200 (start-up rebuilds everything, then applies what came meanwhile).
//!
//! ```text
//! VARY_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench nodes
//! ```
//! `cargo bench` uses the release binary. `cargo test` runs it too, as a smoke test with a few
//! changes (the debug binary; figures meaningless).

// Shared with tests/nodes; each of the two uses a part of them.
#[allow(dead_code)]
#[path = "../tests/nodes/database.rs"]
mod database;
#[allow(dead_code)]
#[path = "../tests/nodes/node.rs"]
mod node;
#[allow(dead_code)]
#[path = "../tests/nodes/support.rs"]
mod support;

use database::PgDatabase;
use node::Node;
use std::time::{Duration, Instant};
use support::{pg_or_skip, within};

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let Some(admin_url) = pg_or_skip() else {
        return;
    };
    let (changes, missed, variants) = if full {
        (200, 10_000, 200)
    } else {
        (6, 100, 5)
    };
    let db = PgDatabase::create(&admin_url);
    let a = Node::start(&db.url);
    let b_dir = tempfile::tempdir().unwrap();
    let b = Node::start_in(&db.url, b_dir.path());
    let token = a.login();
    let entry = a.seed(&token);
    let key = a.delivery_key(&token);
    within(Duration::from_secs(5), "B knows the key", || {
        b.content(&key.token).is_some()
    });
    let ids: Vec<String> = (0..variants)
        .map(|n| a.create_variant(&token, &entry, &format!("Variant {n}")))
        .collect();

    propagation(&a, &b, &token, &key.token, &ids[0], changes);
    catch_up_running(&db, &b, &ids, missed);
    drop(b);
    let started = catch_up_at_start(&db, b_dir.path(), &ids, missed);
    drop(started);
}

/// Publishes and unpublishes `variant` on A, `changes` times; prints how long each took to be
/// served by B after A answered.
fn propagation(a: &Node, b: &Node, token: &str, key: &str, variant: &str, changes: usize) {
    let mut took = Vec::with_capacity(changes);
    for n in 0..changes {
        let publish = n % 2 == 0;
        let mutation = if publish {
            "publishVariant"
        } else {
            "unpublishVariant"
        };
        a.transition(token, mutation, variant);
        let answered = Instant::now();
        loop {
            let served = b.served_variant(key).is_some();
            if served == publish {
                break;
            }
            assert!(
                answered.elapsed() < Duration::from_secs(5),
                "B never followed A"
            );
            std::thread::sleep(Duration::from_micros(500));
        }
        took.push(answered.elapsed());
    }
    took.sort();
    let at = |q: f64| took[((took.len() - 1) as f64 * q).round() as usize];
    println!(
        "propagation over {changes} changes (A answered -> B serves): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(at(0.5)),
        ms(at(0.99)),
        ms(*took.last().unwrap())
    );
}

/// Writes `missed` changes as one transaction and times B applying them.
fn catch_up_running(db: &PgDatabase, b: &Node, variants: &[String], missed: usize) {
    let last = write_changes(db, variants, missed);
    let start = Instant::now();
    within(Duration::from_secs(60), "B applies every change", || {
        b.applied_change() >= last
    });
    println!(
        "catch-up of {missed} changes while running: {:.0} ms",
        ms(start.elapsed())
    );
}

/// Stops nothing itself: B is already stopped. Writes `missed` changes, starts B on its old data
/// dir and times it until ready.
fn catch_up_at_start(
    db: &PgDatabase,
    data_dir: &std::path::Path,
    variants: &[String],
    missed: usize,
) -> Node {
    write_changes(db, variants, missed);
    let start = Instant::now();
    let b = Node::start_in(&db.url, data_dir);
    println!(
        "restart after {missed} missed changes, until /readyz answers 200: {:.0} ms",
        ms(start.elapsed())
    );
    b
}

/// `count` changes naming the variants in turn (every tenth one the brand, as a publish would),
/// committed at once with the notification a node sends; returns the last id.
fn write_changes(db: &PgDatabase, variants: &[String], count: usize) -> i64 {
    let brand = db.scalar("SELECT id FROM brands WHERE slug = 'alpine'");
    let rows: Vec<String> = (0..count)
        .map(|n| {
            if n % 10 == 9 {
                format!("('brand', '{brand}', now())")
            } else {
                format!("('variant', '{}', now())", variants[n % variants.len()])
            }
        })
        .collect();
    db.execute(&format!(
        "BEGIN; INSERT INTO changes (kind, subject, at) VALUES {}; NOTIFY vary_changes; COMMIT;",
        rows.join(",")
    ));
    db.scalar("SELECT max(id)::text FROM changes")
        .parse()
        .unwrap()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
