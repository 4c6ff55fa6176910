//! How usage is kept: what is queued is written on shutdown, the usage index agrees with the
//! database and is rebuilt from it, a batch written twice counts once, and events stored before
//! `usage_served` existed survive the migration that moved them.

use serde_json::{json, Value};
use vary::usage::UsageDimension;

use super::{alpine, report, TRACK};
use crate::backend_tests;
use crate::helpers::{Backend, TestApp};

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
    app.flush_usage().await;
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
    shutdown_writes_every_queued_impression,
    the_usage_index_and_the_database_agree_and_a_lost_index_is_rebuilt,
    a_batch_written_twice_is_stored_and_indexed_once,
    events_stored_before_served_rows_survive_the_move,
);
