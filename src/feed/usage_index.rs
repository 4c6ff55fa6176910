//! Keeping this node's usage index in step with the events every node stored.
//!
//! A node indexes the events its own sink stores as they commit; the other nodes' batches reach
//! it as `usage` changes, each naming the batch its events were stored in. At start the index
//! is checked against the events up to the feed's starting position (rebuilt when they differ:
//! new, set aside, or a crash between the database's commit and the index's); the batches after
//! that position arrive through the feed, so none is counted twice.

use std::sync::Arc;

use super::apply::UsageChange;
use crate::error::{AppError, AppResult};
use crate::store::{self, Db};
use crate::usage::{self, UsageIndex};

/// Events read from the database per batch when the usage index is rebuilt.
const REBUILD_BATCH: usize = 20_000;

/// Rebuilds the usage index from the database (events up to change `up_to`, or all),
/// `progress` told the events written so far. Blocking.
pub fn rebuild(
    db: &Db,
    index: &UsageIndex,
    up_to: Option<i64>,
    progress: Option<usage::index::Progress>,
) -> anyhow::Result<u64> {
    let written = index
        .rebuild(
            |send| {
                db.read_blocking(|conn| {
                    store::usage::each_event_batch(conn, up_to, REBUILD_BATCH, |events| {
                        send(events)
                    })
                })
                .map_err(|e| e.to_string())
            },
            progress,
        )
        .map_err(|e| anyhow::anyhow!("cannot rebuild the usage index: {e}"))?;
    Ok(written)
}

/// Rebuilds the index when it does not hold exactly the events stored up to change `up_to`.
pub async fn rebuild_if_stale(db: &Db, index: &Arc<UsageIndex>, up_to: i64) -> AppResult<()> {
    let (db, index) = (db.clone(), index.clone());
    tokio::task::spawn_blocking(move || {
        // What the sink indexed before (the journal's replay) is counted once committed.
        index.flush().map_err(AppError::internal)?;
        let stored = db.read_blocking(|conn| store::usage::count_up_to(conn, up_to))? as u64;
        if index.was_created() && stored == 0 {
            return Ok(());
        }
        if index.was_created() || index.num_events() != stored {
            tracing::info!(
                events = stored,
                indexed = index.num_events(),
                "rebuilding the usage index"
            );
            rebuild(&db, &index, Some(up_to), None).map_err(AppError::internal)?;
        }
        Ok(())
    })
    .await
    .map_err(AppError::internal)?
}

/// Indexes the events of other nodes' batches.
pub async fn add_batches(db: &Db, index: &Arc<UsageIndex>, batches: Vec<i64>) -> AppResult<()> {
    let events = db
        .read(move |conn| store::usage::of_batches(conn, &batches))
        .await?;
    index.add(&events).map_err(AppError::internal)
}

/// Follows `changes` in order: runs of stored batches indexed together, deletions applied
/// between them. After a deletion the index is committed before this returns, so that reports
/// agree with the database as soon as the operation that deleted has answered.
pub async fn follow(db: &Db, index: &Arc<UsageIndex>, changes: &[UsageChange]) -> AppResult<()> {
    let mut batches = Vec::new();
    let mut deleted = false;
    for change in changes {
        if let UsageChange::Stored(batch) = change {
            batches.push(*batch);
            continue;
        }
        if !batches.is_empty() {
            add_batches(db, index, std::mem::take(&mut batches)).await?;
        }
        deleted = true;
        let (index, change) = (index.clone(), change.clone());
        crate::store::run_blocking(move || {
            match change {
                UsageChange::Forgotten { brand, hash } => index.forget_person(&brand, &hash),
                UsageChange::Expired { brand, before } => index.expire(&brand, before),
                UsageChange::Stored(_) => unreachable!("handled above"),
            }
            .map_err(AppError::internal)
        })
        .await?;
    }
    if !batches.is_empty() {
        add_batches(db, index, batches).await?;
    }
    if deleted {
        let index = index.clone();
        crate::store::run_blocking(move || index.flush().map_err(AppError::internal)).await?;
    }
    Ok(())
}
