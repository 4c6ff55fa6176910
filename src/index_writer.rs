//! The single-writer loop both tantivy indexes (content and usage) run on their own thread.
//!
//! Tantivy allows one writer per index, so one thread owns it and takes operations from a
//! channel. Changes are committed together: at most `interval` after the first uncommitted one,
//! at once when an operation asks for it ([`Committer::commit`]), and when the channel closes.
//! Every commit reloads the reader, so what a commit returned from is visible to the next query.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tantivy::{IndexReader, IndexWriter, TantivyDocument};

/// How an index's writer batches; each index has its own (`search::CONTENT_WRITER`,
/// `usage::USAGE_WRITER`).
#[derive(Debug, Clone, Copy)]
pub struct WriterConfig {
    /// The longest a change waits before it is committed.
    pub commit_interval: Duration,
    /// The writer's memory budget (tantivy needs at least 15 MB).
    pub writer_memory: usize,
}

/// The writer, its reader, and when the oldest uncommitted change arrived.
pub struct Committer {
    writer: IndexWriter<TantivyDocument>,
    reader: IndexReader,
    interval: Duration,
    dirty_since: Option<Instant>,
    /// Which index, for logs.
    name: &'static str,
    /// False while the last commit failed, and once the writer thread has ended.
    healthy: Arc<AtomicBool>,
}

impl Committer {
    pub fn new(
        writer: IndexWriter<TantivyDocument>,
        reader: IndexReader,
        interval: Duration,
        name: &'static str,
    ) -> Self {
        Committer {
            writer,
            reader,
            interval,
            dirty_since: None,
            name,
            healthy: Arc::new(AtomicBool::new(true)),
        }
    }

    /// Whether the index takes writes: false while its last commit failed (a full or failing
    /// disk) and once its writer thread has ended. Shared, so the index can read it.
    pub fn health(&self) -> Arc<AtomicBool> {
        self.healthy.clone()
    }

    /// The writer, for adding and deleting documents; call [`Committer::changed`] after.
    pub fn writer(&mut self) -> &mut IndexWriter<TantivyDocument> {
        &mut self.writer
    }

    /// Notes an uncommitted change: it will be committed within the interval.
    pub fn changed(&mut self) {
        self.dirty_since.get_or_insert_with(Instant::now);
    }

    /// Commits and reloads the reader when anything changed.
    pub fn commit(&mut self) -> Result<(), String> {
        if self.dirty_since.take().is_none() {
            return Ok(());
        }
        let outcome = self.writer.commit().and_then(|_| self.reader.reload());
        self.healthy.store(outcome.is_ok(), Ordering::Release);
        outcome.map_err(|e| {
            tracing::error!(index = self.name, error = %e, "could not commit the index");
            e.to_string()
        })
    }

    /// Hands each operation to `handle` until it breaks or every sender is gone, committing
    /// whenever a change has waited `interval`; commits what is left before returning.
    pub fn run<T>(
        mut self,
        rx: Receiver<T>,
        mut handle: impl FnMut(&mut Committer, T) -> ControlFlow<()>,
    ) {
        loop {
            let next = match self.dirty_since {
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some(since) => rx.recv_timeout(
                    (since + self.interval).saturating_duration_since(Instant::now()),
                ),
            };
            match next {
                Ok(op) => {
                    if handle(&mut self, op).is_break() {
                        return;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    let _ = self.commit();
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let _ = self.commit();
                    return;
                }
            }
        }
    }
}

impl Drop for Committer {
    /// The writer thread ended (or panicked): nothing more will be written.
    fn drop(&mut self) {
        self.healthy.store(false, Ordering::Release);
    }
}
