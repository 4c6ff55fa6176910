//! Hostile requests over real HTTP: deep literals, exponential fragments, multiplied answers,
//! control characters and already-stored deep JSON. Each is answered with the contract's code,
//! the server stays up and stored data stays intact.

use serde_json::{json, Value};
use std::time::{Duration, Instant};

use crate::backend_tests;
use crate::helpers::{hero, Backend, TestApp};

/// Liveness answers promptly.
async fn assert_alive(app: &TestApp) {
    let (status, _) = app.get("/healthz").await;
    assert_eq!(status, 200);
}

fn refused_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .or_else(|| body["error"]["code"].as_str())
        .unwrap_or("")
}

fn shapes(depth: usize) -> Vec<String> {
    let list = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    let object = format!("{}1{}", "{a:".repeat(depth), "}".repeat(depth));
    vec![
        format!("{{ content(brand: \"b\", key: \"k\", context: {{attributes: {{x: {list}}}}}) {{ key }} }}"),
        format!("{{ content(brand: \"b\", key: \"k\", context: {{attributes: {object}}}) {{ key }} }}"),
        format!("{{ me @include(if: {list}) {{ id }} }}"),
        format!("query Q($v: JSON = {object}) {{ me {{ id }} }}"),
        format!("mutation {{ createVariant(input: {{entryId: \"e\", name: \"n\", fields: {{x: {list}}}}}) {{ id }} }}"),
        format!("{}{}", "{ me ".repeat(depth), "}".repeat(depth)),
    ]
}

async fn deep_literals_of_every_shape_are_refused_and_the_server_stays_up(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for depth in [2_000, 10_000, 100_000] {
        for query in shapes(depth) {
            let answer = app.gql(None, &query, json!({})).await;
            let code = refused_code(&answer.body);
            assert!(
                code == "BAD_INPUT" || code == "LIMIT_EXCEEDED",
                "depth {depth}: {}",
                answer.body
            );
            assert_alive(&app).await;
        }
    }
    // Deep attributes in variables stop at the JSON reader.
    for depth in [100, 10_000, 100_000] {
        let answer = app
            .post_raw(None, deep_attributes_body(depth).to_string())
            .await;
        assert_eq!(answer.code(), "BAD_INPUT", "depth {depth}: {}", answer.body);
    }
    assert_alive(&app).await;
}

/// A `content` request whose context attributes, a variable, nest `depth` lists deep.
fn deep_attributes_body(depth: usize) -> String {
    let list = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    format!(
        r#"{{"query": "query($c: ContextInput) {{ content(brand: \"b\", key: \"k\", context: $c) {{ key }} }}", "variables": {{"c": {{"attributes": {{"x": {list}}}}}}}}}"#
    )
}

/// The longest URL the HTTP layer parses (the `http` crate's limit); past it the request is
/// refused before any of Vary's code runs: 400 for a longer URL, 431 for a request head over
/// 128 KiB.
const LONGEST_URL: usize = 65_534;

async fn deep_literals_by_get_are_refused_and_the_server_stays_up(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let addr = app.base.trim_start_matches("http://").to_string();
    for depth in [2_000, 10_000, 100_000] {
        let mut targets: Vec<String> = shapes(depth)
            .iter()
            .map(|query| {
                url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("query", query)
                    .finish()
            })
            .collect();
        let list = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        targets.push(
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair(
                    "query",
                    "query($c: ContextInput) { content(brand: \"b\", key: \"k\", context: $c) { key } }",
                )
                .append_pair("variables", &format!(r#"{{"c": {{"attributes": {{"x": {list}}}}}}}"#))
                .finish(),
        );
        for query in targets {
            let target = format!("/graphql?{query}");
            let (status, body) = raw_get(&addr, &target);
            if target.len() > LONGEST_URL {
                assert!(status == 400 || status == 431, "depth {depth}: {status}");
            } else {
                let code = refused_code(&body);
                assert!(
                    code == "BAD_INPUT" || code == "LIMIT_EXCEEDED",
                    "depth {depth}, {} bytes: {status} {body}",
                    target.len()
                );
                if target.len() > 32 * 1024 {
                    assert_eq!((status, code), (413, "LIMIT_EXCEEDED"), "{body}");
                }
            }
            assert_alive(&app).await;
        }
    }
}

/// GETs `target` over a plain socket (a client library refuses URLs this long): the status and
/// the JSON body, if any.
fn raw_get(addr: &str, target: &str) -> (u16, Value) {
    use std::io::{Read, Write};
    let mut socket = std::net::TcpStream::connect(addr).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let request = format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    // The server may answer and close before it has read a head this long.
    let _ = socket.write_all(request.as_bytes());
    let mut answer = Vec::new();
    let _ = socket.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP answer: {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .and_then(|(_, body)| serde_json::from_str(body).ok())
        .unwrap_or(Value::Null);
    (status, body)
}

/// Fragments that each spread the previous one twice: 2^depth selections from a few lines.
fn doubling_fragments(levels: usize) -> String {
    let mut query = format!("query {{ ...F{levels} }}\nfragment F0 on Query {{ me {{ id }} }}\n");
    for level in 1..=levels {
        let p = level - 1;
        query.push_str(&format!(
            "fragment F{level} on Query {{ ...F{p} ...F{p} }}\n"
        ));
    }
    query
}

async fn exponential_fragments_are_refused_before_validation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for levels in [24, 60] {
        let started = Instant::now();
        let answer = app.gql(None, &doubling_fragments(levels), json!({})).await;
        assert_eq!(answer.code(), "LIMIT_EXCEEDED", "{}", answer.body);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }
    // A body at the cap made of one wide operation is refused as promptly.
    let wide = format!("{{ {} }}", "a: me { id } ".repeat(20_000));
    let started = Instant::now();
    let answer = app.gql(None, &wide, json!({})).await;
    assert_eq!(answer.code(), "LIMIT_EXCEEDED", "{}", answer.body);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_alive(&app).await;
}

async fn answers_are_capped_and_a_refused_request_records_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    app.published(&entry, json!({"name": "all", "fields": hero("Hi")}))
        .await;
    let key = app.delivery_key("alpine").await;
    let keys: Vec<String> = (0..100).map(|_| "home-hero".to_string()).collect();
    let aliases = |n: usize| {
        let fields: String = (0..n)
            .map(|i| format!("a{i}: contents(brand: \"alpine\", keys: $k) {{ servedId }} "))
            .collect();
        format!("query($k: [String!]!) {{ {fields} }}")
    };
    let before = app
        .app
        .usage
        .stats()
        .enqueued
        .load(std::sync::atomic::Ordering::SeqCst);
    let answer = app.gql(Some(&key), &aliases(11), json!({"k": keys})).await;
    assert_eq!(answer.code(), "LIMIT_EXCEEDED", "{}", answer.body);
    assert!(answer.message().contains("1100"), "{}", answer.message());
    let after = app
        .app
        .usage
        .stats()
        .enqueued
        .load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(before, after, "a refused request records no impression");
    let answer = app.gql(Some(&key), &aliases(2), json!({"k": keys})).await;
    assert!(answer.data()["a1"][99]["servedId"].is_string());
}

async fn control_characters_are_bad_input_on_both_backends(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("alpine").await;
    let answer = app
        .gql(Some(app.admin()), "mutation($i: CreateEntryInput!) { createEntry(input: $i) { id } }", json!({"i": {"brand": "alpine", "key": "k2", "contentType": "Hero", "description": "a\u{0}b"}}))
        .await;
    assert_eq!(answer.code(), "BAD_INPUT", "{}", answer.body);
    let answer = app
        .gql(Some(app.admin()), "mutation { createBrand(input: {slug: \"nul\", name: \"N\\u0000\", defaultLocale: \"en\"}) { slug } }", json!({}))
        .await;
    assert_eq!(answer.code(), "BAD_INPUT", "{}", answer.body);
    // A sign-in with such an e-mail is refused as unknown, and audited.
    let answer = app
        .gql(
            None,
            "mutation($e: String!) { login(email: $e, password: \"x\") { token } }",
            json!({"e": "evil\u{0}@x.test"}),
        )
        .await;
    assert_eq!(answer.code(), "UNAUTHENTICATED", "{}", answer.body);
    let audit = app
        .gql(
            Some(app.admin()),
            "{ auditLog(first: 50) { edges { node { action actor } } } }",
            json!({}),
        )
        .await;
    let text = audit.data().to_string();
    assert!(text.contains("evil\\\\u{0}@x.test"), "{text}");
    assert_alive(&app).await;
}

/// Replaces the stored fields of every revision of `variant` with JSON `depth` levels deep,
/// as a release without input bounds would have stored them.
async fn store_deep_fields(app: &TestApp, variant: &str, depth: usize) {
    let deep = format!(
        "{{\"title\":\"T\",\"data\":{}1{}}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let sql =
        format!("UPDATE variant_revisions SET fields = '{deep}' WHERE variant_id = '{variant}'");
    app.app
        .db
        .write(move |conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute(&sql)
                .map_err(vary::error::AppError::from)
        })
        .await
        .unwrap();
}

async fn deep_json_fields_are_refused_and_stored_ones_never_break_reads(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    let deep_literal = format!("{}1{}", "[".repeat(70), "]".repeat(70));
    let query = format!("mutation {{ createVariant(input: {{entryId: \"{entry}\", name: \"n\", fields: {{title: \"T\", body: {deep_literal}}}}}) {{ id }} }}");
    let answer = app.gql(Some(app.admin()), &query, json!({})).await;
    assert_eq!(answer.code(), "BAD_INPUT", "{}", answer.body);
    assert!(
        answer.message().contains("body"),
        "names the field: {}",
        answer.message()
    );

    // Rows stored before the bound: 130 deep (past serde_json's default limit) and 5,000 deep.
    let old = app
        .published(&entry, json!({"name": "old", "fields": hero("Old")}))
        .await;
    let ancient = app
        .variant(
            app.admin(),
            &entry,
            json!({"name": "ancient", "fields": hero("Ancient")}),
        )
        .await;
    store_deep_fields(&app, &old, 130).await;
    store_deep_fields(&app, &ancient, 5_000).await;
    let read = app
        .gql(Some(app.admin()), "{ entry(brand: \"alpine\", key: \"home-hero\") { variants { name version } } entries(brand: \"alpine\") { edges { node { key variants { name } } } } }", json!({}))
        .await;
    let data = read.data();
    assert_eq!(
        data["entries"]["edges"][0]["node"]["variants"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let preview = app
        .gql(
            Some(app.admin()),
            "{ preview(brand: \"alpine\", key: \"home-hero\") { reason candidates { eligible } } }",
            json!({}),
        )
        .await;
    preview.data();
    // Publishing or updating the damaged variant never answers INTERNAL; an update that
    // replaces the fields repairs it.
    let publish = app
        .transition("publishVariant", app.admin(), &ancient)
        .await;
    assert!(
        !publish.body.to_string().contains("INTERNAL"),
        "{}",
        publish.body
    );
    let version = app
        .gql(
            Some(app.admin()),
            "query($id: ID!) { variant(id: $id) { version } }",
            json!({"id": ancient}),
        )
        .await;
    let version = version.data()["variant"]["version"].clone();
    let update = app
        .gql(Some(app.admin()), "mutation($id: ID!, $v: Int!) { updateVariant(id: $id, expectedVersion: $v, patch: {fields: {title: \"Repaired\"}}) { fields } }", json!({"id": ancient, "v": version}))
        .await;
    assert_eq!(
        update.data()["updateVariant"]["fields"]["title"],
        "Repaired"
    );
}

backend_tests!(
    deep_literals_of_every_shape_are_refused_and_the_server_stays_up,
    deep_literals_by_get_are_refused_and_the_server_stays_up,
    exponential_fragments_are_refused_before_validation,
    answers_are_capped_and_a_refused_request_records_nothing,
    control_characters_are_bad_input_on_both_backends,
    deep_json_fields_are_refused_and_stored_ones_never_break_reads,
);

/// Connections the PostgreSQL server ends are replaced; no request answers INTERNAL for it.
#[actix_web::test]
async fn dropped_postgres_connections_never_answer_internal() {
    let Some(admin_url) = crate::helpers::postgres_url() else {
        eprintln!("skipped: VARY_TEST_POSTGRES_URL is not set");
        return;
    };
    let app = TestApp::spawn(Backend::Postgres).await;
    app.seed_brand("alpine").await;
    let database: String = app
        .app
        .db
        .read(|conn| {
            use diesel::RunQueryDsl;
            #[derive(diesel::QueryableByName)]
            struct Name {
                #[diesel(sql_type = diesel::sql_types::Text)]
                name: String,
            }
            let rows: Vec<Name> = diesel::sql_query("SELECT current_database() AS name")
                .load(conn)
                .map_err(vary::error::AppError::from)?;
            Ok(rows[0].name.clone())
        })
        .await
        .unwrap();
    for round in 0..3 {
        let mut conn = <diesel::PgConnection as diesel::Connection>::establish(&admin_url).unwrap();
        diesel::RunQueryDsl::execute(
            diesel::sql_query(format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}' AND pid <> pg_backend_pid()")),
            &mut conn,
        )
        .unwrap();
        let key = format!("after-{round}");
        let answer = app
            .gql(Some(app.admin()), "mutation($k: String!) { createEntry(input: {brand: \"alpine\", key: $k, contentType: \"Hero\"}) { id } }", json!({"k": key}))
            .await;
        assert!(
            !answer.body.to_string().contains("INTERNAL"),
            "{}",
            answer.body
        );
        let (status, body) = app.get("/readyz").await;
        assert!(status == 200 || status == 503, "{status} {body}");
    }
}
