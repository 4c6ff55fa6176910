//! Audiences: named rules used as `{"audience": NAME}`, applied like a publish, refused when
//! unknown, cyclic or (on delete) in use; and preview keys, which see drafts as if published.

use serde_json::{json, Value};

use crate::backend_tests;
use crate::helpers::{hero, Answer, Backend, TestApp};

const CREATE: &str = "mutation($b: String!, $n: String!, $r: JSON!) {
    createAudience(brand: $b, name: $n, rule: $r) { id name rule ruleText version } }";
const UPDATE: &str = "mutation($id: ID!, $v: Int!, $r: JSON!) {
    updateAudience(id: $id, expectedVersion: $v, rule: $r) { id rule ruleText version } }";
const DELETE: &str = "mutation($id: ID!) { deleteAudience(id: $id) }";
const LIST: &str = "query($b: String!) { audiences(brand: $b) {
    id name ruleText version usedBy { kind id name entryKey } } }";

fn tier(n: i64) -> Value {
    json!({"attr": "tier", "op": "gte", "value": n})
}

async fn create(app: &TestApp, token: &str, name: &str, rule: Value) -> Answer {
    app.gql(
        Some(token),
        CREATE,
        json!({"b": "acme", "n": name, "r": rule}),
    )
    .await
}

async fn list(app: &TestApp) -> Vec<Value> {
    let answer = app.gql(Some(app.admin()), LIST, json!({"b": "acme"})).await;
    answer.data()["audiences"].as_array().unwrap().clone()
}

/// `acme` with audience VIP (tier >= 3) and `home-hero` serving "VIP" to it, "Default" to others.
async fn vip_setup(app: &TestApp) -> (String, String) {
    let entry = app.seed_brand("acme").await;
    let vip = create(app, app.admin(), "VIP", tier(3)).await;
    let id = vip.data()["createAudience"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.published(&entry, json!({"name": "Default", "fields": hero("Hello")}))
        .await;
    let variant = app
        .published(
            &entry,
            json!({"name": "VIP", "fields": hero("Welcome back"), "rule": {"audience": "VIP"}, "priority": 1}),
        )
        .await;
    (id, variant)
}

async fn served(app: &TestApp, token: &str, tier: i64) -> Value {
    app.content(
        token,
        "acme",
        "home-hero",
        json!({"attributes": {"tier": tier}}),
    )
    .await
}

async fn a_rule_naming_an_audience_targets_it_and_the_reason_names_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    vip_setup(&app).await;
    let key = app.delivery_key("acme").await;
    let answer = served(&app, &key, 4).await;
    assert_eq!(answer["variant"]["name"], "VIP");
    let reason = answer["reason"].as_str().unwrap();
    assert!(
        reason.contains("matched audience VIP (tier >= 3)"),
        "{reason}"
    );
    assert_eq!(served(&app, &key, 1).await["variant"]["name"], "Default");
    let audiences = list(&app).await;
    assert_eq!(audiences[0]["ruleText"], "tier >= 3");
    assert_eq!(audiences[0]["usedBy"][0]["kind"], "VARIANT");
    assert_eq!(audiences[0]["usedBy"][0]["entryKey"], "home-hero");
}

async fn changing_an_audience_changes_delivery_at_once_and_is_audited(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, _) = vip_setup(&app).await;
    let key = app.delivery_key("acme").await;
    assert_eq!(served(&app, &key, 4).await["variant"]["name"], "VIP");
    let updated = app
        .gql(
            Some(app.admin()),
            UPDATE,
            json!({"id": id, "v": 1, "r": tier(5)}),
        )
        .await;
    assert_eq!(updated.data()["updateAudience"]["version"], 2);
    assert_eq!(served(&app, &key, 4).await["variant"]["name"], "Default");
    assert_eq!(served(&app, &key, 5).await["variant"]["name"], "VIP");
    let stale = app
        .gql(
            Some(app.admin()),
            UPDATE,
            json!({"id": id, "v": 1, "r": tier(9)}),
        )
        .await;
    assert_eq!(stale.code(), "CONFLICT");
    assert_eq!(served(&app, &key, 5).await["variant"]["name"], "VIP");
    let audit = app
        .gql(
            Some(app.admin()),
            "{ auditLog(first: 50) { edges { node { action } } } }",
            json!({}),
        )
        .await;
    let text = audit.body.to_string();
    assert!(
        text.contains("createAudience") && text.contains("updateAudience"),
        "{text}"
    );
}

async fn unknown_cyclic_or_malformed_audiences_are_bad_input_and_change_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("acme").await;
    let admin = app.admin().to_string();
    let a = create(&app, &admin, "A", tier(1)).await;
    let a_id = a.data()["createAudience"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    create(
        &app,
        &admin,
        "B",
        json!({"any": [tier(2), {"audience": "A"}]}),
    )
    .await
    .data();
    for (name, rule) in [
        ("C", json!({"audience": "Nope"})),
        ("C", Value::Null),
        ("C", json!({"attr": "tier", "op": "bogus", "value": 1})),
        ("C", json!({"audience": 3})),
        ("C", json!({"audience": "C"})),
        ("  ", tier(1)),
        ("A", json!({"audience": "A"})),
    ] {
        let answer = create(&app, &admin, name, rule.clone()).await;
        assert_eq!(answer.code(), "BAD_INPUT", "{name} {rule}");
    }
    assert_eq!(create(&app, &admin, "A", tier(7)).await.code(), "CONFLICT");
    let cycle = app
        .gql(
            Some(&admin),
            UPDATE,
            json!({"id": a_id, "v": 1, "r": {"audience": "B"}}),
        )
        .await;
    assert_eq!(cycle.code(), "BAD_INPUT");
    assert!(cycle.message().contains("cycle"), "{}", cycle.message());
    let audiences = list(&app).await;
    assert_eq!(audiences.len(), 2);
    assert_eq!(audiences[0]["version"], 1);
    let variant = app
        .gql(
            Some(&admin),
            "mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }",
            json!({"i": {"entryId": entry, "name": "X", "fields": hero("x"), "rule": {"audience": "Nope"}}}),
        )
        .await;
    assert_eq!(variant.code(), "BAD_INPUT");
    assert!(variant.message().contains("Nope"), "{}", variant.message());
}

async fn an_audience_in_use_cannot_be_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, variant) = vip_setup(&app).await;
    let refused = app.gql(Some(app.admin()), DELETE, json!({"id": id})).await;
    assert_eq!(refused.code(), "CONFLICT");
    assert!(refused.message().contains("VIP"), "{}", refused.message());
    assert_eq!(list(&app).await.len(), 1);
    app.transition("archiveVariant", app.admin(), &variant)
        .await
        .data();
    let deleted = app.gql(Some(app.admin()), DELETE, json!({"id": id})).await;
    assert_eq!(deleted.data()["deleteAudience"], true);
    assert!(list(&app).await.is_empty());
}

async fn where_approval_is_required_only_reviewers_and_admins_change_audiences(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand_with_policy("acme", json!({"requireApproval": true}))
        .await;
    let editor = app.user("editor@test.local", "EDITOR", &["acme"]).await;
    let reviewer = app.user("reviewer@test.local", "REVIEWER", &["acme"]).await;
    assert_eq!(
        create(&app, &editor, "VIP", tier(3)).await.code(),
        "FORBIDDEN"
    );
    assert!(list(&app).await.is_empty());
    create(&app, &reviewer, "VIP", tier(3)).await.data();
    let auditor = app.user("auditor@test.local", "AUDITOR", &[]).await;
    assert_eq!(
        create(&app, &auditor, "X", tier(3)).await.code(),
        "FORBIDDEN"
    );
}

async fn a_preview_key_sees_drafts_as_if_published_and_records_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("acme").await;
    app.published(&entry, json!({"name": "Live", "fields": hero("Live")}))
        .await;
    app.variant(
        app.admin(),
        &entry,
        json!({"name": "Draft", "fields": hero("Draft"), "priority": 5}),
    )
    .await;
    let preview = app
        .gql(
            Some(app.admin()),
            "mutation { createDeliveryKey(brand: \"acme\", name: \"preview\", preview: true) { token preview } }",
            json!({}),
        )
        .await;
    assert_eq!(preview.data()["createDeliveryKey"]["preview"], true);
    let token = preview.data()["createDeliveryKey"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let seen = app.content(&token, "acme", "home-hero", json!({})).await;
    assert_eq!(seen["variant"]["name"], "Draft");
    assert!(seen["servedId"].is_null(), "{seen}");
    let live = app.delivery_key("acme").await;
    let published = app.content(&live, "acme", "home-hero", json!({})).await;
    assert_eq!(published["variant"]["name"], "Live");
    assert!(published["servedId"].is_string());
    let missing = app.content(&token, "acme", "nope", json!({})).await;
    assert!(missing["variant"].is_null());
}

backend_tests!(
    a_rule_naming_an_audience_targets_it_and_the_reason_names_it,
    changing_an_audience_changes_delivery_at_once_and_is_audited,
    unknown_cyclic_or_malformed_audiences_are_bad_input_and_change_nothing,
    an_audience_in_use_cannot_be_deleted,
    where_approval_is_required_only_reviewers_and_admins_change_audiences,
    a_preview_key_sees_drafts_as_if_published_and_records_nothing,
);
