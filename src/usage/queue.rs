//! The usage queue: a bounded channel in front of one batch-writer task.
//!
//! Delivery must never wait on disk, so recording an event only puts it on a bounded tokio
//! channel. One writer task takes events off in batches (up to `batch_size`, or whatever arrived
//! within `linger` of the first) and hands each batch to a [`UsageSink`] on the blocking pool.
//! While it gathers a batch the writer sleeps rather than waiting on the channel, so a busy
//! server does not wake it once per event: only the first event of a batch, a full batch, a full
//! channel, a flush or a shutdown wakes it early.
//!
//! Nothing is dropped: when the channel is full a sender waits up to `send_timeout` for room and
//! only then reports [`QueueError::Full`]; a batch the sink fails to write is retried with
//! backoff, which is safe because every event carries an id and sinks ignore ids they already
//! hold. [`UsageQueue::flush`] waits until everything queued before it is written (so a
//! `servedId` can be tracked right after it was sent), and [`UsageQueue::shutdown`] drains the
//! channel before returning (SIGTERM).
//!
//! With a [`Journal`] ([`UsageQueue::start_journaled`]), events are appended to it before they
//! are queued, and the writer tells it which were committed, so that a killed process loses
//! nothing it answered; events that could not be queued are given up in the journal too.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, Notify};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::event::UsageEvent;
use super::journal::{Journal, Segment};

#[cfg(test)]
mod memory;
#[cfg(test)]
pub use memory::MemorySink;

/// Why a sink could not write a batch; the queue logs it and retries.
pub type SinkError = Box<dyn std::error::Error + Send + Sync>;

/// Where batches of events end up (the database, an index, memory in tests). Called on the
/// blocking pool, one batch at a time; must ignore events whose id it already holds.
pub trait UsageSink: Send + Sync + 'static {
    fn write_batch(&self, events: &[UsageEvent]) -> Result<(), SinkError>;

    /// Makes everything written so far visible to readers (e.g. commits an index). Called
    /// before a [`UsageQueue::flush`] returns and at shutdown.
    fn flush(&self) -> Result<(), SinkError> {
        Ok(())
    }
}

/// How the queue batches and waits.
#[derive(Debug, Clone)]
pub struct QueueConfig {
    /// Events the channel holds before senders wait.
    pub capacity: usize,
    /// The most events handed to the sink at once.
    pub batch_size: usize,
    /// How long the writer gathers more events after the first of a batch.
    pub linger: Duration,
    /// How long a sender waits for room before giving up.
    pub send_timeout: Duration,
    /// Write attempts per batch once shutting down (while running it retries until it succeeds).
    pub attempts_on_shutdown: u32,
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            capacity: 50_000,
            // Small batches, often: a batch takes the writer a core for about a millisecond,
            // where 2,000 events (and 100 ms of linger) held it for several and showed in
            // delivery's p99 under load.
            batch_size: 500,
            linger: Duration::from_millis(25),
            send_timeout: Duration::from_secs(2),
            attempts_on_shutdown: 5,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    #[error("the usage queue stayed full; the event was not recorded")]
    Full,
    #[error("the usage queue is shut down")]
    Closed,
    #[error("the usage journal cannot be written: {0}")]
    Journal(String),
    #[error("storage full: the usage journal cannot grow")]
    StorageFull,
}

/// Counters for metrics and tests.
#[derive(Debug, Default)]
pub struct QueueStats {
    pub enqueued: AtomicU64,
    pub written: AtomicU64,
    pub failed_writes: AtomicU64,
    pub dropped: AtomicU64,
}

enum Message {
    /// An event, and the journal segment it was appended to.
    Event(Box<UsageEvent>, Option<Segment>),
    Flush(oneshot::Sender<()>),
    Shutdown(oneshot::Sender<()>),
}

/// The sending side; cheap to share behind an `Arc`.
pub struct UsageQueue {
    tx: mpsc::Sender<Message>,
    /// Wakes the writer before its linger ends: a batch is full, or someone waits.
    urgent: Arc<Notify>,
    /// Queued events at which a batch is full.
    batch_size: usize,
    send_timeout: Duration,
    writer: Mutex<Option<JoinHandle<()>>>,
    stats: Arc<QueueStats>,
    journal: Option<Arc<Journal>>,
}

impl UsageQueue {
    /// Starts the writer task on the current tokio runtime.
    pub fn start(sink: Arc<dyn UsageSink>, config: QueueConfig) -> UsageQueue {
        Self::launch(sink, config, None)
    }

    /// Starts the writer task, every event journaled before it is queued (see [`Journal`]).
    pub fn start_journaled(
        sink: Arc<dyn UsageSink>,
        config: QueueConfig,
        journal: Arc<Journal>,
    ) -> UsageQueue {
        Self::launch(sink, config, Some(journal))
    }

    fn launch(
        sink: Arc<dyn UsageSink>,
        mut config: QueueConfig,
        journal: Option<Arc<Journal>>,
    ) -> UsageQueue {
        config.capacity = config.capacity.max(1);
        config.batch_size = config.batch_size.clamp(1, config.capacity);
        let (tx, rx) = mpsc::channel(config.capacity);
        let stats = Arc::new(QueueStats::default());
        let (send_timeout, batch_size) = (config.send_timeout, config.batch_size);
        let urgent = Arc::new(Notify::new());
        let writer = Writer {
            rx,
            sink,
            config,
            stats: stats.clone(),
            urgent: urgent.clone(),
            journal: journal.clone(),
        };
        let handle = tokio::spawn(writer.run());
        UsageQueue {
            tx,
            urgent,
            batch_size,
            send_timeout,
            writer: Mutex::new(Some(handle)),
            stats,
            journal,
        }
    }

    /// Events in the channel now.
    fn queued(&self) -> usize {
        self.tx.max_capacity() - self.tx.capacity()
    }

    /// Queues one event (journaled first, when there is a journal), waiting briefly for room
    /// when the queue is full.
    pub async fn record(&self, event: UsageEvent) -> Result<(), QueueError> {
        let segment = self.journal(std::slice::from_ref(&event))?;
        match self.enqueue(Box::new(event), segment).await {
            Ok(()) => Ok(()),
            Err((error, event)) => {
                self.abandon(segment, std::iter::once(&*event));
                Err(error)
            }
        }
    }

    /// Queues several events in order, journaled in one write first. When one cannot be queued,
    /// it and those after it are given up (and the error returned).
    pub async fn record_all(&self, events: Vec<UsageEvent>) -> Result<(), QueueError> {
        let segment = self.journal(&events)?;
        let mut events = events.into_iter();
        while let Some(event) = events.next() {
            if let Err((error, event)) = self.enqueue(Box::new(event), segment).await {
                let rest: Vec<UsageEvent> = events.collect();
                self.abandon(segment, std::iter::once(&*event).chain(&rest));
                return Err(error);
            }
        }
        Ok(())
    }

    /// Appends events to the journal, when there is one; its segment.
    fn journal(&self, events: &[UsageEvent]) -> Result<Option<Segment>, QueueError> {
        match &self.journal {
            None => Ok(None),
            Some(_) if events.is_empty() => Ok(None),
            Some(journal) => journal.append(events).map(Some).map_err(|e| {
                if e.kind() == std::io::ErrorKind::StorageFull {
                    QueueError::StorageFull
                } else {
                    QueueError::Journal(e.to_string())
                }
            }),
        }
    }

    fn abandon<'a>(&self, segment: Option<Segment>, events: impl Iterator<Item = &'a UsageEvent>) {
        if let (Some(journal), Some(segment)) = (&self.journal, segment) {
            journal.abandon(segment, events);
        }
    }

    /// Puts one event on the channel; the usual case, room in the queue, needs no timer. On
    /// failure the event comes back with the error.
    async fn enqueue(
        &self,
        event: Box<UsageEvent>,
        segment: Option<Segment>,
    ) -> Result<(), (QueueError, Box<UsageEvent>)> {
        let message = match self.tx.try_send(Message::Event(event, segment)) {
            Ok(()) => {
                self.stats.enqueued.fetch_add(1, Ordering::Relaxed);
                if self.queued() >= self.batch_size {
                    self.urgent.notify_one();
                }
                return Ok(());
            }
            Err(mpsc::error::TrySendError::Closed(m)) => {
                return Err((QueueError::Closed, event_of(m)))
            }
            Err(mpsc::error::TrySendError::Full(message)) => message,
        };
        self.urgent.notify_one();
        match self.tx.send_timeout(message, self.send_timeout).await {
            Ok(()) => {
                self.stats.enqueued.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Err(mpsc::error::SendTimeoutError::Timeout(m)) => Err((QueueError::Full, event_of(m))),
            Err(mpsc::error::SendTimeoutError::Closed(m)) => Err((QueueError::Closed, event_of(m))),
        }
    }

    /// Returns once every event queued before this call has been written.
    pub async fn flush(&self) -> Result<(), QueueError> {
        let (done, wait) = oneshot::channel();
        self.tx
            .send(Message::Flush(done))
            .await
            .map_err(|_| QueueError::Closed)?;
        self.urgent.notify_one();
        wait.await.map_err(|_| QueueError::Closed)
    }

    /// Stops accepting events, writes everything still queued, and stops the writer.
    pub async fn shutdown(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Message::Shutdown(done)).await.is_ok() {
            self.urgent.notify_one();
            let _ = wait.await;
        }
        let handle = self.writer.lock().expect("writer handle lock").take();
        if let Some(handle) = handle {
            let _ = handle.await;
        }
    }

    pub fn stats(&self) -> &QueueStats {
        &self.stats
    }

    /// Events queued but not yet written.
    pub fn pending(&self) -> u64 {
        let written =
            self.stats.written.load(Ordering::Relaxed) + self.stats.dropped.load(Ordering::Relaxed);
        self.stats
            .enqueued
            .load(Ordering::Relaxed)
            .saturating_sub(written)
    }
}

/// The event a message returned by the channel carried (only events are sent that way).
fn event_of(message: Message) -> Box<UsageEvent> {
    match message {
        Message::Event(event, _) => event,
        Message::Flush(_) | Message::Shutdown(_) => unreachable!("only events come back unsent"),
    }
}

struct Writer {
    rx: mpsc::Receiver<Message>,
    sink: Arc<dyn UsageSink>,
    config: QueueConfig,
    stats: Arc<QueueStats>,
    urgent: Arc<Notify>,
    journal: Option<Arc<Journal>>,
}

/// What one round of gathering produced.
#[derive(Default)]
struct Round {
    events: Vec<UsageEvent>,
    /// The journal segments of `events`, as runs: (segment, events).
    segments: Vec<(Segment, u64)>,
    flushes: Vec<oneshot::Sender<()>>,
    shutdown: Option<oneshot::Sender<()>>,
    closed: bool,
}

impl Round {
    fn absorb(&mut self, message: Message) {
        match message {
            Message::Event(event, segment) => {
                self.events.push(*event);
                if let Some(segment) = segment {
                    match self.segments.last_mut() {
                        Some((last, count)) if *last == segment => *count += 1,
                        _ => self.segments.push((segment, 1)),
                    }
                }
            }
            Message::Flush(done) => self.flushes.push(done),
            Message::Shutdown(done) => self.shutdown = Some(done),
        }
    }

    /// Whether to stop gathering and write now.
    fn must_write(&self, batch_size: usize) -> bool {
        self.events.len() >= batch_size
            || !self.flushes.is_empty()
            || self.shutdown.is_some()
            || self.closed
    }
}

impl Writer {
    async fn run(mut self) {
        loop {
            let round = self.gather().await;
            let stopping = round.shutdown.is_some() || round.closed;
            self.write(round.events, round.segments, stopping).await;
            if !round.flushes.is_empty() || stopping {
                self.flush_sink().await;
            }
            for done in round.flushes {
                let _ = done.send(());
            }
            if stopping {
                self.drain().await;
                if let Some(done) = round.shutdown {
                    let _ = done.send(());
                }
                return;
            }
        }
    }

    /// Waits for a first message, then gathers more until the batch is full, `linger` passed,
    /// or someone waits on a flush or shutdown. Between looks at the channel it sleeps until
    /// the deadline or an urgent wake-up, never once per event.
    async fn gather(&mut self) -> Round {
        // Room for a full batch up front: a growing batch would be copied at every doubling.
        let mut round = Round {
            events: Vec::with_capacity(self.config.batch_size),
            ..Round::default()
        };
        match self.rx.recv().await {
            Some(message) => round.absorb(message),
            None => {
                round.closed = true;
                return round;
            }
        }
        let deadline = Instant::now() + self.config.linger;
        loop {
            self.take_queued(&mut round);
            if round.must_write(self.config.batch_size) {
                return round;
            }
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => {
                    self.take_queued(&mut round);
                    return round;
                }
                _ = self.urgent.notified() => {}
            }
        }
    }

    /// Moves what the channel holds now into `round`, up to a full batch.
    fn take_queued(&mut self, round: &mut Round) {
        while !round.must_write(self.config.batch_size) {
            match self.rx.try_recv() {
                Ok(message) => round.absorb(message),
                Err(mpsc::error::TryRecvError::Empty) => return,
                Err(mpsc::error::TryRecvError::Disconnected) => round.closed = true,
            }
        }
    }

    /// After a shutdown: refuse new events, write whatever is still in the channel.
    async fn drain(&mut self) {
        self.rx.close();
        let mut rest = Round::default();
        while let Some(message) = self.rx.recv().await {
            rest.absorb(message);
            if rest.events.len() >= self.config.batch_size {
                let (events, segments) = (
                    std::mem::take(&mut rest.events),
                    std::mem::take(&mut rest.segments),
                );
                self.write(events, segments, true).await;
            }
        }
        self.write(rest.events, rest.segments, true).await;
        self.flush_sink().await;
        for done in rest.flushes.into_iter().chain(rest.shutdown) {
            let _ = done.send(());
        }
    }

    /// Asks the sink to make what it wrote visible; a failure is logged (the data is stored).
    async fn flush_sink(&self) {
        let sink = self.sink.clone();
        match tokio::task::spawn_blocking(move || sink.flush()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "could not flush the usage sink"),
            Err(panic) => tracing::error!(error = %panic, "the usage sink panicked while flushing"),
        }
    }

    /// Hands a batch to the sink on the blocking pool, retrying with backoff; rewriting a batch
    /// is harmless because sinks ignore ids they hold. Once written, the journal is told; a
    /// batch given up at shutdown stays in the journal, to be replayed at the next start.
    async fn write(&self, events: Vec<UsageEvent>, segments: Vec<(Segment, u64)>, stopping: bool) {
        if events.is_empty() {
            return;
        }
        let count = events.len() as u64;
        let batch = Arc::new(events);
        let mut backoff = Duration::from_millis(50);
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let (sink, shared) = (self.sink.clone(), batch.clone());
            let outcome = tokio::task::spawn_blocking(move || sink.write_batch(&shared)).await;
            let error = match outcome {
                Ok(Ok(())) => {
                    self.stats.written.fetch_add(count, Ordering::Relaxed);
                    if let Some(journal) = &self.journal {
                        journal.committed(&segments);
                    }
                    return;
                }
                Ok(Err(e)) => e.to_string(),
                Err(panic) => format!("the sink panicked: {panic}"),
            };
            self.stats.failed_writes.fetch_add(1, Ordering::Relaxed);
            if stopping && attempts >= self.config.attempts_on_shutdown {
                tracing::error!(events = count, error = %error, "usage events could not be written before shutdown");
                self.stats.dropped.fetch_add(count, Ordering::Relaxed);
                return;
            }
            tracing::warn!(events = count, attempt = attempts, error = %error, "writing usage events failed; retrying");
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
    }
}

#[cfg(test)]
mod tests;
