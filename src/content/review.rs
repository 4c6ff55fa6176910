//! The review queue: what a reviewer may approve or reject now, across their brands.

use chrono::{DateTime, Utc};
use std::collections::HashMap;

use super::Content;
use crate::auth::{Action, Principal};
use crate::domain::variant::Variant;
use crate::error::AppResult;
use crate::store;

/// A variant waiting for review, with where it lives.
#[derive(Debug, Clone)]
pub struct QueueItem {
    pub brand: String,
    pub entry_key: String,
    pub variant: Variant,
    /// When it was submitted (its last change).
    pub submitted_at: DateTime<Utc>,
}

impl Content {
    /// Every IN_REVIEW variant in the caller's brands that the caller may review: never one
    /// whose latest revision they wrote (four eyes). Longest waiting first.
    pub async fn review_queue(&self, who: &Principal) -> AppResult<Vec<QueueItem>> {
        who.authorize(Action::Review, None)?;
        let scope = who.scope();
        let me = who.actor();
        self.db
            .read(move |conn| {
                let waiting = store::variants::in_review(conn)?;
                let entry_ids: Vec<String> =
                    waiting.iter().map(|v| v.record.entry_id.clone()).collect();
                let entries: HashMap<String, _> = store::entries::by_ids(conn, &entry_ids)?
                    .into_iter()
                    .map(|e| (e.id.clone(), e))
                    .collect();
                let brands: HashMap<String, String> = store::brands::all(conn)?
                    .into_iter()
                    .filter(|b| scope.contains(&b.slug))
                    .map(|b| (b.id, b.slug))
                    .collect();
                Ok(waiting
                    .into_iter()
                    .filter(|v| v.latest.author != me)
                    .filter_map(|v| {
                        let entry = entries.get(&v.record.entry_id)?;
                        let brand = brands.get(&entry.brand_id)?;
                        Some(QueueItem {
                            brand: brand.clone(),
                            entry_key: entry.key.clone(),
                            submitted_at: v.record.updated_at,
                            variant: v,
                        })
                    })
                    .collect())
            })
            .await
    }
}
