//! The `vary` command line: exit codes, configuration errors, `migrate` and `user add`.

use std::io::Write;
use std::process::{Command, Stdio};

#[path = "common/cli.rs"]
mod common;
use common::{free_port, serve_demo, PgScratch};

fn vary(data_dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vary"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .arg("--data-dir")
        .arg(data_dir);
    cmd
}

#[test]
fn help_lists_the_commands() {
    let out = Command::new(env!("CARGO_BIN_EXE_vary"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for command in ["serve", "migrate", "user"] {
        assert!(text.contains(command), "{text}");
    }
}

#[test]
fn a_bad_setting_stops_start_up_with_one_line_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = vary(dir.path())
        .args(["serve", "--bind", "not-an-address"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bind"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    let out = vary(dir.path())
        .env("VARY_DATABASE_URL", "mysql://nope")
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("database_url"));
}

/// `trusted_proxies` and `cors_origins` are lists: comma-separated in a variable, an array in
/// a file; a malformed item stops start-up naming its key.
#[test]
fn proxy_and_origin_lists_are_read_and_their_mistakes_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = vary(dir.path())
        .env("VARY_TRUSTED_PROXIES", "10.0.0.1, 192.168.0.0/16")
        .env(
            "VARY_CORS_ORIGINS",
            "https://shop.example,http://localhost:5173",
        )
        .arg("migrate")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (variable, value, key) in [
        (
            "VARY_TRUSTED_PROXIES",
            "10.0.0.1,not-an-address",
            "trusted_proxies",
        ),
        ("VARY_TRUSTED_PROXIES", "10.0.0.0/40", "trusted_proxies"),
        ("VARY_CORS_ORIGINS", "shop.example", "cors_origins"),
        (
            "VARY_CORS_ORIGINS",
            "*,https://shop.example",
            "cors_origins",
        ),
    ] {
        let out = vary(dir.path())
            .env(variable, value)
            .arg("migrate")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{value}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(key), "{value}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
    let file = dir.path().join("vary.toml");
    std::fs::write(
        &file,
        "cors_origins = [\"*\"]\ntrusted_proxies = [\"::1\"]\n",
    )
    .unwrap();
    let out = vary(dir.path())
        .arg("--config")
        .arg(&file)
        .arg("migrate")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn unrelated_vary_variables_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let out = vary(dir.path())
        .env("VARY_TEST_POSTGRES_URL", "postgres://x")
        .env("VARY_BIN", "/x")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_config_file_is_read_and_its_mistakes_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vary.toml");
    std::fs::write(&file, "bind = \"127.0.0.1:0\"\nsession_ttl_secs = 0\n").unwrap();
    let out = vary(dir.path())
        .arg("--config")
        .arg(&file)
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("session_ttl_secs"));
    std::fs::write(&file, "no_such_key = 1\n").unwrap();
    let out = vary(dir.path())
        .arg("--config")
        .arg(&file)
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no_such_key"));
}

#[test]
fn migrate_then_user_add_creates_a_user_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = vary(dir.path()).arg("migrate").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("vary.db").exists());
    let mut child = vary(dir.path())
        .args([
            "user",
            "add",
            "--email",
            "ops@test.local",
            "--role",
            "auditor",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a-long-password\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("ops@test.local"));
    let again = vary(dir.path())
        .args([
            "user",
            "add",
            "--email",
            "ops@test.local",
            "--role",
            "auditor",
            "--password",
            "a-long-password",
        ])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

#[test]
fn user_add_refuses_a_missing_password_and_an_unknown_role() {
    let dir = tempfile::tempdir().unwrap();
    let out = vary(dir.path())
        .args(["user", "add", "--email", "a@test.local", "--role", "admin"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "clap usage error");
    let out = vary(dir.path())
        .args([
            "user",
            "add",
            "--email",
            "a@test.local",
            "--role",
            "wizard",
            "--password",
            "long-enough-pw",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown role"));
}

#[test]
fn audit_verify_catches_a_row_altered_in_the_database() {
    use diesel::{Connection, RunQueryDsl};
    let dir = tempfile::tempdir().unwrap();
    for email in ["a@test.local", "b@test.local"] {
        let out = vary(dir.path())
            .args([
                "user",
                "add",
                "--email",
                email,
                "--role",
                "auditor",
                "--password",
                "a-long-password",
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
    }
    let ok = vary(dir.path()).args(["audit", "verify"]).output().unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("2 rows"));
    let db = dir.path().join("vary.db");
    let mut conn = diesel::SqliteConnection::establish(db.to_str().unwrap()).unwrap();
    diesel::sql_query("UPDATE audit_log SET target = 'mallory@test.local' WHERE seq = 2")
        .execute(&mut conn)
        .unwrap();
    let broken = vary(dir.path()).args(["audit", "verify"]).output().unwrap();
    assert_eq!(broken.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&broken.stderr).contains("broken at row 2"));
}

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

fn graphql(
    port: u16,
    token: Option<&str>,
    query: &str,
    variables: serde_json::Value,
) -> Result<serde_json::Value, String> {
    let body = serde_json::json!({"query": query, "variables": variables});
    let mut request = ureq::post(&format!("http://127.0.0.1:{port}/graphql"))
        .set("Content-Type", "application/json")
        .timeout(std::time::Duration::from_secs(10));
    if let Some(token) = token {
        request = request.set("Authorization", &format!("Bearer {token}"));
    }
    let response = request
        .send_string(&body.to_string())
        .map_err(|e| e.to_string())?;
    let text = response.into_string().map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

fn wait_for_exit(child: &mut std::process::Child) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "vary serve did not stop after SIGTERM"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
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

/// Every CLI command, 20 times each on PostgreSQL, exits 0 every time. They used to die with
/// SIGSEGV (exit 139) after printing success in one run out of a few: r2d2 was still opening a
/// connection on a thread of its own when the process exited (store::Pools).
#[test]
fn every_command_exits_cleanly_twenty_times_on_postgresql() {
    use diesel::{Connection, RunQueryDsl};
    const RUNS: usize = 20;
    let Some(pg) = PgScratch::create() else {
        eprintln!("skipped: VARY_TEST_POSTGRES_URL is not set");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = vary(dir.path())
            .env("VARY_DATABASE_URL", &pg.url)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "`vary {}` ended with {} (a signal when there is no code): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["migrate"]);
    let mut conn = diesel::PgConnection::establish(&pg.url).unwrap();
    diesel::sql_query(
        "INSERT INTO brands (id, slug, name, default_locale, locales, policy, version, created_at, updated_at) \
         VALUES ('brd_1', 'alpine', 'Alpine', 'en', '[]', '{}', 1, now(), now())",
    )
    .execute(&mut conn)
    .unwrap();
    drop(conn);
    for i in 0..RUNS {
        run(&["migrate"]);
        let email = format!("ops{i}@test.local");
        run(&[
            "user",
            "add",
            "--email",
            &email,
            "--role",
            "auditor",
            "--password",
            "a-long-password",
        ]);
        run(&["reindex"]);
        run(&[
            "export",
            "usage",
            "--brand",
            "alpine",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
        ]);
        run(&["audit", "verify"]);
    }
}

/// `vary user disable` beside a running server: the server refuses the user's session within a
/// second (its change feed polls the log) and the user cannot sign in again.
#[test]
fn user_disable_ends_the_sessions_a_running_server_holds() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let (mut server, _) = serve_demo(vary(dir.path()), port);
    let login = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }";
    let credentials = serde_json::json!({"e": "editor@vary.demo", "p": "vary-demo-2026"});
    let answer = graphql(port, None, login, credentials.clone()).unwrap();
    let token = answer["data"]["login"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let me = graphql(
        port,
        Some(&token),
        "{ me { email } }",
        serde_json::json!({}),
    )
    .unwrap();
    assert_eq!(me["data"]["me"]["email"], "editor@vary.demo");

    let out = vary(dir.path())
        .args(["user", "disable", "--email", "editor@vary.demo"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("disabled editor@vary.demo"));
    let disabled_at = std::time::Instant::now();
    loop {
        match graphql(
            port,
            Some(&token),
            "{ me { email } }",
            serde_json::json!({}),
        ) {
            Err(e) => {
                assert!(e.contains("401"), "{e}");
                break;
            }
            Ok(_) => assert!(
                disabled_at.elapsed() < std::time::Duration::from_millis(1500),
                "the session still works {:?} after the disable",
                disabled_at.elapsed()
            ),
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let again = graphql(port, None, login, credentials).unwrap();
    assert_eq!(
        again["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "a disabled user cannot sign in: {again}"
    );
    let unknown = vary(dir.path())
        .args(["user", "disable", "--email", "nobody@vary.demo"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no user"));
    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    wait_for_exit(&mut server);
}
