//! `reviewQueue`: what the caller may review now, across their brands.

use async_graphql::{Context, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::types::{content, principal, Variant};

/// A variant waiting for the caller's review.
#[derive(SimpleObject)]
pub struct ReviewItem {
    pub brand: String,
    pub entry_key: String,
    pub variant: Variant,
    /// Who wrote the revision under review.
    pub author: String,
    pub submitted_at: DateTime<Utc>,
}

#[derive(Default)]
pub struct ReviewQuery;

#[Object]
impl ReviewQuery {
    /// Variants in review in the caller's brands that the caller may approve or reject (never
    /// their own revisions), longest waiting first. Reviewers and admins.
    async fn review_queue(&self, ctx: &Context<'_>) -> Result<Vec<ReviewItem>> {
        let items = content(ctx).review_queue(principal(ctx)).await?;
        Ok(items
            .into_iter()
            .map(|i| ReviewItem {
                brand: i.brand,
                entry_key: i.entry_key,
                author: i.variant.latest.author.clone(),
                submitted_at: i.submitted_at,
                variant: Variant(i.variant),
            })
            .collect())
    }
}
