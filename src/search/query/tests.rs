use super::*;
use crate::index_writer::WriterConfig;
use crate::search::{VariantDoc, CONTENT_WRITER};
use std::time::Duration;

fn doc(id: &str, brand: &str, locale: &str, name: &str, text: &str, tags: &[&str]) -> VariantDoc {
    VariantDoc {
        variant_id: id.into(),
        entry_id: format!("ent_{id}"),
        entry_key: format!("key-{id}"),
        brand: brand.into(),
        content_type: "Hero".into(),
        status: "PUBLISHED".into(),
        locale: Some(locale.into()),
        published: true,
        tags: tags.iter().map(|t| t.to_string()).collect(),
        quality: 0.9,
        name: name.into(),
        texts: vec![text.into()],
        version: 1,
    }
}

async fn index_with(docs: Vec<VariantDoc>) -> ContentIndex {
    let index = ContentIndex::in_ram(CONTENT_WRITER).unwrap();
    for d in docs {
        index.upsert(d).unwrap();
    }
    index.flush().await.unwrap();
    index
}

fn find(index: &ContentIndex, text: &str) -> SearchResults {
    index
        .search(&SearchQuery {
            text: text.into(),
            first: 20,
            ..SearchQuery::default()
        })
        .unwrap()
}

fn ids(results: &SearchResults) -> Vec<&str> {
    results.hits.iter().map(|h| h.variant_id.as_str()).collect()
}

fn corpus() -> Vec<VariantDoc> {
    vec![
        doc(
            "v1",
            "alpine",
            "en",
            "Skiers",
            "Skiing in the Alps all winter",
            &["winter", "sport"],
        ),
        doc(
            "v2",
            "alpine",
            "de",
            "Wandern",
            "Die schönsten Häuser in den Bergen",
            &["summer"],
        ),
        doc(
            "v3",
            "alpine",
            "fr",
            "Crème",
            "Une crème brûlée au sommet",
            &["food", "winter"],
        ),
        doc(
            "v4",
            "coastal",
            "en",
            "Surf",
            "Surfing and skiing the waves",
            &["sport"],
        ),
    ]
}

#[tokio::test]
async fn flushed_changes_are_searchable_at_once_and_stemmed_per_language() {
    let index = index_with(corpus()).await;
    let mut skiing = ids(&find(&index, "ski"))
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>();
    skiing.sort();
    assert_eq!(skiing, ["v1", "v4"]);
    assert_eq!(ids(&find(&index, "haus")), ["v2"]);
    assert_eq!(ids(&find(&index, "creme brulee")), ["v3"]);
    assert_eq!(
        find(&index, "").total,
        4,
        "an empty text matches everything"
    );
}

#[tokio::test]
async fn hits_carry_highlighted_snippets() {
    let index = index_with(corpus()).await;
    let results = find(&index, "alps");
    assert_eq!(results.hits[0].highlights.len(), 1);
    assert!(
        results.hits[0].highlights[0].contains("Skiing in the <b>Alps</b> all winter"),
        "{:?}",
        results.hits[0].highlights
    );
    let escaped = index_with(vec![doc(
        "x",
        "alpine",
        "en",
        "X",
        "Tom & <Jerry> ski",
        &[],
    )])
    .await;
    assert!(
        find(&escaped, "ski").hits[0].highlights[0].ends_with("Tom &amp; &lt;Jerry&gt; <b>ski</b>")
    );
    assert!(find(&index, "").hits[0].highlights.is_empty());
}

#[tokio::test]
async fn brand_tag_and_status_filters_narrow_the_hits() {
    let mut docs = corpus();
    docs[0].status = "DRAFT".into();
    docs[0].published = false;
    let index = index_with(docs).await;
    let search = |q: SearchQuery| index.search(&SearchQuery { first: 20, ..q }).unwrap();
    let only = |brands: &[&str]| Some(brands.iter().map(|b| b.to_string()).collect());
    assert_eq!(
        ids(&search(SearchQuery {
            text: "ski".into(),
            brands: only(&["coastal"]),
            ..Default::default()
        })),
        ["v4"]
    );
    assert_eq!(
        search(SearchQuery {
            brands: only(&[]),
            ..Default::default()
        })
        .total,
        0
    );
    assert_eq!(
        search(SearchQuery {
            brands: only(&["alpine", "coastal"]),
            ..Default::default()
        })
        .total,
        4
    );
    let winter = search(SearchQuery {
        tags: vec!["winter".into()],
        ..Default::default()
    });
    assert_eq!(winter.total, 2);
    let both = search(SearchQuery {
        tags: vec!["winter".into(), "sport".into()],
        ..Default::default()
    });
    assert_eq!(ids(&both), ["v1"]);
    assert_eq!(
        ids(&search(SearchQuery {
            status: Some("DRAFT".into()),
            ..Default::default()
        })),
        ["v1"]
    );
    assert_eq!(
        search(SearchQuery {
            text: "ski".into(),
            published_only: true,
            ..Default::default()
        })
        .total,
        1
    );
}

#[tokio::test]
async fn tag_counts_cover_every_match_most_frequent_first() {
    let index = index_with(corpus()).await;
    let results = index
        .search(&SearchQuery {
            first: 1,
            ..SearchQuery::default()
        })
        .unwrap();
    let expected: Vec<(String, u64)> = [("sport", 2), ("winter", 2), ("food", 1), ("summer", 1)]
        .iter()
        .map(|(t, c)| (t.to_string(), *c))
        .collect();
    assert_eq!(results.tag_counts, expected);
    assert_eq!(results.hits.len(), 1);
}

#[tokio::test]
async fn broken_query_syntax_is_searched_as_plain_words() {
    let index = index_with(corpus()).await;
    for text in [
        "\"skiing",
        "(ski",
        "ski)",
        "ski AND",
        "nosuchfield:ski",
        "ski^",
        "[ski",
        "ski~~",
        "\"\"",
        "((",
        ":",
        "-",
        "*",
    ] {
        let outcome = index.search(&SearchQuery {
            text: text.into(),
            first: 10,
            ..SearchQuery::default()
        });
        assert!(outcome.is_ok(), "{text}: {outcome:?}");
    }
    assert_eq!(ids(&find(&index, "\"alps")), ["v1"]);
    assert_eq!(ids(&find(&index, "alps)")), ["v1"]);
    assert_eq!(
        ids(&find(&index, "\"all winter\"")),
        ["v1"],
        "phrases still work"
    );
    let excluded = find(&index, "-alps");
    assert_eq!(excluded.total, 3, "exclusion still works");
    assert!(excluded.hits.iter().all(|h| h.variant_id != "v1"));
}

#[tokio::test]
async fn cursors_page_through_all_hits_once() {
    let docs = (0..7)
        .map(|i| doc(&format!("v{i}"), "alpine", "en", "Skiers", "ski ski", &[]))
        .collect();
    let index = index_with(docs).await;
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = index
            .search(&SearchQuery {
                text: "ski".into(),
                first: 3,
                after: after.clone(),
                ..SearchQuery::default()
            })
            .unwrap();
        assert_eq!(page.total, 7);
        seen.extend(page.hits.iter().map(|h| h.variant_id.clone()));
        if !page.has_next_page {
            break;
        }
        after = page.end_cursor;
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 7);
    let bad = index.search(&SearchQuery {
        after: Some("nonsense".into()),
        ..SearchQuery::default()
    });
    assert!(matches!(bad, Err(SearchError::BadCursor)));
}

#[tokio::test]
async fn upserts_replace_deletes_remove_and_rebuild_starts_over() {
    let index = index_with(corpus()).await;
    let mut renamed = corpus()[0].clone();
    renamed.texts = vec!["Snowboarding".into()];
    index.upsert(renamed).unwrap();
    index.delete("v2").unwrap();
    index.flush().await.unwrap();
    assert_eq!(index.num_docs(), 3);
    assert_eq!(ids(&find(&index, "snowboard")), ["v1"]);
    assert_eq!(find(&index, "alps").total, 0);
    index
        .rebuild(
            vec![doc("n1", "alpine", "en", "New", "fresh start", &[])],
            None,
        )
        .await
        .unwrap();
    assert_eq!(index.num_docs(), 1);
    assert_eq!(ids(&find(&index, "fresh")), ["n1"]);
}

#[tokio::test]
async fn changes_become_visible_within_the_commit_interval_without_a_flush() {
    let config = WriterConfig {
        commit_interval: Duration::from_millis(100),
        ..CONTENT_WRITER
    };
    let index = ContentIndex::in_ram(config).unwrap();
    index.upsert(corpus()[0].clone()).unwrap();
    let started = std::time::Instant::now();
    while index.num_docs() == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "not committed in time"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn matching_entries_are_published_ones_of_the_brand_each_once() {
    let mut docs = corpus();
    docs.push(VariantDoc {
        variant_id: "v1b".into(),
        ..docs[0].clone()
    });
    docs.push(VariantDoc {
        variant_id: "v5".into(),
        entry_key: "draft-only".into(),
        published: false,
        ..docs[0].clone()
    });
    let index = index_with(docs).await;
    assert_eq!(
        index.matching_entries("alpine", "ski", 10).unwrap(),
        ["key-v1"]
    );
    assert_eq!(index.matching_entries("alpine", "", 10).unwrap().len(), 3);
    assert_eq!(index.matching_entries("alpine", "", 1).unwrap().len(), 1);
    assert!(index.matching_entries("alpine", "", 0).unwrap().is_empty());
    assert!(
        index
            .matching_entries("coastal", "alps", 10)
            .unwrap()
            .is_empty(),
        "another brand's text"
    );
}

#[tokio::test]
async fn an_index_on_disk_survives_a_restart_and_a_corrupt_one_is_recreated() {
    let dir = tempfile::tempdir().unwrap();
    let index = ContentIndex::open(dir.path(), CONTENT_WRITER).unwrap();
    assert!(index.needs_rebuild());
    index.upsert(corpus()[0].clone()).unwrap();
    index.shutdown().await.unwrap();
    drop(index);
    let reopened = ContentIndex::open(dir.path(), CONTENT_WRITER).unwrap();
    assert!(!reopened.needs_rebuild());
    assert_eq!(reopened.num_docs(), 1);
    reopened.shutdown().await.unwrap();
    drop(reopened);
    std::fs::write(dir.path().join("meta.json"), b"{ not json").unwrap();
    let recreated = ContentIndex::open(dir.path(), CONTENT_WRITER).unwrap();
    assert!(recreated.needs_rebuild());
    assert_eq!(recreated.num_docs(), 0);
}

#[tokio::test]
async fn a_second_writer_on_the_same_directory_is_told_the_index_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let first = ContentIndex::open(dir.path(), CONTENT_WRITER).unwrap();
    let second = ContentIndex::open(dir.path(), CONTENT_WRITER);
    assert!(second.is_err_and(|e| e.is_locked()));
    first.shutdown().await.unwrap();
}
