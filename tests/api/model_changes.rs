//! `updateContentType`: renames read everywhere under the new name while revisions stay as
//! stored; changes that would break a variant are refused, listing it, and change nothing.

use serde_json::{json, Value};

use crate::backend_tests;
use crate::helpers::{hero, Answer, Backend, TestApp};

const UPDATE: &str = "mutation($id: ID!, $v: Int!, $i: UpdateContentTypeInput!) {
    updateContentType(id: $id, expectedVersion: $v, input: $i) { id name version fields { name kind required } } }";

fn fields(title: &str, title_kind: &str, cta_required: bool) -> Value {
    json!([
        {"name": title, "kind": title_kind, "required": true, "maxLength": 60},
        {"name": "body", "kind": "RICH_TEXT"},
        {"name": "cta", "kind": "TEXT", "required": cta_required},
        {"name": "link", "kind": "URL"}
    ])
}

async fn hero_type(app: &TestApp) -> (String, i64) {
    let answer = app
        .gql(
            Some(app.admin()),
            "{ contentTypes(brand: \"acme\") { id version } }",
            json!({}),
        )
        .await;
    let ct = &answer.data()["contentTypes"][0];
    (
        ct["id"].as_str().unwrap().to_string(),
        ct["version"].as_i64().unwrap(),
    )
}

async fn update(app: &TestApp, token: &str, id: &str, version: i64, input: Value) -> Answer {
    app.gql(
        Some(token),
        UPDATE,
        json!({"id": id, "v": version, "i": input}),
    )
    .await
}

async fn a_renamed_field_reads_under_its_new_name_everywhere(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("acme").await;
    let variant = app
        .published(
            &entry,
            json!({"name": "Default", "fields": hero("Powder day")}),
        )
        .await;
    let (id, version) = hero_type(&app).await;
    assert_eq!(version, 1);
    let input = json!({"fields": fields("headline", "TEXT", false), "renames": [{"from": "title", "to": "headline"}]});
    let answer = update(&app, app.admin(), &id, 1, input).await;
    assert_eq!(answer.data()["updateContentType"]["version"], 2);
    let key = app.delivery_key("acme").await;
    let served = app.content(&key, "acme", "home-hero", json!({})).await;
    assert_eq!(served["variant"]["fields"]["headline"], "Powder day");
    assert!(served["variant"]["fields"].get("title").is_none());
    let editors = app
        .gql(
            Some(app.admin()),
            "query($id: ID!) { variant(id: $id) { fields revisions { hash } } }",
            json!({"id": variant}),
        )
        .await;
    assert_eq!(
        editors.data()["variant"]["fields"]["headline"],
        "Powder day"
    );
    let saved = app
        .gql(
            Some(app.admin()),
            "mutation($id: ID!, $p: VariantPatch!) { updateVariant(id: $id, expectedVersion: 2, patch: $p) { fields } }",
            json!({"id": variant, "p": {"fields": {"headline": "Fresh powder", "cta": "Go"}}}),
        )
        .await;
    assert_eq!(
        saved.data()["updateVariant"]["fields"]["headline"],
        "Fresh powder"
    );
    let old_name = app
        .gql(
            Some(app.admin()),
            "mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }",
            json!({"i": {"entryId": entry, "name": "Old", "fields": hero("Old name")}}),
        )
        .await;
    assert_eq!(old_name.code(), "BAD_INPUT");
    let audit = app
        .gql(
            Some(app.admin()),
            "{ auditLog(first: 100) { edges { node { action } } } }",
            json!({}),
        )
        .await;
    assert!(audit.body.to_string().contains("updateContentType"));
}

async fn a_change_that_would_break_a_variant_is_refused_listing_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("acme").await;
    app.variant(
        app.admin(),
        &entry,
        json!({"name": "No CTA", "fields": {"title": "Hi"}}),
    )
    .await;
    let (id, _) = hero_type(&app).await;
    let required = update(
        &app,
        app.admin(),
        &id,
        1,
        json!({"fields": fields("title", "TEXT", true)}),
    )
    .await;
    assert_eq!(required.code(), "BAD_INPUT");
    let message = required.message();
    assert!(
        message.contains("No CTA") && message.contains("1 variant"),
        "{message}"
    );
    let kind = update(
        &app,
        app.admin(),
        &id,
        1,
        json!({"fields": fields("title", "NUMBER", false)}),
    )
    .await;
    assert_eq!(kind.code(), "BAD_INPUT");
    let dropped = update(
        &app,
        app.admin(),
        &id,
        1,
        json!({"fields": [{"name": "cta", "kind": "TEXT"}]}),
    )
    .await;
    assert_eq!(dropped.code(), "BAD_INPUT");
    for renames in [
        json!([{"from": "nope", "to": "title"}]),
        json!([{"from": "title", "to": "nope"}]),
        json!([{"from": "title", "to": "cta"}]),
    ] {
        let input = json!({"fields": fields("title", "TEXT", false), "renames": renames});
        assert_eq!(
            update(&app, app.admin(), &id, 1, input).await.code(),
            "BAD_INPUT",
            "{renames}"
        );
    }
    let bad_name = update(
        &app,
        app.admin(),
        &id,
        1,
        json!({"name": " ", "fields": fields("title", "TEXT", false)}),
    )
    .await;
    assert_eq!(bad_name.code(), "BAD_INPUT");
    let editor = app.user("editor@test.local", "EDITOR", &["acme"]).await;
    let forbidden = update(
        &app,
        &editor,
        &id,
        1,
        json!({"fields": fields("title", "TEXT", false)}),
    )
    .await;
    assert_eq!(forbidden.code(), "FORBIDDEN");
    assert_eq!(hero_type(&app).await.1, 1, "nothing changed");
    let added = json!({"fields": [
        {"name": "title", "kind": "TEXT", "required": true, "maxLength": 60},
        {"name": "body", "kind": "RICH_TEXT"}, {"name": "cta", "kind": "TEXT"},
        {"name": "link", "kind": "URL"}, {"name": "badge", "kind": "TEXT"}
    ]});
    let ok = update(&app, app.admin(), &id, 1, added.clone()).await;
    assert_eq!(ok.data()["updateContentType"]["version"], 2);
    assert_eq!(
        update(&app, app.admin(), &id, 1, added).await.code(),
        "CONFLICT"
    );
}

backend_tests!(
    a_renamed_field_reads_under_its_new_name_everywhere,
    a_change_that_would_break_a_variant_is_refused_listing_it,
);
