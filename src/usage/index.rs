//! The usage index: every stored event as one tantivy document of fast fields, for reports.
//!
//! The database stays the source of truth; this index is derived from it and can always be
//! rebuilt ([`UsageIndex::rebuild`]). The queue's batch writer stores a batch in the database
//! first and hands this index only the events the database took as new, so an event is indexed
//! once even when a batch is written twice. One thread owns the tantivy writer
//! ([`crate::index_writer`]); it commits at most `commit_interval` after the first uncommitted
//! event (or at once on [`UsageIndex::flush`]) and then reloads the reader, so a report sees an
//! event within about a second.
//!
//! A report ([`UsageIndex::report`]) selects a time range (a fast-field range) and counts the
//! brand's events in it with [`super::grouping`], giving the same rows as the database's
//! `GROUP BY`.

use std::ops::{Bound, ControlFlow};
use std::path::Path;
use std::sync::mpsc;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tantivy::indexer::UserOperation;
use tantivy::query::RangeQuery;
use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, Schema, TantivyDocument, Term, FAST, STRING,
};
use tantivy::{DateTime as TantivyDate, Index, IndexReader, IndexWriter, ReloadPolicy};

use super::event::{UsageEvent, UsageKind};
use super::grouping;
use super::report::{UsageDimension, UsageRow};
use crate::index_writer::{Committer, WriterConfig};

/// Errors of the usage index, as text (they are logged, or shown by `vary reindex`).
pub type IndexError = String;

/// How [`UsageIndex::open`] begins the error for a directory another process's writer holds.
const LOCKED: &str = "the usage index is in use by another process";

/// Whether `error` says another process holds the index (a second `vary` on the same data dir).
pub fn is_locked(error: &IndexError) -> bool {
    error.starts_with(LOCKED)
}

/// The usage index's writer: with the queue's 100 ms linger, an event is reportable within
/// 0.9 s (the contract allows one second).
pub const USAGE_WRITER: WriterConfig = WriterConfig {
    commit_interval: Duration::from_millis(800),
    writer_memory: 64_000_000,
};

#[derive(Debug, Clone, Copy)]
struct Fields {
    kind: Field,
    at: Field,
    served: Field,
    impression: [Field; 2],
    value: Field,
    brand: Field,
    person: Field,
    experiment: Field,
    person_key: [Field; 2],
}

/// Names of the columns, as [`grouping`] reads them.
const COLUMNS: grouping::Columns<'static> = grouping::Columns {
    served: "served",
    at: "at",
    kind: "kind",
    impression: ["impression_high", "impression_low"],
    value: "value",
};

fn schema() -> (Schema, Fields) {
    // Reports read only fast columns. The time range is answered from the `at` column; what was
    // served, brand first, is one text value (see `grouping::served_value`), so a brand's events
    // are a range of its term ordinals; the day is derived from `at`; event ids, unique per
    // event, are not kept at all (the database holds them). The fewer values per event, the less
    // recording costs: the only postings are the two terms deletions need (below).
    let mut b = Schema::builder();
    let kind = b.add_u64_field(COLUMNS.kind, FAST);
    // Microseconds, as the database keeps them, so a report's bounds cut exactly where SQL's do.
    let at = b.add_date_field(
        COLUMNS.at,
        DateOptions::from(FAST).set_precision(DateTimePrecision::Microseconds),
    );
    let served = b.add_text_field(COLUMNS.served, FAST);
    // Clicks and conversions only: the impression they name, so a report counts answers, not
    // events; conversions: their value.
    let impression = COLUMNS.impression.map(|name| b.add_u64_field(name, FAST));
    let value = b.add_f64_field(COLUMNS.value, FAST);
    // The two indexed values, for deleting (see `forget`): the brand, so that events past its
    // retention go by brand and time, and for events with a user key the person (brand and
    // hashed key), so that forgetting a person deletes exactly their events.
    let brand = b.add_text_field("brand", STRING);
    let person = b.add_text_field("person", STRING);
    // Enrolled answers' events only: the experiment (indexed, so its report reads its own events
    // and no others) and the person as 128 bits of their hashed user key (fast, so the report
    // counts distinct people from columns). See `arms`.
    let experiment = b.add_text_field(arms::EXPERIMENT, STRING);
    let person_key = arms::PERSON.map(|name| b.add_u64_field(name, FAST));
    let fields = Fields {
        kind,
        at,
        served,
        impression,
        value,
        brand,
        person,
        experiment,
        person_key,
    };
    (b.build(), fields)
}

fn kind_code(kind: UsageKind) -> u64 {
    match kind {
        UsageKind::Impression => 0,
        UsageKind::Click => 1,
        UsageKind::Conversion => 2,
    }
}

/// Tantivy counts nanoseconds in an i64 (years 1677 to 2262); bounds beyond are clamped, which
/// changes nothing since no event is that old or that new.
fn date(at: DateTime<Utc>) -> TantivyDate {
    const LIMIT: i64 = i64::MAX / 1_000;
    TantivyDate::from_timestamp_micros(at.timestamp_micros().clamp(-LIMIT, LIMIT))
}

/// The document of `event`; `served` is a buffer for its served tuple, reused across events.
fn document(fields: &Fields, event: &UsageEvent, served: &mut String) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_u64(fields.kind, kind_code(event.kind));
    doc.add_date(fields.at, date(event.at));
    grouping::write_served_value(event, served);
    doc.add_text(fields.served, served.as_str());
    if event.kind != UsageKind::Impression {
        let (high, low) = grouping::impression_key(&event.impression_id);
        doc.add_u64(fields.impression[0], high);
        doc.add_u64(fields.impression[1], low);
    }
    if let (UsageKind::Conversion, Some(value)) = (event.kind, event.value) {
        doc.add_f64(fields.value, value);
    }
    doc.add_text(fields.brand, &event.served.brand);
    if let Some(hash) = &event.user_key_hash {
        doc.add_text(
            fields.person,
            forget::person_term(&event.served.brand, hash),
        );
    }
    arms::add_enrollment(fields, event, &mut doc);
    doc
}

/// Called with the number of events written so far during a rebuild.
pub type Progress = Box<dyn FnMut(u64) + Send>;

type Reply = mpsc::SyncSender<Result<(), IndexError>>;

enum Op {
    /// Documents built by the caller, so events never need copying to reach this thread.
    Add(Vec<TantivyDocument>),
    Delete(forget::Deletion),
    Clear(Reply),
    Flush(Reply),
    Shutdown(Reply),
}

/// The usage index, its reader, and the channel to its writer.
pub struct UsageIndex {
    reader: IndexReader,
    fields: Fields,
    ops: mpsc::Sender<Op>,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
    created: bool,
    /// See [`crate::index_writer::Committer::health`].
    healthy: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Held (shared) by a sink from storing a batch until it has handed the batch over here,
    /// and (exclusive) by a deletion while it is handed over: a deletion that follows a commit
    /// in the database then follows that batch here too (see `forget`).
    gate: std::sync::RwLock<()>,
}

impl UsageIndex {
    /// Opens the index in `dir`, or creates it empty when it is missing, unreadable or of another
    /// schema (the caller then rebuilds it from the database). Fails when another process holds it.
    pub fn open(dir: &Path, config: WriterConfig) -> Result<UsageIndex, IndexError> {
        let (schema, _) = schema();
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        if dir.join("meta.json").exists() {
            match Index::open_in_dir(dir) {
                Ok(index) if index.schema() == schema => return Self::start(index, false, config),
                Ok(_) => {
                    tracing::warn!(dir = %dir.display(), "the usage index has another schema; recreating it")
                }
                Err(e) => {
                    tracing::warn!(dir = %dir.display(), error = %e, "the usage index is unreadable; recreating it")
                }
            }
            std::fs::remove_dir_all(dir).map_err(|e| e.to_string())?;
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        let index = Index::create_in_dir(dir, schema).map_err(|e| e.to_string())?;
        Self::start(index, true, config)
    }

    /// An index in memory (tests, and a server whose directory another process holds).
    pub fn in_ram(config: WriterConfig) -> Result<UsageIndex, IndexError> {
        Self::start(Index::create_in_ram(schema().0), true, config)
    }

    fn start(index: Index, created: bool, config: WriterConfig) -> Result<UsageIndex, IndexError> {
        let (_, fields) = schema();
        let writer: IndexWriter<TantivyDocument> = index
            .writer_with_num_threads(1, config.writer_memory)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => format!("{LOCKED}: {e}"),
                other => other.to_string(),
            })?;
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e: tantivy::TantivyError| e.to_string())?;
        let (ops, rx) = mpsc::channel();
        let committer = Committer::new(writer, reader.clone(), config.commit_interval, "usage");
        let healthy = committer.health();
        let handle = std::thread::Builder::new()
            .name("vary-usage-index".into())
            .spawn(move || committer.run(rx, apply))
            .map_err(|e| e.to_string())?;
        Ok(UsageIndex {
            reader,
            fields,
            ops,
            writer: Mutex::new(Some(handle)),
            created,
            healthy,
            gate: std::sync::RwLock::new(()),
        })
    }

    /// Whether the index takes writes (its writer runs and its last commit succeeded).
    pub fn healthy(&self) -> bool {
        self.healthy.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Whether the index was created empty on open (and so must be rebuilt from the database).
    pub fn was_created(&self) -> bool {
        self.created
    }

    /// Queues events for indexing; they become visible within the commit interval.
    pub fn add<'a>(
        &self,
        events: impl IntoIterator<Item = &'a UsageEvent>,
    ) -> Result<(), IndexError> {
        let mut served = String::new();
        let documents: Vec<TantivyDocument> = events
            .into_iter()
            .map(|event| document(&self.fields, event, &mut served))
            .collect();
        if documents.is_empty() {
            return Ok(());
        }
        self.ops.send(Op::Add(documents)).map_err(|_| closed())
    }

    /// Commits everything queued so far; returns (blocking) once a report sees it.
    pub fn flush(&self) -> Result<(), IndexError> {
        self.ask(Op::Flush)
    }

    /// Replaces the whole index with the events `each_batch` hands over, in one commit: a report
    /// keeps seeing the old state until the new one is complete. Blocking.
    pub fn rebuild(
        &self,
        mut each_batch: impl FnMut(
            &mut dyn FnMut(Vec<UsageEvent>) -> Result<(), IndexError>,
        ) -> Result<(), IndexError>,
        mut progress: Option<Progress>,
    ) -> Result<u64, IndexError> {
        self.ask(Op::Clear)?;
        let mut written = 0u64;
        each_batch(&mut |events| {
            written += events.len() as u64;
            self.add(&events)?;
            if let Some(report) = progress.as_mut() {
                report(written);
            }
            Ok(())
        })?;
        self.flush()?;
        Ok(written)
    }

    /// Commits and stops the writer (blocking).
    pub fn shutdown(&self) -> Result<(), IndexError> {
        let outcome = self.ask(Op::Shutdown);
        let handle = self.writer.lock().expect("usage index writer lock").take();
        if let Some(handle) = handle {
            let _ = handle.join();
        }
        outcome
    }

    fn ask(&self, op: impl FnOnce(Reply) -> Op) -> Result<(), IndexError> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.ops.send(op(reply)).map_err(|_| closed())?;
        answer.recv().map_err(|_| closed())?
    }

    /// Events a report can see.
    pub fn num_events(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// The report of `brand`'s events in `[from, to)` grouped by `dimensions`, in the order of
    /// the dimension values (the database's order).
    pub fn report(
        &self,
        brand: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        dimensions: &[UsageDimension],
    ) -> Result<Vec<UsageRow>, IndexError> {
        self.report_with(brand, from, to, dimensions, grouping::DENSE_LIMIT)
    }

    fn report_with(
        &self,
        brand: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        dimensions: &[UsageDimension],
        dense_limit: u64,
    ) -> Result<Vec<UsageRow>, IndexError> {
        let range = RangeQuery::new(
            Bound::Included(Term::from_field_date(self.fields.at, date(from))),
            Bound::Excluded(Term::from_field_date(self.fields.at, date(to))),
        );
        let grouped: Vec<UsageDimension> = UsageDimension::ALL
            .into_iter()
            .filter(|d| dimensions.contains(d))
            .collect();
        grouping::count(
            &self.reader.searcher(),
            &range,
            brand,
            &grouped,
            &COLUMNS,
            dense_limit,
        )
        .map_err(|e| e.to_string())
    }
}

fn closed() -> IndexError {
    "the usage index writer has stopped".to_string()
}

/// What the writer thread does with one operation.
fn apply(index: &mut Committer, op: Op) -> ControlFlow<()> {
    match op {
        Op::Add(documents) => {
            // One hand-over to tantivy's indexing thread for the whole batch, not one per event.
            if let Err(e) = index
                .writer()
                .run(documents.into_iter().map(UserOperation::Add))
            {
                tracing::error!(error = %e, "could not index usage events");
            }
            index.changed();
        }
        Op::Delete(deletion) => {
            forget::apply(index.writer(), &deletion);
            index.changed();
        }
        Op::Clear(reply) => {
            let outcome = index
                .writer()
                .delete_all_documents()
                .map(|_| ())
                .map_err(|e| e.to_string());
            index.changed();
            let _ = reply.send(outcome);
        }
        Op::Flush(reply) => {
            let _ = reply.send(index.commit());
        }
        Op::Shutdown(reply) => {
            let _ = reply.send(index.commit());
            return ControlFlow::Break(());
        }
    }
    ControlFlow::Continue(())
}

mod arms;
mod forget;

pub use arms::{ArmQuery, ArmTally, ExperimentUnit};
#[cfg(test)]
mod tests;
