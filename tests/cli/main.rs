//! The `vary` command line: `--help`, `audit verify`, and every command exiting cleanly; the
//! settings start-up reads are in `config`, users in `users`, usage export and its durability
//! in `usage`.

use std::process::Command;

#[path = "../common/cli.rs"]
mod common;
use common::PgScratch;

mod config;
mod usage;
mod users;

fn vary(data_dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vary"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .arg("--data-dir")
        .arg(data_dir);
    cmd
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
