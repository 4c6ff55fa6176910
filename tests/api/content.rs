//! Brands, content types, entries and variants: creation, validation, revisions, pagination.

use serde_json::json;

use crate::backend_tests;
use crate::helpers::{hero, Backend, TestApp};

const VARIANTS: &str = "query($b: String!, $k: String!) { entry(brand: $b, key: $k) { version contentType brand { slug } variants { id name version status revision } } }";
const UPDATE: &str = "mutation($id: ID!, $v: Int!, $p: VariantPatch!) { updateVariant(id: $id, expectedVersion: $v, patch: $p) { id version revision status name fields } }";

async fn count_variants(app: &TestApp, brand: &str) -> usize {
    let answer = app
        .gql(
            Some(app.admin()),
            VARIANTS,
            json!({"b": brand, "k": "home-hero"}),
        )
        .await;
    answer.data()["entry"]["variants"]
        .as_array()
        .map_or(0, Vec::len)
}

async fn a_variant_is_created_with_every_contract_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    let answer = app
        .gql(
            Some(app.admin()),
            "mutation($i: CreateVariantInput!) { createVariant(input: $i) {
                id name fields tags rule ruleText devices locale priority startsAt endsAt status version revision
                publishedRevision createdAt updatedAt quality { score checks { kind severity message path } }
                brandReview { status } entry { key brand { slug } } revisions { hash author status } } }",
            json!({"i": {"entryId": entry, "name": "Skiers", "fields": hero("Powder"), "tags": ["winter", "winter"],
                   "rule": {"attr": "segment", "op": "in", "value": ["skier", "snowboarder"]},
                   "devices": ["MOBILE"], "locale": "de", "priority": 5,
                   "startsAt": "2026-01-01T00:00:00Z", "endsAt": "2030-01-01T00:00:00Z"}}),
        )
        .await;
    let v = &answer.data()["createVariant"];
    assert_eq!(v["status"], "DRAFT");
    assert_eq!(v["version"], 1);
    assert_eq!(v["tags"], json!(["winter"]));
    assert_eq!(v["ruleText"], "segment in [skier, snowboarder]");
    assert_eq!(v["devices"], json!(["MOBILE"]));
    assert_eq!(v["priority"], 5);
    assert!(v["publishedRevision"].is_null());
    assert_eq!(v["revision"].as_str().unwrap().len(), 64);
    assert_eq!(v["revisions"][0]["hash"], v["revision"]);
    assert_eq!(v["revisions"][0]["author"], "admin@test.local");
    assert_eq!(v["quality"]["score"], 1.0);
    assert_eq!(v["entry"]["brand"]["slug"], "alpine");
}

async fn duplicates_are_conflicts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("alpine").await;
    let admin = Some(app.admin());
    let brand = app
        .gql(admin, "mutation { createBrand(input: {slug: \"alpine\", name: \"Again\", defaultLocale: \"en\"}) { slug } }", json!({}))
        .await;
    assert_eq!(brand.code(), "CONFLICT");
    let ct = app
        .gql(admin, "mutation { createContentType(input: {brand: \"alpine\", name: \"Hero\", fields: [{name: \"t\", kind: TEXT}]}) { id } }", json!({}))
        .await;
    assert_eq!(ct.code(), "CONFLICT");
    let entry = app
        .gql(admin, "mutation { createEntry(input: {brand: \"alpine\", key: \"home-hero\", contentType: \"Hero\"}) { id } }", json!({}))
        .await;
    assert_eq!(entry.code(), "CONFLICT");
    let user = app
        .gql(admin, "mutation { createUser(input: {email: \"ADMIN@test.local\", password: \"long-enough-pw\", role: ADMIN}) { id } }", json!({}))
        .await;
    assert_eq!(user.code(), "CONFLICT");
}

async fn unknown_references_are_not_found(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("alpine").await;
    let admin = Some(app.admin());
    let cases = [
        "mutation { createEntry(input: {brand: \"nope\", key: \"k\", contentType: \"Hero\"}) { id } }",
        "mutation { createEntry(input: {brand: \"alpine\", key: \"k\", contentType: \"Nope\"}) { id } }",
        "mutation { createContentType(input: {brand: \"nope\", name: \"T\", fields: [{name: \"t\", kind: TEXT}]}) { id } }",
        "mutation { createVariant(input: {entryId: \"ent_missing\", name: \"x\", fields: {}}) { id } }",
        "mutation { updateVariant(id: \"var_missing\", expectedVersion: 1, patch: {name: \"x\"}) { id } }",
    ];
    for query in cases {
        assert_eq!(
            app.gql(admin, query, json!({})).await.code(),
            "NOT_FOUND",
            "{query}"
        );
    }
}

async fn invalid_fields_are_bad_input_and_store_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    let cases = [
        (json!({"body": "no title"}), "title"),
        (json!({"title": "ok", "colour": "red"}), "colour"),
        (json!({"title": 42}), "title"),
        (json!({"title": "x".repeat(61)}), "title"),
        (
            json!({"title": "ok", "link": "javascript:alert(1)"}),
            "link",
        ),
        (json!(["not", "an", "object"]), "fields"),
    ];
    for (fields, culprit) in cases {
        let answer = app
            .gql(
                Some(app.admin()),
                "mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }",
                json!({"i": {"entryId": entry, "name": "v", "fields": fields}}),
            )
            .await;
        assert_eq!(answer.code(), "BAD_INPUT", "{fields}");
        assert!(
            answer.message().contains(culprit),
            "{} should name {culprit}",
            answer.message()
        );
    }
    assert_eq!(count_variants(&app, "alpine").await, 0);
}

async fn malformed_rules_are_refused_with_their_path(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    let cases = [
        (json!({"attr": "a", "op": "like", "value": 1}), "$.op"),
        (
            json!({"all": [{"attr": "a", "op": "eq", "value": 1}, {"attr": "a", "op": "in", "value": []}]}),
            "$.all[1]",
        ),
        (json!({"attr": "age", "op": "gt", "value": "34"}), "$.value"),
        (
            json!({"attr": "a", "op": "matches", "value": "(unclosed"}),
            "$.value",
        ),
    ];
    for (rule, path) in cases {
        let answer = app
            .gql(
                Some(app.admin()),
                "mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }",
                json!({"i": {"entryId": entry, "name": "v", "fields": hero("t"), "rule": rule}}),
            )
            .await;
        assert_eq!(answer.code(), "BAD_INPUT", "{rule}");
        assert!(
            answer.message().contains(path),
            "{} should name {path}",
            answer.message()
        );
    }
    let mut deep = json!({"attr": "a", "op": "exists"});
    for _ in 0..40 {
        deep = json!({"not": deep});
    }
    let answer = app
        .gql(
            Some(app.admin()),
            "mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }",
            json!({"i": {"entryId": entry, "name": "v", "fields": hero("t"), "rule": deep}}),
        )
        .await;
    assert_eq!(answer.code(), "BAD_INPUT");
    assert_eq!(count_variants(&app, "alpine").await, 0);
}

async fn a_stale_version_is_a_conflict_and_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    let id = app
        .variant(
            app.admin(),
            &entry,
            json!({"name": "v", "fields": hero("First")}),
        )
        .await;
    let first = app
        .gql(
            Some(app.admin()),
            UPDATE,
            json!({"id": id, "v": 1, "p": {"fields": hero("Second")}}),
        )
        .await;
    assert_eq!(first.data()["updateVariant"]["version"], 2);
    let stale = app
        .gql(
            Some(app.admin()),
            UPDATE,
            json!({"id": id, "v": 1, "p": {"fields": hero("Lost")}}),
        )
        .await;
    assert_eq!(stale.code(), "CONFLICT");
    let now = app
        .gql(
            Some(app.admin()),
            "query($id: ID!) { variant(id: $id) { version fields revisions { hash } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(now.data()["variant"]["version"], 2);
    assert_eq!(now.data()["variant"]["fields"]["title"], "Second");
    assert_eq!(
        now.data()["variant"]["revisions"].as_array().unwrap().len(),
        2
    );
}

async fn every_save_writes_a_new_revision_newest_first(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    let id = app
        .variant(
            app.admin(),
            &entry,
            json!({"name": "v", "fields": hero("One")}),
        )
        .await;
    let second = app
        .gql(
            Some(app.admin()),
            UPDATE,
            json!({"id": id, "v": 1, "p": {"name": "renamed", "rule": null}}),
        )
        .await;
    let rev2 = second.data()["updateVariant"]["revision"]
        .as_str()
        .unwrap()
        .to_string();
    app.gql(
        Some(app.admin()),
        UPDATE,
        json!({"id": id, "v": 2, "p": {"fields": hero("One")}}),
    )
    .await
    .data();
    let answer = app
        .gql(
            Some(app.admin()),
            "query($id: ID!) { variant(id: $id) { name revisions { hash fields } } }",
            json!({"id": id}),
        )
        .await;
    let revisions = answer.data()["variant"]["revisions"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(revisions.len(), 3);
    assert_eq!(revisions[1]["hash"], rev2);
    assert_ne!(
        revisions[0]["hash"], revisions[2]["hash"],
        "same content, still a distinct revision"
    );
    assert_eq!(answer.data()["variant"]["name"], "renamed");
}

async fn entries_page_through_with_relay_cursors(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("alpine").await;
    for i in 0..4 {
        app.entry("alpine", &format!("page-{i}")).await;
    }
    let query = "query($a: String) { entries(brand: \"alpine\", first: 2, after: $a) { totalCount edges { cursor node { key contentType } } pageInfo { hasNextPage endCursor } } }";
    let mut keys = Vec::new();
    let mut after = serde_json::Value::Null;
    loop {
        let answer = app.gql(Some(app.admin()), query, json!({"a": after})).await;
        let conn = answer.data()["entries"].clone();
        assert_eq!(conn["totalCount"], 5);
        for edge in conn["edges"].as_array().unwrap() {
            keys.push(edge["node"]["key"].as_str().unwrap().to_string());
            assert_eq!(edge["node"]["contentType"], "Hero");
        }
        if !conn["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = conn["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(
        keys,
        vec!["home-hero", "page-0", "page-1", "page-2", "page-3"]
    );
    let bad = app.gql(Some(app.admin()), query, json!({"a": "%%%"})).await;
    assert_eq!(bad.code(), "BAD_INPUT");
    let too_many = app
        .gql(
            Some(app.admin()),
            "{ entries(first: 5000) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(too_many.code(), "BAD_INPUT");
}

async fn a_locale_outside_the_brand_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    let answer = app
        .gql(
            Some(app.admin()),
            "mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }",
            json!({"i": {"entryId": entry, "name": "v", "fields": hero("t"), "locale": "fr"}}),
        )
        .await;
    assert_eq!(answer.code(), "BAD_INPUT");
}

async fn brand_policy_checks_lower_quality(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app
        .seed_brand_with_policy(
            "bank",
            json!({"bannedTerms": ["guaranteed"], "maxTitleLength": 20}),
        )
        .await;
    let answer = app
        .gql(
            Some(app.admin()),
            "mutation($i: CreateVariantInput!) { createVariant(input: $i) { quality { score checks { kind severity path } } } }",
            json!({"i": {"entryId": entry, "name": "v", "fields": {"title": "Returns GUARANTÉED for everyone"}}}),
        )
        .await;
    let quality = &answer.data()["createVariant"]["quality"];
    let kinds: Vec<&str> = quality["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"banned_term") && kinds.contains(&"title_length"),
        "{kinds:?}"
    );
    assert_eq!(quality["score"], 0.0);
}

async fn conflicts_editors_cannot_see_become_warnings(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    app.published(
        &entry,
        json!({"name": "broad", "fields": hero("a"), "priority": 10}),
    )
    .await;
    let create = "mutation($i: CreateVariantInput!) { createVariant(input: $i) { quality { score checks { kind severity message } } } }";
    let shadowed = app
        .gql(
            Some(app.admin()),
            create,
            json!({"i": {"entryId": entry, "name": "narrow", "fields": hero("b"),
            "rule": {"attr": "segment", "op": "eq", "value": "skier"}}}),
        )
        .await;
    let quality = &shadowed.data()["createVariant"]["quality"];
    assert_eq!(quality["checks"][0]["kind"], "shadowed", "{quality}");
    assert_eq!(quality["checks"][0]["severity"], "WARNING");
    assert!(quality["checks"][0]["message"]
        .as_str()
        .unwrap()
        .contains("broad"));
    assert!(quality["score"].as_f64().unwrap() < 1.0);
    app.published(&entry, json!({"name": "skiers", "fields": hero("c"), "priority": 20, "rule": {"attr": "segment", "op": "eq", "value": "skier"}})).await;
    let tie = app
        .gql(
            Some(app.admin()),
            create,
            json!({"i": {"entryId": entry, "name": "vips", "fields": hero("d"), "priority": 20,
            "rule": {"attr": "tier", "op": "gte", "value": 3}}}),
        )
        .await;
    let kinds = tie.data()["createVariant"]["quality"]["checks"].to_string();
    assert!(kinds.contains("\"tie\""), "{kinds}");
}

backend_tests!(
    conflicts_editors_cannot_see_become_warnings,
    a_variant_is_created_with_every_contract_field,
    duplicates_are_conflicts,
    unknown_references_are_not_found,
    invalid_fields_are_bad_input_and_store_nothing,
    malformed_rules_are_refused_with_their_path,
    a_stale_version_is_a_conflict_and_changes_nothing,
    every_save_writes_a_new_revision_newest_first,
    entries_page_through_with_relay_cursors,
    a_locale_outside_the_brand_is_refused,
    brand_policy_checks_lower_quality,
);
