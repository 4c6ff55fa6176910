//! `vary usage forget` while a server runs on the same data: the command deletes the person's
//! events from the database, and the running server's usage index drops them through the change
//! feed, so its reports agree with the database within its poll.

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[path = "common/cli.rs"]
mod common;
use common::{free_port, serve_demo, PgScratch};

/// `vary` on `data_dir`, with the database `db` (`None`: the data dir's SQLite file).
fn vary(data_dir: &std::path::Path, db: Option<&str>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vary"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .arg("--data-dir")
        .arg(data_dir);
    if let Some(url) = db {
        cmd.arg("--database-url").arg(url);
    }
    cmd
}

fn graphql(port: u16, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut request = ureq::post(&format!("http://127.0.0.1:{port}/graphql"))
        .set("Content-Type", "application/json")
        .timeout(Duration::from_secs(10));
    if let Some(token) = token {
        request = request.set("Authorization", &format!("Bearer {token}"));
    }
    let body = json!({"query": query, "variables": variables}).to_string();
    let text = request.send_string(&body).unwrap().into_string().unwrap();
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert!(answer.get("errors").is_none(), "{answer}");
    answer["data"].clone()
}

fn impressions(port: u16, token: &str) -> i64 {
    let report = graphql(
        port,
        Some(token),
        "{ usageReport(brand: \"alpine\", from: \"2000-01-01T00:00:00Z\", to: \"2999-01-01T00:00:00Z\", groupBy: [VARIANT]) { impressions } }",
        json!({}),
    );
    report["usageReport"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["impressions"].as_i64().unwrap())
        .sum()
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !done() {
        assert!(Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// On SQLite the server's poller reads the change log every second.
#[test]
fn usage_forget_deletes_a_persons_events_while_a_server_runs() {
    forget_beside_a_server(None);
}

/// On PostgreSQL (with `VARY_TEST_POSTGRES_URL`) the server hears of the change by `LISTEN`.
#[test]
fn usage_forget_deletes_a_persons_events_while_a_server_runs_on_postgresql() {
    let Some(pg) = PgScratch::create() else {
        eprintln!("skipped: VARY_TEST_POSTGRES_URL is not set");
        return;
    };
    forget_beside_a_server(Some(&pg.url));
}

fn forget_beside_a_server(db: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let (server, key) = serve_demo(vary(dir.path(), db), port);
    let key = key.expect("the demo printed an alpine delivery key");
    let content = "query($u: String!) { content(brand: \"alpine\", key: \"home-hero\", context: {userKey: $u, device: DESKTOP}) { servedId } }";
    for user in ["cli-ann", "cli-ann", "cli-ann", "cli-bob", "cli-bob"] {
        let answer = graphql(port, Some(&key), content, json!({"u": user}));
        assert!(answer["content"]["servedId"].is_string());
    }
    let login = graphql(
        port,
        None,
        "mutation { login(email: \"admin@vary.demo\", password: \"vary-demo-2026\") { token } }",
        json!({}),
    );
    let admin = login["login"]["token"].as_str().unwrap().to_owned();
    wait_for("the impressions are reported", || {
        impressions(port, &admin) == 5
    });

    let forget = vary(dir.path(), db)
        .args([
            "usage",
            "forget",
            "--brand",
            "alpine",
            "--user-key",
            "cli-ann",
        ])
        .output()
        .unwrap();
    assert!(
        forget.status.success(),
        "{}",
        String::from_utf8_lossy(&forget.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&forget.stdout).trim(), "3");

    // The running server's index follows the change log: its reports drop Ann's impressions.
    wait_for("the server's report drops the forgotten events", || {
        impressions(port, &admin) == 2
    });
    let person = "query($u: String!) { personData(brand: \"alpine\", userKey: $u) { kind } }";
    assert_eq!(
        graphql(port, Some(&admin), person, json!({"u": "cli-ann"}))["personData"],
        json!([])
    );
    let bob = graphql(port, Some(&admin), person, json!({"u": "cli-bob"}));
    assert_eq!(bob["personData"].as_array().unwrap().len(), 2);

    let again = vary(dir.path(), db)
        .args([
            "usage",
            "forget",
            "--brand",
            "alpine",
            "--user-key",
            "cli-ann",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&again.stdout).trim(), "0");
    let unknown = vary(dir.path(), db)
        .args([
            "usage",
            "forget",
            "--brand",
            "nowhere",
            "--user-key",
            "cli-ann",
        ])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("nowhere"));
    drop(server);
}
