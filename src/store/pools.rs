//! Connections and pools: how a connection to either backend is opened and set up (SQLite's
//! pragmas), the r2d2 pools [`super::Db`] runs its work on, and how they are closed.
//!
//! SQLite gets a single-connection write pool and a read pool; PostgreSQL one pool for both.
//! r2d2's background work (refilling, reaping) runs on threads of our own that the last `Db`
//! quiets and joins when it is dropped ([`Pools`] says why).

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use scheduled_thread_pool::{OnPoolDropBehavior, ScheduledThreadPool};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::DbConnection;
use crate::config::DatabaseUrl;

/// Opens connections for the backend the URL names (never by trial and error, which would
/// swallow a real connection error).
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    /// Set once the [`Db`](super::Db) is going away: connections the pool would still open in the
    /// background are refused without touching the client library.
    closing: Arc<AtomicBool>,
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        if self.closing.load(Ordering::SeqCst) {
            return Err(r2d2::Error::ConnectionError(
                diesel::ConnectionError::BadConnection("the database is closing".into()),
            ));
        }
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let path = path.to_string_lossy();
                let mut conn =
                    SqliteConnection::establish(&path).map_err(r2d2::Error::ConnectionError)?;
                // WAL for concurrent readers, FULL sync so an acknowledged write survives a power
                // cut, foreign keys enforced, a busy timeout instead of instant failures, and a
                // page cache of up to 32 MB per connection (the default 2 MB thrashes once the
                // usage table holds millions of events).
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA cache_size = -32768;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
            DatabaseUrl::Postgres(url) => {
                let conn = PgConnection::establish(url).map_err(r2d2::Error::ConnectionError)?;
                Ok(DbConnection::Postgres(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

pub(super) type Pool = r2d2::Pool<ConnectionManager>;

/// Threads r2d2 opens (and reaps) connections on, in the background.
const POOL_THREADS: usize = 3;
/// How long closing waits for a connection attempt under way on those threads.
const CLOSE_WAIT: Duration = Duration::from_secs(15);

/// The pools and the threads r2d2 runs their background work on.
///
/// r2d2 opens connections on its own threads, never joined: it refills the pool in the
/// background as soon as a connection is checked out (`min_idle`), and reaps idle ones there. A
/// process that returned from `main` while such a thread was inside libpq had the C library's
/// exit handlers (OpenSSL's `OPENSSL_cleanup`; libpq sets up TLS with it) free what that thread
/// was using: on PostgreSQL, `vary migrate`, `audit verify` and `export usage` died with SIGSEGV
/// (exit 139) after printing success, in one run of ten or more. So dropping the last [`Db`](super::Db)
/// first makes those threads quiet: new background connections are refused, an attempt under
/// way is waited for, every thread is held while the pools and their connections are closed on
/// the dropping thread, and the threads are then let go to exit with nothing left to do.
pub(super) struct Pools {
    /// `None` only while being dropped.
    read_write: Option<(Pool, Pool)>,
    threads: Arc<ScheduledThreadPool>,
    closing: Arc<AtomicBool>,
}

impl Pools {
    /// Opens the read and write pools for `url`, with their background threads.
    pub(super) fn open(url: &DatabaseUrl, pool_size: u32) -> anyhow::Result<Pools> {
        let closing = Arc::new(AtomicBool::new(false));
        let manager = ConnectionManager {
            url: url.clone(),
            closing: closing.clone(),
        };
        // Discard what is still scheduled (the reaper's next round, a retry) once the last
        // pool lets go of the threads, so they exit at once.
        let threads = Arc::new(
            ScheduledThreadPool::builder()
                .num_threads(POOL_THREADS)
                .thread_name_pattern("r2d2-worker-{}")
                .on_drop_behavior(OnPoolDropBehavior::DiscardPendingScheduled)
                .build(),
        );
        // Built before the pools, so that a failure to open them also closes what r2d2 left
        // running (a connection attempt being retried) before the error travels on.
        let mut pools = Pools {
            read_write: None,
            threads: threads.clone(),
            closing,
        };
        let build = |size: u32| {
            r2d2::Pool::builder()
                .max_size(size)
                .min_idle(Some(1))
                .connection_timeout(Duration::from_secs(10))
                .thread_pool(threads.clone())
                .build(manager.clone())
        };
        pools.read_write = Some(match url {
            DatabaseUrl::Sqlite(_) => {
                let write = build(1)?;
                (build(pool_size)?, write)
            }
            DatabaseUrl::Postgres(_) => {
                let pool = build(pool_size)?;
                (pool.clone(), pool)
            }
        });
        Ok(pools)
    }

    pub(super) fn read(&self) -> &Pool {
        &self.read_write.as_ref().expect("open until dropped").0
    }

    pub(super) fn write(&self) -> &Pool {
        &self.read_write.as_ref().expect("open until dropped").1
    }
}

impl Drop for Pools {
    fn drop(&mut self) {
        self.closing.store(true, Ordering::SeqCst);
        let held = hold_every_thread(&self.threads, POOL_THREADS, CLOSE_WAIT);
        if !held.all_held() {
            tracing::warn!(
                "a database connection attempt did not finish within {} s of closing",
                CLOSE_WAIT.as_secs()
            );
        }
        // No background job runs now, so the pools (the last references, unless a connection
        // is still checked out somewhere) and their connections are closed here.
        drop(self.read_write.take());
        held.release();
    }
}

/// Occupies every thread of `threads` with a job that waits until released, once each has
/// finished what it was doing (or `wait` has passed).
fn hold_every_thread(threads: &ScheduledThreadPool, count: usize, wait: Duration) -> Hold {
    let hold = Hold {
        state: Arc::new((Mutex::new((0usize, false)), Condvar::new())),
        count,
    };
    for _ in 0..count {
        let state = hold.state.clone();
        threads.execute(move || {
            let (lock, signal) = &*state;
            let mut guard = lock.lock().unwrap_or_else(|e| e.into_inner());
            guard.0 += 1;
            signal.notify_all();
            while !guard.1 {
                guard = signal.wait(guard).unwrap_or_else(|e| e.into_inner());
            }
        });
    }
    let deadline = Instant::now() + wait;
    let (lock, signal) = &*hold.state;
    let mut guard = lock.lock().unwrap_or_else(|e| e.into_inner());
    while guard.0 < count {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        guard = signal
            .wait_timeout(guard, left)
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
    drop(guard);
    hold
}

struct Hold {
    /// (threads holding, released)
    state: Arc<(Mutex<(usize, bool)>, Condvar)>,
    count: usize,
}

impl Hold {
    fn all_held(&self) -> bool {
        self.state.0.lock().unwrap_or_else(|e| e.into_inner()).0 >= self.count
    }

    fn release(self) {
        let (lock, signal) = &*self.state;
        lock.lock().unwrap_or_else(|e| e.into_inner()).1 = true;
        signal.notify_all();
    }
}
