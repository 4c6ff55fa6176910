//! `vary usage forget` while a server runs on the same data: the command deletes the person's
//! events from the database, and the running server's usage index drops them through the change
//! feed, so its reports agree with the database within its poll.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

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

/// A fresh PostgreSQL database on `VARY_TEST_POSTGRES_URL`'s server, dropped at the end.
struct PgScratch {
    admin_url: String,
    name: String,
    url: String,
}

impl PgScratch {
    fn create() -> Option<PgScratch> {
        use diesel::{Connection, RunQueryDsl};
        let admin_url = std::env::var("VARY_TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())?;
        let name = format!("vary_forget_{}", vary::ids::random_token(12).to_lowercase());
        let mut conn = diesel::PgConnection::establish(&admin_url).expect("connect to PostgreSQL");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .expect("create database");
        let mut url = url::Url::parse(&admin_url).expect("a postgres:// URL");
        url.set_path(&name);
        Some(PgScratch {
            admin_url,
            name,
            url: url.to_string(),
        })
    }
}

impl Drop for PgScratch {
    fn drop(&mut self) {
        use diesel::{Connection, RunQueryDsl};
        if let Ok(mut conn) = diesel::PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running server, stopped when dropped (also when the test fails: a server left behind would
/// keep the files and locks it inherited).
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `vary serve --demo`; answers the server and the alpine delivery key it printed.
fn serve_demo(data_dir: &std::path::Path, db: Option<&str>, port: u16) -> (Server, String) {
    use std::io::BufRead;
    let mut child = vary(data_dir, db)
        .args(["serve", "--demo", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let child = Server(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if let Some(key) = line.trim().strip_prefix("alpine ") {
                let _ = tx.send(key.trim().to_string());
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    while ureq::get(&format!("http://127.0.0.1:{port}/readyz"))
        .call()
        .is_err()
    {
        assert!(Instant::now() < deadline, "vary serve did not become ready");
        std::thread::sleep(Duration::from_millis(100));
    }
    let key = rx
        .recv_timeout(Duration::from_secs(5))
        .expect("the demo's alpine key");
    (child, key)
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
    let (server, key) = serve_demo(dir.path(), db, port);
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
