//! Queries against the content index.
//!
//! The text goes through tantivy's query parser (terms are AND-ed; quotes make phrases, `-`
//! excludes). Anything it cannot parse — a stray quote or parenthesis, an unknown field — is
//! searched as its plain words instead, so no text is ever an error. Filters (brands, tags,
//! status, published) score nothing, so hits stay in relevance order. `after` cursors are
//! offsets into that order.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, EmptyQuery, Occur, Query, QueryParserError, TermQuery,
};
use tantivy::schema::{Facet, IndexRecordOption, Term, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Searcher, TantivyDocument};

use super::index::ContentIndex;
use super::schema::tag_facet;
use super::{SearchError, SearchResult};

/// The most hits one page holds.
pub const MAX_PAGE: usize = 100;
/// Longer query texts are cut to this many characters.
const MAX_QUERY_CHARS: usize = 500;

/// What to look for.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    /// `None`: every brand; `Some(list)`: only those (an empty list finds nothing).
    pub brands: Option<Vec<String>>,
    /// Hits carry every one of these tags.
    pub tags: Vec<String>,
    pub status: Option<String>,
    /// Only variants delivery may serve.
    pub published_only: bool,
    /// Page size (at most [`MAX_PAGE`]).
    pub first: usize,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub variant_id: String,
    pub entry_id: String,
    pub entry_key: String,
    pub brand: String,
    pub score: f32,
    /// Snippets with the matched terms in `<b></b>` (the rest HTML-escaped).
    pub highlights: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchResults {
    /// Every match, not only this page's.
    pub total: usize,
    pub hits: Vec<SearchHit>,
    /// Tags of all matches with their counts, most frequent first.
    pub tag_counts: Vec<(String, u64)>,
    pub end_cursor: Option<String>,
    pub has_next_page: bool,
}

fn cursor(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("search:{offset}"))
}

fn parse_cursor(raw: &str) -> SearchResult<usize> {
    URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("search:").and_then(|n| n.parse().ok()))
        .ok_or(SearchError::BadCursor)
}

/// The words of `text`, without any query syntax.
fn plain_words(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect()
}

fn filter(query: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
}

fn term(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::Basic))
}

impl ContentIndex {
    /// The text part of a query: parsed, or its plain words when it does not parse.
    fn text_query(&self, text: &str) -> Box<dyn Query> {
        let text: String = text.trim().chars().take(MAX_QUERY_CHARS).collect();
        if text.is_empty() {
            return Box::new(AllQuery);
        }
        match self.parser.parse_query(&text) {
            Ok(query) => return query,
            // Only exclusions (`-alps`): everything but those.
            Err(QueryParserError::AllButQueryForbidden) => {
                if let Ok(query) = self.parser.parse_query(&format!("* {text}")) {
                    return query;
                }
            }
            Err(_) => {}
        }
        let words = plain_words(&text);
        if words.trim().is_empty() {
            return Box::new(EmptyQuery);
        }
        self.parser.parse_query_lenient(&words).0
    }

    fn build_query(&self, q: &SearchQuery) -> Box<dyn Query> {
        let f = &self.fields;
        let mut clauses = vec![(Occur::Must, self.text_query(&q.text))];
        if let Some(brands) = &q.brands {
            let any: Vec<(Occur, Box<dyn Query>)> = brands
                .iter()
                .map(|b| (Occur::Should, term(Term::from_field_text(f.brand, b))))
                .collect();
            clauses.push(filter(if any.is_empty() {
                Box::new(EmptyQuery)
            } else {
                Box::new(BooleanQuery::new(any))
            }));
        }
        for tag in &q.tags {
            clauses.push(filter(term(Term::from_facet(f.tags, &tag_facet(tag)))));
        }
        if let Some(status) = &q.status {
            clauses.push(filter(term(Term::from_field_text(f.status, status))));
        }
        if q.published_only {
            clauses.push(filter(term(Term::from_field_bool(f.published, true))));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// One page of hits in relevance order, with the total, tag counts and snippets.
    pub fn search(&self, q: &SearchQuery) -> SearchResult<SearchResults> {
        let offset = q
            .after
            .as_deref()
            .map(parse_cursor)
            .transpose()?
            .unwrap_or(0);
        let first = q.first.min(MAX_PAGE);
        let query = self.build_query(q);
        let searcher = self.reader.searcher();
        let mut facets = FacetCollector::for_field("tags");
        facets.add_facet(Facet::root());
        let top = TopDocs::with_limit(first.max(1))
            .and_offset(offset)
            .order_by_score();
        let (mut top_docs, total, facet_counts) =
            searcher.search(&*query, &(top, Count, facets))?;
        top_docs.truncate(first);
        let mut tag_counts: Vec<(String, u64)> = facet_counts
            .get(Facet::root())
            .map(|(facet, count)| {
                (
                    facet
                        .to_path()
                        .last()
                        .copied()
                        .unwrap_or_default()
                        .to_string(),
                    count,
                )
            })
            .collect();
        tag_counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let hits = self.hits(&searcher, &*query, &top_docs)?;
        let next = offset + hits.len();
        Ok(SearchResults {
            total,
            end_cursor: (!hits.is_empty()).then(|| cursor(next)),
            has_next_page: next < total,
            hits,
            tag_counts,
        })
    }

    fn hits(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        top_docs: &[(f32, DocAddress)],
    ) -> SearchResult<Vec<SearchHit>> {
        let f = &self.fields;
        let mut generators = Vec::new();
        for field in f.texts() {
            let mut generator = SnippetGenerator::create(searcher, query, field)?;
            generator.set_max_num_chars(200);
            generators.push(generator);
        }
        let mut hits = Vec::with_capacity(top_docs.len());
        for (score, address) in top_docs {
            let doc: TantivyDocument = searcher.doc(*address)?;
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            };
            let highlights = generators
                .iter()
                .map(|g| g.snippet_from_doc(&doc))
                .filter(|s| !s.is_empty())
                .map(|s| s.to_html())
                .collect();
            hits.push(SearchHit {
                variant_id: text(f.variant_id),
                entry_id: text(f.entry_id),
                entry_key: text(f.entry_key),
                brand: text(f.brand),
                score: *score,
                highlights,
            });
        }
        Ok(hits)
    }

    /// Keys of the brand's published entries whose variants match `text`, best first, each once.
    pub fn matching_entries(
        &self,
        brand: &str,
        text: &str,
        limit: usize,
    ) -> SearchResult<Vec<String>> {
        self.matching(brand, text, limit, false)
    }

    /// Keys of the brand's entries whose non-archived variants match `text` in their latest
    /// revisions (drafts included; what preview keys search), best first, each once.
    pub fn matching_latest_entries(
        &self,
        brand: &str,
        text: &str,
        limit: usize,
    ) -> SearchResult<Vec<String>> {
        self.matching(brand, text, limit, true)
    }

    fn matching(
        &self,
        brand: &str,
        text: &str,
        limit: usize,
        latest: bool,
    ) -> SearchResult<Vec<String>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let q = SearchQuery {
            text: text.to_string(),
            brands: Some(vec![brand.to_string()]),
            published_only: !latest,
            ..SearchQuery::default()
        };
        let mut query = self.build_query(&q);
        if latest {
            let archived = Term::from_field_text(self.fields.status, "ARCHIVED");
            query = Box::new(BooleanQuery::new(vec![
                (Occur::Must, query),
                (Occur::MustNot, term(archived)),
            ]));
        }
        let searcher = self.reader.searcher();
        let top_docs = searcher.search(
            &*query,
            &TopDocs::with_limit((limit * 5).clamp(1, 1_000)).order_by_score(),
        )?;
        let mut keys: Vec<String> = Vec::new();
        for (_, address) in top_docs {
            let doc: TantivyDocument = searcher.doc(address)?;
            let key = doc
                .get_first(self.fields.entry_key)
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            if !keys.contains(&key) {
                keys.push(key);
            }
            if keys.len() == limit {
                break;
            }
        }
        Ok(keys)
    }
}

#[cfg(test)]
mod tests;
