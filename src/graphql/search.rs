//! `search` (editors: variants by text, tags and status, with facets and snippets) and
//! `searchContent` (apps: published entries resolved for the visitor).

use async_graphql::{Context, Object, Result, SimpleObject};
use std::sync::Arc;

use super::inputs::ContextInput;
use super::query::delivery_context;
use super::types::{content, principal, Variant, VariantStatus};
use crate::content::search::SearchParams;
use crate::delivery::{Delivery, RequestHints, Resolved};

#[derive(SimpleObject)]
pub struct SearchHit {
    pub variant: Variant,
    /// Relevance; hits come best first.
    pub score: f64,
    /// Snippets with the matched terms in `<b></b>` (the rest HTML-escaped).
    pub highlights: Vec<String>,
}

#[derive(SimpleObject)]
pub struct FacetCount {
    pub value: String,
    pub count: i32,
}

#[derive(SimpleObject)]
pub struct Facets {
    /// Tags of every match (not only this page's), most frequent first.
    pub tags: Vec<FacetCount>,
}

#[derive(SimpleObject)]
pub struct SearchResult {
    /// Every match, not only this page's.
    pub total: i32,
    pub hits: Vec<SearchHit>,
    pub facets: Facets,
    /// Pass as `after` for the next page.
    pub end_cursor: Option<String>,
    pub has_next_page: bool,
}

#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Variants matching the text (a forgiving syntax: quotes for phrases, `-` to exclude;
    /// anything unparseable is searched as plain words), within the caller's brands.
    #[allow(clippy::too_many_arguments)]
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: String,
        brand: Option<String>,
        tags: Option<Vec<String>>,
        status: Option<VariantStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<SearchResult> {
        let params = SearchParams {
            text: query,
            brand,
            tags: tags.unwrap_or_default(),
            status: status.map(Into::into),
            first,
            after,
        };
        let mut page = content(ctx).search(principal(ctx), params).await?;
        let r = page.results;
        let hits = r
            .hits
            .into_iter()
            .filter_map(|h| {
                let variant = page.variants.remove(&h.variant_id)?;
                Some(SearchHit {
                    variant: Variant(variant),
                    score: h.score as f64,
                    highlights: h.highlights,
                })
            })
            .collect();
        Ok(SearchResult {
            total: r.total as i32,
            hits,
            facets: Facets {
                tags: r
                    .tag_counts
                    .into_iter()
                    .map(|(value, count)| FacetCount {
                        value,
                        count: count as i32,
                    })
                    .collect(),
            },
            end_cursor: r.end_cursor,
            has_next_page: r.has_next_page,
        })
    }

    /// Published entries of the brand matching the text, each resolved for the context (best
    /// match first; entries with nothing for this visitor are left out).
    async fn search_content(
        &self,
        ctx: &Context<'_>,
        brand: String,
        query: String,
        context: Option<ContextInput>,
        first: Option<i32>,
    ) -> Result<Vec<Resolved>> {
        let hints = ctx.data_unchecked::<RequestHints>();
        let dc = delivery_context(context)?;
        let delivery = ctx.data_unchecked::<Arc<Delivery>>();
        let list = delivery
            .search_content(
                principal(ctx),
                &brand,
                &query,
                first,
                dc,
                hints,
                super::references::follow(ctx)?,
            )
            .await?;
        Ok(list)
    }
}
