//! The test harness: [`TestApp`] starts a server on a fresh database and speaks GraphQL to it.

use serde_json::{json, Value};
use std::net::TcpListener;
use std::sync::Arc;

use vary::app::App;
use vary::config::{Config, RawConfig};

pub const ADMIN_EMAIL: &str = "admin@test.local";
pub const PASSWORD: &str = "correct-horse-battery";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named test (an `async fn(Backend)`) once per backend, as `sqlite::NAME` and
/// `postgres::NAME`. The PostgreSQL runs need `VARY_TEST_POSTGRES_URL`; without it they say
/// so and return.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[actix_web::test]
                async fn $name() {
                    if $crate::helpers::postgres_url().is_none() {
                        eprintln!("skipped: VARY_TEST_POSTGRES_URL is not set");
                        return;
                    }
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            )*
        }
    };
}

pub fn postgres_url() -> Option<String> {
    std::env::var("VARY_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A fresh PostgreSQL database, dropped when the test ends.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl PgDatabase {
    fn create() -> (PgDatabase, String) {
        use diesel::{Connection, RunQueryDsl};
        let admin_url = postgres_url().expect("VARY_TEST_POSTGRES_URL");
        let name = format!("vary_test_{}", vary::ids::random_token(12));
        let mut conn = diesel::PgConnection::establish(&admin_url).expect("connect to PostgreSQL");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .expect("create database");
        let mut url = url::Url::parse(&admin_url).expect("a postgres:// URL");
        url.set_path(&name);
        (PgDatabase { admin_url, name }, url.to_string())
    }
}

impl Drop for PgDatabase {
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

/// A fresh database on which no migration has run yet, dropped (or deleted) when it goes.
pub struct EmptyDatabase {
    pub url: String,
    _dir: tempfile::TempDir,
    _pg: Option<PgDatabase>,
}

impl EmptyDatabase {
    pub fn new(backend: Backend) -> EmptyDatabase {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => EmptyDatabase {
                url: format!("sqlite://{}/vary.db", dir.path().display()),
                _dir: dir,
                _pg: None,
            },
            Backend::Postgres => {
                let (pg, url) = PgDatabase::create();
                EmptyDatabase {
                    url,
                    _dir: dir,
                    _pg: Some(pg),
                }
            }
        }
    }
}

/// A running server on its own database.
pub struct TestApp {
    pub base: String,
    pub app: Arc<App>,
    pub data_dir: tempfile::TempDir,
    admin_token: String,
    _pg: Option<PgDatabase>,
}

/// A GraphQL answer: HTTP status and JSON body.
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    /// `data`, after asserting there were no errors.
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected errors: {}",
            self.body
        );
        &self.body["data"]
    }

    /// The first error's `extensions.code`.
    pub fn code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code in {}", self.body))
    }

    pub fn message(&self) -> &str {
        self.body["errors"][0]["message"].as_str().unwrap_or("")
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Starts a server whose configuration `tweak` may adjust.
    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut RawConfig)) -> TestApp {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let (pg, database_url) = match backend {
            Backend::Sqlite => (
                None,
                format!("sqlite://{}/vary.db", data_dir.path().display()),
            ),
            Backend::Postgres => {
                let (db, url) = PgDatabase::create();
                (Some(db), url)
            }
        };
        let mut raw = RawConfig {
            data_dir: Some(data_dir.path().to_path_buf()),
            database_url: Some(database_url),
            bootstrap_admin: Some(format!("{ADMIN_EMAIL}:{PASSWORD}")),
            db_pool_size: 4,
            ..RawConfig::default()
        };
        tweak(&mut raw);
        let config = Config::check(raw).expect("valid test config");
        let app = Arc::new(App::build(config).await.expect("app builds"));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = vary::http::start(app.clone(), listener).expect("server starts");
        actix_web::rt::spawn(server);
        let mut test_app = TestApp {
            base,
            app,
            data_dir,
            admin_token: String::new(),
            _pg: pg,
        };
        test_app.admin_token = test_app.login(ADMIN_EMAIL, PASSWORD).await;
        test_app
    }

    pub fn admin(&self) -> &str {
        &self.admin_token
    }

    pub fn client() -> awc::Client {
        awc::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .finish()
    }

    /// POSTs a raw body to `/graphql`.
    pub async fn post_raw(&self, token: Option<&str>, body: impl Into<String>) -> Answer {
        let mut request = Self::client()
            .post(format!("{}/graphql", self.base))
            .content_type("application/json");
        if let Some(token) = token {
            request = request.insert_header(("Authorization", format!("Bearer {token}")));
        }
        let mut response = request.send_body(body.into()).await.expect("request sent");
        let status = response.status().as_u16();
        let bytes = response.body().limit(50_000_000).await.expect("body");
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| json!({"raw": String::from_utf8_lossy(&bytes)}));
        Answer { status, body }
    }

    /// Runs a GraphQL operation with variables.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Answer {
        self.post_raw(
            token,
            json!({"query": query, "variables": variables}).to_string(),
        )
        .await
    }

    /// GETs `path` with an optional bearer token; answers status and body text.
    pub async fn get_as(&self, token: Option<&str>, path: &str) -> (u16, String) {
        let mut request = Self::client().get(format!("{}{}", self.base, path));
        if let Some(t) = token {
            request = request.insert_header(("Authorization", format!("Bearer {t}")));
        }
        let mut response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let body = response.body().limit(50_000_000).await.expect("body");
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        self.get_as(None, path).await
    }

    pub async fn login(&self, email: &str, password: &str) -> String {
        let answer = self
            .gql(
                None,
                "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
                json!({"e": email, "p": password}),
            )
            .await;
        answer.data()["login"]["token"]
            .as_str()
            .expect("token")
            .to_string()
    }

    /// Creates a user (as admin) and returns a session token for them.
    pub async fn user(&self, email: &str, role: &str, brands: &[&str]) -> String {
        let answer = self
            .gql(
                Some(self.admin()),
                "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
                json!({"i": {"email": email, "password": PASSWORD, "role": role, "brands": brands}}),
            )
            .await;
        answer.data();
        self.login(email, PASSWORD).await
    }

    /// A brand with a `Hero` content type (title TEXT required ≤ 60, body RICH_TEXT, cta TEXT,
    /// link URL) and an entry `home-hero`; returns the entry id.
    pub async fn seed_brand(&self, slug: &str) -> String {
        self.seed_brand_with_policy(slug, json!({})).await
    }

    pub async fn seed_brand_with_policy(&self, slug: &str, policy: Value) -> String {
        let admin = Some(self.admin());
        self.gql(
            admin,
            "mutation($i: CreateBrandInput!) { createBrand(input: $i) { slug } }",
            json!({"i": {"slug": slug, "name": slug.to_uppercase(), "defaultLocale": "en", "locales": ["de"], "policy": policy}}),
        )
        .await
        .data();
        self.gql(
            admin,
            "mutation($i: CreateContentTypeInput!) { createContentType(input: $i) { id } }",
            json!({"i": {"brand": slug, "name": "Hero", "fields": [
                {"name": "title", "kind": "TEXT", "required": true, "maxLength": 60},
                {"name": "body", "kind": "RICH_TEXT"},
                {"name": "cta", "kind": "TEXT"},
                {"name": "link", "kind": "URL"}
            ]}}),
        )
        .await
        .data();
        self.entry(slug, "home-hero").await
    }

    pub async fn entry(&self, brand: &str, key: &str) -> String {
        let answer = self
            .gql(
                Some(self.admin()),
                "mutation($i: CreateEntryInput!) { createEntry(input: $i) { id } }",
                json!({"i": {"brand": brand, "key": key, "contentType": "Hero"}}),
            )
            .await;
        answer.data()["createEntry"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Creates a variant from `input` (entryId added) and returns its id.
    pub async fn variant(&self, token: &str, entry_id: &str, mut input: Value) -> String {
        input["entryId"] = json!(entry_id);
        let answer = self
            .gql(
                Some(token),
                "mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }",
                json!({"i": input}),
            )
            .await;
        answer.data()["createVariant"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Creates and publishes a variant (as admin, in a brand without required approval).
    pub async fn published(&self, entry_id: &str, input: Value) -> String {
        let id = self.variant(self.admin(), entry_id, input).await;
        self.transition("publishVariant", self.admin(), &id)
            .await
            .data();
        id
    }

    pub async fn transition(&self, mutation: &str, token: &str, id: &str) -> Answer {
        let query = format!("mutation($id: ID!) {{ {mutation}(id: $id) {{ id status version publishedRevision }} }}");
        self.gql(Some(token), &query, json!({"id": id})).await
    }

    pub async fn delivery_key(&self, brand: &str) -> String {
        let answer = self
            .gql(
                Some(self.admin()),
                "mutation($b: String!) { createDeliveryKey(brand: $b, name: \"web\") { id token } }",
                json!({"b": brand}),
            )
            .await;
        answer.data()["createDeliveryKey"]["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// `content` for one key and context, as `token`.
    pub async fn content(&self, token: &str, brand: &str, key: &str, context: Value) -> Value {
        let answer = self
            .gql(
                Some(token),
                "query($b: String!, $k: String!, $c: ContextInput) { content(brand: $b, key: $k, context: $c) { key reason servedId variant { id name fields tags revision } } }",
                json!({"b": brand, "k": key, "c": context}),
            )
            .await;
        answer.data()["content"].clone()
    }

    /// Waits until every queued usage event is written.
    pub async fn flush_usage(&self) {
        self.app
            .delivery
            .usage_queue()
            .expect("usage recording is on")
            .flush()
            .await
            .unwrap();
    }

    /// Impressions per entry key of `brand`, all time, sorted by key, once the queue is written.
    pub async fn impressions_by_entry(&self, brand: &str) -> Vec<(String, i64)> {
        self.flush_usage().await;
        let report = self
            .gql(
                Some(self.admin()),
                "query($b: String!) { usageReport(brand: $b, from: \"2000-01-01T00:00:00Z\", to: \"2999-01-01T00:00:00Z\", groupBy: [ENTRY]) { entryKey impressions } }",
                json!({"b": brand}),
            )
            .await;
        let mut counts: Vec<(String, i64)> = report.data()["usageReport"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let key = r["entryKey"].as_str().unwrap().to_string();
                (key, r["impressions"].as_i64().unwrap())
            })
            .collect();
        counts.sort();
        counts
    }
}

/// A simple hero's fields.
pub fn hero(title: &str) -> Value {
    json!({"title": title, "body": "Body text", "cta": "Go"})
}
