//! Webhooks: signed deliveries to a real receiver on loopback, retried after a failure, and
//! the SSRF guard.

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::json;
use std::sync::{Arc, Mutex};

use crate::backend_tests;
use crate::helpers::{hero, Backend, TestApp};

#[derive(Clone, Default)]
struct Received {
    requests: Arc<Mutex<Vec<(std::collections::HashMap<String, String>, String)>>>,
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

backend_tests!(
    a_publish_is_delivered_signed_and_retried_after_a_failure,
    private_targets_are_refused_by_default
);
