//! Search: the tantivy content index behind `search` (editors) and `searchContent` (apps).
//!
//! - [`schema`]: one document per variant, text analysed per language (English and German
//!   stemmers, a plain analyser otherwise), brand/type/status/locale as exact terms, tags as
//!   facets, quality as a fast field.
//! - [`index`]: opening the index on disk (recreated when missing or unreadable, so the caller
//!   rebuilds it from the database) and the single writer thread fed through a channel, which
//!   commits at most [`CONTENT_WRITER`]'s commit interval after a change and reloads readers.
//! - [`query`]: forgiving query parsing, filters, relevance order, tag facets, snippets, offset
//!   cursors.
//!
//! Depends on nothing else of ours: callers turn variants into [`VariantDoc`]s and hits back into
//! variants; the database stays the source of truth and the index can always be rebuilt from it.

pub mod index;
pub mod query;
pub mod schema;

pub use index::{ContentIndex, CONTENT_WRITER};
pub use query::{SearchHit, SearchQuery, SearchResults};

/// What the index holds about one variant.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VariantDoc {
    pub variant_id: String,
    pub entry_id: String,
    pub entry_key: String,
    /// The brand's slug.
    pub brand: String,
    pub content_type: String,
    /// The workflow status, as the API names it (`DRAFT`, `PUBLISHED`, …).
    pub status: String,
    /// The variant's locale, or the brand's default when it has none; picks the analyser.
    pub locale: Option<String>,
    /// Whether a revision of it is live (delivery may serve it).
    pub published: bool,
    pub tags: Vec<String>,
    pub quality: f64,
    pub name: String,
    /// The text of its fields (text, rich text, URLs), one value per field.
    pub texts: Vec<String>,
    /// The variant's version when the document was made: at start, documents whose version
    /// differs from the database's are made again (see `content::search_sync`).
    pub version: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("the search index writer has stopped")]
    Closed,
    #[error("`after` is not a cursor this search gave out")]
    BadCursor,
}

impl SearchError {
    /// Whether another writer (another process on the same directory) holds the index.
    pub fn is_locked(&self) -> bool {
        matches!(
            self,
            SearchError::Index(tantivy::TantivyError::LockFailure(..))
        )
    }
}

pub type SearchResult<T> = Result<T, SearchError>;
