//! Usage from the command line: `export usage` and `reindex`, and impressions that survive a
//! SIGTERM under load and a restart, reported once by the server and by the CLI.

use std::process::Command;

use super::common::{free_port, serve_demo};
use super::{graphql, vary, wait_for_exit};

#[test]
fn export_usage_writes_the_report_and_reindex_rebuilds_the_index() {
    use diesel::{Connection, RunQueryDsl};
    let dir = tempfile::tempdir().unwrap();
    assert!(vary(dir.path())
        .arg("migrate")
        .output()
        .unwrap()
        .status
        .success());
    let db = dir.path().join("vary.db");
    let mut conn = diesel::SqliteConnection::establish(db.to_str().unwrap()).unwrap();
    diesel::sql_query(
        "INSERT INTO brands (id, slug, name, default_locale, locales, policy, version, created_at, updated_at) \
         VALUES ('brd_1', 'alpine', 'Alpine', 'en', '[]', '{}', 1, '2026-03-01 00:00:00', '2026-03-01 00:00:00')",
    )
    .execute(&mut conn)
    .unwrap();
    diesel::sql_query(
        "INSERT INTO usage_served (id, brand, entry_id, entry_key, variant_id, variant_name, revision, device, locale) \
         VALUES (7, 'alpine', 'ent_1', 'home-hero', 'var_1', 'skiers', 'rev1', 'MOBILE', 'en')",
    )
    .execute(&mut conn)
    .unwrap();
    for (id, kind, at) in [
        ("imp_1", "impression", "2026-03-01 10:00:00"),
        ("evt_1", "click", "2026-03-01 10:00:05"),
        ("imp_2", "impression", "2026-03-03 10:00:00"),
    ] {
        diesel::sql_query(format!(
            "INSERT INTO usage_events (id, kind, impression_id, brand, served, at, user_key_hash, attributes, value) \
             VALUES ('{id}', '{kind}', 'imp_1', 'alpine', 7, '{at}', NULL, '{{}}', NULL)"
        ))
        .execute(&mut conn)
        .unwrap();
    }
    let export = |args: &[&str]| {
        vary(dir.path())
            .args(["export", "usage", "--brand", "alpine"])
            .args(args)
            .output()
            .unwrap()
    };
    let out = export(&[
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-01",
        "--group-by",
        "variant,day",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "entryKey,variantId,variantName,revision,device,day,locale,experimentId,experimentName,armId,armName,impressions,clicks,conversions,conversionValue,ctr,conversionRate\n\
         ,var_1,skiers,,,2026-03-01,,,,,,1,1,0,0,1,0\n"
    );
    let out = export(&[
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--format",
        "json",
    ]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        rows.as_array().unwrap().len(),
        2,
        "one row per day with every dimension: {rows}"
    );
    assert_eq!(rows[0]["revision"], "rev1");
    let bad = export(&["--from", "yesterday", "--to", "2026-03-31"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--from"));
    let unknown = vary(dir.path())
        .args([
            "export",
            "usage",
            "--brand",
            "nowhere",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-02",
        ])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("nowhere"));
    let reindex = vary(dir.path()).arg("reindex").output().unwrap();
    assert!(
        reindex.status.success(),
        "{}",
        String::from_utf8_lossy(&reindex.stderr)
    );
    assert!(String::from_utf8_lossy(&reindex.stdout).contains("0 variants"));
    assert!(dir.path().join("search").join("meta.json").exists());
}

/// The contract's "none lost, none counted twice" through a SIGTERM under load and a restart:
/// every `servedId` a client received is reported once, by the restarted server and by the CLI.
#[test]
fn impressions_survive_a_sigterm_under_load_and_a_restart() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let (mut server, key) = serve_demo(vary(dir.path()), port);
    let key = key.expect("the demo printed an alpine delivery key");
    let served = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|n| {
            let (served, stop, key) = (served.clone(), stop.clone(), key.clone());
            std::thread::spawn(move || {
                let query = "query($c: ContextInput) { content(brand: \"alpine\", key: \"home-hero\", context: $c) { servedId } }";
                let devices = ["MOBILE", "DESKTOP", "TABLET", "TV"];
                while !stop.load(Ordering::Relaxed) {
                    match graphql(port, Some(&key), query, serde_json::json!({"c": {"device": devices[n]}})) {
                        Ok(answer) if answer["data"]["content"]["servedId"].is_string() => {
                            served.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(answer) => panic!("no servedId: {answer}"),
                        // The server is going away: this request was not answered.
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    while served.load(Ordering::Relaxed) < 200 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let kill = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = wait_for_exit(&mut server);
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.join().unwrap();
    }
    assert!(status.success(), "a SIGTERM is a clean stop: {status}");
    let served = served.load(Ordering::Relaxed) as i64;

    let out = vary(dir.path())
        .args([
            "export",
            "usage",
            "--brand",
            "alpine",
            "--from",
            "2000-01-01",
            "--to",
            "2999-12-31",
            "--format",
            "json",
            "--group-by",
            "ENTRY",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        rows[0]["impressions"].as_i64(),
        Some(served),
        "the database holds each served impression once"
    );

    let (mut server, _) = serve_demo(vary(dir.path()), port);
    let login = graphql(
        port,
        None,
        "mutation { login(email: \"auditor@vary.demo\", password: \"vary-demo-2026\") { token } }",
        serde_json::json!({}),
    )
    .unwrap();
    let token = login["data"]["login"]["token"]
        .as_str()
        .expect("auditor login")
        .to_string();
    let report = graphql(
        port,
        Some(&token),
        "{ usageReport(brand: \"alpine\", from: \"2000-01-01T00:00:00Z\", to: \"2999-01-01T00:00:00Z\", groupBy: [DEVICE]) { device impressions } }",
        serde_json::json!({}),
    )
    .unwrap();
    let rows = report["data"]["usageReport"]
        .as_array()
        .expect("a report")
        .clone();
    let total: i64 = rows
        .iter()
        .map(|r| r["impressions"].as_i64().unwrap())
        .sum();
    assert_eq!(
        total, served,
        "the restarted server reports each served impression once: {rows:?}"
    );
    assert!(
        rows.len() >= 2,
        "grouped by the devices asked for: {rows:?}"
    );
    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(wait_for_exit(&mut server).success());
}
