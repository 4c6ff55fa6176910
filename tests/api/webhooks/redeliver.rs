//! "Send again": a delivery that failed for good against a receiver answering 500 is queued
//! again by `redeliverWebhook` and reaches the receiver once it answers 200; only failed
//! deliveries can be sent again, only by admins, and the request is audited.

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::backend_tests;
use crate::helpers::{hero, Backend, TestApp};

/// A receiver on loopback that answers 500 until `healthy` is set, then 200; it logs the
/// delivery id and the status answered for every request.
#[derive(Clone, Default)]
struct Receiver {
    healthy: Arc<AtomicBool>,
    answered: Arc<Mutex<Vec<(String, u16)>>>,
}

impl Receiver {
    async fn start(&self) -> String {
        let state = self.clone();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let server = HttpServer::new(move || {
            let state = state.clone();
            App::new().route(
                "/hook",
                web::post().to(move |req: HttpRequest| {
                    let state = state.clone();
                    async move {
                        let id = req
                            .headers()
                            .get("x-vary-delivery")
                            .unwrap()
                            .to_str()
                            .unwrap()
                            .to_string();
                        let status = match state.healthy.load(Ordering::SeqCst) {
                            true => 200,
                            false => 500,
                        };
                        state.answered.lock().unwrap().push((id, status));
                        HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
                            .finish()
                    }
                }),
            )
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        actix_web::rt::spawn(server);
        url
    }

    fn answered(&self) -> Vec<(String, u16)> {
        self.answered.lock().unwrap().clone()
    }
}

const DELIVERY: &str =
    "{ webhooks(brand: \"alpine\") { deliveries { id status attempts lastStatus lastError } } }";
const REDELIVER: &str =
    "mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id status attempts lastStatus } }";

/// Polls the brand's newest delivery until `done` holds (at most 30 s) and returns it.
async fn delivery_when(app: &TestApp, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let answer = app.gql(Some(app.admin()), DELIVERY, json!({})).await;
        let delivery = answer.data()["webhooks"][0]["deliveries"][0].clone();
        if done(&delivery) || Instant::now() > deadline {
            return delivery;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Brings a delivery whose first attempt failed to its last attempt, due now, as if the
/// retries in between had failed too; the sender then makes that last attempt for real. Only
/// while no sender holds the delivery, so no attempt under way is overwritten.
async fn skip_to_last_attempt(app: &TestApp, id: &str) {
    use diesel::prelude::*;
    use vary::store::schema::webhook_deliveries as d;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let id = id.to_string();
        let changed = app
            .app
            .db
            .write(move |conn| {
                Ok(diesel::update(d::table.find(id))
                    .filter(d::claimed_by.is_null())
                    .filter(d::status.eq("PENDING"))
                    .set((
                        d::attempts.eq(vary::webhooks::MAX_ATTEMPTS - 1),
                        d::next_attempt_at.eq(vary::store::time::to_db(chrono::Utc::now())),
                    ))
                    .execute(conn)?)
            })
            .await
            .unwrap();
        if changed == 1 || Instant::now() > deadline {
            assert_eq!(changed, 1, "the delivery was never free to change");
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn a_failed_delivery_is_sent_again_on_request(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.webhooks_allow_private = true).await;
    let entry = app.seed_brand("alpine").await;
    let receiver = Receiver::default();
    let url = receiver.start().await;
    let create = "mutation($u: String!) { createWebhook(brand: \"alpine\", url: $u, events: [PUBLISHED]) { id } }";
    let created = app.gql(Some(app.admin()), create, json!({"u": url})).await;
    assert!(created.data()["createWebhook"]["id"].is_string());
    app.published(&entry, json!({"name": "v", "fields": hero("t")}))
        .await;

    let first = delivery_when(&app, |d| d["attempts"].as_i64() >= Some(1)).await;
    let id = first["id"].as_str().unwrap().to_string();
    assert_eq!(first["status"], "PENDING", "{first}");
    let early = app
        .gql(Some(app.admin()), REDELIVER, json!({"id": id}))
        .await;
    assert_eq!(
        early.code(),
        "CONFLICT",
        "a pending delivery: {}",
        early.body
    );

    skip_to_last_attempt(&app, &id).await;
    let failed = delivery_when(&app, |d| d["status"] == "FAILED").await;
    assert_eq!(
        failed,
        json!({"id": id, "status": "FAILED", "attempts": vary::webhooks::MAX_ATTEMPTS,
               "lastStatus": 500, "lastError": "HTTP 500"})
    );

    let editor = app.user("ed@test.local", "EDITOR", &["alpine"]).await;
    let refused = app.gql(Some(&editor), REDELIVER, json!({"id": id})).await;
    assert_eq!(refused.code(), "FORBIDDEN", "{}", refused.body);
    let unknown = app
        .gql(Some(app.admin()), REDELIVER, json!({"id": "dlv_nope"}))
        .await;
    assert_eq!(unknown.code(), "NOT_FOUND", "{}", unknown.body);
    let still = delivery_when(&app, |_| true).await;
    assert_eq!(
        still["status"], "FAILED",
        "refusals change nothing: {still}"
    );

    receiver.healthy.store(true, Ordering::SeqCst);
    let before = receiver.answered().len();
    let queued = app
        .gql(Some(app.admin()), REDELIVER, json!({"id": id}))
        .await;
    assert_eq!(
        queued.data()["redeliverWebhook"],
        json!({"id": id, "status": "PENDING", "attempts": 0, "lastStatus": 500})
    );
    let delivered = delivery_when(&app, |d| d["status"] == "DELIVERED").await;
    assert_eq!(
        delivered,
        json!({"id": id, "status": "DELIVERED", "attempts": 1, "lastStatus": 200, "lastError": null})
    );
    assert_eq!(receiver.answered()[before..], [(id.clone(), 200)]);

    let again = app
        .gql(Some(app.admin()), REDELIVER, json!({"id": id}))
        .await;
    assert_eq!(again.code(), "CONFLICT", "a delivered one: {}", again.body);
    let audit =
        "{ auditLog(action: \"redeliverWebhook\") { edges { node { actor target brand } } } }";
    let rows = app.gql(Some(app.admin()), audit, json!({})).await;
    assert_eq!(
        rows.data()["auditLog"]["edges"],
        json!([{"node": {"actor": "admin@test.local", "target": id, "brand": "alpine"}}])
    );
}

backend_tests!(a_failed_delivery_is_sent_again_on_request);
