//! The contract's "Usage": impressions counted exactly as served, `track`, and what is kept of a
//! person. Reports and the export are in `reports`, how events are stored and indexed in
//! `storage`, what repeated events count in `counts`.

use serde_json::{json, Value};

use crate::backend_tests;
use crate::helpers::{hero, Backend, TestApp};

const REPORT: &str = "query($b: String!, $f: DateTime!, $t: DateTime!, $g: [UsageDimension!]!) {
    usageReport(brand: $b, from: $f, to: $t, groupBy: $g) {
        entryKey variantId variantName revision device day locale experimentId experimentName armId armName \
        impressions clicks conversions conversionValue ctr conversionRate } }";

const TRACK: &str = "mutation($e: [TrackInput!]!) { track(events: $e) { accepted rejected { index code message } } }";

pub(crate) mod counts;
mod reports;
mod storage;

async fn report(app: &TestApp, token: &str, group_by: Value) -> Vec<Value> {
    let vars = json!({"b": "alpine", "f": "2000-01-01T00:00:00Z", "t": "2999-01-01T00:00:00Z", "g": group_by});
    app.gql(Some(token), REPORT, vars).await.data()["usageReport"]
        .as_array()
        .unwrap()
        .clone()
}

async fn usage_report_rest(app: &TestApp, token: Option<&str>, query: &str) -> (u16, String) {
    app.get_as(token, &format!("/api/reports/usage?{query}"))
        .await
}

/// A brand `alpine` with one published hero for everyone and one for mobiles; returns their ids.
async fn alpine(app: &TestApp) -> (String, String) {
    let entry = app
        .seed_brand_with_policy("alpine", json!({"usageAttributes": ["segment"]}))
        .await;
    let everyone = app
        .published(&entry, json!({"name": "everyone", "fields": hero("Trail")}))
        .await;
    let mobile = app
        .published(
            &entry,
            json!({"name": "mobile", "fields": hero("Short"), "devices": ["MOBILE"]}),
        )
        .await;
    (everyone, mobile)
}

async fn contents(app: &TestApp, token: &str, keys: Value, context: Value) -> Vec<Value> {
    let query = "query($k: [String!]!, $c: ContextInput) { contents(brand: \"alpine\", keys: $k, context: $c) { key servedId variant { id } } }";
    app.gql(Some(token), query, json!({"k": keys, "c": context}))
        .await
        .data()["contents"]
        .as_array()
        .unwrap()
        .clone()
}

async fn served_and_reported_impressions_match_exactly(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    alpine(&app).await;
    let key = app.delivery_key("alpine").await;
    for _ in 0..5 {
        let resolved = app
            .content(&key, "alpine", "home-hero", json!({"device": "DESKTOP"}))
            .await;
        assert!(resolved["servedId"].is_string());
    }
    let answers = contents(
        &app,
        &key,
        json!(["home-hero", "missing", "home-hero"]),
        json!({}),
    )
    .await;
    assert_eq!(
        answers.iter().filter(|a| a["servedId"].is_string()).count(),
        2
    );
    assert!(
        answers[1]["servedId"].is_null(),
        "no variant, no impression"
    );
    let auditor = app.user("aud@test.local", "AUDITOR", &[]).await;
    let editor = app.user("ed@test.local", "EDITOR", &["alpine"]).await;
    for token in [app.admin(), &editor, &auditor] {
        let resolved = app.content(token, "alpine", "home-hero", json!({})).await;
        assert!(
            resolved["servedId"].is_null(),
            "other callers get no servedId"
        );
    }
    app.flush_usage().await;
    let rows = report(&app, &auditor, json!(["ENTRY"])).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (
            rows[0]["entryKey"].as_str(),
            rows[0]["impressions"].as_i64()
        ),
        (Some("home-hero"), Some(7))
    );
    assert_eq!(
        (rows[0]["clicks"].as_i64(), rows[0]["ctr"].as_f64()),
        (Some(0), Some(0.0))
    );
    assert!(rows[0]["variantId"].is_null(), "not grouped by variant");
}

async fn track_records_clicks_and_rejects_forged_and_unknown_served_ids(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    alpine(&app).await;
    let key = app.delivery_key("alpine").await;
    let served = app.content(&key, "alpine", "home-hero", json!({})).await["servedId"]
        .as_str()
        .unwrap()
        .to_string();
    let (payload, _) = served.rsplit_once('.').unwrap();
    let forged = format!("{payload}.AAAA");
    let named = app.app.delivery.signer().verify(&served).unwrap();
    assert_eq!(named.brand, "alpine");
    let unknown = app.app.delivery.signer().sign("imp_never_served", "alpine");
    // Tracked right after the answer, without waiting for the queue.
    let events = json!([
        {"servedId": served, "kind": "CLICK"},
        {"servedId": served, "kind": "CONVERSION", "value": 12.5},
        {"servedId": forged, "kind": "CLICK"},
        {"servedId": "garbage", "kind": "CLICK"},
        {"servedId": unknown, "kind": "CONVERSION"},
    ]);
    let result = app
        .gql(Some(&key), TRACK, json!({"e": events}))
        .await
        .data()["track"]
        .clone();
    assert_eq!(result["accepted"], 2, "{result}");
    let rejected: Vec<(i64, &str)> = result["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["index"].as_i64().unwrap(), r["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rejected,
        [(2, "BAD_INPUT"), (3, "BAD_INPUT"), (4, "BAD_INPUT")]
    );
    for _ in 0..3 {
        app.content(&key, "alpine", "home-hero", json!({})).await;
    }
    app.flush_usage().await;
    let rows = report(&app, app.admin(), json!(["VARIANT"])).await;
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(
        (
            row["impressions"].as_i64(),
            row["clicks"].as_i64(),
            row["conversions"].as_i64()
        ),
        (Some(4), Some(1), Some(1))
    );
    assert_eq!(
        (row["ctr"].as_f64(), row["conversionRate"].as_f64()),
        (Some(0.25), Some(0.25))
    );
    assert_eq!(row["variantName"], "everyone");
    let editor = app.user("ed@test.local", "EDITOR", &["alpine"]).await;
    assert_eq!(
        app.gql(Some(&editor), TRACK, json!({"e": []})).await.code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql(None, TRACK, json!({"e": []})).await.code(),
        "UNAUTHENTICATED"
    );
    app.seed_brand("coastal").await;
    let other_key = app.delivery_key("coastal").await;
    let result = app
        .gql(
            Some(&other_key),
            TRACK,
            json!({"e": [{"servedId": served, "kind": "CLICK"}]}),
        )
        .await;
    assert_eq!(
        result.data()["track"]["rejected"][0]["code"],
        "BAD_INPUT",
        "a servedId of another brand"
    );
}

async fn user_keys_are_stored_hashed_and_only_allowed_attributes_kept(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    alpine(&app).await;
    let key = app.delivery_key("alpine").await;
    let context =
        json!({"userKey": "person-42", "attributes": {"segment": "skier", "email": "a@b.c"}});
    app.content(&key, "alpine", "home-hero", context).await;
    app.flush_usage().await;
    let (from, to) = (
        chrono::Utc::now() - chrono::Duration::hours(1),
        chrono::Utc::now() + chrono::Duration::hours(1),
    );
    let events = app
        .app
        .db
        .read(move |conn| vary::store::usage::events(conn, "alpine", from, to))
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    let hash = events[0].user_key_hash.clone().expect("a hashed user key");
    assert_eq!(hash.len(), 64);
    assert!(!hash.contains("person-42"));
    assert_eq!(
        Value::Object(events[0].attributes.clone()),
        json!({"segment": "skier"})
    );
}

/// An operator may turn recording off: answers still resolve, carry no `servedId`, store
/// nothing, and `track` says it is unavailable.
async fn with_recording_off_nothing_is_recorded(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.usage_recording = false).await;
    alpine(&app).await;
    let key = app.delivery_key("alpine").await;
    let answer = app.content(&key, "alpine", "home-hero", json!({})).await;
    assert_eq!(answer["variant"]["name"], "everyone");
    assert_eq!(answer["servedId"], Value::Null);
    let track = app
        .gql(
            Some(&key),
            TRACK,
            json!({"e": [{"servedId": "x.y", "kind": "CLICK"}]}),
        )
        .await;
    assert_eq!(track.code(), "UNAVAILABLE");
    app.app.usage.flush().await.unwrap();
    assert_eq!(app.app.db.read(vary::store::usage::count).await.unwrap(), 0);
}

backend_tests!(
    served_and_reported_impressions_match_exactly,
    track_records_clicks_and_rejects_forged_and_unknown_served_ids,
    user_keys_are_stored_hashed_and_only_allowed_attributes_kept,
    with_recording_off_nothing_is_recorded,
);
