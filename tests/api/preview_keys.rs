//! Preview keys on every delivery path: `content`, `searchContent`, references and typed
//! delivery resolve the latest revisions (drafts included) for a preview key, record nothing and
//! sign no `servedId`, while a normal key still sees the published revision.

use serde_json::{json, Value};
use std::time::{Duration, Instant};

use crate::backend_tests;
use crate::helpers::{hero, Backend, TestApp};
use crate::references::content_type;

const PAGE: &str = "{ content(brand: \"alpine\", key: \"home\") { servedId variant { name }
    references { field resolved { key servedId reason variant { name } } } } }";

const SEARCH: &str = "query($q: String!) { searchContent(brand: \"alpine\", query: $q) {
    key servedId variant { name } } }";

const TYPED: &str = "{ hero(key: \"home-hero\") { servedId variant { name title } }
    page(key: \"home\") { servedId variant { hero { key servedId variant { name title } } } } }";

/// `alpine`: the hero `home-hero` with a published variant ("hero live", Trail) and a draft
/// ("hero draft", Glacier, higher priority), and a page `home` whose published revision
/// references the hero. Returns the page entry's id and the draft's id.
async fn site(app: &TestApp) -> (String, String) {
    let hero_entry = app.seed_brand("alpine").await;
    app.published(
        &hero_entry,
        json!({"name": "hero live", "fields": hero("Trail")}),
    )
    .await;
    let draft = app
        .variant(
            app.admin(),
            &hero_entry,
            json!({"name": "hero draft", "fields": hero("Glacier"), "priority": 5}),
        )
        .await;
    content_type(
        app,
        "Page",
        json!([{"name": "hero", "kind": "REFERENCE", "to": ["Hero"], "required": true}]),
    )
    .await
    .data();
    let page = app
        .gql(
            Some(app.admin()),
            "mutation { createEntry(input: {brand: \"alpine\", key: \"home\", contentType: \"Page\"}) { id } }",
            json!({}),
        )
        .await;
    let page = page.data()["createEntry"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.published(
        &page,
        json!({"name": "page", "fields": {"hero": "home-hero"}}),
    )
    .await;
    (page, draft)
}

async fn preview_key(app: &TestApp) -> String {
    let answer = app
        .gql(
            Some(app.admin()),
            "mutation { createDeliveryKey(brand: \"alpine\", name: \"preview\", preview: true) { token } }",
            json!({}),
        )
        .await;
    answer.data()["createDeliveryKey"]["token"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn typed(app: &TestApp, token: &str) -> Value {
    let mut response = TestApp::client()
        .post(format!("{}/delivery/alpine/graphql", app.base))
        .content_type("application/json")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send_body(json!({ "query": TYPED }).to_string())
        .await
        .expect("request sent");
    let bytes = response.body().limit(1_000_000).await.expect("body");
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(body["errors"].is_null(), "{body}");
    body["data"].clone()
}

/// `searchContent` for `text` as `token`, once the search index shows what `expected` wants
/// (the index reflects writes within a second).
async fn search(
    app: &TestApp,
    token: &str,
    text: &str,
    expected: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let answer = app.gql(Some(token), SEARCH, json!({"q": text})).await;
        let found = answer.data()["searchContent"].clone();
        if expected(&found) || Instant::now() > deadline {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn a_preview_key_sees_drafts_on_every_path_and_records_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    site(&app).await;
    let preview = preview_key(&app).await;
    let live = app.delivery_key("alpine").await;

    // References: the page's hero resolved at its latest revision, unsigned.
    let page = app.gql(Some(&preview), PAGE, json!({})).await;
    let page = &page.data()["content"];
    assert_eq!(page["variant"]["name"], "page");
    assert!(page["servedId"].is_null(), "{page}");
    let referenced = &page["references"][0]["resolved"];
    assert_eq!(referenced["variant"]["name"], "hero draft", "{page}");
    assert!(referenced["servedId"].is_null(), "{page}");

    // Search: the draft's text finds the entry, answered with the draft.
    let found = search(&app, &preview, "Glacier", |f| f[0]["key"] == "home-hero").await;
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found[0]["variant"]["name"], "hero draft");
    assert!(found[0]["servedId"].is_null(), "{found}");

    // Typed delivery: the root and the reference, typed, at the latest revision.
    let typed_preview = typed(&app, &preview).await;
    assert_eq!(typed_preview["hero"]["variant"]["name"], "hero draft");
    assert_eq!(typed_preview["hero"]["variant"]["title"], "Glacier");
    assert!(typed_preview["hero"]["servedId"].is_null());
    let typed_hero = &typed_preview["page"]["variant"]["hero"];
    assert_eq!(typed_hero["variant"]["title"], "Glacier", "{typed_preview}");
    assert!(typed_hero["servedId"].is_null() && typed_preview["page"]["servedId"].is_null());

    // Nothing of the above was recorded.
    assert_eq!(app.impressions_by_entry("alpine").await, []);

    // A normal key still sees, and records, the published revisions on every path.
    let page = app.gql(Some(&live), PAGE, json!({})).await;
    let referenced = &page.data()["content"]["references"][0]["resolved"];
    assert_eq!(referenced["variant"]["name"], "hero live");
    assert!(referenced["servedId"].is_string());
    let found = search(&app, &live, "Trail", |f| f[0]["key"] == "home-hero").await;
    assert_eq!(found[0]["variant"]["name"], "hero live", "{found}");
    assert!(found[0]["servedId"].is_string());
    let drafts_only = search(&app, &live, "Glacier", |f| f == &json!([])).await;
    assert_eq!(
        drafts_only,
        json!([]),
        "a draft's text finds nothing for a normal key"
    );
    let typed_live = typed(&app, &live).await;
    assert_eq!(typed_live["hero"]["variant"]["title"], "Trail");
    assert_eq!(
        typed_live["page"]["variant"]["hero"]["variant"]["title"],
        "Trail"
    );
    assert!(typed_live["hero"]["servedId"].is_string());
    // home: `content` and typed; home-hero: referenced twice, searched once, typed once.
    assert_eq!(
        app.impressions_by_entry("alpine").await,
        [("home".to_string(), 2), ("home-hero".to_string(), 4)]
    );
}

async fn a_preview_follows_each_edit_and_publish_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, draft) = site(&app).await;
    let preview = preview_key(&app).await;
    let seen = app
        .content(&preview, "alpine", "home-hero", json!({}))
        .await;
    assert_eq!(seen["variant"]["fields"]["title"], "Glacier");
    // An edit of the draft (a new latest revision) is what the next preview request sees.
    let edited = app
        .gql(
            Some(app.admin()),
            "mutation($id: ID!, $p: VariantPatch!) { updateVariant(id: $id, expectedVersion: 1, patch: $p) { id } }",
            json!({"id": draft, "p": {"fields": hero("Moraine")}}),
        )
        .await;
    edited.data();
    let seen = app
        .content(&preview, "alpine", "home-hero", json!({}))
        .await;
    assert_eq!(seen["variant"]["fields"]["title"], "Moraine");
    // Archived: the draft leaves the preview, the live variant is seen again.
    app.transition("archiveVariant", app.admin(), &draft)
        .await
        .data();
    let seen = app
        .content(&preview, "alpine", "home-hero", json!({}))
        .await;
    assert_eq!(seen["variant"]["name"], "hero live");
    let page = app.gql(Some(&preview), PAGE, json!({})).await;
    let referenced = &page.data()["content"]["references"][0]["resolved"];
    assert_eq!(referenced["variant"]["name"], "hero live");
}

backend_tests!(
    a_preview_key_sees_drafts_on_every_path_and_records_nothing,
    a_preview_follows_each_edit_and_publish_at_once,
);
