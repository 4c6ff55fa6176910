//! Usage reports: every grouping, who may read them and what input is refused, and the
//! streamed REST export as CSV and JSON.

use serde_json::{json, Value};

use super::{alpine, report, usage_report_rest, REPORT, TRACK};
use crate::backend_tests;
use crate::helpers::{Backend, TestApp};

async fn reports_group_by_every_dimension(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (everyone, mobile) = alpine(&app).await;
    let key = app.delivery_key("alpine").await;
    for context in [
        json!({"device": "MOBILE"}),
        json!({"device": "MOBILE"}),
        json!({"device": "DESKTOP", "locale": "de"}),
    ] {
        app.content(&key, "alpine", "home-hero", context).await;
    }
    app.flush_usage().await;
    let auditor = app.user("aud@test.local", "AUDITOR", &[]).await;
    let pairs = |rows: &[Value], field: &str| -> Vec<(String, i64)> {
        let mut out: Vec<(String, i64)> = rows
            .iter()
            .map(|r| {
                (
                    r[field].as_str().unwrap_or("").to_string(),
                    r["impressions"].as_i64().unwrap(),
                )
            })
            .collect();
        out.sort();
        out
    };
    let by_variant = report(&app, &auditor, json!(["VARIANT"])).await;
    let mut expected = vec![(everyone.clone(), 1), (mobile.clone(), 2)];
    expected.sort();
    assert_eq!(pairs(&by_variant, "variantId"), expected);
    assert_eq!(
        pairs(&report(&app, &auditor, json!(["DEVICE"])).await, "device"),
        [("DESKTOP".to_string(), 1), ("MOBILE".to_string(), 2)]
    );
    assert_eq!(
        pairs(&report(&app, &auditor, json!(["LOCALE"])).await, "locale"),
        [("en".to_string(), 3)]
    );
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(
        pairs(&report(&app, &auditor, json!(["DAY"])).await, "day"),
        [(today, 3)]
    );
    assert_eq!(
        pairs(&report(&app, &auditor, json!(["ENTRY"])).await, "entryKey"),
        [("home-hero".to_string(), 3)]
    );
    let variant = app
        .gql(
            Some(app.admin()),
            "query($id: ID!) { variant(id: $id) { publishedRevision } }",
            json!({"id": mobile}),
        )
        .await;
    let revision = variant.data()["variant"]["publishedRevision"]
        .as_str()
        .unwrap()
        .to_string();
    let by_revision = report(&app, &auditor, json!(["REVISION"])).await;
    assert!(pairs(&by_revision, "revision").contains(&(revision, 2)));
    let all = report(
        &app,
        &auditor,
        json!(["ENTRY", "VARIANT", "REVISION", "DEVICE", "DAY", "LOCALE"]),
    )
    .await;
    assert_eq!(all.len(), 2);
    assert_eq!(
        all.iter()
            .map(|r| r["impressions"].as_i64().unwrap())
            .sum::<i64>(),
        3
    );
    let total = report(&app, &auditor, json!([])).await;
    assert_eq!(total.len(), 1);
    assert_eq!(total[0]["impressions"], 3);
}

async fn usage_reports_are_for_auditors_and_admins_and_refuse_bad_input(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    alpine(&app).await;
    let key = app.delivery_key("alpine").await;
    let editor = app.user("ed@test.local", "EDITOR", &["alpine"]).await;
    let ask = |f: &str, t: &str, b: &str| json!({"b": b, "f": f, "t": t, "g": ["DAY"]});
    let (from, to) = ("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z");
    assert_eq!(
        app.gql(Some(&editor), REPORT, ask(from, to, "alpine"))
            .await
            .code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql(Some(&key), REPORT, ask(from, to, "alpine"))
            .await
            .code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql(None, REPORT, ask(from, to, "alpine")).await.code(),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.gql(Some(app.admin()), REPORT, ask("yesterday", to, "alpine"))
            .await
            .code(),
        "BAD_INPUT"
    );
    assert_eq!(
        app.gql(Some(app.admin()), REPORT, ask(to, from, "alpine"))
            .await
            .code(),
        "BAD_INPUT"
    );
    assert_eq!(
        app.gql(Some(app.admin()), REPORT, ask(from, to, "nowhere"))
            .await
            .code(),
        "NOT_FOUND"
    );
    let bad_dimension = json!({"b": "alpine", "f": from, "t": to, "g": ["COLOUR"]});
    assert_eq!(
        app.gql(Some(app.admin()), REPORT, bad_dimension)
            .await
            .code(),
        "BAD_INPUT"
    );
    let auditor = app.user("aud@test.local", "AUDITOR", &[]).await;
    assert!(app
        .gql(Some(&auditor), REPORT, ask(from, to, "alpine"))
        .await
        .data()["usageReport"]
        .is_array());
}

async fn the_usage_export_streams_csv_and_json(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    alpine(&app).await;
    let key = app.delivery_key("alpine").await;
    let served = app
        .content(&key, "alpine", "home-hero", json!({"device": "DESKTOP"}))
        .await["servedId"]
        .clone();
    app.content(&key, "alpine", "home-hero", json!({"device": "DESKTOP"}))
        .await;
    app.gql(
        Some(&key),
        TRACK,
        json!({"e": [{"servedId": served, "kind": "CLICK"}]}),
    )
    .await
    .data();
    app.flush_usage().await;
    let auditor = app.user("aud@test.local", "AUDITOR", &[]).await;
    let (status, csv) = usage_report_rest(
        &app,
        Some(&auditor),
        "brand=alpine&from=2000-01-01&to=2999-12-31&groupBy=ENTRY,DEVICE",
    )
    .await;
    assert_eq!(status, 200, "{csv}");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "entryKey,variantId,variantName,revision,device,day,locale,experimentId,experimentName,armId,armName,impressions,clicks,conversions,conversionValue,ctr,conversionRate");
    assert_eq!(
        lines[1..],
        ["home-hero,,,,DESKTOP,,,,,,,2,1,0,0,0.5,0"],
        "no totals row"
    );
    let (status, body) = usage_report_rest(
        &app,
        Some(app.admin()),
        "brand=alpine&from=2000-01-01&to=2999-12-31&format=json",
    )
    .await;
    assert_eq!(status, 200);
    let rows: Value = serde_json::from_str(&body).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1, "every dimension by default: {body}");
    assert_eq!(
        (rows[0]["impressions"].as_i64(), rows[0]["day"].is_string()),
        (Some(2), true)
    );
    let (status, empty) = usage_report_rest(
        &app,
        Some(&auditor),
        "brand=alpine&from=2000-01-01&to=2000-01-02&format=json",
    )
    .await;
    assert_eq!((status, empty.as_str()), (200, "[]"));
    let editor = app.user("ed@test.local", "EDITOR", &["alpine"]).await;
    for (token, query, expected) in [
        (None, "brand=alpine&from=2026-01-01&to=2026-02-01", 401),
        (
            Some(editor.as_str()),
            "brand=alpine&from=2026-01-01&to=2026-02-01",
            403,
        ),
        (
            Some(key.as_str()),
            "brand=alpine&from=2026-01-01&to=2026-02-01",
            403,
        ),
        (
            Some(auditor.as_str()),
            "brand=alpine&from=yesterday&to=2026-02-01",
            400,
        ),
        (
            Some(auditor.as_str()),
            "brand=alpine&from=2026-02-01&to=2026-01-01",
            400,
        ),
        (Some(auditor.as_str()), "brand=alpine&from=2026-01-01", 400),
        (
            Some(auditor.as_str()),
            "brand=alpine&from=2026-01-01&to=2026-02-01&groupBy=COLOUR",
            400,
        ),
        (
            Some(auditor.as_str()),
            "brand=alpine&from=2026-01-01&to=2026-02-01&format=xml",
            400,
        ),
        (
            Some(auditor.as_str()),
            "brand=nowhere&from=2026-01-01&to=2026-02-01",
            404,
        ),
    ] {
        let (status, body) = usage_report_rest(&app, token, query).await;
        assert_eq!(status, expected, "{query}: {body}");
        assert!(body.contains("\"code\""), "{body}");
    }
}

backend_tests!(
    reports_group_by_every_dimension,
    usage_reports_are_for_auditors_and_admins_and_refuse_bad_input,
    the_usage_export_streams_csv_and_json,
);
