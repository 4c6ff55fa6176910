//! `kill -9` under delivery and track load loses nothing that was answered.
//!
//! A real `vary serve --demo` (the built binary) takes `content` requests from several threads
//! and `track` calls for the `servedId`s they received, and is killed with SIGKILL in the middle
//! of it, then started again on the same data dir, `VARY_KILL_CYCLES` times (20 by default).
//! After each restart a `servedId` received just before the kill must be trackable. At the end
//! the database must hold an impression for every `servedId` a client received and a click for
//! every `track` that answered, and no more than the requests that were cut off could add; the
//! usage report (the usage index) must count exactly what the database holds, and every variant
//! whose `createVariant` was acknowledged (the demo admin writes them throughout) must be
//! searchable. Runs on SQLite,
//! and on PostgreSQL when `VARY_TEST_POSTGRES_URL` is set.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use vary::config::DatabaseUrl;
use vary::usage::UsageKind;

const CONTENT: &str = r#"{"query":"query($c: ContextInput) { content(brand: \"alpine\", key: \"home-hero\", context: $c) { servedId } }","variables":{"c":{"attributes":{"segment":"skier"}}}}"#;
const TRACK: &str =
    "mutation($e: [TrackInput!]!) { track(events: $e) { accepted rejected { index code message } } }";
/// Threads asking for content while the server is killed.
const DELIVERY_THREADS: usize = 3;
/// How long each cycle runs under load before the kill.
const LOAD: Duration = Duration::from_millis(350);

fn cycles() -> usize {
    std::env::var("VARY_KILL_CYCLES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20)
}

/// A running `vary serve`.
struct Server {
    child: Child,
    base: String,
}

/// A failing test never leaves its server running.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts the server on `dir` and waits until it answers `/readyz` (the journal is replayed
    /// by then: the app is built before the server listens).
    fn start(dir: &Path, database: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let log = |name: &str| -> File {
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(dir.join(name))
                .unwrap()
        };
        let child = Command::new(env!("CARGO_BIN_EXE_vary"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("VARY_DATABASE_URL", database)
            .arg("--data-dir")
            .arg(dir.join("data"))
            .args(["serve", "--demo", "--bind", &format!("127.0.0.1:{port}")])
            .stdin(Stdio::null())
            .stdout(log("server.out"))
            .stderr(log("server.err"))
            .spawn()
            .unwrap();
        let mut server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(2))
            .build();
        loop {
            if agent.get(&format!("{}/readyz", server.base)).call().is_ok() {
                return server;
            }
            if let Some(status) = server.child.try_wait().unwrap() {
                let err = std::fs::read_to_string(dir.join("server.err")).unwrap_or_default();
                panic!("the server exited ({status}) before it was ready:\n{err}");
            }
            assert!(Instant::now() < deadline, "the server never became ready");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL: nothing the process holds in memory survives.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM: a clean stop, queue drained.
    fn terminate(mut self) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "a clean stop exits 0: {status}");
    }
}

/// The alpine delivery key the first start printed.
fn demo_key(dir: &Path) -> String {
    let out = std::fs::read_to_string(dir.join("server.out")).unwrap();
    out.lines()
        .find_map(|line| {
            let mut words = line.split_whitespace();
            match (words.next(), words.next()) {
                (Some("alpine"), Some(key)) if key.starts_with("vary_dk_") => Some(key.to_string()),
                _ => None,
            }
        })
        .unwrap_or_else(|| panic!("no delivery key in the demo output:\n{out}"))
}

/// A client of the server; any failure (the server was killed) is `None`.
struct Client {
    agent: ureq::Agent,
    base: String,
    token: String,
}

impl Client {
    fn new(base: &str, token: &str) -> Client {
        Client {
            agent: ureq::AgentBuilder::new()
                .timeout(Duration::from_secs(10))
                .build(),
            base: base.to_string(),
            token: token.to_string(),
        }
    }

    fn post(&self, body: &str) -> Option<Value> {
        let mut request = self
            .agent
            .post(&format!("{}/graphql", self.base))
            .set("Content-Type", "application/json");
        if !self.token.is_empty() {
            request = request.set("Authorization", &format!("Bearer {}", self.token));
        }
        let response = request.send_string(body).ok()?;
        serde_json::from_str(&response.into_string().ok()?).ok()
    }

    fn served_id(&self) -> Option<String> {
        let answer = self.post(CONTENT)?;
        let served = answer["data"]["content"]["servedId"].as_str();
        Some(
            served
                .unwrap_or_else(|| panic!("no servedId: {answer}"))
                .to_string(),
        )
    }

    /// Tracks a click on each `servedId` (named after it, so a resend counts once); answers
    /// whether the server accepted them all, `None` when it did not answer.
    fn track(&self, served: &[String]) -> Option<bool> {
        let events: Vec<Value> = served
            .iter()
            .map(|s| json!({"servedId": s, "kind": "CLICK", "id": format!("click-{s}")}))
            .collect();
        let body = json!({"query": TRACK, "variables": {"e": events}}).to_string();
        let answer = self.post(&body)?;
        let track = &answer["data"]["track"];
        Some(
            track["accepted"].as_u64() == Some(served.len() as u64)
                && track["rejected"].as_array().is_some_and(Vec::is_empty),
        )
    }
}

/// What the clients saw.
#[derive(Default)]
struct Ledger {
    /// `servedId`s received in an answer.
    received: Vec<String>,
    /// `content` requests that got no answer (cut off by the kill; one per thread and cycle).
    unanswered: usize,
    /// `servedId`s whose click `track` accepted.
    clicked: Vec<String>,
    /// Clicks sent in `track` calls that got no answer.
    clicks_unanswered: usize,
    /// How far the tracker has come through `received`.
    tracked_to: usize,
    /// Words of variants whose `createVariant` was acknowledged: each must be searchable.
    written: Vec<String>,
}

/// Runs delivery and track load against `base` until `stop`.
fn load(client: &Client, ledger: &Mutex<Ledger>, stop: &AtomicBool) {
    std::thread::scope(|scope| {
        for _ in 0..DELIVERY_THREADS {
            scope.spawn(|| {
                // After its first unanswered request the server is gone: that one may have
                // been answered (and recorded) as the process died, no later one can.
                while !stop.load(Ordering::Relaxed) {
                    let served = client.served_id();
                    let mut ledger = ledger.lock().unwrap();
                    match served {
                        Some(served) => ledger.received.push(served),
                        None => {
                            ledger.unanswered += 1;
                            return;
                        }
                    }
                }
            });
        }
        scope.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                let batch: Vec<String> = {
                    let mut ledger = ledger.lock().unwrap();
                    let from = ledger.tracked_to;
                    let to = ledger.received.len().min(from + 5);
                    ledger.tracked_to = to;
                    ledger.received[from..to].to_vec()
                };
                if batch.is_empty() {
                    std::thread::sleep(Duration::from_millis(2));
                    continue;
                }
                let outcome = client.track(&batch);
                let mut ledger = ledger.lock().unwrap();
                match outcome {
                    Some(true) => ledger.clicked.extend(batch),
                    Some(false) => panic!("a click on a servedId just received was refused"),
                    None => {
                        ledger.clicks_unanswered += batch.len();
                        return;
                    }
                }
            }
        });
    });
}

/// The impression named in a `servedId` (`{impression}.{brand}.{signature}`).
fn impression(served_id: &str) -> &str {
    served_id.split('.').next().unwrap()
}

fn kill_loop(database: DatabaseUrl, url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path(), url);
    let key = demo_key(dir.path());
    let ledger = Mutex::new(Ledger::default());
    for cycle in 0..cycles() {
        let client = Client::new(&server.base, &key);
        let stop = AtomicBool::new(false);
        let editor = Editor::sign_in(&server.base);
        std::thread::scope(|scope| {
            scope.spawn(|| load(&client, &ledger, &stop));
            scope.spawn(|| editor.write_until(cycle, &ledger, &stop));
            std::thread::sleep(LOAD);
            server.kill();
            stop.store(true, Ordering::Relaxed);
        });
        server = Server::start(dir.path(), url);
        // The last answer before the kill names an impression the new process knows.
        let last = ledger.lock().unwrap().received.last().cloned();
        let last = last.unwrap_or_else(|| panic!("cycle {cycle}: no answer before the kill"));
        let tracked = Client::new(&server.base, &key).track(std::slice::from_ref(&last));
        assert_eq!(
            tracked,
            Some(true),
            "cycle {cycle}: {last} refused after restart"
        );
        ledger.lock().unwrap().clicked.push(last);
    }
    let ledger = ledger.into_inner().unwrap();
    Editor::sign_in(&server.base).assert_searchable(&ledger.written);
    let totals = report_totals(&server.base);
    server.terminate();
    check(&database, &ledger, totals);
}

/// The demo admin writing variants of alpine's `home-hero` while the server is killed.
struct Editor {
    client: Client,
    entry: String,
}

impl Editor {
    fn sign_in(base: &str) -> Editor {
        let login = json!({"query": "mutation { login(email: \"admin@vary.demo\", password: \"vary-demo-2026\") { token } }"});
        let answer = Client::new(base, "").post(&login.to_string()).unwrap();
        let token = answer["data"]["login"]["token"].as_str().unwrap();
        let client = Client::new(base, token);
        let query = json!({"query": "{ entry(brand: \"alpine\", key: \"home-hero\") { id } }"});
        let answer = client.post(&query.to_string()).unwrap();
        let entry = answer["data"]["entry"]["id"].as_str().unwrap().to_string();
        Editor { client, entry }
    }

    /// Creates variants named by a word of letters only (the stemmer leaves it whole) until
    /// stopped or the server is gone, noting each one acknowledged.
    fn write_until(&self, cycle: usize, ledger: &Mutex<Ledger>, stop: &AtomicBool) {
        let letters = |mut n: usize| -> String {
            (0..4)
                .map(|_| {
                    let c = (b'a' + (n % 26) as u8) as char;
                    n /= 26;
                    c
                })
                .collect()
        };
        for n in 0.. {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            let word = format!("zk{}{}", letters(cycle), letters(n));
            let create = json!({
                "query": "mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }",
                "variables": {"i": {"entryId": self.entry, "name": word, "fields": {"title": format!("About {word}"), "cta": "Go"}}},
            });
            match self.client.post(&create.to_string()) {
                Some(answer) if answer["data"]["createVariant"]["id"].is_string() => {
                    ledger.lock().unwrap().written.push(word)
                }
                Some(answer) => panic!("createVariant refused: {answer}"),
                None => return,
            }
        }
    }

    /// Every acknowledged write is searchable within two seconds of the last restart.
    fn assert_searchable(&self, words: &[String]) {
        assert!(!words.is_empty(), "no variant was written");
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            let missing: Vec<&String> = words
                .iter()
                .filter(|word| {
                    let query = json!({"query": "query($q: String!) { search(query: $q, brand: \"alpine\") { total } }", "variables": {"q": word}});
                    let answer = self.client.post(&query.to_string()).unwrap();
                    answer["data"]["search"]["total"] != 1
                })
                .collect();
            if missing.is_empty() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {} acknowledged writes are not searchable: {missing:?}",
                missing.len(),
                words.len()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// The usage report's totals (counted by the usage index), read as the demo admin.
fn report_totals(base: &str) -> (i64, i64) {
    let login = json!({"query": "mutation { login(email: \"admin@vary.demo\", password: \"vary-demo-2026\") { token } }"});
    let anonymous = Client::new(base, "");
    let answer = anonymous.post(&login.to_string()).unwrap();
    let token = answer["data"]["login"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("the demo admin cannot sign in: {answer}"));
    let query = json!({"query": "{ usageReport(brand: \"alpine\", from: \"2000-01-01T00:00:00Z\", to: \"2999-01-01T00:00:00Z\", groupBy: []) { impressions clicks } }"});
    let admin = Client::new(base, token);
    // The clicks tracked since the last restart reach the report within a second.
    std::thread::sleep(Duration::from_millis(1_500));
    let answer = admin.post(&query.to_string()).unwrap();
    let row = &answer["data"]["usageReport"][0];
    (
        row["impressions"].as_i64().unwrap(),
        row["clicks"].as_i64().unwrap(),
    )
}

/// Everything the clients were answered is stored, nothing beyond what cut-off requests may
/// have added, and the report counts what is stored.
fn check(database: &DatabaseUrl, ledger: &Ledger, (impressions, clicks): (i64, i64)) {
    let db = vary::store::Db::connect(database, 1).unwrap();
    let (from, to) = (
        "2000-01-01T00:00:00Z".parse().unwrap(),
        "2999-01-01T00:00:00Z".parse().unwrap(),
    );
    let events = db
        .read_blocking(|conn| vary::store::usage::events(conn, "alpine", from, to))
        .unwrap();
    let stored = |kind| -> HashSet<&str> {
        events
            .iter()
            .filter(|e| e.kind == kind)
            .map(|e| e.impression_id.as_str())
            .collect()
    };
    let (shown, clicked) = (stored(UsageKind::Impression), stored(UsageKind::Click));
    let lost: Vec<&str> = ledger
        .received
        .iter()
        .map(|s| impression(s))
        .filter(|i| !shown.contains(i))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} answered impressions lost: {lost:?}",
        lost.len(),
        ledger.received.len()
    );
    let received: HashSet<&str> = ledger.received.iter().map(|s| impression(s)).collect();
    assert_eq!(
        received.len(),
        ledger.received.len(),
        "servedIds are unique"
    );
    assert!(
        shown.len() <= received.len() + ledger.unanswered,
        "{} stored for {} answered and {} cut off",
        shown.len(),
        received.len(),
        ledger.unanswered
    );
    let acknowledged: HashSet<&str> = ledger.clicked.iter().map(|s| impression(s)).collect();
    let lost: Vec<&&str> = acknowledged
        .iter()
        .filter(|i| !clicked.contains(**i))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} accepted clicks lost: {lost:?}",
        lost.len(),
        acknowledged.len()
    );
    assert!(clicked.len() <= acknowledged.len() + ledger.clicks_unanswered);
    assert_eq!(
        events.iter().filter(|e| e.kind == UsageKind::Click).count(),
        clicked.len(),
        "a click resent under its id is stored once"
    );
    assert_eq!(
        (impressions, clicks),
        (shown.len() as i64, clicked.len() as i64),
        "the report counts what is stored"
    );
    eprintln!(
        "{} cycles: {} answers and {} clicks acknowledged, all stored; {} impressions stored ({} requests cut off)",
        cycles(),
        received.len(),
        acknowledged.len(),
        shown.len(),
        ledger.unanswered
    );
}

#[test]
fn kill_9_under_load_loses_no_answered_impression_or_accepted_click_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vary.db");
    kill_loop(
        DatabaseUrl::Sqlite(path.clone()),
        &format!("sqlite://{}", path.display()),
    );
}

#[test]
fn kill_9_under_load_loses_no_answered_impression_or_accepted_click_on_postgres() {
    let Some(admin_url) = std::env::var("VARY_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        eprintln!("skipped: VARY_TEST_POSTGRES_URL is not set");
        return;
    };
    let database = PgDatabase::create(&admin_url);
    kill_loop(DatabaseUrl::Postgres(database.url.clone()), &database.url);
}

/// A fresh PostgreSQL database, dropped at the end.
struct PgDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PgDatabase {
    fn create(admin_url: &str) -> PgDatabase {
        use diesel::{Connection, RunQueryDsl};
        let name = format!("vary_kill_{}", vary::ids::random_token(12));
        let mut conn = diesel::PgConnection::establish(admin_url).unwrap();
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .unwrap();
        let mut url = url::Url::parse(admin_url).unwrap();
        url.set_path(&name);
        PgDatabase {
            admin_url: admin_url.to_string(),
            name,
            url: url.to_string(),
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        use diesel::{Connection, RunQueryDsl};
        if let Ok(mut conn) = diesel::PgConnection::establish(&self.admin_url) {
            let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            let _ = diesel::sql_query(drop).execute(&mut conn);
        }
    }
}
