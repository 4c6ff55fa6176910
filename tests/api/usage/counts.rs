//! What a usage report counts when apps repeat themselves (clicks and conversions count answers,
//! a resent `TrackInput.id` counts once, values sum), and CSV cells a spreadsheet would compute,
//! over GraphQL, the REST CSV and `vary export usage`.

use serde_json::{json, Value};
use vary::config::DatabaseUrl;
use vary::usage::UsageDimension;

use super::{report, usage_report_rest, TRACK};
use crate::backend_tests;
use crate::helpers::{hero, Backend, TestApp};

/// Runs `vary export usage` (the binary, on the test server's database) with `args`.
pub(crate) fn export_usage(app: &TestApp, args: &[&str]) -> String {
    let config = &app.app.config;
    let database = match &config.database {
        DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        DatabaseUrl::Postgres(url) => url.clone(),
    };
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vary"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("VARY_DATABASE_URL", database)
        .arg("--data-dir")
        .arg(&config.data_dir)
        .args(["export", "usage", "--brand", "alpine"])
        .args(["--from", "2000-01-01", "--to", "2999-12-31"])
        .args(args)
        .output()
        .unwrap();
    // On PostgreSQL this also fails while the CLI dies at exit (issue 18, item 11: exit 139).
    assert!(
        out.status.success(),
        "vary export usage: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Every cell of every line of `csv`, as a spreadsheet would split them.
fn cells(csv: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// No text cell starts a formula; numbers (all digits, a sign, a dot) may be negative.
fn assert_no_formula(csv: &str) {
    for line in cells(csv) {
        for cell in line {
            let first = cell.trim_start_matches(' ').chars().next();
            let formula = matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n'));
            assert!(!formula || cell.parse::<f64>().is_ok(), "{cell:?} in {csv}");
        }
    }
}

/// Variant names a spreadsheet would compute, and the device each is served to.
const NAMES: [(&str, Option<&str>); 4] = [
    ("=HYPERLINK(\"http://evil.example\",\"open\")", None),
    ("+1+cmd|' /C calc'!A0", Some("MOBILE")),
    ("@SUM(1+1)", Some("TABLET")),
    ("-2+3", Some("DESKTOP")),
];

async fn usage_csv_escapes_text_a_spreadsheet_would_compute(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    let key = app.delivery_key("alpine").await;
    for (name, device) in NAMES {
        let devices: Vec<&str> = device.into_iter().collect();
        app.published(
            &entry,
            json!({"name": name, "fields": hero("t"), "devices": devices}),
        )
        .await;
    }
    for (_, device) in NAMES {
        let context = device.map_or(json!({}), |d| json!({"device": d}));
        let served = app.content(&key, "alpine", "home-hero", context).await;
        assert!(served["servedId"].is_string(), "{served}");
    }
    app.flush_usage().await;
    let (status, rest) = usage_report_rest(
        &app,
        Some(app.admin()),
        "brand=alpine&from=2000-01-01&to=2999-12-31&groupBy=VARIANT",
    )
    .await;
    assert_eq!(status, 200, "{rest}");
    let cli = export_usage(&app, &["--group-by", "VARIANT"]);
    for csv in [&rest, &cli] {
        assert_no_formula(csv);
        let names: Vec<String> = cells(csv)
            .into_iter()
            .skip(1)
            .map(|r| r[2].clone())
            .collect();
        let mut want: Vec<String> = NAMES.iter().map(|(n, _)| format!("'{n}")).collect();
        want.sort();
        let mut names = names;
        names.sort();
        assert_eq!(names, want, "{csv}");
    }
}

/// One answer clicked six times is one click; a conversion resent under its `id` (in one batch
/// and again later) is counted and valued once; conversions without an id each add their value.
async fn repeated_and_resent_track_events_count_answers_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    super::alpine(&app).await;
    let key = app.delivery_key("alpine").await;
    let mut served = Vec::new();
    for _ in 0..2 {
        let answer = app
            .content(&key, "alpine", "home-hero", json!({"device": "DESKTOP"}))
            .await;
        served.push(answer["servedId"].as_str().unwrap().to_string());
    }
    let (a, b) = (&served[0], &served[1]);
    let track = |events: Value| app.gql(Some(&key), TRACK, json!({"e": events}));
    let clicks: Vec<Value> = (0..6)
        .map(|_| json!({"servedId": a, "kind": "CLICK"}))
        .collect();
    assert_eq!(track(json!(clicks)).await.data()["track"]["accepted"], 6);
    let order = json!({"servedId": a, "kind": "CONVERSION", "value": 10.5, "id": "order-1"});
    let batch = json!([order, order, {"servedId": b, "kind": "CONVERSION", "value": -2.25}]);
    assert_eq!(track(batch).await.data()["track"]["accepted"], 3);
    let again = json!([order, {"servedId": b, "kind": "CONVERSION", "value": 4}]);
    assert_eq!(
        track(again).await.data()["track"]["accepted"],
        2,
        "a resend is accepted"
    );
    let bad = track(json!([{"servedId": a, "kind": "CLICK", "id": ""}, {"servedId": a, "kind": "CLICK", "id": "x".repeat(201)}])).await;
    let bad = &bad.data()["track"];
    assert_eq!(
        (
            bad["accepted"].as_i64(),
            bad["rejected"][1]["code"].as_str()
        ),
        (Some(0), Some("BAD_INPUT")),
        "{bad}"
    );
    app.flush_usage().await;

    let rows = report(&app, app.admin(), json!([])).await;
    let row = &rows[0];
    let counts = |row: &Value| {
        (
            row["impressions"].as_i64(),
            row["clicks"].as_i64(),
            row["conversions"].as_i64(),
            row["conversionValue"].as_f64(),
            row["ctr"].as_f64(),
            row["conversionRate"].as_f64(),
        )
    };
    // Clicks: answer a. Conversions: a (order-1, once: 10.5) and b (-2.25 and 4).
    let want = (Some(2), Some(1), Some(2), Some(12.25), Some(0.5), Some(1.0));
    assert_eq!(counts(row), want, "{row}");
    let (from, to) = (
        "2000-01-01T00:00:00Z".parse().unwrap(),
        "2999-01-01T00:00:00Z".parse().unwrap(),
    );
    for grouping in [
        vec![],
        UsageDimension::ALL.to_vec(),
        vec![UsageDimension::Variant, UsageDimension::Day],
    ] {
        let names: Vec<&str> = grouping.iter().map(|d| d.as_str()).collect();
        let from_index = report(&app, app.admin(), json!(names)).await;
        let from_db = app
            .app
            .db
            .read(move |conn| vary::store::usage::report(conn, "alpine", from, to, &grouping))
            .await
            .unwrap();
        assert_eq!(
            Value::Array(from_index),
            serde_json::to_value(&from_db).unwrap(),
            "{names:?}"
        );
    }
    let (status, rest) = usage_report_rest(
        &app,
        Some(app.admin()),
        "brand=alpine&from=2000-01-01&to=2999-12-31&groupBy=",
    )
    .await;
    assert_eq!(status, 200);
    let cli = export_usage(&app, &["--group-by", ""]);
    for csv in [rest, cli] {
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "entryKey,variantId,variantName,revision,device,day,locale,experimentId,experimentName,armId,armName,impressions,clicks,conversions,conversionValue,ctr,conversionRate");
        assert_eq!(lines[1..], [",,,,,,,,,,,2,1,2,12.25,0.5,1"], "{csv}");
    }
}

backend_tests!(
    usage_csv_escapes_text_a_spreadsheet_would_compute,
    repeated_and_resent_track_events_count_answers_once,
);
