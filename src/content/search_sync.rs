//! Keeping the content index in step with the database across restarts.
//!
//! A write is committed to the database first and reaches the index's writer afterwards, which
//! commits within half a second: a process killed in between leaves the index behind. At start
//! every variant's version in the database is compared with the version its document was made
//! from; documents that are missing or stale are made again and documents of variants that no
//! longer exist are removed. A new (or set-aside) index, or one whose versions cannot be read,
//! is rebuilt whole.

use std::collections::HashSet;

use std::sync::Arc;

use super::search::{all_documents, variant_doc};
use crate::error::AppResult;
use crate::search::{ContentIndex, VariantDoc};
use crate::store::{self, Db, DbConnection};

/// What a start-up reconciliation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SearchSync {
    /// Whether the whole index was rebuilt.
    pub rebuilt: bool,
    /// Documents made again (missing or stale).
    pub refreshed: usize,
    /// Documents of variants that no longer exist, removed.
    pub removed: usize,
}

/// Brings the content index in step with the database; returns once the result is searchable.
pub async fn sync_search_index(db: &Db, index: &Arc<ContentIndex>) -> AppResult<SearchSync> {
    let indexed = if index.needs_rebuild() {
        None
    } else {
        index
                .indexed_versions()
                .map_err(|e| tracing::warn!(error = %e, "the search index's versions cannot be read; rebuilding it"))
                .ok()
    };
    let Some(indexed) = indexed else {
        let docs = db.read(all_documents).await?;
        tracing::info!(variants = docs.len(), "rebuilding the search index");
        index.rebuild(docs, None).await?;
        return Ok(SearchSync {
            rebuilt: true,
            ..SearchSync::default()
        });
    };
    let stored = db.read(store::variants::versions).await?;
    let stale: Vec<String> = stored
        .iter()
        .filter(|(id, version)| indexed.get(id) != Some(&(*version as u64)))
        .map(|(id, _)| id.clone())
        .collect();
    let live: HashSet<&str> = stored.iter().map(|(id, _)| id.as_str()).collect();
    let gone: Vec<&String> = indexed
        .keys()
        .filter(|id| !live.contains(id.as_str()))
        .collect();
    let sync = SearchSync {
        rebuilt: false,
        refreshed: stale.len(),
        removed: gone.len(),
    };
    if stale.is_empty() && gone.is_empty() {
        return Ok(sync);
    }
    tracing::info!(
        refreshed = sync.refreshed,
        removed = sync.removed,
        "bringing the search index up to date"
    );
    let (docs, _) = db.read(move |conn| documents_of(conn, &stale)).await?;
    for doc in docs {
        index.upsert(doc)?;
    }
    for id in gone {
        index.delete(id)?;
    }
    index.flush().await?;
    Ok(sync)
}

/// The index documents of the named variants that exist, and the ids of those that do not.
pub fn documents_of(
    conn: &mut DbConnection,
    ids: &[String],
) -> AppResult<(Vec<VariantDoc>, Vec<String>)> {
    let mut docs = Vec::with_capacity(ids.len());
    let mut missing = Vec::new();
    for id in ids {
        let Some(variant) = store::variants::get(conn, id)? else {
            missing.push(id.clone());
            continue;
        };
        // A deleted entry's variants leave the index.
        let Some(entry) = store::entries::live_by_id(conn, &variant.record.entry_id)? else {
            missing.push(id.clone());
            continue;
        };
        let brand = store::brands::by_id(conn, &entry.brand_id)?;
        let content_type = store::content_types::by_id(conn, &entry.content_type_id)?;
        docs.push(variant_doc(&brand, &entry, &content_type.name, &variant));
    }
    Ok((docs, missing))
}
