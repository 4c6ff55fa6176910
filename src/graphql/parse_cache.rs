//! Caching parsed GraphQL documents: apps send the same query text again and again, so a
//! document is parsed once and reused. The cache is keyed by the exact query text and bounded
//! (least recently used entries go first). Only successful parses are cached; validation and
//! limits still run on every request.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{ServerResult, Variables};
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

/// The longest query text worth caching; longer ones are parsed each time.
const MAX_CACHED_QUERY_BYTES: usize = 16 * 1024;

pub struct ParseCache {
    documents: Arc<Mutex<lru::LruCache<String, ExecutableDocument>>>,
}

impl ParseCache {
    pub fn new(capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity.max(1)).expect("at least one");
        ParseCache {
            documents: Arc::new(Mutex::new(lru::LruCache::new(capacity))),
        }
    }
}

impl ExtensionFactory for ParseCache {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ParseCacheExtension {
            documents: self.documents.clone(),
        })
    }
}

struct ParseCacheExtension {
    documents: Arc<Mutex<lru::LruCache<String, ExecutableDocument>>>,
}

#[async_graphql::async_trait::async_trait]
impl Extension for ParseCacheExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        if let Some(document) = self
            .documents
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(query)
        {
            return Ok(document.clone());
        }
        let document = next.run(ctx, query, variables).await?;
        if query.len() <= MAX_CACHED_QUERY_BYTES {
            self.documents
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .put(query.to_string(), document.clone());
        }
        Ok(document)
    }
}
