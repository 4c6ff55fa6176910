//! The content index: opening it, and its single writer.
//!
//! One thread owns the `IndexWriter` and takes changes from a channel ([`crate::index_writer`]):
//! it commits once `commit_interval` has passed since the first uncommitted change (or at once
//! when asked to flush), then reloads the reader: readers never block on the writer, and a search
//! sees a change at most about one interval after it was sent. Readers use
//! `ReloadPolicy::Manual` so that a flush is visible as soon as it returns.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::mpsc;
use std::sync::Mutex;
use std::time::Duration;

use tantivy::query::QueryParser;
use tantivy::schema::Term;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument};
use tokio::sync::oneshot;

use super::schema::{self, Fields};
use super::{SearchError, SearchResult, VariantDoc};
use crate::index_writer::{Committer, WriterConfig};

/// The content index's writer: a change is searchable within half a second.
pub const CONTENT_WRITER: WriterConfig = WriterConfig {
    commit_interval: Duration::from_millis(500),
    writer_memory: 30_000_000,
};

/// Called with the number of documents written so far during a rebuild.
pub type Progress = Box<dyn FnMut(usize) + Send>;

type Reply = oneshot::Sender<Result<(), String>>;

enum Op {
    Upsert(Box<VariantDoc>),
    Delete(String),
    Rebuild(Vec<VariantDoc>, Option<Progress>, Reply),
    Flush(Reply),
    Shutdown(Reply),
}

/// The index, its reader, and the channel to its writer.
pub struct ContentIndex {
    pub(super) reader: IndexReader,
    pub(super) fields: Fields,
    pub(super) parser: QueryParser,
    ops: mpsc::Sender<Op>,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
    created: bool,
    /// See [`crate::index_writer::Committer::health`].
    healthy: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// Opens the index in `dir`, or creates it when it is missing, unreadable or of another schema.
/// The second value says whether it was created (and so must be rebuilt from the database).
fn open_or_recreate(dir: &Path) -> SearchResult<(Index, bool)> {
    let (schema, _) = schema::build();
    std::fs::create_dir_all(dir)?;
    if dir.join("meta.json").exists() {
        match Index::open_in_dir(dir) {
            Ok(index) if index.schema() == schema => return Ok((index, false)),
            Ok(_) => {
                tracing::warn!(dir = %dir.display(), "the search index has another schema; recreating it")
            }
            Err(e) => {
                tracing::warn!(dir = %dir.display(), error = %e, "the search index is unreadable; recreating it")
            }
        }
        std::fs::remove_dir_all(dir)?;
        std::fs::create_dir_all(dir)?;
    }
    Ok((Index::create_in_dir(dir, schema)?, true))
}

impl ContentIndex {
    /// Opens (or creates) the index on disk and starts its writer thread.
    pub fn open(dir: &Path, config: WriterConfig) -> SearchResult<ContentIndex> {
        let (index, created) = open_or_recreate(dir)?;
        Self::start(index, created, config)
    }

    /// An index in memory (tests).
    pub fn in_ram(config: WriterConfig) -> SearchResult<ContentIndex> {
        Self::start(Index::create_in_ram(schema::build().0), true, config)
    }

    fn start(index: Index, created: bool, config: WriterConfig) -> SearchResult<ContentIndex> {
        schema::register_analyzers(&index);
        let fields = fields_of(&index)?;
        let writer: IndexWriter<TantivyDocument> =
            index.writer_with_num_threads(1, config.writer_memory)?;
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let mut parser = QueryParser::for_index(&index, fields.texts().to_vec());
        parser.set_conjunction_by_default();
        let (ops, rx) = mpsc::channel();
        let committer = Committer::new(writer, reader.clone(), config.commit_interval, "search");
        let healthy = committer.health();
        let worker = WriterThread { fields };
        let handle = std::thread::Builder::new()
            .name("vary-search-writer".into())
            .spawn(move || committer.run(rx, |index, op| worker.handle(index, op)))?;
        Ok(ContentIndex {
            reader,
            fields,
            parser,
            ops,
            writer: Mutex::new(Some(handle)),
            created,
            healthy,
        })
    }

    /// Whether the index takes writes (its writer runs and its last commit succeeded).
    pub fn healthy(&self) -> bool {
        self.healthy.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Whether the index was created empty on open and should be rebuilt from the database.
    pub fn needs_rebuild(&self) -> bool {
        self.created
    }

    /// Adds or replaces a variant's document; visible within the commit interval.
    pub fn upsert(&self, doc: VariantDoc) -> SearchResult<()> {
        self.ops
            .send(Op::Upsert(Box::new(doc)))
            .map_err(|_| SearchError::Closed)
    }

    /// Removes a variant's document.
    pub fn delete(&self, variant_id: &str) -> SearchResult<()> {
        self.ops
            .send(Op::Delete(variant_id.to_string()))
            .map_err(|_| SearchError::Closed)
    }

    /// Replaces the whole index with `docs`, in one commit; returns once it is searchable.
    pub async fn rebuild(
        &self,
        docs: Vec<VariantDoc>,
        progress: Option<Progress>,
    ) -> SearchResult<()> {
        self.ask(|reply| Op::Rebuild(docs, progress, reply)).await
    }

    /// Commits pending changes now; returns once they are searchable.
    pub async fn flush(&self) -> SearchResult<()> {
        self.ask(Op::Flush).await
    }

    /// Commits pending changes and stops the writer.
    pub async fn shutdown(&self) -> SearchResult<()> {
        let outcome = self.ask(Op::Shutdown).await;
        let handle = self.writer.lock().expect("writer handle lock").take();
        if let Some(handle) = handle {
            let _ = tokio::task::spawn_blocking(move || handle.join()).await;
        }
        outcome
    }

    async fn ask(&self, op: impl FnOnce(Reply) -> Op) -> SearchResult<()> {
        let (reply, answer) = oneshot::channel();
        self.ops.send(op(reply)).map_err(|_| SearchError::Closed)?;
        match answer.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => Err(SearchError::Index(tantivy::TantivyError::InternalError(
                message,
            ))),
            Err(_) => Err(SearchError::Closed),
        }
    }

    /// Documents currently searchable.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Every searchable variant's id and the version its document was made from, read from the
    /// fast fields (reading them also proves the segments readable).
    pub fn indexed_versions(&self) -> SearchResult<HashMap<String, u64>> {
        let searcher = self.reader.searcher();
        let mut versions = HashMap::new();
        let mut id = String::new();
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            let Some(ids) = fast.str("variant_id")? else {
                continue;
            };
            let numbers = fast.u64("version")?;
            for doc in segment.doc_ids_alive() {
                let (Some(ord), Some(version)) = (ids.term_ords(doc).next(), numbers.first(doc))
                else {
                    continue;
                };
                id.clear();
                if ids.ord_to_str(ord, &mut id)? {
                    versions.insert(id.clone(), version);
                }
            }
        }
        Ok(versions)
    }
}

fn fields_of(index: &Index) -> SearchResult<Fields> {
    let schema = index.schema();
    let f = |name: &str| schema.get_field(name);
    Ok(Fields {
        variant_id: f("variant_id")?,
        entry_id: f("entry_id")?,
        entry_key: f("entry_key")?,
        brand: f("brand")?,
        content_type: f("content_type")?,
        status: f("status")?,
        locale: f("locale")?,
        published: f("published")?,
        tags: f("tags")?,
        quality: f("quality")?,
        version: f("version")?,
        text_en: f("text_en")?,
        text_de: f("text_de")?,
        text_plain: f("text_plain")?,
    })
}

/// What the writer thread applies to the index.
struct WriterThread {
    fields: Fields,
}

impl WriterThread {
    fn handle(&self, index: &mut Committer, op: Op) -> ControlFlow<()> {
        match op {
            Op::Upsert(doc) => {
                let writer = index.writer();
                writer.delete_term(Term::from_field_text(
                    self.fields.variant_id,
                    &doc.variant_id,
                ));
                if let Err(e) = writer.add_document(schema::document(&self.fields, &doc)) {
                    tracing::error!(variant = %doc.variant_id, error = %e, "could not index a variant");
                }
                index.changed();
            }
            Op::Delete(id) => {
                index
                    .writer()
                    .delete_term(Term::from_field_text(self.fields.variant_id, &id));
                index.changed();
            }
            Op::Rebuild(docs, progress, reply) => {
                let _ = reply.send(self.rebuild(index, docs, progress));
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

    fn rebuild(
        &self,
        index: &mut Committer,
        docs: Vec<VariantDoc>,
        mut progress: Option<Progress>,
    ) -> Result<(), String> {
        let writer = index.writer();
        writer.delete_all_documents().map_err(|e| e.to_string())?;
        for (done, doc) in docs.iter().enumerate() {
            writer
                .add_document(schema::document(&self.fields, doc))
                .map_err(|e| e.to_string())?;
            if let Some(report) = progress.as_mut() {
                if (done + 1) % 1_000 == 0 || done + 1 == docs.len() {
                    report(done + 1);
                }
            }
        }
        index.changed();
        index.commit()
    }
}
