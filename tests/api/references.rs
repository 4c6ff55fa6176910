//! The contract's "References": REFERENCE fields and lists validated on save, and
//! `Resolved.references` resolving each referenced entry for the same context, as `content`
//! would, with cycles and entries without a variant answered, never failing.

use serde_json::{json, Value};

use crate::backend_tests;
use crate::helpers::{hero, Backend, TestApp};

/// Four levels: the page's references, theirs, and so on; each answer with its key, reason,
/// `servedId` and variant name.
const PAGE: &str =
    "query($k: String!, $c: ContextInput) { content(brand: \"alpine\", key: $k, context: $c) {
    key reason servedId variant { name }
    references { field index resolved { key reason servedId variant { name }
      references { field index resolved { key reason servedId variant { name } } } } } } }";

pub(crate) async fn content_type(
    app: &TestApp,
    name: &str,
    fields: Value,
) -> crate::helpers::Answer {
    app.gql(
        Some(app.admin()),
        "mutation($i: CreateContentTypeInput!) { createContentType(input: $i) { id fields { name kind list to maxLength } } }",
        json!({"i": {"brand": "alpine", "name": name, "fields": fields}}),
    )
    .await
}

async fn entry_of(app: &TestApp, key: &str, content_type: &str) -> String {
    let answer = app
        .gql(
            Some(app.admin()),
            "mutation($i: CreateEntryInput!) { createEntry(input: $i) { id } }",
            json!({"i": {"brand": "alpine", "key": key, "contentType": content_type}}),
        )
        .await;
    answer.data()["createEntry"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `alpine`: the hero `home-hero` (everyone, skiers), cards `c1` (everyone, skiers) and `c2`
/// (nothing published), and a page `home` whose hero, cards and `next` (itself) are references.
/// Returns the page entry's id.
pub(crate) async fn site(app: &TestApp) -> String {
    let hero_entry = app.seed_brand("alpine").await;
    let skier = json!({"attr": "segment", "op": "eq", "value": "skier"});
    app.published(
        &hero_entry,
        json!({"name": "hero all", "fields": hero("Trail")}),
    )
    .await;
    app.published(
        &hero_entry,
        json!({"name": "hero skier", "fields": hero("Powder"), "rule": skier}),
    )
    .await;
    content_type(
        app,
        "Card",
        json!([{"name": "title", "kind": "TEXT", "required": true}]),
    )
    .await
    .data();
    let c1 = entry_of(app, "c1", "Card").await;
    entry_of(app, "c2", "Card").await;
    app.published(&c1, json!({"name": "card all", "fields": {"title": "A"}}))
        .await;
    app.published(
        &c1,
        json!({"name": "card skier", "fields": {"title": "S"}, "rule": skier}),
    )
    .await;
    let page = content_type(
        app,
        "Page",
        json!([
            {"name": "hero", "kind": "REFERENCE", "to": ["Hero"], "required": true},
            {"name": "cards", "kind": "REFERENCE", "to": ["Card"], "list": true, "maxLength": 3},
            {"name": "next", "kind": "REFERENCE"}
        ]),
    )
    .await;
    let fields = &page.data()["createContentType"]["fields"];
    assert_eq!(
        fields[1],
        json!({"name": "cards", "kind": "REFERENCE", "list": true, "to": ["Card"], "maxLength": 3})
    );
    let home = entry_of(app, "home", "Page").await;
    app.published(
        &home,
        json!({"name": "page", "fields": {"hero": "home-hero", "cards": ["c1", "c2"], "next": "home"}}),
    )
    .await;
    home
}

fn summary(resolved: &Value) -> (String, Value, String) {
    (
        resolved["key"].as_str().unwrap().to_string(),
        resolved["variant"]["name"].clone(),
        resolved["reason"].as_str().unwrap().to_string(),
    )
}

async fn each_reference_is_resolved_as_content_would_for_the_same_context(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    site(&app).await;
    let key = app.delivery_key("alpine").await;
    for context in [json!({}), json!({"attributes": {"segment": "skier"}})] {
        let answer = app
            .gql(Some(&key), PAGE, json!({"k": "home", "c": context}))
            .await;
        let page = &answer.data()["content"];
        assert_eq!(page["variant"]["name"], "page");
        let refs = page["references"].as_array().unwrap();
        let slots: Vec<(&str, i64, &str)> = refs
            .iter()
            .map(|r| {
                (
                    r["field"].as_str().unwrap(),
                    r["index"].as_i64().unwrap(),
                    r["resolved"]["key"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            slots,
            [
                ("hero", 0, "home-hero"),
                ("cards", 0, "c1"),
                ("cards", 1, "c2"),
                ("next", 0, "home")
            ]
        );
        for r in &refs[..3] {
            let direct = app
                .content(
                    &key,
                    "alpine",
                    r["resolved"]["key"].as_str().unwrap(),
                    context.clone(),
                )
                .await;
            assert_eq!(summary(&r["resolved"]), summary(&direct), "{context}");
        }
        let skier = context["attributes"]["segment"] == "skier";
        assert_eq!(
            refs[0]["resolved"]["variant"]["name"],
            if skier { "hero skier" } else { "hero all" }
        );
        // Every answer with a variant carries its own servedId.
        let ids: Vec<&str> = [page, &refs[0]["resolved"], &refs[1]["resolved"]]
            .iter()
            .map(|r| r["servedId"].as_str().expect("a servedId"))
            .collect();
        assert!(ids[0] != ids[1] && ids[1] != ids[2]);
        // c2 has no published variant: a null variant with a reason.
        assert!(refs[2]["resolved"]["variant"].is_null());
        assert!(refs[2]["resolved"]["servedId"].is_null());
        // `next` points back at the page: a cycle, answered and not followed.
        let cycle = &refs[3]["resolved"];
        assert!(cycle["variant"].is_null());
        assert!(
            cycle["reason"].as_str().unwrap().contains("cycle"),
            "{cycle}"
        );
        // The hero and cards reference nothing further.
        assert_eq!(refs[0]["resolved"]["references"], json!([]));
    }
}

async fn referenced_answers_record_their_impressions_and_can_be_tracked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    site(&app).await;
    let key = app.delivery_key("alpine").await;
    let answer = app.gql(Some(&key), PAGE, json!({"k": "home"})).await;
    let card = answer.data()["content"]["references"][1]["resolved"]["servedId"]
        .as_str()
        .unwrap()
        .to_string();
    let tracked = app
        .gql(
            Some(&key),
            "mutation($e: [TrackInput!]!) { track(events: $e) { accepted rejected { index } } }",
            json!({"e": [{"servedId": card, "kind": "CLICK"}]}),
        )
        .await;
    assert_eq!(tracked.data()["track"]["accepted"], 1);
    let counts = app.impressions_by_entry("alpine").await;
    assert_eq!(
        counts,
        [
            ("c1".to_string(), 1),
            ("home".to_string(), 1),
            ("home-hero".to_string(), 1)
        ]
    );
    // An editor's answer carries no servedId, for the root or its references.
    let editor = app.gql(Some(app.admin()), PAGE, json!({"k": "home"})).await;
    let refs = &editor.data()["content"]["references"];
    assert!(refs[0]["resolved"]["servedId"].is_null());
    assert_eq!(refs[0]["resolved"]["variant"]["name"], "hero all");
}

async fn bad_references_and_lists_are_refused_naming_field_and_index(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let home = site(&app).await;
    let cases = [
        (
            json!({"hero": "home-hero", "cards": ["c1", "nope"]}),
            "field `cards` index 1",
        ),
        (json!({"hero": "c1"}), "field `hero`"),
        (
            json!({"hero": "home-hero", "cards": ["c1", "c1", "c2", "c2"]}),
            "field `cards` index 3",
        ),
        (
            json!({"hero": "home-hero", "cards": ["c1", 7]}),
            "field `cards` index 1",
        ),
        (json!({"hero": "home-hero", "cards": "c1"}), "field `cards`"),
        (
            json!({"hero": "home-hero", "next": "ghost"}),
            "field `next`",
        ),
        (json!({"hero": ""}), "field `hero`"),
    ];
    for (fields, named) in cases {
        let answer = app
            .gql(
                Some(app.admin()),
                "mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }",
                json!({"i": {"entryId": home, "name": "bad", "fields": fields}}),
            )
            .await;
        assert_eq!(answer.code(), "BAD_INPUT", "{fields}");
        assert!(
            answer.message().contains(named),
            "{fields}: {}",
            answer.message()
        );
    }
    let entry = app
        .gql(
            Some(app.admin()),
            "query { entry(brand: \"alpine\", key: \"home\") { variants { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(entry.data()["entry"]["variants"], json!([{"name": "page"}]));
    let unknown = content_type(
        &app,
        "Bad",
        json!([{"name": "r", "kind": "REFERENCE", "to": ["Ghost"]}]),
    )
    .await;
    assert_eq!(unknown.code(), "BAD_INPUT");
    assert!(unknown.message().contains("Ghost"), "{}", unknown.message());
    let misplaced = content_type(
        &app,
        "Bad",
        json!([{"name": "t", "kind": "TEXT", "to": ["Card"]}]),
    )
    .await;
    assert_eq!(misplaced.code(), "BAD_INPUT");
    let own = content_type(
        &app,
        "Tree",
        json!([{"name": "parent", "kind": "REFERENCE", "to": ["Tree"]}]),
    )
    .await;
    own.data();
}

async fn deeper_than_five_levels_or_over_the_answer_cap_is_refused(backend: Backend) {
    let app = TestApp::spawn_with(backend, |raw| raw.graphql_max_answers = 3).await;
    site(&app).await;
    let key = app.delivery_key("alpine").await;
    let mut inner = "key".to_string();
    for _ in 0..6 {
        inner = format!("key references {{ resolved {{ {inner} }} }}");
    }
    let deep = format!("{{ content(brand: \"alpine\", key: \"home\") {{ {inner} }} }}");
    let answer = app.gql(Some(&key), &deep, json!({})).await;
    assert_eq!(answer.code(), "LIMIT_EXCEEDED");
    // The page and its four references are five answers: over a cap of three.
    let answer = app.gql(Some(&key), PAGE, json!({"k": "home"})).await;
    assert_eq!(answer.code(), "LIMIT_EXCEEDED", "{}", answer.body);
    // Without references the page alone fits.
    let alone = app.content(&key, "alpine", "home", json!({})).await;
    assert_eq!(alone["variant"]["name"], "page");
    // Only the answer that was sent counted: the refused request recorded nothing.
    assert_eq!(
        app.impressions_by_entry("alpine").await,
        [("home".to_string(), 1)]
    );
}

backend_tests!(
    each_reference_is_resolved_as_content_would_for_the_same_context,
    referenced_answers_record_their_impressions_and_can_be_tracked,
    bad_references_and_lists_are_refused_naming_field_and_index,
    deeper_than_five_levels_or_over_the_answer_cap_is_refused,
);
