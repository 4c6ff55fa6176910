//! Delivery keys' limits (expiry, rate, origins), their last use, and CORS grants.

use serde_json::{json, Value};
use std::time::Duration;

use crate::backend_tests;
use crate::helpers::{hero, Answer, Backend, TestApp};

const CREATE: &str = "mutation($b: String!, $e: DateTime, $o: [String!], $r: Int) {
    createDeliveryKey(brand: $b, name: \"web\", expiresAt: $e, allowedOrigins: $o, rateLimit: $r) {
        id token expiresAt allowedOrigins rateLimit } }";
const CONTENT: &str = "query { content(brand: \"acme\", key: \"home-hero\") { key } }";
const KEYS: &str = "{ deliveryKeys(brand: \"acme\") { id lastUsedAt expired expiresAt rateLimit allowedOrigins } }";

/// A brand `acme` with a published `home-hero`.
async fn acme(app: &TestApp) {
    let entry = app.seed_brand("acme").await;
    app.published(&entry, json!({"name": "Default", "fields": hero("Hello")}))
        .await;
}

async fn create_key(app: &TestApp, vars: Value) -> Answer {
    let mut vars = vars;
    vars["b"] = json!("acme");
    app.gql(Some(app.admin()), CREATE, vars).await
}

async fn key_token(app: &TestApp, vars: Value) -> String {
    let answer = create_key(app, vars).await;
    answer.data()["createDeliveryKey"]["token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Sends `query` as `token` from a browser at `origin`; answers status, body and headers.
async fn from_origin(
    app: &TestApp,
    token: &str,
    origin: &str,
) -> (u16, awc::http::header::HeaderMap) {
    let mut response = TestApp::client()
        .post(format!("{}/graphql", app.base))
        .content_type("application/json")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Origin", origin))
        .send_body(json!({"query": CONTENT}).to_string())
        .await
        .expect("request sent");
    let _ = response.body().await;
    (response.status().as_u16(), response.headers().clone())
}

/// A CORS preflight for a POST to `path` from `origin`.
async fn preflight(app: &TestApp, path: &str, origin: &str) -> awc::http::header::HeaderMap {
    let response = TestApp::client()
        .request(awc::http::Method::OPTIONS, format!("{}{}", app.base, path))
        .insert_header(("Origin", origin))
        .insert_header(("Access-Control-Request-Method", "POST"))
        .insert_header((
            "Access-Control-Request-Headers",
            "authorization, content-type",
        ))
        .send()
        .await
        .expect("request sent");
    response.headers().clone()
}

fn granted(headers: &awc::http::header::HeaderMap) -> Option<String> {
    headers
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_string())
}

async fn a_key_over_its_rate_is_rate_limited_with_retry_after(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    acme(&app).await;
    let token = key_token(&app, json!({"r": 2})).await;
    for i in 0..4 {
        let answer = app.gql(Some(&token), CONTENT, json!({})).await;
        assert_eq!(
            answer.data()["content"]["key"],
            "home-hero",
            "answer {i} is in the burst"
        );
    }
    // The burst is spent; a cell comes back every 500 ms, so within a few more one is refused.
    let mut over = app.gql(Some(&token), CONTENT, json!({})).await;
    for _ in 0..3 {
        if over.body["errors"].is_array() {
            break;
        }
        over = app.gql(Some(&token), CONTENT, json!({})).await;
    }
    assert_eq!(over.code(), "RATE_LIMITED", "{}", over.body);
    assert_eq!(over.body["errors"][0]["extensions"]["retryAfter"], 1);
    let unlimited = key_token(&app, json!({})).await;
    for _ in 0..20 {
        app.gql(Some(&unlimited), CONTENT, json!({})).await.data();
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    app.gql(Some(&token), CONTENT, json!({})).await.data();
}

async fn an_expired_key_is_unauthenticated_and_bad_limits_are_bad_input(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    acme(&app).await;
    let soon = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    let token = key_token(&app, json!({"e": soon.to_rfc3339()})).await;
    app.gql(Some(&token), CONTENT, json!({})).await.data();
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let expired = app.gql(Some(&token), CONTENT, json!({})).await;
    assert_eq!(expired.code(), "UNAUTHENTICATED");
    assert_eq!(expired.status, 401);
    let listed = app.gql(Some(app.admin()), KEYS, json!({})).await;
    assert_eq!(listed.data()["deliveryKeys"][0]["expired"], true);
    let past = (chrono::Utc::now() - chrono::Duration::seconds(5)).to_rfc3339();
    for bad in [
        json!({"r": 0}),
        json!({"r": -3}),
        json!({"e": past}),
        json!({"o": ["not an origin"]}),
        json!({"o": ["https://shop.example/path"]}),
    ] {
        let answer = create_key(&app, bad.clone()).await;
        assert_eq!(answer.code(), "BAD_INPUT", "{bad}");
    }
}

async fn last_used_at_appears_and_is_flushed_to_the_database(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    acme(&app).await;
    let token = key_token(&app, json!({"r": 100, "o": ["https://shop.example"]})).await;
    let before = app.gql(Some(app.admin()), KEYS, json!({})).await;
    let key = &before.data()["deliveryKeys"][0];
    assert!(key["lastUsedAt"].is_null());
    assert_eq!(key["rateLimit"], 100);
    assert_eq!(key["allowedOrigins"], json!(["https://shop.example"]));
    app.gql(Some(&token), CONTENT, json!({})).await.data();
    let after = app.gql(Some(app.admin()), KEYS, json!({})).await;
    let used: chrono::DateTime<chrono::Utc> = after.data()["deliveryKeys"][0]["lastUsedAt"]
        .as_str()
        .expect("lastUsedAt")
        .parse()
        .unwrap();
    assert!((chrono::Utc::now() - used).num_seconds() < 60);
    assert_eq!(app.app.content.flush_key_uses().await.unwrap(), 1);
    assert_eq!(
        app.app.content.flush_key_uses().await.unwrap(),
        0,
        "written once"
    );
    let stored = app.app.db.read(vary::store::keys::all).await.unwrap();
    assert_eq!(stored[0].last_used_at, Some(used));
}

async fn cors_grants_configured_origins_narrowed_by_the_key(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.cors_origins = Some(vary::config::network::StringList(vec![
            "https://shop.example".into(),
            "https://other.example".into(),
        ]))
    })
    .await;
    acme(&app).await;
    for path in [
        "/graphql",
        "/delivery/acme/graphql",
        "/assets/abc/mobile.webp",
    ] {
        let answer = preflight(&app, path, "https://shop.example").await;
        assert_eq!(
            granted(&answer).as_deref(),
            Some("https://shop.example"),
            "{path}"
        );
        let vary = answer.get("vary").map(|v| v.to_str().unwrap().to_string());
        assert!(vary.unwrap_or_default().contains("Origin"), "{path}");
        assert_eq!(
            granted(&preflight(&app, path, "https://evil.example").await),
            None
        );
    }
    let narrowed = key_token(&app, json!({"o": ["https://shop.example"]})).await;
    let (status, shop) = from_origin(&app, &narrowed, "https://shop.example").await;
    assert_eq!(
        (status, granted(&shop).as_deref()),
        (200, Some("https://shop.example"))
    );
    let (status, other) = from_origin(&app, &narrowed, "https://other.example").await;
    assert_eq!(status, 200, "answered, but the browser is not let read it");
    assert_eq!(granted(&other), None);
    let open = key_token(&app, json!({})).await;
    let (_, other) = from_origin(&app, &open, "https://other.example").await;
    assert_eq!(granted(&other).as_deref(), Some("https://other.example"));
    let (_, evil) = from_origin(&app, &open, "https://evil.example").await;
    assert!(evil
        .keys()
        .all(|h| !h.as_str().starts_with("access-control-")));
}

async fn without_cors_origins_no_origin_is_granted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    acme(&app).await;
    let token = key_token(&app, json!({})).await;
    let (_, headers) = from_origin(&app, &token, "https://shop.example").await;
    assert_eq!(granted(&headers), None);
    assert_eq!(
        granted(&preflight(&app, "/graphql", "https://shop.example").await),
        None
    );
}

backend_tests!(
    a_key_over_its_rate_is_rate_limited_with_retry_after,
    an_expired_key_is_unauthenticated_and_bad_limits_are_bad_input,
    last_used_at_appears_and_is_flushed_to_the_database,
    cors_grants_configured_origins_narrowed_by_the_key,
    without_cors_origins_no_origin_is_granted,
);
