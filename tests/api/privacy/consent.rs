//! Consent: `ContextInput.consent` against the brand's `policy.consentRequired`, each half.

use serde_json::{json, Value};

use super::stored_events;
use crate::backend_tests;
use crate::helpers::{hero, Backend, TestApp};

const PREVIEW: &str = "query($c: ContextInput) { preview(brand: \"alpine\", key: \"home-hero\", context: $c) {
    variant { name } reason consent { personalization measurement } candidates { variant { name } eligible reasons } } }";

/// `alpine` (consent required or not) with three published heroes: for everyone, for skiers
/// (priority 10) and for mobiles (priority 5).
async fn brand(app: &TestApp, consent_required: bool) {
    let entry = app
        .seed_brand_with_policy(
            "alpine",
            json!({"usageAttributes": ["segment"], "consentRequired": consent_required}),
        )
        .await;
    app.published(&entry, json!({"name": "everyone", "fields": hero("All")}))
        .await;
    app.published(
        &entry,
        json!({"name": "skiers", "fields": hero("Powder"), "priority": 10,
               "rule": {"attr": "segment", "op": "eq", "value": "skier"}}),
    )
    .await;
    app.published(
        &entry,
        json!({"name": "mobile", "fields": hero("Short"), "priority": 5, "devices": ["MOBILE"]}),
    )
    .await;
}

/// A skier on a phone, with the consent given (`Value::Null`: none stated).
fn skier(consent: Value) -> Value {
    let mut context =
        json!({"attributes": {"segment": "skier"}, "device": "MOBILE", "userKey": "ann"});
    if !consent.is_null() {
        context["consent"] = consent;
    }
    context
}

async fn served(app: &TestApp, key: &str, consent: Value) -> (String, String) {
    let answer = app
        .content(key, "alpine", "home-hero", skier(consent))
        .await;
    (
        answer["variant"]["name"].as_str().unwrap().to_owned(),
        answer["reason"].as_str().unwrap().to_owned(),
    )
}

async fn personalization_follows_the_request_then_the_brand_default(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    brand(&app, false).await;
    let key = app.delivery_key("alpine").await;
    // Not required: what the request leaves out is granted.
    for consent in [
        Value::Null,
        json!({}),
        json!({"measurement": false}),
        json!({"personalization": true}),
    ] {
        assert_eq!(
            served(&app, &key, consent.clone()).await.0,
            "skiers",
            "{consent}"
        );
    }
    for consent in [
        json!({"personalization": false}),
        json!({"personalization": false, "measurement": true}),
    ] {
        let (name, reason) = served(&app, &key, consent).await;
        assert_eq!(name, "everyone", "attributes and device are ignored");
        assert!(reason.contains("consent"), "{reason}");
    }
    // Required: what the request leaves out is withheld.
    let update = "mutation { updateBrand(slug: \"alpine\", input: {policy: {consentRequired: true}}) { policy { consentRequired } } }";
    let answer = app.gql(Some(app.admin()), update, json!({})).await;
    assert_eq!(
        answer.data()["updateBrand"]["policy"]["consentRequired"],
        true
    );
    for consent in [
        Value::Null,
        json!({}),
        json!({"measurement": true}),
        json!({"personalization": false}),
    ] {
        let (name, reason) = served(&app, &key, consent.clone()).await;
        assert_eq!(name, "everyone", "{consent}");
        assert!(reason.contains("consent"), "{reason}");
    }
    let (name, reason) = served(&app, &key, json!({"personalization": true})).await;
    assert_eq!(name, "skiers");
    assert!(!reason.contains("consent"), "{reason}");
}

async fn without_consent_and_no_untargeted_variant_nothing_is_served(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    app.published(
        &entry,
        json!({"name": "skiers", "fields": hero("Powder"), "rule": {"attr": "segment", "op": "eq", "value": "skier"}}),
    )
    .await;
    let key = app.delivery_key("alpine").await;
    let answer = app
        .content(
            &key,
            "alpine",
            "home-hero",
            skier(json!({"personalization": false})),
        )
        .await;
    assert_eq!(answer["variant"], Value::Null);
    assert_eq!(answer["servedId"], Value::Null);
    assert!(
        answer["reason"].as_str().unwrap().contains("consent"),
        "{answer}"
    );
}

async fn measurement_consent_decides_what_the_impression_stores(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    brand(&app, false).await;
    let key = app.delivery_key("alpine").await;
    // Granted by default, granted, withheld; then with consent required: left out, granted.
    served(&app, &key, Value::Null).await;
    served(&app, &key, json!({"measurement": true})).await;
    served(
        &app,
        &key,
        json!({"measurement": false, "personalization": true}),
    )
    .await;
    let update = "mutation { updateBrand(slug: \"alpine\", input: {policy: {consentRequired: true}}) { slug } }";
    app.gql(Some(app.admin()), update, json!({})).await.data();
    served(&app, &key, json!({"personalization": true})).await;
    served(&app, &key, json!({"measurement": true})).await;
    app.flush_usage().await;
    let events = stored_events(&app).await;
    let kept: Vec<(bool, bool)> = events
        .iter()
        .map(|e| (e.user_key_hash.is_some(), !e.attributes.is_empty()))
        .collect();
    // Every impression is counted; only those with measurement consent name the person.
    assert_eq!(
        kept,
        [
            (true, true),
            (true, true),
            (false, false),
            (false, false),
            (true, true)
        ]
    );
    // The last was served without personalization, but measured: its attributes are stored.
    assert_eq!(events[4].attributes["segment"], "skier");
    assert_eq!(app.app.usage_index.num_events(), 5);
}

async fn preview_shows_both_consent_cases(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    brand(&app, true).await;
    let admin = Some(app.admin());
    let without = app
        .gql(admin, PREVIEW, json!({"c": skier(Value::Null)}))
        .await;
    let preview = &without.data()["preview"];
    assert_eq!(preview["variant"]["name"], "everyone");
    assert_eq!(
        preview["consent"],
        json!({"personalization": false, "measurement": false})
    );
    assert!(preview["reason"].as_str().unwrap().contains("consent"));
    for candidate in preview["candidates"].as_array().unwrap() {
        let reasons = candidate["reasons"].to_string();
        match candidate["variant"]["name"].as_str().unwrap() {
            "everyone" => assert_eq!(candidate["eligible"], true),
            _ => {
                assert_eq!(candidate["eligible"], false);
                assert!(reasons.contains("no personalization consent"), "{reasons}");
            }
        }
    }
    let consented = json!({"c": skier(json!({"personalization": true, "measurement": false}))});
    let with = app.gql(admin, PREVIEW, consented).await;
    let preview = &with.data()["preview"];
    assert_eq!(preview["variant"]["name"], "skiers");
    assert_eq!(
        preview["consent"],
        json!({"personalization": true, "measurement": false})
    );
    assert!(!preview["reason"].as_str().unwrap().contains("consent"));
}

backend_tests!(
    personalization_follows_the_request_then_the_brand_default,
    without_consent_and_no_untargeted_variant_nothing_is_served,
    measurement_consent_decides_what_the_impression_stores,
    preview_shows_both_consent_cases,
);
