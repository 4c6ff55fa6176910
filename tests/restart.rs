//! The derived indexes after a crash or damage, with the real binary: `kill -9` right after
//! acknowledged writes, garbage and truncated segment files, a file where an index directory
//! should be. The server always starts, serves, and finds every acknowledged write.

use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ADMIN: &str = "admin@restart.test";
const PASSWORD: &str = "correct-horse-battery";

fn vary(data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vary"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("VARY_BOOTSTRAP_ADMIN", format!("{ADMIN}:{PASSWORD}"))
        .arg("--data-dir")
        .arg(data_dir);
    cmd
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A running `vary serve`, killed with SIGKILL when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    /// `vary serve` on `data_dir`, not yet waited for.
    fn spawn(data_dir: &Path) -> Server {
        let port = free_port();
        let child = vary(data_dir)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Server { child, port }
    }

    /// `vary serve` on `data_dir`, once `/readyz` answers 200.
    fn start(data_dir: &Path) -> Server {
        let mut server = Server::spawn(data_dir);
        let port = server.port;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("vary serve exited at start: {status}");
            }
            assert!(Instant::now() < deadline, "vary serve did not become ready");
            let ready = ureq::get(&format!("http://127.0.0.1:{port}/readyz")).call();
            if ready.is_ok() {
                return server;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = ureq::post(&format!("http://127.0.0.1:{}/graphql", self.port))
            .set("Content-Type", "application/json")
            .timeout(Duration::from_secs(30));
        if let Some(token) = token {
            request = request.set("Authorization", &format!("Bearer {token}"));
        }
        let body = json!({"query": query, "variables": variables}).to_string();
        let text = match request.send_string(&body) {
            Ok(response) => response.into_string().unwrap(),
            Err(ureq::Error::Status(_, response)) => response.into_string().unwrap(),
            Err(e) => panic!("{e}"),
        };
        let answer: Value = serde_json::from_str(&text).unwrap();
        assert!(answer["errors"].is_null(), "{answer}");
        answer["data"].clone()
    }

    fn login(&self) -> String {
        let data = self.gql(
            None,
            "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
            json!({"e": ADMIN, "p": PASSWORD}),
        );
        data["login"]["token"].as_str().unwrap().to_string()
    }

    /// A brand `alpine` with a `Hero` type and an entry; returns the entry id.
    fn seed(&self, token: &str) -> String {
        self.gql(Some(token), "mutation { createBrand(input: {slug: \"alpine\", name: \"Alpine\", defaultLocale: \"en\"}) { slug } }", json!({}));
        self.gql(Some(token), "mutation { createContentType(input: {brand: \"alpine\", name: \"Hero\", fields: [{name: \"title\", kind: TEXT, required: true}]}) { id } }", json!({}));
        let data = self.gql(Some(token), "mutation { createEntry(input: {brand: \"alpine\", key: \"home\", contentType: \"Hero\"}) { id } }", json!({}));
        data["createEntry"]["id"].as_str().unwrap().to_string()
    }

    fn create_variant(&self, token: &str, entry: &str, word: &str) {
        self.gql(
            Some(token),
            "mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }",
            json!({"i": {"entryId": entry, "name": word, "fields": {"title": format!("About {word}")}}}),
        );
    }

    fn found(&self, token: &str, word: &str) -> bool {
        let data = self.gql(
            Some(token),
            "query($q: String!) { search(query: $q, brand: \"alpine\") { total } }",
            json!({"q": word}),
        );
        data["search"]["total"] == 1
    }

    /// Whether every word is searchable within two seconds.
    fn all_found(&self, token: &str, words: &[String]) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            let missing: Vec<String> = words
                .iter()
                .filter(|w| !self.found(token, w))
                .cloned()
                .collect();
            if missing.is_empty() || Instant::now() > deadline {
                return missing;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn word(cycle: usize, n: usize) -> String {
    // Letters only, so the stemmer leaves the word whole.
    let letters = |mut k: usize| {
        (0..4)
            .map(|_| {
                let c = (b'a' + (k % 26) as u8) as char;
                k /= 26;
                c
            })
            .collect::<String>()
    };
    format!("zq{}{}", letters(cycle), letters(n))
}

#[test]
fn acknowledged_writes_are_searchable_after_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let mut words = Vec::new();
    let mut entry = None;
    for cycle in 0..5 {
        let server = Server::start(dir.path());
        let token = server.login();
        let entry = entry.get_or_insert_with(|| server.seed(&token)).clone();
        for n in 0..8 {
            let w = word(cycle, n);
            server.create_variant(&token, &entry, &w);
            words.push(w);
        }
        // Killed within the index's commit interval of the last acknowledged writes.
        server.kill();
    }
    let server = Server::start(dir.path());
    let token = server.login();
    let missing = server.all_found(&token, &words);
    assert!(
        missing.is_empty(),
        "not searchable after restarts: {missing:?}"
    );
}

/// Every file of every segment of both indexes overwritten with garbage or cut short.
fn damage_indexes(data_dir: &Path) {
    for index in ["search", "usage-index"] {
        for (n, file) in std::fs::read_dir(data_dir.join(index)).unwrap().enumerate() {
            let path = file.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".lock") || name == "meta.json" || name == ".managed.json" {
                continue;
            }
            let len = std::fs::metadata(&path).unwrap().len();
            if n % 2 == 0 {
                std::fs::write(&path, vec![0xA5u8; len as usize]).unwrap();
            } else {
                let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
                file.set_len(len / 3).unwrap();
            }
        }
    }
}

fn set_aside_copies(data_dir: &Path, index: &str) -> usize {
    std::fs::read_dir(data_dir)
        .unwrap()
        .filter(|e| {
            let name = e
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .into_owned();
            name.starts_with(&format!("{index}.broken-"))
        })
        .count()
}

#[test]
fn damaged_indexes_are_set_aside_and_rebuilt_and_the_server_serves() {
    let dir = tempfile::tempdir().unwrap();
    let words: Vec<String> = (0..5).map(|n| word(99, n)).collect();
    {
        let server = Server::start(dir.path());
        let token = server.login();
        let entry = server.seed(&token);
        for w in &words {
            server.create_variant(&token, &entry, w);
        }
        assert!(server.all_found(&token, &words).is_empty());
    }
    damage_indexes(dir.path());
    let server = Server::start(dir.path());
    let token = server.login();
    assert_eq!(server.all_found(&token, &words), Vec::<String>::new());
    server.kill();

    // A file where the index directory should be.
    std::fs::remove_dir_all(dir.path().join("search")).unwrap();
    std::fs::write(dir.path().join("search"), b"not an index").unwrap();
    let server = Server::start(dir.path());
    let token = server.login();
    assert_eq!(server.all_found(&token, &words), Vec::<String>::new());
    server.kill();
    assert!(set_aside_copies(dir.path(), "search") >= 1);

    // `vary reindex` on damaged indexes rebuilds them too, without blaming a running server.
    damage_indexes(dir.path());
    let out = vary(dir.path()).arg("reindex").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("server is running"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("5 variants"));
}

/// Makes files immutable (even for root) until dropped: a read-only database file.
struct Immutable(Vec<std::path::PathBuf>);

impl Immutable {
    fn set(paths: Vec<std::path::PathBuf>) -> Option<Immutable> {
        let ok = Command::new("chattr")
            .arg("+i")
            .args(&paths)
            .status()
            .is_ok_and(|s| s.success());
        if !ok && std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("chattr +i is needed for this test (CI runs as root)");
        }
        ok.then_some(Immutable(paths))
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").args(&self.0).status();
    }
}

/// A server started on a database file it cannot write: `/readyz` says so (503, `writable:
/// false`) and writes answer UNAVAILABLE saying what is wrong, instead of "ready" and INTERNAL.
#[test]
fn a_read_only_database_is_not_ready_and_writes_are_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    {
        let server = Server::start(dir.path());
        let token = server.login();
        server.seed(&token);
        let pid = server.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let mut server = server;
        server.child.wait().unwrap();
    }
    let files: Vec<_> = ["vary.db", "vary.db-wal"]
        .iter()
        .map(|f| dir.path().join(f))
        .filter(|p| p.exists())
        .collect();
    let Some(guard) = Immutable::set(files) else {
        eprintln!("skipped: chattr +i is not permitted here");
        return;
    };
    let mut server = Server::spawn(dir.path());
    let port = server.port;
    let deadline = Instant::now() + Duration::from_secs(60);
    let readyz = loop {
        assert!(server.child.try_wait().unwrap().is_none(), "serve exited");
        assert!(Instant::now() < deadline, "no answer from /readyz");
        match ureq::get(&format!("http://127.0.0.1:{port}/readyz")).call() {
            Err(ureq::Error::Status(status, response)) => {
                break (status, response.into_string().unwrap())
            }
            Ok(response) => break (response.status(), response.into_string().unwrap()),
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    };
    assert_eq!(readyz.0, 503, "{}", readyz.1);
    assert!(readyz.1.contains("\"writable\":false"), "{}", readyz.1);
    let body = json!({"query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }", "variables": {"e": ADMIN, "p": PASSWORD}});
    let answer = ureq::post(&format!("http://127.0.0.1:{port}/graphql"))
        .set("Content-Type", "application/json")
        .send_string(&body.to_string())
        .map(|r| r.into_string().unwrap())
        .unwrap_or_else(|e| match e {
            ureq::Error::Status(_, r) => r.into_string().unwrap(),
            other => panic!("{other}"),
        });
    assert!(
        answer.contains("UNAVAILABLE") && answer.contains("read-only"),
        "{answer}"
    );
    server.kill();
    drop(guard);
}
