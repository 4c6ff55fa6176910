//! `Variant.onAir` (is anyone served this variant now, and why not) and `policyImpact` (what a
//! new minimum quality would take off the air), both read from delivery's snapshot.

use serde_json::json;

use crate::backend_tests;
use crate::helpers::{hero, Backend, TestApp};

const ON_AIR: &str = "query($k: String!) { entry(brand: \"air\", key: $k) { variants { name live onAir { live reason } quality { score } } } }";

async fn on_air(app: &TestApp, name: &str) -> serde_json::Value {
    let answer = app
        .gql(Some(app.admin()), ON_AIR, json!({"k": "home-hero"}))
        .await;
    let variants = answer.data()["entry"]["variants"]
        .as_array()
        .unwrap()
        .clone();
    variants
        .into_iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no variant {name}"))
}

async fn live_means_someone_gets_it_now(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("air").await;
    let rule = |values: &[&str]| json!({"attr": "segment", "op": "in", "value": values});
    app.published(
        &entry,
        json!({"name": "skiers", "fields": hero("Ski"), "rule": rule(&["a", "b"])}),
    )
    .await;
    app.published(
        &entry,
        json!({"name": "tied", "fields": hero("Tie"), "rule": rule(&["b", "c"])}),
    )
    .await;
    app.published(&entry, json!({"name": "fallback", "fields": hero("All")}))
        .await;
    app.published(
        &entry,
        json!({"name": "vip", "fields": hero("Vip"), "priority": -1}),
    )
    .await;
    app.published(&entry, json!({"name": "later", "fields": hero("Soon"), "priority": 9, "startsAt": "2999-01-01T00:00:00Z"}))
        .await;
    assert_eq!(
        on_air(&app, "skiers").await["onAir"],
        json!({"live": true, "reason": null})
    );
    assert_eq!(on_air(&app, "fallback").await["onAir"]["live"], true);
    let shadowed = on_air(&app, "vip").await;
    assert_eq!(shadowed["live"], true, "published");
    assert_eq!(
        shadowed["onAir"],
        json!({"live": false, "reason": "never served: covered by fallback"})
    );
    assert_eq!(
        on_air(&app, "later").await["onAir"]["reason"],
        "outside its schedule: starts 2999-01-01 00:00 UTC"
    );
    let tied = on_air(&app, "tied").await;
    assert_eq!(tied["quality"]["score"], 0.85, "the tie warns");

    let impact = "query($m: Float!) { policyImpact(brand: \"air\", minQuality: $m) { entryKey variantName score } }";
    let none = app.gql(Some(app.admin()), impact, json!({"m": 0.8})).await;
    assert_eq!(none.data()["policyImpact"], json!([]));
    let some = app.gql(Some(app.admin()), impact, json!({"m": 0.9})).await;
    assert_eq!(
        some.data()["policyImpact"],
        json!([{"entryKey": "home-hero", "variantName": "tied", "score": 0.85}])
    );
    assert_eq!(
        app.gql(Some(app.admin()), impact, json!({"m": 9.0}))
            .await
            .code(),
        "BAD_INPUT"
    );
    let editor = app.user("ed@test.local", "EDITOR", &["air"]).await;
    assert_eq!(
        app.gql(Some(&editor), impact, json!({"m": 0.9}))
            .await
            .code(),
        "FORBIDDEN"
    );

    app.gql(
        Some(app.admin()),
        "mutation { updateBrand(slug: \"air\", input: {policy: {minQuality: 0.9}}) { version } }",
        json!({}),
    )
    .await
    .data();
    assert_eq!(
        on_air(&app, "tied").await["onAir"],
        json!({"live": false, "reason": "quality 85 is below the brand minimum 90"})
    );
    let key = app.delivery_key("air").await;
    let c = app
        .content(
            &key,
            "air",
            "home-hero",
            json!({"attributes": {"segment": "c"}}),
        )
        .await;
    assert_eq!(
        c["variant"]["name"], "fallback",
        "delivery agrees: tied is not served"
    );
}

backend_tests!(live_means_someone_gets_it_now);
