//! Retention: `policy.usageRetentionDays` deletes exactly the events older than that, from the
//! database and the usage index, batch by batch; `Brand.usageKeptSince` and the export's
//! `X-Vary-Usage-Kept-Since` say from when reports are complete.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde_json::{json, Value};
use std::sync::Arc;

use super::{reports, stored_events, stored_events_of};
use crate::backend_tests;
use crate::helpers::{Backend, TestApp};

const APPLY: &str = "mutation($b: String) { applyUsageRetention(brand: $b) }";
const KEPT: &str = "query { brands { slug usageKeptSince policy { usageRetentionDays } } }";

/// `count` impressions of `brand` at `at`, a microsecond apart, half of them with a user key.
fn events(brand: &str, at: DateTime<Utc>, count: usize, tag: &str) -> Vec<vary::usage::UsageEvent> {
    let served = Arc::new(vary::usage::ServedVariant {
        brand: brand.into(),
        entry_id: "ent_1".into(),
        entry_key: "home-hero".into(),
        variant_id: format!("var_{tag}"),
        variant_name: tag.into(),
        revision: "rev1".into(),
        ..Default::default()
    });
    (0..count)
        .map(|n| vary::usage::UsageEvent {
            id: format!("imp_{brand}_{tag}_{n:06}"),
            kind: vary::usage::UsageKind::Impression,
            impression_id: format!("imp_{brand}_{tag}_{n:06}"),
            served: served.clone(),
            device: Some(std::borrow::Cow::Borrowed("MOBILE")),
            locale: "en".into(),
            at: at + Duration::microseconds(n as i64),
            user_key_hash: (n % 2 == 0).then(|| format!("{n:064}")),
            attributes: serde_json::Map::new(),
            value: None,
        })
        .collect()
}

/// Stores events through a sink standing in for the app's own (which indexes what it stores).
async fn store(app: &TestApp, events: Vec<vary::usage::UsageEvent>) {
    use vary::usage::queue::UsageSink;
    let sink = vary::store::usage::DbUsageSink::new(
        app.app.db.clone(),
        Some(app.app.usage_index.clone()),
        &app.app.node,
    );
    tokio::task::spawn_blocking(move || {
        for chunk in events.chunks(2_000) {
            sink.write_batch(chunk).unwrap();
        }
        sink.flush().unwrap();
    })
    .await
    .unwrap();
}

async fn kept_since(app: &TestApp, slug: &str) -> Value {
    let answer = app.gql(Some(app.admin()), KEPT, json!({})).await;
    let brands = answer.data()["brands"].as_array().unwrap().clone();
    brands.into_iter().find(|b| b["slug"] == slug).unwrap()["usageKeptSince"].clone()
}

async fn export_header(app: &TestApp) -> Option<String> {
    let response = TestApp::client()
        .get(format!(
            "{}/api/reports/usage?brand=alpine&from=2000-01-01&to=2999-01-01",
            app.base
        ))
        .insert_header(("Authorization", format!("Bearer {}", app.admin())))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    response
        .headers()
        .get("X-Vary-Usage-Kept-Since")
        .map(|v| v.to_str().unwrap().to_owned())
}

async fn retention_deletes_exactly_the_events_older_than_the_brands_days(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand_with_policy("alpine", json!({"usageRetentionDays": 30}))
        .await;
    app.seed_brand("forever").await;
    let now = Utc::now().trunc_subsecs(6);
    let days = |n: i64| now - Duration::days(n);
    // More than one deletion batch of old events, some just past the limit, some just inside.
    let mut all = events("alpine", days(400), 6_100, "ancient");
    all.extend(events(
        "alpine",
        days(30) - Duration::minutes(5),
        20,
        "just-past",
    ));
    all.extend(events(
        "alpine",
        days(30) + Duration::minutes(5),
        15,
        "just-inside",
    ));
    all.extend(events("alpine", days(1), 10, "recent"));
    all.extend(events("forever", days(400), 7, "ancient"));
    store(&app, all).await;
    assert_eq!(kept_since(&app, "alpine").await, Value::Null);
    assert_eq!(export_header(&app).await, None);

    let editor = app.user("editor@test.local", "EDITOR", &["alpine"]).await;
    let refused = app.gql(Some(&editor), APPLY, json!({"b": "alpine"})).await;
    assert_eq!(refused.code(), "FORBIDDEN");
    let applied = app.gql(Some(app.admin()), APPLY, json!({"b": null})).await;
    assert_eq!(applied.data()["applyUsageRetention"], 6_120);

    let left = stored_events(&app).await;
    let names: std::collections::BTreeSet<&str> = left
        .iter()
        .map(|e| e.served.variant_name.as_str())
        .collect();
    assert_eq!(left.len(), 25);
    assert_eq!(names, ["just-inside", "recent"].into_iter().collect());
    assert_eq!(
        stored_events_of(&app, "forever").await.len(),
        7,
        "no retention: kept"
    );
    let (indexed, stored) = reports(&app, "alpine").await;
    assert_eq!(indexed, stored, "the usage index dropped the same events");
    let total = app.app.db.read(vary::store::usage::count).await.unwrap();
    assert_eq!(app.app.usage_index.num_events(), total as u64);

    let since = kept_since(&app, "alpine").await;
    let since: DateTime<Utc> = since
        .as_str()
        .expect("set once events were deleted")
        .parse()
        .unwrap();
    assert!(
        since > days(30) - Duration::minutes(5) && since <= days(30) + Duration::seconds(5),
        "{since}"
    );
    let header: DateTime<Utc> = export_header(&app)
        .await
        .expect("the header")
        .parse()
        .unwrap();
    assert_eq!(header, since);
    assert_eq!(kept_since(&app, "forever").await, Value::Null);

    // Nothing more is past retention: the scheduled job's run deletes nothing.
    assert_eq!(app.app.content.run_usage_retention().await, 0);
    assert_eq!(stored_events(&app).await.len(), 25);
}

async fn the_scheduled_run_applies_every_brands_retention(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand_with_policy("alpine", json!({"usageRetentionDays": 7}))
        .await;
    let now = Utc::now().trunc_subsecs(6);
    let mut all = events("alpine", now - Duration::days(8), 12, "old");
    all.extend(events("alpine", now - Duration::days(6), 4, "new"));
    store(&app, all).await;
    assert_eq!(app.app.content.run_usage_retention().await, 12);
    assert_eq!(stored_events(&app).await.len(), 4);
    let (indexed, stored) = reports(&app, "alpine").await;
    assert_eq!(indexed, stored);
}

async fn retention_days_are_validated_and_can_be_cleared(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("alpine").await;
    let update = "mutation($p: BrandPolicyInput!) { updateBrand(slug: \"alpine\", input: {policy: $p}) { policy { usageRetentionDays consentRequired } } }";
    for bad in [0, -3, 36_501] {
        let answer = app
            .gql(
                Some(app.admin()),
                update,
                json!({"p": {"usageRetentionDays": bad}}),
            )
            .await;
        assert_eq!(answer.code(), "BAD_INPUT", "{bad}");
    }
    let set = app
        .gql(
            Some(app.admin()),
            update,
            json!({"p": {"usageRetentionDays": 90}}),
        )
        .await;
    assert_eq!(
        set.data()["updateBrand"]["policy"]["usageRetentionDays"],
        90
    );
    let other = app
        .gql(
            Some(app.admin()),
            update,
            json!({"p": {"consentRequired": true}}),
        )
        .await;
    assert_eq!(
        other.data()["updateBrand"]["policy"],
        json!({"usageRetentionDays": 90, "consentRequired": true})
    );
    let cleared = app
        .gql(
            Some(app.admin()),
            update,
            json!({"p": {"usageRetentionDays": null}}),
        )
        .await;
    assert_eq!(
        cleared.data()["updateBrand"]["policy"]["usageRetentionDays"],
        Value::Null
    );
    let unknown = app
        .gql(Some(app.admin()), APPLY, json!({"b": "nowhere"}))
        .await;
    assert_eq!(unknown.code(), "NOT_FOUND");
}

backend_tests!(
    retention_deletes_exactly_the_events_older_than_the_brands_days,
    the_scheduled_run_applies_every_brands_retention,
    retention_days_are_validated_and_can_be_cleared,
);
