//! `searchContent`: published entries of a brand whose text matches, each resolved for the
//! visitor exactly as `contents` would resolve it (so it records impressions the same way and
//! never shows a variant the visitor should not see). For a preview key, the entries whose
//! latest revisions match, resolved against them (see `latest`).

use std::sync::Arc;

use super::references::Follow;
use super::{Delivery, DeliveryContext, RequestHints, Resolved, MAX_KEYS};
use crate::auth::{Action, Principal};
use crate::error::{AppError, AppResult};
use crate::search::ContentIndex;

/// Entries `searchContent` answers when `first` is not given.
pub const DEFAULT_SEARCH_CONTENT: i32 = 10;

impl Delivery {
    /// Lets `searchContent` find entries.
    pub fn with_search(mut self, index: Arc<ContentIndex>) -> Self {
        self.search = Some(index);
        self
    }

    /// The brand's published entries matching `text`, best first, each resolved for `ctx`;
    /// entries with no variant for this visitor are left out.
    #[allow(clippy::too_many_arguments)] // `content`'s arguments and the search's own two
    pub async fn search_content(
        &self,
        who: &Principal,
        brand: &str,
        text: &str,
        first: Option<i32>,
        ctx: DeliveryContext,
        hints: &RequestHints,
        follow: Follow<'_>,
    ) -> AppResult<Vec<Resolved>> {
        who.authorize(Action::Deliver, Some(brand))?;
        let first = first.unwrap_or(DEFAULT_SEARCH_CONTENT);
        if !(0..=MAX_KEYS as i32).contains(&first) {
            return Err(AppError::bad_input(format!(
                "`first` must be between 0 and {MAX_KEYS}"
            )));
        }
        let index = self
            .search
            .clone()
            .ok_or_else(|| AppError::unavailable("the search index is off"))?;
        let (brand_owned, text) = (brand.to_string(), text.to_string());
        // A preview key finds drafts too, as it would if they were published.
        let latest = matches!(who, Principal::DeliveryKey(key) if key.preview);
        let keys = tokio::task::spawn_blocking(move || match latest {
            true => index.matching_latest_entries(&brand_owned, &text, first as usize),
            false => index.matching_entries(&brand_owned, &text, first as usize),
        })
        .await
        .map_err(AppError::internal)??;
        let answers = self.content(who, brand, &keys, ctx, hints, follow).await?;
        Ok(answers
            .into_iter()
            .filter(|a| a.variant.is_some())
            .collect())
    }
}
