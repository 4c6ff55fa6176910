//! The usage journal: every event the queue accepts is appended to a file in the data dir before
//! the answer that carries it is sent, so an impression or a tracked event survives the death of
//! the process (`kill -9`) between the answer and the database's commit.
//!
//! Appending is a copy of the encoded records into the current segment's shared memory mapping
//! under a short lock ([`segment`]): once copied, the bytes are the kernel's, so a killed process
//! loses nothing, and no system call is made per answer. A syncer thread calls `fdatasync` at most
//! once a second, so a power cut loses at most the last second. Nothing on the request path waits
//! for the disk.
//!
//! The journal is a directory of numbered segments. Each segment counts its events not yet
//! committed to the database: an event counts from its append (before it is queued, so a
//! rotation can never forget one appended but not yet queued) until the queue's writer reports
//! its batch committed ([`Journal::committed`]) or the event is given up because its answer
//! failed ([`Journal::abandon`], which also writes a cancel record). A segment that is no longer
//! the one appended to and counts nothing is deleted. At start, before serving, the segments a
//! previous process left are replayed into the sink ([`Journal::replay`]) and then deleted;
//! replaying is idempotent, since stores keep one event per id.
//!
//! Records are framed and checksummed ([`record`]): a segment cut short is read up to its last
//! whole record. A lock file keeps a second process on the same data dir off the journal.

pub mod record;
mod segment;

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use self::record::Encoder;
pub use self::segment::Segment;
use self::segment::{list_segments, segment_path, MappedSegment};
use super::event::UsageEvent;
use super::queue::UsageSink;

/// How the journal writes and syncs.
#[derive(Debug, Clone)]
pub struct JournalConfig {
    /// The length of a segment (allocated when it is begun); a new one is begun when the
    /// current one has no room for an append.
    pub segment_bytes: u64,
    /// How often written bytes are made durable (`fdatasync`): the most a power cut loses.
    pub sync_interval: Duration,
}

impl Default for JournalConfig {
    fn default() -> Self {
        JournalConfig {
            segment_bytes: 4 << 20,
            sync_interval: Duration::from_secs(1),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("the usage journal in {0} is in use by another process")]
    Locked(PathBuf),
    #[error("usage journal: {0}")]
    Io(#[from] io::Error),
    #[error("replaying the usage journal: {0}")]
    Replay(String),
}

/// The journal of one data dir.
pub struct Journal {
    inner: Arc<Inner>,
    syncer: Mutex<Option<JoinHandle<()>>>,
}

struct Inner {
    dir: PathBuf,
    config: JournalConfig,
    state: Mutex<State>,
    /// Wakes the syncer early (on close).
    wake: Condvar,
    /// The lock file, locked until the journal is closed or dropped.
    _lock: File,
}

struct State {
    /// The segment appended to.
    current: MappedSegment,
    /// Numbers the served variants of `current`'s records.
    encoder: Encoder,
    /// Where records are framed before they are copied into the segment (kept, so an append
    /// allocates nothing once it has grown).
    scratch: Vec<u8>,
    /// Earlier segments with events still to commit (a cancel record may still go to them).
    older: BTreeMap<Segment, MappedSegment>,
    /// Events appended to each live segment and not yet committed or abandoned.
    pending: BTreeMap<Segment, u64>,
    /// Segments a previous process left, to replay before serving.
    leftovers: Vec<PathBuf>,
    /// Bytes written since the last sync of `current`.
    dirty: bool,
    /// Closed segments still to sync, and whether the directory (a new segment) needs syncing.
    unsynced: Vec<File>,
    dir_dirty: bool,
    closed: bool,
}

impl State {
    /// Frames the events (their JSON `bodies`, ending at `ends`) and copies them after the
    /// current segment's last record, first beginning a new segment (at least `segment_bytes`
    /// long) when they do not fit.
    fn append(
        &mut self,
        dir: &Path,
        segment_bytes: u64,
        events: &[UsageEvent],
        bodies: &[u8],
        ends: &[usize],
    ) -> io::Result<Segment> {
        self.frame(events, bodies, ends);
        if self.current.room() < self.scratch.len() as u64 {
            // A new segment names its served variants anew (should beginning it fail, the
            // current one just numbers them again: a reader takes the latest naming).
            self.encoder.reset();
            self.frame(events, bodies, ends);
            self.rotate(dir, segment_bytes.max(self.scratch.len() as u64))?;
        }
        self.current.append(&self.scratch)?;
        self.dirty = true;
        Ok(self.current.number)
    }

    /// Frames the events' records into `scratch`.
    fn frame(&mut self, events: &[UsageEvent], bodies: &[u8], ends: &[usize]) {
        self.scratch.clear();
        let mut start = 0;
        for (event, &end) in events.iter().zip(ends) {
            self.encoder
                .frame_event(&event.served, &bodies[start..end], &mut self.scratch);
            start = end;
        }
    }

    /// Begins a new segment of `len` bytes; the old one is synced by the syncer, or deleted
    /// when it counts nothing.
    fn rotate(&mut self, dir: &Path, len: u64) -> io::Result<()> {
        let next = MappedSegment::create(dir, self.current.number + 1, len)?;
        let old = std::mem::replace(&mut self.current, next);
        self.dir_dirty = true;
        if self.pending.get(&old.number).copied().unwrap_or(0) == 0 {
            self.pending.remove(&old.number);
            let path = segment_path(dir, old.number);
            drop(old);
            let _ = std::fs::remove_file(path);
            return Ok(());
        }
        if std::mem::take(&mut self.dirty) {
            match old.handle() {
                Ok(file) => self.unsynced.push(file),
                Err(e) => tracing::warn!(error = %e, "cannot sync a usage journal segment"),
            }
        }
        self.older.insert(old.number, old);
        Ok(())
    }

    /// Counts `count` events of `segment` as done; when the segment can go, hands back its
    /// mapping (to be dropped and its file deleted outside the lock).
    fn settle(&mut self, segment: Segment, count: u64) -> Option<Option<MappedSegment>> {
        let left = self.pending.get_mut(&segment)?;
        *left = left.saturating_sub(count);
        if *left == 0 && segment != self.current.number {
            self.pending.remove(&segment);
            return Some(self.older.remove(&segment));
        }
        None
    }
}

impl Journal {
    /// Opens (creating) the journal in `dir`, locking it against other processes. Segments a
    /// previous process left are kept for [`Journal::replay`]; appends go to a new segment.
    pub fn open(dir: &Path, config: JournalConfig) -> Result<Journal, JournalError> {
        std::fs::create_dir_all(dir)?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("lock"))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(JournalError::Locked(dir.to_path_buf()))
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(e.into()),
        }
        let leftovers = list_segments(dir)?;
        let segment = leftovers.last().map_or(0, |(n, _)| n + 1);
        let state = State {
            current: MappedSegment::create(dir, segment, config.segment_bytes)?,
            encoder: Encoder::default(),
            scratch: Vec::new(),
            older: BTreeMap::new(),
            pending: BTreeMap::new(),
            leftovers: leftovers.into_iter().map(|(_, path)| path).collect(),
            dirty: false,
            unsynced: Vec::new(),
            dir_dirty: true,
            closed: false,
        };
        let inner = Arc::new(Inner {
            dir: dir.to_path_buf(),
            config,
            state: Mutex::new(state),
            wake: Condvar::new(),
            _lock: lock,
        });
        let syncer = {
            let inner = inner.clone();
            std::thread::Builder::new()
                .name("vary-usage-journal".into())
                .spawn(move || inner.sync_loop())?
        };
        Ok(Journal {
            inner,
            syncer: Mutex::new(Some(syncer)),
        })
    }

    /// Writes every event the segments of a previous process hold (but those it cancelled) to
    /// `sink`, `batch` at a time, makes them visible, and deletes those segments. Blocking; runs
    /// before the queue starts. Returns the events replayed.
    pub fn replay(&self, sink: &dyn UsageSink, batch: usize) -> Result<u64, JournalError> {
        let leftovers = std::mem::take(&mut self.inner.lock().leftovers);
        let mut replayed = 0u64;
        for path in leftovers {
            let bytes = std::fs::read(&path)?;
            let decoded = record::decode(&bytes);
            if decoded.damaged > 0 {
                tracing::warn!(segment = %path.display(), bytes = decoded.damaged, "the usage journal ends in an incomplete record (a write cut short); it is ignored");
            }
            let cancelled: std::collections::HashSet<String> =
                decoded.cancelled.into_iter().collect();
            let events: Vec<UsageEvent> = decoded
                .events
                .into_iter()
                .filter(|e| !cancelled.contains(&e.id))
                .collect();
            for chunk in events.chunks(batch.max(1)) {
                sink.write_batch(chunk)
                    .map_err(|e| JournalError::Replay(e.to_string()))?;
            }
            sink.flush()
                .map_err(|e| JournalError::Replay(e.to_string()))?;
            replayed += events.len() as u64;
            std::fs::remove_file(&path)?;
        }
        Ok(replayed)
    }

    /// Appends `events` and returns their segment. Called before the events are queued, on the
    /// request path: no system call (but when a new segment is begun), no sync; the JSON is
    /// made before the lock is taken, the records framed and copied under it.
    pub fn append(&self, events: &[UsageEvent]) -> io::Result<Segment> {
        let mut bodies = Vec::with_capacity(events.len() * 192);
        let mut ends = Vec::with_capacity(events.len());
        for event in events {
            record::encode_event_body(event, &mut bodies);
            ends.push(bodies.len());
        }
        let mut state = self.inner.lock();
        if state.closed {
            return Err(io::Error::other("the usage journal is closed"));
        }
        let segment_bytes = self.inner.config.segment_bytes;
        let segment = state.append(&self.inner.dir, segment_bytes, events, &bodies, &ends)?;
        *state.pending.entry(segment).or_insert(0) += events.len() as u64;
        Ok(segment)
    }

    /// Counts events as committed to the database: `(segment, events)` pairs. Segments left with
    /// nothing to commit are deleted.
    pub fn committed(&self, done: &[(Segment, u64)]) {
        let mut gone = Vec::new();
        {
            let mut state = self.inner.lock();
            for &(segment, count) in done {
                if let Some(mapping) = state.settle(segment, count) {
                    gone.push((segment, mapping));
                }
            }
        }
        for (segment, mapping) in gone {
            drop(mapping);
            if let Err(e) = std::fs::remove_file(segment_path(&self.inner.dir, segment)) {
                tracing::warn!(error = %e, segment, "cannot delete a usage journal segment");
            }
        }
    }

    /// Gives up events journaled in `segment` that were never queued (their answer failed): a
    /// cancel record keeps replay from storing them, and they no longer hold the segment.
    pub fn abandon<'a>(&self, segment: Segment, events: impl Iterator<Item = &'a UsageEvent>) {
        let ids: Vec<&str> = events.map(|e| e.id.as_str()).collect();
        let mut bytes = Vec::new();
        record::encode_cancel(&ids, &mut bytes);
        let mut state = self.inner.lock();
        let written = if segment == state.current.number {
            state.current.append(&bytes)
        } else {
            match state.older.get_mut(&segment) {
                Some(older) => older.append(&bytes),
                None => Err(io::Error::other("the segment is gone")),
            }
        };
        match written {
            Ok(()) if segment == state.current.number => state.dirty = true,
            Ok(()) => {}
            Err(e) => {
                tracing::error!(error = %e, "cannot journal that usage events were given up; a restart may record them")
            }
        }
        if let Some(mapping) = state.settle(segment, ids.len() as u64) {
            drop(state);
            drop(mapping);
            let _ = std::fs::remove_file(segment_path(&self.inner.dir, segment));
        }
    }

    /// After the queue has drained: syncs, deletes every segment with nothing left to commit,
    /// and stops the syncer. Appends fail from now on.
    pub fn close(&self) {
        {
            let mut state = self.inner.lock();
            state.closed = true;
            if let Err(e) = state.current.sync() {
                tracing::warn!(error = %e, "cannot sync the usage journal");
            }
            let current = state.current.number;
            let mut empty: Vec<Segment> = state
                .pending
                .iter()
                .filter(|(_, left)| **left == 0)
                .map(|(segment, _)| *segment)
                .collect();
            if state.pending.get(&current).copied().unwrap_or(0) == 0 && !empty.contains(&current) {
                empty.push(current);
            }
            for segment in empty {
                state.pending.remove(&segment);
                state.older.remove(&segment);
                let _ = std::fs::remove_file(segment_path(&self.inner.dir, segment));
            }
        }
        self.stop_syncer();
        // Another process (a restart in the same process, in tests) may take the journal now.
        let _ = self.inner._lock.unlock();
    }

    fn stop_syncer(&self) {
        self.inner.wake.notify_all();
        let handle = self.syncer.lock().expect("syncer handle lock").take();
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }

    /// Events appended and not yet committed or abandoned (tests, metrics).
    pub fn pending(&self) -> u64 {
        self.inner.lock().pending.values().sum()
    }

    /// The segment files on disk now (tests).
    pub fn segments(&self) -> usize {
        list_segments(&self.inner.dir).map_or(0, |s| s.len())
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        self.inner.lock().closed = true;
        self.stop_syncer();
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Every `sync_interval`: makes what was written durable, outside the lock (appends go on
    /// meanwhile), until the journal is closed.
    fn sync_loop(&self) {
        loop {
            let (current, unsynced, dir_dirty) = {
                let state = self.lock();
                let (mut state, _) = self
                    .wake
                    .wait_timeout_while(state, self.config.sync_interval, |s| !s.closed)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                if state.closed {
                    return;
                }
                let current = if std::mem::take(&mut state.dirty) {
                    state.current.handle().ok()
                } else {
                    None
                };
                let dir_dirty = std::mem::take(&mut state.dir_dirty);
                (current, std::mem::take(&mut state.unsynced), dir_dirty)
            };
            for file in unsynced.iter().chain(current.as_ref()) {
                if let Err(e) = file.sync_data() {
                    tracing::warn!(error = %e, "cannot sync the usage journal");
                }
            }
            if dir_dirty {
                if let Err(e) = File::open(&self.dir).and_then(|d| d.sync_all()) {
                    tracing::warn!(error = %e, "cannot sync the usage journal's directory");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
