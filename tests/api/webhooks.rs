//! Webhooks: signed deliveries to a real receiver on loopback, retried after a failure, and
//! the SSRF guard. `nodes` has many senders on one database; `redeliver` sends a failed
//! delivery again.

mod nodes;
mod redeliver;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::json;
use std::sync::{Arc, Mutex};

use crate::backend_tests;
use crate::helpers::{hero, Backend, TestApp};

/// Each request's headers and body.
type Requests = Vec<(std::collections::HashMap<String, String>, String)>;

#[derive(Clone, Default)]
struct Received {
    requests: Arc<Mutex<Requests>>,
}

/// A receiver that answers 500 to the first delivery and 200 afterwards.
async fn receiver() -> (String, Received) {
    let received = Received::default();
    let state = received.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        let state = state.clone();
        App::new().route(
            "/hook",
            web::post().to(move |req: HttpRequest, body: String| {
                let state = state.clone();
                async move {
                    let headers = req
                        .headers()
                        .iter()
                        .map(|(k, v)| {
                            (k.as_str().to_string(), v.to_str().unwrap_or("").to_string())
                        })
                        .collect();
                    let mut all = state.requests.lock().unwrap();
                    all.push((headers, body));
                    if all.len() == 1 {
                        HttpResponse::InternalServerError().finish()
                    } else {
                        HttpResponse::Ok().finish()
                    }
                }
            }),
        )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    actix_web::rt::spawn(server);
    (url, received)
}

const CREATE: &str = "mutation($b: String!, $u: String!) { createWebhook(brand: $b, url: $u, events: [PUBLISHED, ARCHIVED]) { id secret events } }";

async fn a_publish_is_delivered_signed_and_retried_after_a_failure(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.webhooks_allow_private = true).await;
    let entry = app.seed_brand("alpine").await;
    let (url, received) = receiver().await;
    let created = app
        .gql(Some(app.admin()), CREATE, json!({"b": "alpine", "u": url}))
        .await;
    let secret = created.data()["createWebhook"]["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let id = app
        .published(&entry, json!({"name": "v", "fields": hero("t")}))
        .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while received.requests.lock().unwrap().len() < 2 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let requests = received.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2, "one failure, one retry");
    let (headers, body) = &requests[1];
    assert_eq!(headers["x-vary-event"], "published");
    let timestamp: i64 = headers["x-vary-timestamp"].parse().unwrap();
    assert_eq!(
        headers["x-vary-signature"],
        vary::webhooks::signature(&secret, timestamp, body)
    );
    let payload: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["variantId"], id);
    assert_eq!(payload["entry"], "home-hero");
    assert_eq!(
        requests[0].1, requests[1].1,
        "the retry carries the same delivery"
    );
    // The receiver has answered; the sender records the outcome right after.
    let query = "{ webhooks(brand: \"alpine\") { deliveries { status attempts lastStatus } } }";
    let mut delivery = serde_json::Value::Null;
    while std::time::Instant::now() < deadline {
        delivery = app.gql(Some(app.admin()), query, json!({})).await.data()["webhooks"][0]
            ["deliveries"][0]
            .clone();
        if delivery["status"] == "DELIVERED" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        delivery,
        json!({"status": "DELIVERED", "attempts": 2, "lastStatus": 200})
    );
}

async fn private_targets_are_refused_by_default(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("alpine").await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "file:///etc/passwd",
    ] {
        let answer = app
            .gql(Some(app.admin()), CREATE, json!({"b": "alpine", "u": url}))
            .await;
        assert_eq!(answer.code(), "BAD_INPUT", "{url}");
    }
    let editor = app.user("ed@test.local", "EDITOR", &["alpine"]).await;
    let answer = app
        .gql(
            Some(&editor),
            CREATE,
            json!({"b": "alpine", "u": "http://example.com/hook"}),
        )
        .await;
    assert_eq!(answer.code(), "FORBIDDEN");
    let listed = app
        .gql(Some(app.admin()), "{ webhooks { id } }", json!({}))
        .await;
    assert_eq!(listed.data()["webhooks"], json!([]));
}

/// Every form of a loopback, private or reserved address is refused at registration: IPv6 forms
/// that carry an IPv4 address, NAT64, 6to4, Teredo, the reserved IPv4 ranges, and the
/// special-purpose blocks of both registries.
async fn every_form_of_a_non_public_address_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("alpine").await;
    for url in [
        "http://[::127.0.0.1]/hook",                          // IPv4-compatible
        "http://[::ffff:0:127.0.0.1]/hook",                   // IPv4-translated
        "http://[::ffff:127.0.0.1]/hook",                     // IPv4-mapped
        "http://[::ffff:7f00:1]/hook",                        // the same, in hex
        "http://[64:ff9b::7f00:1]/hook",                      // NAT64 of 127.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/hook",                   // NAT64 of 169.254.169.254
        "http://[64:ff9b:1::a00:1]/hook",                     // local-use NAT64
        "http://[2002:7f00:1::]/hook",                        // 6to4 of 127.0.0.1
        "http://[2002:a00:1::1]/hook",                        // 6to4 of 10.0.0.1
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook", // Teredo
        "http://[2001:db8::1]/hook",
        "http://[fd00::1]/hook",
        "http://[fe80::1]/hook",
        "http://[::]/hook",
        "http://[ff02::1]/hook",
        "http://[100::1]/hook",
        "http://198.18.0.1/hook",
        "http://198.19.255.254/hook",
        "http://240.0.0.1/hook",
        "http://255.255.255.255/hook",
        "http://100.64.0.1/hook",
        "http://192.0.0.8/hook",
        "http://192.0.2.1/hook",
        "http://0.0.0.0/hook",
        "http://224.0.0.1/hook",
        "http://2130706433/hook", // 127.0.0.1 as one number
        "http://0x7f.0.0.1/hook",
        "http://localhost:9/hook",
    ] {
        let answer = app
            .gql(Some(app.admin()), CREATE, json!({"b": "alpine", "u": url}))
            .await;
        assert_eq!(answer.code(), "BAD_INPUT", "{url}");
    }
    let listed = app
        .gql(Some(app.admin()), "{ webhooks { id } }", json!({}))
        .await;
    assert_eq!(listed.data()["webhooks"], json!([]));
}

/// The guard runs again when a delivery connects, on the addresses the host resolves to then:
/// a webhook whose host resolves to loopback by the time it is delivered (here `localhost`,
/// stored as if it had passed registration by resolving elsewhere then) is never contacted.
async fn a_host_that_resolves_to_loopback_is_refused_at_delivery(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    let (url, received) = receiver().await;
    let port = url::Url::parse(&url).unwrap().port().unwrap();
    let hook = vary::store::webhooks::Webhook {
        id: vary::ids::new_id("whk"),
        brand_slug: "alpine".into(),
        url: format!("http://localhost:{port}/hook"),
        events: vec!["published".into()],
        secret: "s".repeat(40),
        created_by: "test".into(),
        created_at: chrono::Utc::now(),
    };
    app.app
        .db
        .write(move |conn| {
            let brand = vary::store::brands::require(conn, "alpine")?;
            vary::store::webhooks::insert(conn, &brand.id, &hook)
        })
        .await
        .unwrap();
    app.published(&entry, json!({"name": "v", "fields": hero("t")}))
        .await;
    let query =
        "{ webhooks(brand: \"alpine\") { deliveries { status attempts lastStatus lastError } } }";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut delivery = serde_json::Value::Null;
    while std::time::Instant::now() < deadline {
        delivery = app.gql(Some(app.admin()), query, json!({})).await.data()["webhooks"][0]
            ["deliveries"][0]
            .clone();
        if delivery["attempts"].as_i64().unwrap_or(0) >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(delivery["attempts"], 1, "one attempt was made: {delivery}");
    assert_eq!(delivery["status"], "PENDING", "{delivery}");
    assert_eq!(
        delivery["lastStatus"],
        serde_json::Value::Null,
        "{delivery}"
    );
    assert!(
        delivery["lastError"]
            .as_str()
            .is_some_and(|e| e.contains("private")),
        "the attempt failed on the guard: {delivery}"
    );
    assert!(
        received.requests.lock().unwrap().is_empty(),
        "the receiver on loopback was never contacted"
    );
}

backend_tests!(
    a_publish_is_delivered_signed_and_retried_after_a_failure,
    private_targets_are_refused_by_default,
    every_form_of_a_non_public_address_is_refused,
    a_host_that_resolves_to_loopback_is_refused_at_delivery
);
