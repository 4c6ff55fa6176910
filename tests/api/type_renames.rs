//! Renaming a content type (`updateContentType` with a new `name`): the REFERENCE fields that
//! name it in `to` (other types' and its own) name it by its new name, in the same transaction,
//! each changed type audited; references keep being checked against the new name.

use serde_json::{json, Value};

use crate::backend_tests;
use crate::helpers::{hero, Backend, TestApp};

const UPDATE: &str = "mutation($id: ID!, $v: Int!, $i: UpdateContentTypeInput!) {
    updateContentType(id: $id, expectedVersion: $v, input: $i) { id name version fields { name to } } }";

const HERO_FIELDS: &str = r#"[
    {"name": "title", "kind": "TEXT", "required": true, "maxLength": 60},
    {"name": "body", "kind": "RICH_TEXT"}, {"name": "cta", "kind": "TEXT"},
    {"name": "link", "kind": "URL"}]"#;

/// The brand's content types by name: (id, version, each field's name and `to`).
async fn types(app: &TestApp) -> Vec<(String, String, i64, Value)> {
    let answer = app
        .gql(
            Some(app.admin()),
            "{ contentTypes(brand: \"acme\") { id name version fields { name to } } }",
            json!({}),
        )
        .await;
    let mut types: Vec<_> = answer.data()["contentTypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                t["id"].as_str().unwrap().to_string(),
                t["version"].as_i64().unwrap(),
                t["fields"].clone(),
            )
        })
        .collect();
    types.sort_by(|a, b| a.0.cmp(&b.0));
    types
}

fn page_fields(hero_type: &str, page_type: &str) -> Value {
    json!([
        {"name": "hero", "kind": "REFERENCE", "to": [hero_type], "required": true},
        {"name": "next", "kind": "REFERENCE", "to": [page_type, hero_type]}
    ])
}

async fn update(app: &TestApp, id: &str, version: i64, input: Value) -> crate::helpers::Answer {
    app.gql(
        Some(app.admin()),
        UPDATE,
        json!({"id": id, "v": version, "i": input}),
    )
    .await
}

async fn renaming_a_type_renames_it_in_every_reference_target(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let hero_entry = app.seed_brand("acme").await;
    app.published(
        &hero_entry,
        json!({"name": "hero", "fields": hero("Trail")}),
    )
    .await;
    app.gql(
        Some(app.admin()),
        "mutation($i: CreateContentTypeInput!) { createContentType(input: $i) { id } }",
        json!({"i": {"brand": "acme", "name": "Page", "fields": page_fields("Hero", "Page")}}),
    )
    .await
    .data();
    let before = types(&app).await;
    let (hero_id, page_id) = (before[0].1.clone(), before[1].1.clone());

    // Hero → Banner: the Page's targets follow; Page moves to version 2.
    let fields: Value = serde_json::from_str(HERO_FIELDS).unwrap();
    let renamed = update(
        &app,
        &hero_id,
        1,
        json!({"name": "Banner", "fields": fields}),
    )
    .await;
    assert_eq!(renamed.data()["updateContentType"]["name"], "Banner");
    let after = types(&app).await;
    assert_eq!(after[0].0, "Banner");
    assert_eq!((after[1].0.as_str(), after[1].2), ("Page", 2));
    assert_eq!(
        after[1].3,
        json!([{"name": "hero", "to": ["Banner"]}, {"name": "next", "to": ["Page", "Banner"]}])
    );

    // Page → Landing, its field list still naming itself `Page`: stored as `Landing`.
    let input = json!({"name": "Landing", "fields": page_fields("Banner", "Page")});
    let renamed = update(&app, &page_id, 2, input).await;
    assert_eq!(
        renamed.data()["updateContentType"]["fields"][1]["to"],
        json!(["Landing", "Banner"])
    );

    // References are checked against the new names: a page pointing at the hero saves.
    let page = app
        .gql(
            Some(app.admin()),
            "mutation { createEntry(input: {brand: \"acme\", key: \"home\", contentType: \"Landing\"}) { id } }",
            json!({}),
        )
        .await;
    let page = page.data()["createEntry"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.published(
        &page,
        json!({"name": "page", "fields": {"hero": "home-hero", "next": "home"}}),
    )
    .await;

    // Each changed type is audited: the renamed one and the one whose targets followed.
    let log = app
        .gql(
            Some(app.admin()),
            "{ auditLog(brand: \"acme\", first: 50) { edges { node { action target note } } } }",
            json!({}),
        )
        .await;
    let followed: Vec<&Value> = log.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .filter(|n| n["action"] == "updateContentType" && n["target"] == page_id.as_str())
        .collect();
    assert_eq!(followed.len(), 2, "{followed:?}");
    assert!(
        followed
            .iter()
            .any(|n| n["note"].as_str().unwrap().contains("`Hero` → `Banner`")),
        "{followed:?}"
    );
}

async fn a_refused_rename_changes_no_other_type(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("acme").await;
    app.gql(
        Some(app.admin()),
        "mutation($i: CreateContentTypeInput!) { createContentType(input: $i) { id } }",
        json!({"i": {"brand": "acme", "name": "Page", "fields": page_fields("Hero", "Page")}}),
    )
    .await
    .data();
    let before = types(&app).await;
    let fields: Value = serde_json::from_str(HERO_FIELDS).unwrap();
    // Taken name: CONFLICT, and the Page still points at `Hero`.
    let taken = update(
        &app,
        &before[0].1,
        1,
        json!({"name": "Page", "fields": fields}),
    )
    .await;
    assert_eq!(taken.code(), "CONFLICT", "{:?}", taken.body);
    // A target that names no type: BAD_INPUT.
    let unknown = json!({"name": "Page", "fields": page_fields("Nope", "Page")});
    assert_eq!(
        update(&app, &before[1].1, 1, unknown).await.code(),
        "BAD_INPUT"
    );
    assert_eq!(types(&app).await, before);
}

backend_tests!(
    renaming_a_type_renames_it_in_every_reference_target,
    a_refused_rename_changes_no_other_type,
);
