//! Caching parsed GraphQL documents: apps send the same query text again and again, so a
//! document is parsed once and reused. The cache is keyed by the exact query text and bounded
//! (least recently used entries go first); only successful parses are cached. The HTTP layer
//! hands the cached document to the request before execution, so the schema runs without any
//! extension (async-graphql then resolves fields on its fast path, with no per-field hook);
//! the recursion and directive limits, validation and the depth and complexity limits still run
//! on every request. Admission ([`super::admission`]) runs here: the text's nesting before it
//! is parsed, the document's checks once per parse (a refused document is never cached), and the
//! variables and answer count on every request.

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::Request;

use super::admission::{self, AdmissionLimits};
use crate::error::AppError;
use std::num::NonZeroUsize;
use std::sync::Mutex;

/// The longest query text worth caching; longer ones are parsed each time.
const MAX_CACHED_QUERY_BYTES: usize = 16 * 1024;

pub struct DocumentCache {
    documents: Mutex<lru::LruCache<String, ExecutableDocument>>,
    limits: AdmissionLimits,
}

impl DocumentCache {
    pub fn new(capacity: usize, limits: AdmissionLimits) -> Self {
        let capacity = NonZeroUsize::new(capacity.max(1)).expect("at least one");
        DocumentCache {
            documents: Mutex::new(lru::LruCache::new(capacity)),
            limits,
        }
    }

    /// Gives the request its parsed document, from the cache or freshly parsed (and then
    /// cached), once it has passed admission, and answers how many answers admission counted.
    /// A query that does not parse is left alone: execution reports its syntax error.
    pub fn prepare(&self, request: &mut Request) -> Result<u64, AppError> {
        let cached = self.lock().get(request.query.as_str()).cloned();
        let document = match cached {
            Some(document) => document,
            None => {
                admission::check_nesting(&request.query)?;
                let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
                    return Ok(0);
                };
                admission::check_document(&document, self.limits)?;
                if request.query.len() <= MAX_CACHED_QUERY_BYTES {
                    self.lock().put(request.query.clone(), document.clone());
                }
                document
            }
        };
        let answers = admission::check_request(&document, request, self.limits)?;
        request.set_parsed_query(document);
        Ok(answers)
    }

    /// The limits requests are admitted under.
    pub fn limits(&self) -> AdmissionLimits {
        self.limits
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

    const LIMITS: AdmissionLimits = AdmissionLimits {
        max_selections: 1_000_000,
        max_answers: 1_000,
    };

    #[test]
    fn a_parsed_document_is_reused_and_a_broken_one_is_not_cached() {
        let cache = DocumentCache::new(2, LIMITS);
        let mut first = Request::new("{ me { id } }");
        cache.prepare(&mut first).unwrap();
        assert_eq!(cache.len(), 1);
        assert!(first.parsed_query().is_ok());

        let mut again = Request::new("{ me { id } }");
        cache.prepare(&mut again).unwrap();
        assert_eq!(cache.len(), 1, "the same text is one entry");
        assert_eq!(
            format!("{:?}", again.parsed_query().unwrap()),
            format!("{:?}", first.parsed_query().unwrap())
        );

        let mut broken = Request::new("{ me { id }");
        cache.prepare(&mut broken).unwrap();
        assert_eq!(cache.len(), 1, "a syntax error is not cached");
        assert!(broken.parsed_query().is_err(), "and is still reported");
    }

    #[test]
    fn the_cache_is_bounded() {
        let cache = DocumentCache::new(2, LIMITS);
        for query in ["{ a }", "{ b }", "{ c }"] {
            cache.prepare(&mut Request::new(query)).unwrap();
        }
        assert_eq!(cache.len(), 2);
        let long = format!("{{ {} }}", "a ".repeat(MAX_CACHED_QUERY_BYTES));
        cache.prepare(&mut Request::new(long)).unwrap();
        assert_eq!(cache.len(), 2);
    }
}
