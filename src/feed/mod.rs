//! The change feed: how every node comes to hold the same truth.
//!
//! Whatever a node holds in memory or in its indexes (each brand's delivery snapshot, the
//! delivery key ring, the accounts sessions are checked against, the content index's documents, the usage index's events) is derived from
//! the database. Every
//! operation that changes one of them appends a [`Change`] to the change log in its own
//! transaction (`store::changes`). Each node applies the log in order and remembers the last id
//! it applied:
//! - the node that made a change applies it before the mutation answers ([`ChangeListener`],
//!   called by `content` after the commit);
//! - on PostgreSQL every node `LISTEN`s (`listen`) and catches up as soon as a change commits;
//! - every node also polls once a second, which covers a dropped notification channel, changes
//!   made by another process on SQLite (the CLI), and a database that was away.
//!
//! Applying coalesces a batch (each brand rebuilt once, each key and variant read once) and
//! touches only what the changes name (`apply`). At start the node rebuilds everything, taking
//! its place in the log first, so nothing committed meanwhile is missed.

pub mod apply;
pub mod listen;
pub mod usage_index;

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use tokio::sync::{Mutex, Notify};

use crate::content::ChangeListener;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::store::changes::LoggedChange;
use crate::store::{self, Db};
pub use apply::Targets;
pub use store::changes::Change;

/// Changes read from the log at once.
const BATCH: i64 = 1_000;
/// How often a node reads the log even when it heard nothing.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// A node that has not been at the head of the log for this long is not ready.
pub const MAX_LAG: Duration = Duration::from_secs(5);
/// Changes are kept this long; a node away longer rebuilds everything when it returns.
const RETENTION: chrono::Duration = chrono::Duration::days(2);
/// How often a node prunes the log.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// This node's position in the change log, and what applies changes to it.
pub struct ChangeFeed {
    db: Db,
    targets: Targets,
    /// The last id applied; held while applying, so changes apply one batch at a time, in order.
    applied: Mutex<i64>,
    /// A copy of `applied` for readers that must not wait (metrics).
    applied_id: AtomicI64,
    /// When this node last read the log and found nothing left to apply (ms since `epoch`).
    current_at: AtomicU64,
    /// Whether the node has finished its start-up rebuild.
    started: AtomicBool,
    /// Set when changes it had not applied were pruned.
    needs_restart: AtomicBool,
    epoch: Instant,
    wake: Arc<Notify>,
}

impl ChangeFeed {
    pub fn new(db: Db, targets: Targets) -> Self {
        ChangeFeed {
            db,
            targets,
            applied: Mutex::new(0),
            applied_id: AtomicI64::new(0),
            current_at: AtomicU64::new(0),
            started: AtomicBool::new(false),
            needs_restart: AtomicBool::new(false),
            epoch: Instant::now(),
            wake: Arc::new(Notify::new()),
        }
    }

    /// At start: takes the log's newest id, rebuilds everything from the database, then applies
    /// whatever was committed meanwhile.
    pub async fn start(&self) -> AppResult<()> {
        {
            let mut applied = self.applied.lock().await;
            let latest = self.db.read(store::changes::latest).await?;
            self.targets.rebuild_all(latest).await?;
            self.set_applied(&mut applied, latest);
        }
        self.catch_up().await?;
        self.started.store(true, Ordering::Release);
        Ok(())
    }

    /// Applies every change committed so far, in log order.
    pub async fn catch_up(&self) -> AppResult<()> {
        let mut applied = self.applied.lock().await;
        loop {
            let from = *applied;
            let batch = self
                .db
                .read(move |conn| store::changes::after(conn, from, BATCH))
                .await?;
            let Some(last) = batch.last().map(|c| c.id) else {
                break;
            };
            if self.missed_pruned(from, batch[0].id).await? {
                self.missed(from).await?;
            } else {
                let set = apply::ChangeSet::of(&batch, &self.targets.node);
                match self.targets.apply(&set).await {
                    Ok(()) => {}
                    Err(e) if e.code == ErrorCode::Unavailable => return Err(e),
                    Err(e) => self.apply_one_by_one(&batch, e).await?,
                }
            }
            self.set_applied(&mut applied, last);
            if (batch.len() as i64) < BATCH {
                break;
            }
        }
        self.current_at.store(
            self.epoch.elapsed().as_millis() as u64 + 1,
            Ordering::Release,
        );
        Ok(())
    }

    /// A batch failed for another reason than an unavailable database: its changes are applied
    /// one at a time, and one that still fails is logged and passed over, so that one row this
    /// version cannot read (written by a newer one, say) does not stop every node. The database
    /// holds the truth: the next change to the same thing, or a restart, sets it right.
    async fn apply_one_by_one(&self, batch: &[LoggedChange], error: AppError) -> AppResult<()> {
        tracing::warn!(%error, "a batch of changes failed to apply; applying them one at a time");
        for logged in batch {
            let set = apply::ChangeSet::of(std::slice::from_ref(logged), &self.targets.node);
            match self.targets.apply(&set).await {
                Ok(()) => {}
                Err(e) if e.code == ErrorCode::Unavailable => return Err(e),
                Err(e) => tracing::error!(
                    change = logged.id,
                    what = ?logged.change,
                    error = %e,
                    "cannot apply a change; passing over it"
                ),
            }
        }
        Ok(())
    }

    /// Changes this node had not applied were pruned (it was away from the database longer
    /// than the log keeps them). What it serves is rebuilt at once; its usage index cannot be
    /// made right while its own sink writes, so the node asks to be restarted (`/healthz`
    /// answers 503) and a fresh start rebuilds it.
    async fn missed(&self, from: i64) -> AppResult<()> {
        tracing::error!(
            applied = from,
            "changes this node had not applied were pruned; rebuilding what it serves, and asking to be restarted"
        );
        self.targets.rebuild_served().await?;
        self.needs_restart.store(true, Ordering::Release);
        Ok(())
    }

    /// Whether the node must be restarted to be whole again (see [`ChangeFeed::missed`]).
    pub fn needs_restart(&self) -> bool {
        self.needs_restart.load(Ordering::Acquire)
    }

    /// Whether ids between `from` and `first` are gone because they were pruned (a gap can also
    /// be a rolled-back id, which costs an unneeded rebuild at worst).
    async fn missed_pruned(&self, from: i64, first: i64) -> AppResult<bool> {
        if first == from + 1 {
            return Ok(false);
        }
        let oldest = self.db.read(store::changes::oldest).await?;
        Ok(oldest.is_some_and(|oldest| oldest > from + 1))
    }

    fn set_applied(&self, applied: &mut i64, id: i64) {
        *applied = id;
        self.applied_id.store(id, Ordering::Release);
    }

    /// The last change id this node applied.
    pub fn applied(&self) -> i64 {
        self.applied_id.load(Ordering::Acquire)
    }

    /// Started, and at the head of the log within [`MAX_LAG`].
    pub fn is_current(&self) -> bool {
        let at = self.current_at.load(Ordering::Acquire);
        self.started.load(Ordering::Acquire)
            && at > 0
            && self.epoch.elapsed().as_millis() as u64 <= at + MAX_LAG.as_millis() as u64
    }

    /// Asks the poll loop to read the log now (a notification arrived).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Polls the log until the feed is dropped: at once when woken, else every
    /// [`POLL_INTERVAL`]; prunes old changes now and then.
    pub fn spawn_poller(feed: &Arc<ChangeFeed>) {
        let (weak, wake) = (Arc::downgrade(feed), feed.wake.clone());
        tokio::spawn(poll(weak, wake));
    }
}

async fn poll(feed: Weak<ChangeFeed>, wake: Arc<Notify>) {
    let mut last_prune = Instant::now();
    let mut failing = false;
    loop {
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(POLL_INTERVAL) => {}
        }
        let Some(feed) = feed.upgrade() else {
            return;
        };
        // On a task of its own, so that a panic while applying is reported, not the poller's end.
        let applying = feed.clone();
        let outcome = match tokio::spawn(async move { applying.catch_up().await }).await {
            Ok(outcome) => outcome,
            Err(panic) => Err(AppError::internal(format!(
                "applying changes panicked: {panic}"
            ))),
        };
        match outcome {
            Ok(()) if failing => {
                tracing::info!(applied = feed.applied(), "the change feed is current again");
                failing = false;
            }
            Ok(()) => {}
            Err(e) if !failing => {
                tracing::warn!(error = %e, "cannot read the change log; retrying every second");
                failing = true;
            }
            Err(_) => {}
        }
        if last_prune.elapsed() >= PRUNE_EVERY {
            last_prune = Instant::now();
            let before = chrono::Utc::now() - RETENTION;
            match feed
                .db
                .write(move |c| store::changes::prune(c, before))
                .await
            {
                Ok(n) if n > 0 => tracing::info!(pruned = n, "pruned the change log"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not prune the change log"),
            }
            let now = chrono::Utc::now();
            if let Err(e) = feed
                .db
                .write(move |c| store::users::prune_ended_sessions(c, now))
                .await
            {
                tracing::warn!(error = %e, "could not forget expired ended sessions");
            }
        }
    }
}

impl ChangeListener for ChangeFeed {
    fn committed(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            // Before its start (the bootstrap admin) the feed has no place in the log yet; the
            // start rebuilds everything anyway.
            if !self.started.load(Ordering::Acquire) {
                return;
            }
            if let Err(e) = self.catch_up().await {
                tracing::error!(error = %e, "could not apply a committed change on this node; the poller retries");
            }
        })
    }
}
