//! The contract's "Usage": impressions counted exactly as served, `track`, and usage reports
//! over GraphQL and the streamed REST export.

use serde_json::{json, Value};
use vary::usage::UsageDimension;

use crate::backend_tests;
use crate::helpers::{hero, Backend, TestApp};

const REPORT: &str = "query($b: String!, $f: DateTime!, $t: DateTime!, $g: [UsageDimension!]!) {
    usageReport(brand: $b, from: $f, to: $t, groupBy: $g) {
        entryKey variantId variantName revision device day locale experimentId experimentName armId armName \
        impressions clicks conversions conversionValue ctr conversionRate } }";

const TRACK: &str = "mutation($e: [TrackInput!]!) { track(events: $e) { accepted rejected { index code message } } }";

pub(crate) mod counts;

/// Waits until every queued usage event is written.
async fn flush(app: &TestApp) {
    app.app
        .delivery
        .usage_queue()
        .expect("usage recording is on")
        .flush()
        .await
        .unwrap();
}

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
    flush(&app).await;
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
    flush(&app).await;
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
    flush(&app).await;
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
    flush(&app).await;
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

async fn user_keys_are_stored_hashed_and_only_allowed_attributes_kept(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    alpine(&app).await;
    let key = app.delivery_key("alpine").await;
    let context =
        json!({"userKey": "person-42", "attributes": {"segment": "skier", "email": "a@b.c"}});
    app.content(&key, "alpine", "home-hero", context).await;
    flush(&app).await;
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

async fn shutdown_writes_every_queued_impression(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    alpine(&app).await;
    let key = app.delivery_key("alpine").await;
    for _ in 0..20 {
        app.content(&key, "alpine", "home-hero", json!({})).await;
    }
    // No flush: the drain on shutdown (SIGTERM) must write what is still queued.
    app.app.shutdown().await;
    let stored = app.app.db.read(vary::store::usage::count).await.unwrap();
    assert_eq!(stored, 20);
    assert_eq!(app.app.usage.pending(), 0);
    assert_eq!(
        app.app.usage_index.num_events(),
        20,
        "the usage index is committed on shutdown too"
    );
}

/// Every grouping the index answers equals the database's, and an index lost while the server
/// was down is rebuilt from the database at start with the same counts.
async fn the_usage_index_and_the_database_agree_and_a_lost_index_is_rebuilt(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    alpine(&app).await;
    let key = app.delivery_key("alpine").await;
    let contexts = [
        json!({"device": "MOBILE", "locale": "de"}),
        json!({"device": "DESKTOP"}),
        json!({"device": "TABLET", "attributes": {"segment": "skier"}}),
        json!({}),
    ];
    let mut served = Vec::new();
    for n in 0..12 {
        let answer = app
            .content(
                &key,
                "alpine",
                "home-hero",
                contexts[n % contexts.len()].clone(),
            )
            .await;
        served.push(answer["servedId"].as_str().unwrap().to_string());
    }
    let events: Vec<Value> = served
        .iter()
        .step_by(3)
        .map(|s| json!({"servedId": s, "kind": "CLICK"}))
        .collect();
    app.gql(Some(&key), TRACK, json!({"e": events}))
        .await
        .data();
    flush(&app).await;
    let auditor = app.user("aud@test.local", "AUDITOR", &[]).await;
    let from = chrono::DateTime::parse_from_rfc3339("2000-01-01T00:00:00Z")
        .unwrap()
        .to_utc();
    let to = chrono::DateTime::parse_from_rfc3339("2999-01-01T00:00:00Z")
        .unwrap()
        .to_utc();
    let mut groupings: Vec<Vec<&str>> = vec![
        vec![],
        vec!["VARIANT", "DAY"],
        vec!["ENTRY", "VARIANT", "REVISION", "DEVICE", "DAY", "LOCALE"],
    ];
    groupings.extend(["ENTRY", "VARIANT", "REVISION", "DEVICE", "DAY", "LOCALE"].map(|d| vec![d]));
    for grouping in &groupings {
        let from_index = report(&app, &auditor, json!(grouping)).await;
        let dimensions: Vec<UsageDimension> = grouping
            .iter()
            .map(|d| UsageDimension::parse(d).unwrap())
            .collect();
        let from_db = app
            .app
            .db
            .read(move |conn| vary::store::usage::report(conn, "alpine", from, to, &dimensions))
            .await
            .unwrap();
        assert_eq!(
            Value::Array(from_index),
            serde_json::to_value(&from_db).unwrap(),
            "grouped by {grouping:?}"
        );
    }
    let totals = report(&app, &auditor, json!([])).await;
    assert_eq!(
        (
            totals[0]["impressions"].as_i64(),
            totals[0]["clicks"].as_i64()
        ),
        (Some(12), Some(4))
    );

    // Lose the index while the server is down; the next start rebuilds it.
    app.app.shutdown().await;
    let config = app.app.config.clone();
    std::fs::remove_dir_all(vary::app::usage_index_dir(&config)).unwrap();
    let restarted = vary::app::App::build(config).await.unwrap();
    let rows = restarted
        .usage_index
        .report("alpine", from, to, &[UsageDimension::Device])
        .unwrap();
    let from_db = restarted
        .db
        .read(move |conn| {
            vary::store::usage::report(conn, "alpine", from, to, &[UsageDimension::Device])
        })
        .await
        .unwrap();
    assert_eq!(rows, from_db);
    assert_eq!(rows.iter().map(|r| r.impressions).sum::<i64>(), 12);
    restarted.shutdown().await;
}

/// The batch writer retries a batch it could not confirm: the second write stores and indexes
/// nothing new, on either backend. Enough events for SQLite's multi-row statements, a chunk of
/// which holds both stored and new events, and every column different per event, so a column
/// written into another's place would show.
async fn a_batch_written_twice_is_stored_and_indexed_once(backend: Backend) {
    use vary::usage::queue::UsageSink;
    let app = TestApp::spawn(backend).await;
    // The database keeps microseconds.
    let at = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6);
    let events: Vec<vary::usage::UsageEvent> = (0..70)
        .map(|n| vary::usage::UsageEvent {
            id: format!("evt_twice_{n:03}"),
            kind: if n % 3 == 0 {
                vary::usage::UsageKind::Click
            } else {
                vary::usage::UsageKind::Impression
            },
            impression_id: format!("imp_twice_{n:03}"),
            served: std::sync::Arc::new(vary::usage::ServedVariant {
                brand: "alpine".into(),
                entry_id: format!("ent_{n}"),
                entry_key: format!("key-{n}"),
                variant_id: format!("var_{n}"),
                variant_name: format!("Variant {n}"),
                revision: format!("rev{n}"),
                ..Default::default()
            }),
            device: (n % 2 == 0).then_some(std::borrow::Cow::Borrowed("MOBILE")),
            locale: if n % 4 == 0 { "de".into() } else { "en".into() },
            at: at + chrono::Duration::microseconds(n),
            user_key_hash: (n % 5 == 0).then(|| format!("hash{n}")),
            attributes: json!({"segment": format!("s{n}")})
                .as_object()
                .unwrap()
                .clone(),
            value: (n % 2 == 1).then_some(n as f64 + 0.5),
        })
        .collect();
    // The app's own node id: this sink stands in for the app's, which indexes what it stores.
    let sink = vary::store::usage::DbUsageSink::new(
        app.app.db.clone(),
        Some(app.app.usage_index.clone()),
        &app.app.node,
    );
    let stored = tokio::task::spawn_blocking(move || {
        sink.write_batch(&events[..40]).unwrap();
        sink.write_batch(&events).unwrap();
        sink.flush().unwrap();
        events
    })
    .await
    .unwrap();
    assert_eq!(
        app.app.db.read(vary::store::usage::count).await.unwrap(),
        70
    );
    assert_eq!(app.app.usage_index.num_events(), 70);
    let back = app
        .app
        .db
        .read(|conn| {
            let mut all = Vec::new();
            vary::store::usage::each_event_batch(conn, None, 50, |batch| {
                all.extend(batch);
                Ok(())
            })?;
            Ok(all)
        })
        .await
        .unwrap();
    let mut expected = stored;
    for event in &mut expected {
        event.device.get_or_insert(std::borrow::Cow::Borrowed(
            vary::usage::report::UNKNOWN_DEVICE,
        ));
    }
    assert_eq!(back, expected, "every column of every event round-trips");
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

/// Runs, in name order, every migration of `backend` before the one named `stop`.
fn migrate_before<C>(conn: &mut C, backend: &str, stop: &str)
where
    C: diesel::Connection
        + diesel::migration::MigrationConnection
        + diesel_migrations::MigrationHarness<C::Backend>,
    diesel_migrations::FileBasedMigrations: diesel::migration::MigrationSource<C::Backend>,
{
    use diesel::migration::MigrationSource;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let source = diesel_migrations::FileBasedMigrations::from_path(dir).expect("migrations");
    let mut migrations = source.migrations().expect("migrations");
    migrations.sort_by_key(|m| m.name().to_string());
    conn.setup().expect("the migrations table");
    for migration in migrations
        .iter()
        .take_while(|m| !m.name().to_string().starts_with(stop))
    {
        conn.run_migration(migration.as_ref())
            .expect("an earlier migration runs");
    }
}

/// Events stored before served rows existed (every column on the event) read back and report
/// the same after the migration that moves what they served into `usage_served`.
async fn events_stored_before_served_rows_survive_the_move(backend: Backend) {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    const OLD_ROWS: &str = "INSERT INTO usage_events (id, kind, impression_id, brand, entry_id, entry_key, variant_id, \
        variant_name, revision, device, locale, at, day, user_key_hash, attributes, value) VALUES \
        ('imp_1', 'impression', 'imp_1', 'alpine', 'ent_1', 'home-hero', 'var_1', 'skiers', 'rev_1', 'MOBILE', 'en', \
            '2026-03-01 10:00:00', '2026-03-01', 'abc', '{\"segment\":\"skier\"}', NULL), \
        ('evt_1', 'conversion', 'imp_1', 'alpine', 'ent_1', 'home-hero', 'var_1', 'skiers', 'rev_1', 'MOBILE', 'en', \
            '2026-03-02 09:00:00', '2026-03-02', 'abc', '{}', 12.5), \
        ('imp_2', 'impression', 'imp_2', 'alpine', 'ent_1', 'home-hero', 'var_2', 'everyone', 'rev_2', 'unknown', 'de', \
            '2026-03-02 11:00:00', '2026-03-02', NULL, '{}', NULL)";
    let database = crate::helpers::EmptyDatabase::new(backend);
    let stop = "2026-12-04-000006";
    match backend {
        Backend::Sqlite => {
            let mut conn =
                diesel::SqliteConnection::establish(database.url.trim_start_matches("sqlite://"))
                    .unwrap();
            migrate_before(&mut conn, "sqlite", stop);
            conn.batch_execute(OLD_ROWS).unwrap();
        }
        Backend::Postgres => {
            let mut conn = diesel::PgConnection::establish(&database.url).unwrap();
            migrate_before(&mut conn, "postgres", stop);
            conn.batch_execute(OLD_ROWS).unwrap();
        }
    }
    let db = vary::store::Db::connect(&vary::config::DatabaseUrl::parse(&database.url).unwrap(), 2)
        .unwrap();
    db.migrate().unwrap();

    let (from, to) = (
        "2026-03-01T00:00:00Z".parse().unwrap(),
        "2026-04-01T00:00:00Z".parse().unwrap(),
    );
    let events = db
        .read(move |conn| vary::store::usage::events(conn, "alpine", from, to))
        .await
        .unwrap();
    let summary: Vec<_> = events
        .iter()
        .map(|e| {
            (
                e.id.as_str(),
                e.impression_id.as_str(),
                e.served.variant_id.as_str(),
                e.served.revision.as_str(),
                e.device.as_deref(),
                e.locale.as_str(),
                e.value,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "imp_1",
                "imp_1",
                "var_1",
                "rev_1",
                Some("MOBILE"),
                "en",
                None
            ),
            (
                "evt_1",
                "imp_1",
                "var_1",
                "rev_1",
                Some("MOBILE"),
                "en",
                Some(12.5)
            ),
            (
                "imp_2",
                "imp_2",
                "var_2",
                "rev_2",
                Some("unknown"),
                "de",
                None
            ),
        ]
    );
    assert_eq!(
        events[0].attributes,
        *json!({"segment": "skier"}).as_object().unwrap()
    );
    assert_eq!(events[0].user_key_hash.as_deref(), Some("abc"));
    assert_eq!(
        (
            events[2].served.entry_key.as_str(),
            events[2].served.variant_name.as_str()
        ),
        ("home-hero", "everyone")
    );

    let dimensions = [UsageDimension::Variant, UsageDimension::Day];
    let rows = db
        .read(move |conn| vary::store::usage::report(conn, "alpine", from, to, &dimensions))
        .await
        .unwrap();
    let rows: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.variant_id.as_deref().unwrap(),
                r.day.as_deref().unwrap(),
                r.impressions,
                r.conversions,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("var_1", "2026-03-01", 1, 0),
            ("var_1", "2026-03-02", 0, 1),
            ("var_2", "2026-03-02", 1, 0)
        ]
    );
}

backend_tests!(
    events_stored_before_served_rows_survive_the_move,
    with_recording_off_nothing_is_recorded,
    a_batch_written_twice_is_stored_and_indexed_once,
    served_and_reported_impressions_match_exactly,
    shutdown_writes_every_queued_impression,
    track_records_clicks_and_rejects_forged_and_unknown_served_ids,
    reports_group_by_every_dimension,
    usage_reports_are_for_auditors_and_admins_and_refuse_bad_input,
    the_usage_export_streams_csv_and_json,
    user_keys_are_stored_hashed_and_only_allowed_attributes_kept,
    the_usage_index_and_the_database_agree_and_a_lost_index_is_rebuilt,
);
