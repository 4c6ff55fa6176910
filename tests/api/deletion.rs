//! Deleting entries, content types and assets (refused with CONFLICT while in use), and editing
//! an asset's alt text and focal point (crops follow).

use image::ImageFormat;
use serde_json::{json, Value};

use crate::assets::{banner_entry, encoded, fetch, picture, upload};
use crate::backend_tests;
use crate::helpers::{hero, Backend, TestApp};

const DELETE_ENTRY: &str = "mutation($id: ID!) { deleteEntry(id: $id) }";
const DELETE_TYPE: &str = "mutation($id: ID!) { deleteContentType(id: $id) }";
const DELETE_ASSET: &str = "mutation($id: ID!) { deleteAsset(id: $id) }";
const UPDATE_ASSET: &str = "mutation($id: ID!, $i: UpdateAssetInput!) {
    updateAsset(id: $id, input: $i) { id alt focalX focalY } }";

async fn entry_keys(app: &TestApp) -> Vec<Value> {
    let answer = app
        .gql(
            Some(app.admin()),
            "{ entries(brand: \"acme\") { edges { node { key } } } }",
            json!({}),
        )
        .await;
    answer.data()["entries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["key"].clone())
        .collect()
}

async fn a_deleted_entry_leaves_delivery_lists_and_search_but_stays_for_auditors(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("acme").await;
    let variant = app
        .published(
            &entry,
            json!({"name": "Default", "fields": hero("Snowshoe weekend")}),
        )
        .await;
    let refused = app
        .gql(Some(app.admin()), DELETE_ENTRY, json!({"id": entry}))
        .await;
    assert_eq!(refused.code(), "CONFLICT");
    assert!(
        refused.message().contains("Default"),
        "{}",
        refused.message()
    );
    assert_eq!(entry_keys(&app).await.len(), 1);
    app.transition("unpublishVariant", app.admin(), &variant)
        .await
        .data();
    let editor = app.user("editor@test.local", "EDITOR", &["acme"]).await;
    let deleted = app
        .gql(Some(&editor), DELETE_ENTRY, json!({"id": entry}))
        .await;
    assert_eq!(deleted.data()["deleteEntry"], true);
    assert!(entry_keys(&app).await.is_empty());
    let key = app.delivery_key("acme").await;
    let answer = app.content(&key, "acme", "home-hero", json!({})).await;
    assert!(answer["variant"].is_null());
    assert!(answer["reason"].as_str().unwrap().contains("no entry"));
    let search = "{ search(query: \"snowshoe\") { total } }";
    for _ in 0..40 {
        let hits = app.gql(Some(app.admin()), search, json!({})).await;
        if hits.data()["search"]["total"] == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let hits = app.gql(Some(app.admin()), search, json!({})).await;
    assert_eq!(hits.data()["search"]["total"], 0);
    let auditor = app.user("auditor@test.local", "AUDITOR", &[]).await;
    let revisions = app
        .gql(
            Some(&auditor),
            "query($id: ID!) { variant(id: $id) { revisions { hash } } }",
            json!({"id": variant}),
        )
        .await;
    assert_eq!(
        revisions.data()["variant"]["revisions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let edit = app
        .gql(
            Some(app.admin()),
            "mutation($id: ID!) { updateVariant(id: $id, expectedVersion: 3, patch: {name: \"X\"}) { id } }",
            json!({"id": variant}),
        )
        .await;
    assert_eq!(
        edit.code(),
        "NOT_FOUND",
        "a deleted entry's variants change no more"
    );
    let again = app
        .gql(Some(app.admin()), DELETE_ENTRY, json!({"id": entry}))
        .await;
    assert_eq!(again.code(), "NOT_FOUND");
    // The key is free again.
    app.entry("acme", "home-hero").await;
}

async fn a_content_type_with_entries_cannot_be_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("acme").await;
    let types = app
        .gql(
            Some(app.admin()),
            "{ contentTypes(brand: \"acme\") { id name } }",
            json!({}),
        )
        .await;
    let id = types.data()["contentTypes"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let refused = app
        .gql(Some(app.admin()), DELETE_TYPE, json!({"id": id}))
        .await;
    assert_eq!(refused.code(), "CONFLICT");
    assert!(
        refused.message().contains("home-hero"),
        "{}",
        refused.message()
    );
    app.gql(Some(app.admin()), DELETE_ENTRY, json!({"id": entry}))
        .await
        .data();
    let deleted = app
        .gql(Some(app.admin()), DELETE_TYPE, json!({"id": id}))
        .await;
    assert_eq!(deleted.data()["deleteContentType"], true);
    let types = app
        .gql(
            Some(app.admin()),
            "{ contentTypes(brand: \"acme\") { id } }",
            json!({}),
        )
        .await;
    assert!(types.data()["contentTypes"].as_array().unwrap().is_empty());
    let missing = app
        .gql(Some(app.admin()), DELETE_TYPE, json!({"id": "ct_nope"}))
        .await;
    assert_eq!(missing.code(), "NOT_FOUND");
}

async fn an_asset_shown_by_a_variant_cannot_be_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("acme").await;
    let banner = banner_entry(&app).await;
    let png = encoded(&picture(64, 48), ImageFormat::Png);
    let (_, asset) = upload(&app, &png, "a.png", "image/png").await;
    let asset_id = asset["id"].as_str().unwrap().to_string();
    let variant = app
        .variant(
            app.admin(),
            &banner,
            json!({"name": "B", "fields": {"title": "T", "image": asset_id}}),
        )
        .await;
    let refused = app
        .gql(Some(app.admin()), DELETE_ASSET, json!({"id": asset_id}))
        .await;
    assert_eq!(refused.code(), "CONFLICT");
    assert!(
        refused.message().contains("banner"),
        "{}",
        refused.message()
    );
    app.transition("archiveVariant", app.admin(), &variant)
        .await
        .data();
    app.seed_brand("other").await;
    let outsider = app.user("outsider@test.local", "EDITOR", &["other"]).await;
    let hidden = app
        .gql(Some(&outsider), DELETE_ASSET, json!({"id": asset_id}))
        .await;
    assert_eq!(hidden.code(), "NOT_FOUND");
    let deleted = app
        .gql(Some(app.admin()), DELETE_ASSET, json!({"id": asset_id}))
        .await;
    assert_eq!(deleted.data()["deleteAsset"], true);
    let count = app
        .gql(
            Some(app.admin()),
            "{ assets(brand: \"acme\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(count.data()["assets"]["totalCount"], 0);
}

async fn update_asset_edits_alt_and_focal_point_and_crops_follow(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("acme").await;
    let png = encoded(&picture(400, 100), ImageFormat::Png);
    let (_, asset) = upload(&app, &png, "wide.png", "image/png").await;
    let id = asset["id"].as_str().unwrap().to_string();
    let crop = format!("/assets/{id}/mobile.png?aspect=1:1");
    let crop = crop.replace("mobile.png", "mobile.jpg");
    let (status, _, centred) = fetch(&app, &crop, &[]).await;
    assert_eq!(status, 200);
    for bad in [
        json!({"focalX": 0.5}),
        json!({"focalX": 1.5, "focalY": 0.5}),
        json!({"alt": "x".repeat(1001)}),
    ] {
        let answer = app
            .gql(Some(app.admin()), UPDATE_ASSET, json!({"id": id, "i": bad}))
            .await;
        assert_eq!(answer.code(), "BAD_INPUT", "{bad}");
    }
    let updated = app
        .gql(
            Some(app.admin()),
            UPDATE_ASSET,
            json!({"id": id, "i": {"alt": "A wide valley", "focalX": 0.0, "focalY": 0.5}}),
        )
        .await;
    let node = &updated.data()["updateAsset"];
    assert_eq!(node["alt"], "A wide valley");
    assert_eq!(node["focalX"], 0.0);
    let (_, _, left) = fetch(&app, &crop, &[]).await;
    assert_ne!(left, centred, "the crop follows the focal point");
    let reviewer = app.user("reviewer@test.local", "REVIEWER", &["acme"]).await;
    let refused = app
        .gql(
            Some(&reviewer),
            UPDATE_ASSET,
            json!({"id": id, "i": {"alt": "no"}}),
        )
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    let listed = app
        .gql(
            Some(app.admin()),
            "{ assets(brand: \"acme\") { edges { node { alt focalX } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed.data()["assets"]["edges"][0]["node"]["alt"],
        "A wide valley"
    );
}

async fn an_entry_another_entry_references_cannot_be_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    crate::references::site(&app).await;
    let listed = app
        .gql(
            Some(app.admin()),
            "{ entries(brand: \"alpine\") { edges { node { id key } } } }",
            json!({}),
        )
        .await;
    let edges = listed.data()["entries"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    let id_of = |key: &str| {
        edges
            .iter()
            .find(|e| e["node"]["key"] == key)
            .map(|e| e["node"]["id"].as_str().unwrap().to_string())
            .unwrap()
    };
    // `c2` has nothing published; the page `home` lists it among its cards.
    let refused = app
        .gql(Some(app.admin()), DELETE_ENTRY, json!({"id": id_of("c2")}))
        .await;
    assert_eq!(refused.code(), "CONFLICT");
    assert!(
        refused
            .message()
            .contains("variant \"page\" of entry `home`"),
        "{}",
        refused.message()
    );
    let still = app
        .gql(
            Some(app.admin()),
            "{ entries(brand: \"alpine\") { edges { node { key } } } }",
            json!({}),
        )
        .await;
    assert!(still.data()["entries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["node"]["key"] == "c2"));
}

backend_tests!(
    an_entry_another_entry_references_cannot_be_deleted,
    a_deleted_entry_leaves_delivery_lists_and_search_but_stays_for_auditors,
    a_content_type_with_entries_cannot_be_deleted,
    an_asset_shown_by_a_variant_cannot_be_deleted,
    update_asset_edits_alt_and_focal_point_and_crops_follow,
);
