//! PostgreSQL notifications: a dedicated connection `LISTEN`s on `vary_changes` and wakes the
//! feed as soon as a change commits anywhere.
//!
//! The connection lives outside the pool, on a thread of its own: diesel's
//! `notifications_iter` returns what has arrived without waiting, so the thread drains it every
//! [`DRAIN_EVERY`] and checks the connection once a second. When the connection drops (a
//! restarted server, `pg_terminate_backend`), it reconnects with a growing pause and wakes the
//! feed, which catches up from its last applied id; the feed's poller covers the time between.
//! The thread ends once the feed is dropped.

use std::sync::{Arc, Weak};
use std::thread;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::Connection;

use super::ChangeFeed;
use crate::store::changes::CHANNEL;

/// How often arrived notifications are read.
const DRAIN_EVERY: Duration = Duration::from_millis(10);
/// How often the listening connection is checked.
const CHECK_EVERY: Duration = Duration::from_secs(1);
/// The longest pause between reconnection attempts.
const MAX_RECONNECT_PAUSE: Duration = Duration::from_secs(5);

/// Starts listening for `feed` on the database at `url`.
pub fn spawn(url: String, feed: &Arc<ChangeFeed>) {
    let feed = Arc::downgrade(feed);
    let spawned = thread::Builder::new()
        .name("vary-listen".into())
        .spawn(move || run(&url, &feed));
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the change listener; changes from other nodes arrive by polling");
    }
}

fn run(url: &str, feed: &Weak<ChangeFeed>) {
    let mut pause = Duration::from_millis(100);
    let mut was_lost = false;
    while feed.strong_count() > 0 {
        match connect(url) {
            Ok(conn) => {
                if was_lost {
                    tracing::info!("listening for changes again");
                }
                pause = Duration::from_millis(100);
                wake(feed);
                listen(conn, feed);
                if feed.strong_count() == 0 {
                    return;
                }
                tracing::warn!("lost the connection that listens for changes; reconnecting");
                was_lost = true;
            }
            Err(e) => {
                if !was_lost {
                    tracing::warn!(error = %e, "cannot listen for changes; retrying");
                    was_lost = true;
                }
                thread::sleep(pause);
                pause = (pause * 2).min(MAX_RECONNECT_PAUSE);
            }
        }
    }
}

/// The name the listening connection shows in `pg_stat_activity`.
pub const APPLICATION_NAME: &str = "vary-listen";

fn connect(url: &str) -> diesel::ConnectionResult<PgConnection> {
    let named = match url::Url::parse(url) {
        Ok(mut parsed) => {
            // A dead peer is noticed within seconds, not at the kernel's retransmission timeout.
            parsed
                .query_pairs_mut()
                .append_pair("application_name", APPLICATION_NAME)
                .append_pair("connect_timeout", "5")
                .append_pair("keepalives", "1")
                .append_pair("keepalives_idle", "5")
                .append_pair("keepalives_interval", "2")
                .append_pair("keepalives_count", "2")
                .append_pair("tcp_user_timeout", "9000");
            parsed.to_string()
        }
        Err(_) => url.to_string(),
    };
    let mut conn = PgConnection::establish(&named)?;
    conn.batch_execute(&format!("LISTEN {CHANNEL}"))
        .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
    Ok(conn)
}

/// Wakes the feed for every arrival until the connection fails or the feed is dropped.
fn listen(mut conn: PgConnection, feed: &Weak<ChangeFeed>) {
    let mut checked = Instant::now();
    loop {
        let mut heard = false;
        for notification in conn.notifications_iter() {
            match notification {
                Ok(_) => heard = true,
                Err(_) => return,
            }
        }
        if heard && !wake(feed) {
            return;
        }
        if checked.elapsed() >= CHECK_EVERY {
            if conn.batch_execute("SELECT 1").is_err() || feed.strong_count() == 0 {
                return;
            }
            checked = Instant::now();
        }
        thread::sleep(DRAIN_EVERY);
    }
}

/// Wakes the feed; false once it is gone.
fn wake(feed: &Weak<ChangeFeed>) -> bool {
    match feed.upgrade() {
        Some(feed) => {
            feed.wake();
            true
        }
        None => false,
    }
}
