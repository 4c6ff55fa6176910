//! Caching parsed GraphQL documents: apps send the same query text again and again, so a
//! document is parsed once and reused. The cache is keyed by the exact query text and bounded
//! (least recently used entries go first); only successful parses are cached. The HTTP layer
//! hands the cached document to the request before execution, so the schema runs without any
//! extension (async-graphql then resolves fields on its fast path, with no per-field hook);
//! the recursion and directive limits, validation and the depth and complexity limits still run
//! on every request.

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::Request;
use std::num::NonZeroUsize;
use std::sync::Mutex;

/// The longest query text worth caching; longer ones are parsed each time.
const MAX_CACHED_QUERY_BYTES: usize = 16 * 1024;

pub struct DocumentCache {
    documents: Mutex<lru::LruCache<String, ExecutableDocument>>,
}

impl DocumentCache {
    pub fn new(capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity.max(1)).expect("at least one");
        DocumentCache {
            documents: Mutex::new(lru::LruCache::new(capacity)),
        }
    }

    /// Gives the request its parsed document, from the cache or freshly parsed (and then
    /// cached). A query that does not parse is left alone: execution reports its syntax error.
    pub fn prepare(&self, request: &mut Request) {
        if let Some(document) = self.lock().get(request.query.as_str()) {
            request.set_parsed_query(document.clone());
            return;
        }
        let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
            return;
        };
        if request.query.len() <= MAX_CACHED_QUERY_BYTES {
            self.lock().put(request.query.clone(), document.clone());
        }
        request.set_parsed_query(document);
    }

    /// How many documents the cache holds.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, lru::LruCache<String, ExecutableDocument>> {
        self.documents.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parsed_document_is_reused_and_a_broken_one_is_not_cached() {
        let cache = DocumentCache::new(2);
        let mut first = Request::new("{ me { id } }");
        cache.prepare(&mut first);
        assert_eq!(cache.len(), 1);
        assert!(first.parsed_query().is_ok());

        let mut again = Request::new("{ me { id } }");
        cache.prepare(&mut again);
        assert_eq!(cache.len(), 1, "the same text is one entry");
        assert_eq!(
            format!("{:?}", again.parsed_query().unwrap()),
            format!("{:?}", first.parsed_query().unwrap())
        );

        let mut broken = Request::new("{ me { id }");
        cache.prepare(&mut broken);
        assert_eq!(cache.len(), 1, "a syntax error is not cached");
        assert!(broken.parsed_query().is_err(), "and is still reported");
    }

    #[test]
    fn the_cache_is_bounded() {
        let cache = DocumentCache::new(2);
        for query in ["{ a }", "{ b }", "{ c }"] {
            cache.prepare(&mut Request::new(query));
        }
        assert_eq!(cache.len(), 2);
        let long = format!("{{ {} }}", "a ".repeat(MAX_CACHED_QUERY_BYTES));
        cache.prepare(&mut Request::new(long));
        assert_eq!(cache.len(), 2);
    }
}
