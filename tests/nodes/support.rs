//! What every node test starts from: PostgreSQL or a skip, two real nodes on a fresh database,
//! and waiting for something to hold across them.

use std::time::{Duration, Instant};

use crate::database::PgDatabase;
use crate::node::Node;

/// The PostgreSQL server's URL; `None` (after saying so) when there is none, outside CI.
pub fn pg_or_skip() -> Option<String> {
    match std::env::var("VARY_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI must test several nodes: set VARY_TEST_POSTGRES_URL")
        }
        _ => {
            eprintln!("skipped: several nodes need PostgreSQL (set VARY_TEST_POSTGRES_URL)");
            None
        }
    }
}

/// Polls `done` every 5 ms until it holds, and returns how long that took; panics naming
/// `what` when it does not hold within `limit`.
pub fn within(limit: Duration, what: &str, mut done: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    loop {
        if done() {
            return start.elapsed();
        }
        assert!(start.elapsed() < limit, "not within {limit:?}: {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Nodes A and B on one fresh database, the admin signed in on A. The nodes must stop before
/// the database is dropped: fields drop in the order declared, and bindings in reverse, so bind
/// `db` first (`let Some(TwoNodes { db, a, b, token }) = two_nodes()`).
pub struct TwoNodes {
    pub a: Node,
    pub b: Node,
    pub token: String,
    pub db: PgDatabase,
}

/// Two nodes, or `None` (after saying so) without PostgreSQL.
pub fn two_nodes() -> Option<TwoNodes> {
    let db = PgDatabase::create(&pg_or_skip()?);
    let a = Node::start(&db.url);
    let b = Node::start(&db.url);
    let token = a.login();
    Some(TwoNodes { a, b, token, db })
}
