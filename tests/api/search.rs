//! `search` for editors and `searchContent` for apps, over HTTP.

use serde_json::{json, Value};

use crate::backend_tests;
use crate::helpers::{Backend, TestApp};

const SEARCH: &str = "query($q: String!, $b: String, $t: [String!], $s: VariantStatus, $f: Int, $a: String) {
    search(query: $q, brand: $b, tags: $t, status: $s, first: $f, after: $a) {
        total hits { variant { id name status } score highlights } facets { tags { value count } } endCursor hasNextPage } }";

/// Waits until every change sent to the index is searchable.
async fn settle(app: &TestApp) {
    app.app
        .content
        .search_index()
        .expect("search is on")
        .flush()
        .await
        .unwrap();
}

async fn search(app: &TestApp, token: &str, vars: Value) -> Value {
    app.gql(Some(token), SEARCH, vars).await.data()["search"].clone()
}

fn fields(title: &str, body: &str) -> Value {
    json!({"title": title, "body": body, "cta": "Go"})
}

/// alpine: a published skiing hero (tags winter, sport), a draft German one; coastal: surfing.
async fn corpus(app: &TestApp) -> (String, String) {
    let entry = app.seed_brand("alpine").await;
    let ski = app.published(&entry, json!({"name": "skiers", "fields": fields("Skiing the Alps", "Powder days all winter"), "tags": ["winter", "sport"]})).await;
    let draft = app.variant(app.admin(), &entry, json!({"name": "wandern", "fields": fields("Wandern", "Die schönsten Häuser"), "locale": "de", "tags": ["summer"]})).await;
    let coastal = app.seed_brand("coastal").await;
    app.published(
        &coastal,
        json!({"name": "surf", "fields": fields("Surfing and skiing", "Waves"), "tags": ["sport"]}),
    )
    .await;
    settle(app).await;
    (ski, draft)
}

async fn editors_find_variants_by_stemmed_text_with_snippets_and_facets(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (ski, draft) = corpus(&app).await;
    let editor = app.user("ed@test.local", "EDITOR", &["alpine"]).await;
    let found = search(&app, &editor, json!({"q": "ski"})).await;
    assert_eq!(found["total"], 1, "only the editor's brand: {found}");
    assert_eq!(found["hits"][0]["variant"]["id"], ski.as_str());
    assert!(
        found["hits"][0]["highlights"][0]
            .as_str()
            .unwrap()
            .contains("<b>Skiing</b>"),
        "{found}"
    );
    let german = search(&app, &editor, json!({"q": "haus"})).await;
    assert_eq!(
        german["hits"][0]["variant"]["id"],
        draft.as_str(),
        "German stemming: {german}"
    );
    let all = search(&app, app.admin(), json!({"q": ""})).await;
    assert_eq!(all["total"], 3);
    let tags: Vec<(String, i64)> = all["facets"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["value"].as_str().unwrap().to_string(),
                t["count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(tags[0], ("sport".to_string(), 2));
    assert_eq!(
        search(
            &app,
            app.admin(),
            json!({"q": "", "t": ["sport"], "b": "alpine"})
        )
        .await["total"],
        1
    );
    assert_eq!(
        search(&app, app.admin(), json!({"q": "", "s": "DRAFT"})).await["hits"][0]["variant"]["id"],
        draft.as_str()
    );
}

async fn search_stays_in_the_callers_brands_and_forgives_syntax(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    corpus(&app).await;
    let editor = app.user("ed@test.local", "EDITOR", &["alpine"]).await;
    assert_eq!(
        app.gql(Some(&editor), SEARCH, json!({"q": "surf", "b": "coastal"}))
            .await
            .code(),
        "FORBIDDEN"
    );
    assert_eq!(
        search(&app, &editor, json!({"q": "surf"})).await["total"],
        0
    );
    let key = app.delivery_key("alpine").await;
    assert_eq!(
        app.gql(Some(&key), SEARCH, json!({"q": "ski"}))
            .await
            .code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql(None, SEARCH, json!({"q": "ski"})).await.code(),
        "UNAUTHENTICATED"
    );
    for q in [
        "\"skiing", "(ski", "ski)", "title:", "((", "\"\"", "-", "ski AND",
    ] {
        let answer = app.gql(Some(&editor), SEARCH, json!({"q": q})).await;
        assert!(answer.body.get("errors").is_none(), "{q}: {}", answer.body);
    }
    assert_eq!(
        app.gql(Some(&editor), SEARCH, json!({"q": "ski", "a": "nonsense"}))
            .await
            .code(),
        "BAD_INPUT"
    );
    assert_eq!(
        app.gql(Some(&editor), SEARCH, json!({"q": "ski", "f": 1000}))
            .await
            .code(),
        "BAD_INPUT"
    );
}

async fn search_pages_through_hits_with_cursors(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    for i in 0..5 {
        app.variant(
            app.admin(),
            &entry,
            json!({"name": format!("powder {i}"), "fields": fields("Powder", "snow")}),
        )
        .await;
    }
    settle(&app).await;
    let (mut seen, mut after) = (Vec::new(), Value::Null);
    loop {
        let page = search(
            &app,
            app.admin(),
            json!({"q": "powder", "f": 2, "a": after}),
        )
        .await;
        assert_eq!(page["total"], 5);
        seen.extend(
            page["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["variant"]["id"].as_str().unwrap().to_string()),
        );
        if !page["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = page["endCursor"].clone();
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5);
}

async fn search_content_resolves_published_matches_for_the_visitor(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    app.published(
        &entry,
        json!({"name": "everyone", "fields": fields("Skiing for all", "x")}),
    )
    .await;
    app.published(
        &entry,
        json!({"name": "mobile", "fields": fields("Skiing on the go", "x"), "devices": ["MOBILE"]}),
    )
    .await;
    let other = app.entry("alpine", "offer").await;
    app.variant(
        app.admin(),
        &other,
        json!({"name": "draft", "fields": fields("Skiing offer", "x")}),
    )
    .await;
    settle(&app).await;
    let key = app.delivery_key("alpine").await;
    let query = "query($q: String!, $c: ContextInput) { searchContent(brand: \"alpine\", query: $q, context: $c) { key servedId variant { name } } }";
    let answer = app
        .gql(
            Some(&key),
            query,
            json!({"q": "skiing", "c": {"device": "MOBILE"}}),
        )
        .await;
    let list = answer.data()["searchContent"].as_array().unwrap().clone();
    assert_eq!(
        list.len(),
        1,
        "one answer per entry, published only: {list:?}"
    );
    assert_eq!(
        (list[0]["key"].as_str(), list[0]["variant"]["name"].as_str()),
        (Some("home-hero"), Some("mobile"))
    );
    assert!(
        list[0]["servedId"].is_string(),
        "an impression like any other answer"
    );
    let desktop = app
        .gql(
            Some(&key),
            query,
            json!({"q": "skiing", "c": {"device": "DESKTOP"}}),
        )
        .await;
    assert_eq!(
        desktop.data()["searchContent"][0]["variant"]["name"],
        "everyone"
    );
    let coastal_key = {
        app.seed_brand("coastal").await;
        app.delivery_key("coastal").await
    };
    assert_eq!(
        app.gql(Some(&coastal_key), query, json!({"q": "skiing"}))
            .await
            .code(),
        "FORBIDDEN"
    );
}

backend_tests!(
    editors_find_variants_by_stemmed_text_with_snippets_and_facets,
    search_stays_in_the_callers_brands_and_forgives_syntax,
    search_pages_through_hits_with_cursors,
    search_content_resolves_published_matches_for_the_visitor,
);
