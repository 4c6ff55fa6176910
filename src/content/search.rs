//! Editors' search, and keeping the content index current.
//!
//! The database is the source of truth; the tantivy index ([`crate::search::ContentIndex`]) is
//! derived from it. Every operation that saves or moves a variant records a change for it
//! (`crate::feed`), and every node hands the variant's new document to its index writer when it
//! applies that change (the writer commits at most one interval later);
//! [`Content::variant_documents`] rebuilds the whole index (`vary reindex`), and
//! `search_sync` reconciles it at start. `search` keeps each caller inside their brands.

use std::collections::HashMap;
use std::sync::Arc;

use super::Content;
use crate::auth::{Action, BrandScope, Principal};
use crate::domain::brand::Brand;
use crate::domain::entry::Entry;
use crate::domain::variant::{Variant, VariantStatus};
use crate::error::{AppError, AppResult};
use crate::search::{ContentIndex, SearchError, SearchQuery, SearchResults, VariantDoc};
use crate::store::{self, DbConnection};

/// What `search` takes.
#[derive(Debug, Clone, Default)]
pub struct SearchParams {
    pub text: String,
    pub brand: Option<String>,
    pub tags: Vec<String>,
    pub status: Option<VariantStatus>,
    pub first: Option<i32>,
    pub after: Option<String>,
}

pub const DEFAULT_SEARCH_PAGE: i32 = 20;

/// A page of hits with the variants they name.
pub struct SearchPage {
    pub results: SearchResults,
    pub variants: HashMap<String, Variant>,
}

impl From<SearchError> for AppError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::BadCursor => AppError::bad_input(e.to_string()),
            SearchError::Closed => AppError::unavailable(e),
            other => AppError::internal(other),
        }
    }
}

/// The index document of a variant: its latest revision's text, tags and locale.
pub fn variant_doc(brand: &Brand, entry: &Entry, content_type: &str, v: &Variant) -> VariantDoc {
    let content = &v.latest.content;
    let texts = match &content.fields {
        serde_json::Value::Object(map) => map
            .values()
            .filter_map(|f| f.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    VariantDoc {
        variant_id: v.record.id.clone(),
        entry_id: entry.id.clone(),
        entry_key: entry.key.clone(),
        brand: brand.slug.clone(),
        content_type: content_type.to_string(),
        status: v.record.status.as_str().to_string(),
        locale: Some(
            content
                .locale
                .clone()
                .unwrap_or_else(|| brand.default_locale.clone()),
        ),
        published: v.record.published_revision.is_some()
            && v.record.status != VariantStatus::Archived,
        tags: content.tags.clone(),
        quality: v.latest.quality.score,
        name: content.name.clone(),
        texts,
        version: v.record.version as u64,
    }
}

/// Documents for every variant of every brand (a rebuild; `vary reindex`).
pub fn all_documents(conn: &mut DbConnection) -> AppResult<Vec<VariantDoc>> {
    let brands: Vec<Brand> = store::brands::all(conn)?;
    let brand_ids: Vec<String> = brands.iter().map(|b| b.id.clone()).collect();
    let entries = store::entries::of_brands(conn, &brand_ids)?;
    let mut type_ids: Vec<String> = entries.iter().map(|e| e.content_type_id.clone()).collect();
    type_ids.sort();
    type_ids.dedup();
    let types: HashMap<String, String> = store::content_types::by_ids(conn, &type_ids)?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let by_brand: HashMap<&str, &Brand> = brands.iter().map(|b| (b.id.as_str(), b)).collect();
    let by_entry: HashMap<&str, &Entry> = entries.iter().map(|e| (e.id.as_str(), e)).collect();
    let entry_ids: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
    let mut docs = Vec::new();
    for chunk in entry_ids.chunks(1000) {
        for v in store::variants::of_entries(conn, chunk)? {
            let Some(entry) = by_entry.get(v.record.entry_id.as_str()) else {
                continue;
            };
            let Some(brand) = by_brand.get(entry.brand_id.as_str()) else {
                continue;
            };
            let type_name = types
                .get(&entry.content_type_id)
                .map(String::as_str)
                .unwrap_or("");
            docs.push(variant_doc(brand, entry, type_name, &v));
        }
    }
    Ok(docs)
}

impl Content {
    /// Keeps the content index current from now on.
    pub fn with_search(mut self, index: Arc<ContentIndex>) -> Self {
        self.search = Some(index);
        self
    }

    pub fn search_index(&self) -> Option<&Arc<ContentIndex>> {
        self.search.as_ref()
    }

    /// Every variant as an index document (for a rebuild).
    pub async fn variant_documents(&self) -> AppResult<Vec<VariantDoc>> {
        self.db.read(all_documents).await
    }

    /// Editors' search: text, tags and status within the brands the caller may read.
    pub async fn search(&self, who: &Principal, params: SearchParams) -> AppResult<SearchPage> {
        who.user()?;
        let brands = match &params.brand {
            Some(brand) => {
                who.authorize(Action::ReadContent, Some(brand))?;
                Some(vec![brand.clone()])
            }
            None => {
                who.authorize(Action::ReadContent, None)?;
                match who.scope() {
                    BrandScope::All => None,
                    BrandScope::Only(list) => Some(list),
                }
            }
        };
        let first = params.first.unwrap_or(DEFAULT_SEARCH_PAGE);
        if !(0..=crate::search::query::MAX_PAGE as i32).contains(&first) {
            return Err(AppError::bad_input("`first` must be between 0 and 100"));
        }
        let index = self
            .search
            .clone()
            .ok_or_else(|| AppError::unavailable("the search index is off"))?;
        let query = SearchQuery {
            text: params.text,
            brands,
            tags: params.tags,
            status: params.status.map(|s| s.as_str().to_string()),
            published_only: false,
            first: first as usize,
            after: params.after,
        };
        let results = tokio::task::spawn_blocking(move || index.search(&query))
            .await
            .map_err(AppError::internal)??;
        let ids: Vec<String> = results.hits.iter().map(|h| h.variant_id.clone()).collect();
        let variants = self
            .db
            .read(move |conn| {
                let mut found = HashMap::new();
                for id in ids {
                    if let Some(v) = store::variants::get(conn, &id)? {
                        found.insert(id, v);
                    }
                }
                Ok(found)
            })
            .await?;
        Ok(SearchPage { results, variants })
    }
}
