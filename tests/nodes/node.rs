//! A real `vary serve` process and the requests the node tests and benches make of it: sign-in,
//! a seeded brand, variants and their workflow, delivery, search and uploads.

use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ADMIN: &str = "admin@nodes.test";
const PASSWORD: &str = "correct-horse-battery";

/// A delivery key as made.
pub struct Key {
    pub id: String,
    pub token: String,
}

/// A running `vary serve`, killed with SIGKILL when dropped.
pub struct Node {
    child: Child,
    port: u16,
    _dir: Option<tempfile::TempDir>,
}

impl Node {
    /// A node on `database_url` with a data dir of its own, once `/readyz` answers 200.
    pub fn start(database_url: &str) -> Node {
        let dir = tempfile::tempdir().unwrap();
        let mut node = Node::start_in(database_url, dir.path());
        node._dir = Some(dir);
        node
    }

    /// A node on `database_url` and `data_dir`, once `/readyz` answers 200.
    pub fn start_in(database_url: &str, data_dir: &Path) -> Node {
        Node::start_with(database_url, data_dir, &[])
    }

    /// A node with its own data dir and more environment variables.
    pub fn start_env(database_url: &str, env: &[(&str, &str)]) -> Node {
        let dir = tempfile::tempdir().unwrap();
        let mut node = Node::start_with(database_url, dir.path(), env);
        node._dir = Some(dir);
        node
    }

    fn start_with(database_url: &str, data_dir: &Path, env: &[(&str, &str)]) -> Node {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let child = Command::new(env!("CARGO_BIN_EXE_vary"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("VARY_BOOTSTRAP_ADMIN", format!("{ADMIN}:{PASSWORD}"))
            .env("VARY_DATABASE_URL", database_url)
            .env("VARY_DB_POOL_SIZE", "4")
            .env("VARY_WEBHOOKS_ALLOW_PRIVATE", "true")
            .envs(env.iter().copied())
            .arg("--data-dir")
            .arg(data_dir)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut node = Node {
            child,
            port,
            _dir: None,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = node.child.try_wait().unwrap() {
                panic!("vary serve exited at start: {status}");
            }
            assert!(Instant::now() < deadline, "vary serve did not become ready");
            if ureq::get(&node.url("/readyz")).call().is_ok() {
                return node;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Whether `/readyz` answers 200.
    pub fn ready(&self) -> bool {
        ureq::get(&self.url("/readyz"))
            .timeout(Duration::from_secs(5))
            .call()
            .is_ok()
    }

    /// The last change id the node applied (from `/metrics`).
    pub fn applied_change(&self) -> i64 {
        let text = ureq::get(&self.url("/metrics"))
            .call()
            .unwrap()
            .into_string()
            .unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("vary_changes_applied_id "))
            .and_then(|v| v.trim().parse().ok())
            .expect("vary_changes_applied_id in /metrics")
    }

    /// SIGKILL, leaving the data dir as the dead process left it.
    pub fn kill_9(&self) {
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGKILL) };
    }

    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Uploads a JPEG to brand `alpine`; answers status and body.
    pub fn upload(&self, token: &str, jpeg: &[u8]) -> (u16, Value) {
        let boundary = "vary-nodes-boundary";
        let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"brand\"\r\n\r\nalpine\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").into_bytes();
        body.extend_from_slice(jpeg);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let response = ureq::post(&self.url("/api/assets"))
            .set(
                "Content-Type",
                &format!("multipart/form-data; boundary={boundary}"),
            )
            .set("Authorization", &format!("Bearer {token}"))
            .send_bytes(&body);
        let response = match response {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        let status = response.status();
        (
            status,
            serde_json::from_str(&response.into_string().unwrap()).unwrap_or(Value::Null),
        )
    }

    /// GETs `path`: status and body.
    pub fn fetch(&self, path: &str) -> (u16, Vec<u8>) {
        let response = match ureq::get(&self.url(path)).call() {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        let status = response.status();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut response.into_reader(), &mut bytes).unwrap();
        (status, bytes)
    }

    /// GETs `path` with a bearer `token`: status and body.
    pub fn fetch_as(&self, path: &str, token: &str) -> (u16, String) {
        let request = ureq::get(&self.url(path)).set("Authorization", &format!("Bearer {token}"));
        let response = match request.call() {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        (response.status(), response.into_string().unwrap())
    }

    /// The whole answer of a GraphQL `query` posted to `path` (a typed delivery endpoint, say)
    /// with a bearer `token`.
    pub fn post_query(&self, path: &str, token: &str, query: &str) -> Value {
        let response = ureq::post(&self.url(path))
            .set("Content-Type", "application/json")
            .set("Authorization", &format!("Bearer {token}"))
            .timeout(Duration::from_secs(30))
            .send_string(&json!({ "query": query }).to_string());
        let text = match response {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r.into_string().unwrap(),
            Err(e) => panic!("{e}"),
        };
        serde_json::from_str(&text).unwrap()
    }

    /// The whole GraphQL answer, or `None` when the node does not answer (it was killed).
    pub fn try_answer(&self, token: Option<&str>, query: &str, variables: Value) -> Option<Value> {
        let mut request = ureq::post(&self.url("/graphql"))
            .set("Content-Type", "application/json")
            .timeout(Duration::from_secs(30));
        if let Some(token) = token {
            request = request.set("Authorization", &format!("Bearer {token}"));
        }
        let body = json!({"query": query, "variables": variables}).to_string();
        let text = match request.send_string(&body) {
            Ok(response) => response.into_string().ok()?,
            Err(ureq::Error::Status(_, response)) => response.into_string().ok()?,
            Err(_) => return None,
        };
        serde_json::from_str(&text).ok()
    }

    /// `content` for the key; `None` once the node stopped answering.
    pub fn try_content(&self, key: &str) -> Option<Value> {
        let answer = self.try_answer(
            Some(key),
            "{ content(brand: \"alpine\", key: \"home\") { servedId variant { id } } }",
            json!({}),
        )?;
        assert!(answer["errors"].is_null(), "{answer}");
        Some(answer["data"]["content"].clone())
    }

    /// Creates a variant; its id once acknowledged, `None` once the node stopped answering.
    pub fn try_create_variant(&self, token: &str, entry: &str, title: &str) -> Option<String> {
        let answer = self.try_answer(
            Some(token),
            "mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }",
            json!({"i": {"entryId": entry, "name": title, "fields": {"title": title}}}),
        )?;
        answer["data"]["createVariant"]["id"]
            .as_str()
            .map(str::to_string)
    }

    /// The whole GraphQL answer.
    pub fn answer(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        self.try_answer(token, query, variables)
            .expect("the node answers with JSON")
    }

    /// `data`, asserting there were no errors.
    pub fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let answer = self.answer(token, query, variables);
        assert!(answer["errors"].is_null(), "{answer}");
        answer["data"].clone()
    }

    pub fn try_login(&self, email: &str, password: &str) -> Option<String> {
        let answer = self.answer(
            None,
            "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
            json!({"e": email, "p": password}),
        );
        answer["data"]["login"]["token"]
            .as_str()
            .map(str::to_string)
    }

    pub fn login(&self) -> String {
        self.try_login(ADMIN, PASSWORD).expect("the admin signs in")
    }

    /// A brand `alpine` with a `Hero` type and an entry `home`; returns the entry id.
    pub fn seed(&self, token: &str) -> String {
        self.gql(Some(token), "mutation { createBrand(input: {slug: \"alpine\", name: \"Alpine\", defaultLocale: \"en\"}) { slug } }", json!({}));
        self.gql(Some(token), "mutation { createContentType(input: {brand: \"alpine\", name: \"Hero\", fields: [{name: \"title\", kind: TEXT, required: true}]}) { id } }", json!({}));
        let data = self.gql(Some(token), "mutation { createEntry(input: {brand: \"alpine\", key: \"home\", contentType: \"Hero\"}) { id } }", json!({}));
        data["createEntry"]["id"].as_str().unwrap().to_string()
    }

    pub fn delivery_key(&self, token: &str) -> Key {
        let data = self.gql(
            Some(token),
            "mutation { createDeliveryKey(brand: \"alpine\", name: \"web\") { id token } }",
            json!({}),
        );
        let key = &data["createDeliveryKey"];
        Key {
            id: key["id"].as_str().unwrap().to_string(),
            token: key["token"].as_str().unwrap().to_string(),
        }
    }

    /// Creates a variant of `entry` titled `title`; returns its id.
    pub fn create_variant(&self, token: &str, entry: &str, title: &str) -> String {
        let data = self.gql(
            Some(token),
            "mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }",
            json!({"i": {"entryId": entry, "name": title.chars().take(60).collect::<String>(), "fields": {"title": title}}}),
        );
        data["createVariant"]["id"].as_str().unwrap().to_string()
    }

    pub fn transition(&self, token: &str, mutation: &str, variant: &str) {
        self.gql(
            Some(token),
            &format!("mutation($id: ID!) {{ {mutation}(id: $id) {{ id }} }}"),
            json!({"id": variant}),
        );
    }

    /// `content(alpine, home)` as the delivery key: the answer, or `None` when the key is
    /// refused.
    pub fn content(&self, key: &str) -> Option<Value> {
        let answer = self.answer(
            Some(key),
            "{ content(brand: \"alpine\", key: \"home\") { reason servedId variant { id } } }",
            json!({}),
        );
        if answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED" {
            return None;
        }
        assert!(answer["errors"].is_null(), "{answer}");
        Some(answer["data"]["content"].clone())
    }

    /// The id of the variant served to the key.
    pub fn served_variant(&self, key: &str) -> Option<String> {
        let content = self.content(key).expect("the key is accepted");
        content["variant"]["id"].as_str().map(str::to_string)
    }

    pub fn search_total(&self, token: &str, text: &str) -> u64 {
        let data = self.gql(
            Some(token),
            "query($q: String!) { search(query: $q, brand: \"alpine\") { total } }",
            json!({"q": text}),
        );
        data["search"]["total"].as_u64().unwrap()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
