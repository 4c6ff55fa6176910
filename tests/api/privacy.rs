//! The contract's privacy: consent (`consent`), retention (`retention`), and a person's data:
//! `personData` lists exactly one person's events of a brand, `forgetPerson` deletes exactly
//! them from the database and the usage index, and both are audited without the raw key.

use serde_json::{json, Value};

use crate::backend_tests;
use crate::helpers::{hero, Backend, TestApp};

mod consent;
mod retention;

const PERSON: &str = "query($b: String!, $k: String!) { personData(brand: $b, userKey: $k) {
    at kind entryKey variantId variantName revision device locale attributes value } }";
const FORGET: &str = "mutation($b: String!, $k: String!) { forgetPerson(brand: $b, userKey: $k) }";
const TRACK: &str =
    "mutation($e: [TrackInput!]!) { track(events: $e) { accepted rejected { index } } }";
const REPORT: &str = "query($b: String!) { usageReport(brand: $b, from: \"2000-01-01T00:00:00Z\", to: \"2999-01-01T00:00:00Z\", groupBy: [VARIANT, DEVICE]) {
    variantName device impressions clicks conversions conversionValue } }";


/// Every stored event of `alpine`, oldest first.
pub(crate) async fn stored_events(app: &TestApp) -> Vec<vary::usage::UsageEvent> {
    stored_events_of(app, "alpine").await
}

pub(crate) async fn stored_events_of(app: &TestApp, brand: &str) -> Vec<vary::usage::UsageEvent> {
    let (from, to) = (
        "2000-01-01T00:00:00Z".parse().unwrap(),
        "2999-01-01T00:00:00Z".parse().unwrap(),
    );
    let brand = brand.to_string();
    app.app
        .db
        .read(move |conn| vary::store::usage::events(conn, &brand, from, to))
        .await
        .unwrap()
}

/// The usage report from the index, and the same report from the database, as JSON rows.
pub(crate) async fn reports(app: &TestApp, brand: &str) -> (Vec<Value>, Vec<Value>) {
    use vary::usage::UsageDimension;
    let answer = app
        .gql(Some(app.admin()), REPORT, json!({"b": brand}))
        .await;
    let indexed: Vec<Value> = answer.data()["usageReport"].as_array().unwrap().clone();
    let slug = brand.to_string();
    let rows = app
        .app
        .db
        .read(move |conn| {
            let (from, to) = (
                "2000-01-01T00:00:00Z".parse().unwrap(),
                "2999-01-01T00:00:00Z".parse().unwrap(),
            );
            vary::store::usage::report(
                conn,
                &slug,
                from,
                to,
                &[UsageDimension::Variant, UsageDimension::Device],
            )
        })
        .await
        .unwrap();
    let stored = rows
        .into_iter()
        .map(|r| json!({"variantName": r.variant_name, "device": r.device, "impressions": r.impressions,
            "clicks": r.clicks, "conversions": r.conversions, "conversionValue": r.conversion_value}))
        .collect();
    (indexed, stored)
}

/// Two brands, each with a published hero for everyone; a delivery key per brand.
async fn brands(app: &TestApp) -> (String, String) {
    for slug in ["alpine", "nordic"] {
        let entry = app
            .seed_brand_with_policy(slug, json!({"usageAttributes": ["segment"]}))
            .await;
        app.published(
            &entry,
            json!({"name": format!("{slug} hero"), "fields": hero("Hi")}),
        )
        .await;
    }
    (
        app.delivery_key("alpine").await,
        app.delivery_key("nordic").await,
    )
}

/// Serves `user` (or nobody) once in `brand` and answers the `servedId`.
async fn serve(app: &TestApp, key: &str, brand: &str, user: Option<&str>, device: &str) -> String {
    let mut context =
        json!({"attributes": {"segment": "skier", "email": "x@y.z"}, "device": device});
    if let Some(user) = user {
        context["userKey"] = json!(user);
    }
    let answer = app.content(key, brand, "home-hero", context).await;
    answer["servedId"].as_str().unwrap().to_owned()
}

async fn person_data_lists_exactly_one_persons_events_oldest_first(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (alpine, nordic) = brands(&app).await;
    let first = serve(&app, &alpine, "alpine", Some("ann-42"), "MOBILE").await;
    serve(&app, &alpine, "alpine", Some("bob-7"), "DESKTOP").await;
    serve(&app, &alpine, "alpine", None, "DESKTOP").await;
    serve(&app, &nordic, "nordic", Some("ann-42"), "TV").await;
    // Tracked apart: events of one `track` call share its instant.
    for event in [
        json!({"servedId": first, "kind": "CLICK"}),
        json!({"servedId": first, "kind": "CONVERSION", "value": 12.5}),
    ] {
        app.gql(Some(&alpine), TRACK, json!({"e": [event]}))
            .await
            .data();
    }
    serve(&app, &alpine, "alpine", Some("ann-42"), "TABLET").await;
    app.flush_usage().await;

    let auditor = app.user("auditor@test.local", "AUDITOR", &[]).await;
    let answer = app
        .gql(
            Some(&auditor),
            PERSON,
            json!({"b": "alpine", "k": "ann-42"}),
        )
        .await;
    let listed = answer.data()["personData"].as_array().unwrap().clone();
    let kinds: Vec<&str> = listed.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["IMPRESSION", "CLICK", "CONVERSION", "IMPRESSION"]);
    let devices: Vec<&str> = listed
        .iter()
        .map(|e| e["device"].as_str().unwrap())
        .collect();
    assert_eq!(devices, ["MOBILE", "MOBILE", "MOBILE", "TABLET"]);
    let first = &listed[0];
    assert_eq!(first["entryKey"], "home-hero");
    assert_eq!(first["variantName"], "alpine hero");
    assert_eq!(first["locale"], "en");
    assert!(first["revision"].as_str().is_some_and(|r| !r.is_empty()));
    assert_eq!(
        first["attributes"],
        json!({"segment": "skier"}),
        "only the allowed attributes"
    );
    assert_eq!(listed[2]["value"], 12.5);
    let times: Vec<&str> = listed.iter().map(|e| e["at"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort_by_key(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap());
    assert_eq!(times, sorted, "oldest first");

    let nobody = app
        .gql(Some(&auditor), PERSON, json!({"b": "alpine", "k": "carol"}))
        .await;
    assert_eq!(nobody.data()["personData"], json!([]));
    let editor = app.user("editor@test.local", "EDITOR", &["alpine"]).await;
    let refused = app
        .gql(Some(&editor), PERSON, json!({"b": "alpine", "k": "ann-42"}))
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    let refused = app
        .gql(Some(&alpine), PERSON, json!({"b": "alpine", "k": "ann-42"}))
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    let blank = app
        .gql(Some(&auditor), PERSON, json!({"b": "alpine", "k": "  "}))
        .await;
    assert_eq!(blank.code(), "BAD_INPUT");
    let unknown = app
        .gql(
            Some(&auditor),
            PERSON,
            json!({"b": "nowhere", "k": "ann-42"}),
        )
        .await;
    assert_eq!(unknown.code(), "NOT_FOUND");
}

async fn forget_person_deletes_exactly_that_persons_events_everywhere(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (alpine, nordic) = brands(&app).await;
    let mut served = Vec::new();
    for device in ["MOBILE", "DESKTOP", "MOBILE"] {
        served.push(serve(&app, &alpine, "alpine", Some("ann-42"), device).await);
        serve(&app, &alpine, "alpine", Some("bob-7"), device).await;
        serve(&app, &alpine, "alpine", None, device).await;
    }
    serve(&app, &nordic, "nordic", Some("ann-42"), "TV").await;
    let events = json!([{"servedId": served[0], "kind": "CLICK"}, {"servedId": served[1], "kind": "CONVERSION", "value": 3.0}]);
    app.gql(Some(&alpine), TRACK, json!({"e": events}))
        .await
        .data();
    // Ann's last impression is answered and not yet stored when she is forgotten: it goes too.
    serve(&app, &alpine, "alpine", Some("ann-42"), "TV").await;

    let auditor = app.user("auditor@test.local", "AUDITOR", &[]).await;
    let refused = app
        .gql(
            Some(&auditor),
            FORGET,
            json!({"b": "alpine", "k": "ann-42"}),
        )
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    let forgot = app
        .gql(
            Some(app.admin()),
            FORGET,
            json!({"b": "alpine", "k": "ann-42"}),
        )
        .await;
    assert_eq!(
        forgot.data()["forgetPerson"],
        6,
        "four impressions, a click, a conversion"
    );

    let left = stored_events(&app).await;
    assert_eq!(left.len(), 6, "bob's three and the three without a key");
    let mut people: Vec<&str> = left
        .iter()
        .filter_map(|e| e.user_key_hash.as_deref())
        .collect();
    people.dedup();
    assert_eq!(people.len(), 1, "only bob's key is left: {people:?}");
    assert_eq!(
        stored_events_of(&app, "nordic").await.len(),
        1,
        "another brand keeps its own"
    );
    let listed = app
        .gql(
            Some(&auditor),
            PERSON,
            json!({"b": "alpine", "k": "ann-42"}),
        )
        .await;
    assert_eq!(listed.data()["personData"], json!([]));

    // The usage index dropped the same events: reports agree with the database at once.
    let (indexed, stored) = reports(&app, "alpine").await;
    assert_eq!(indexed, stored);
    let impressions: i64 = indexed
        .iter()
        .map(|r| r["impressions"].as_i64().unwrap())
        .sum();
    assert_eq!(impressions, 6);
    assert!(indexed
        .iter()
        .all(|r| r["clicks"] == 0 && r["conversions"] == 0));
    let total = app.app.db.read(vary::store::usage::count).await.unwrap();
    assert_eq!(app.app.usage_index.num_events(), total as u64);

    // Forgetting again finds nothing; new events of the person are kept.
    let again = app
        .gql(
            Some(app.admin()),
            FORGET,
            json!({"b": "alpine", "k": "ann-42"}),
        )
        .await;
    assert_eq!(again.data()["forgetPerson"], 0);
    serve(&app, &alpine, "alpine", Some("ann-42"), "MOBILE").await;
    app.flush_usage().await;
    let listed = app
        .gql(
            Some(&auditor),
            PERSON,
            json!({"b": "alpine", "k": "ann-42"}),
        )
        .await;
    assert_eq!(listed.data()["personData"].as_array().unwrap().len(), 1);
    let (indexed, stored) = reports(&app, "alpine").await;
    assert_eq!(indexed, stored);
}

async fn person_data_and_forget_person_are_audited_without_the_raw_key(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (alpine, _) = brands(&app).await;
    serve(&app, &alpine, "alpine", Some("ann-secret-key"), "MOBILE").await;
    app.flush_usage().await;
    let admin = Some(app.admin());
    app.gql(admin, PERSON, json!({"b": "alpine", "k": "ann-secret-key"}))
        .await
        .data();
    app.gql(admin, FORGET, json!({"b": "alpine", "k": "ann-secret-key"}))
        .await
        .data();
    let (status, body) = app
        .get_as(admin, "/api/reports/audit?brand=alpine&format=json")
        .await;
    assert_eq!(status, 200, "{body}");
    let rows: Vec<Value> = serde_json::from_str(&body).unwrap();
    let actions: Vec<&str> = rows.iter().filter_map(|r| r["action"].as_str()).collect();
    assert!(actions.contains(&"personData"), "{actions:?}");
    assert!(actions.contains(&"forgetPerson"), "{actions:?}");
    assert!(
        !body.contains("ann-secret-key"),
        "the raw key is never audited"
    );
    let forget = rows.iter().find(|r| r["action"] == "forgetPerson").unwrap();
    assert_eq!(
        forget["target"].as_str().unwrap().len(),
        64,
        "the hashed key"
    );
}

backend_tests!(
    person_data_lists_exactly_one_persons_events_oldest_first,
    forget_person_deletes_exactly_that_persons_events_everywhere,
    person_data_and_forget_person_are_audited_without_the_raw_key,
);
