//! Webhooks with many nodes on one database: each delivery is claimed by one node at a time, a
//! slow receiver holds up only itself, and a dead node's claim is taken over when its lease ends.
//! Extra nodes are senders with their own connections to the test app's database; receivers are
//! real HTTP servers on loopback.

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

use vary::store::webhooks::{self as outbox, Attempt, Delivery};
use vary::webhooks::WebhookSender;

use crate::backend_tests;
use crate::helpers::{Backend, TestApp};

/// What a receiver saw: each request's delivery id when it arrived, and again with the status
/// it answered when it answered.
#[derive(Clone, Default)]
struct Log {
    arrived: Arc<Mutex<Vec<(String, Instant)>>>,
    answered: Arc<Mutex<Vec<(String, u16, Instant)>>>,
}

impl Log {
    fn arrivals(&self) -> Vec<(String, Instant)> {
        self.arrived.lock().unwrap().clone()
    }

    fn answers(&self) -> Vec<(String, u16, Instant)> {
        self.answered.lock().unwrap().clone()
    }
}

/// A receiver on loopback that waits `delay` before answering; it answers 500 to the first
/// request for a delivery whose payload `fails_once` picks, and 200 otherwise.
async fn receiver(delay: Duration, fails_once: fn(&Value) -> bool) -> (String, Log) {
    let log = Log::default();
    let state = log.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        let state = state.clone();
        App::new().route(
            "/hook",
            web::post().to(move |req: HttpRequest, body: String| {
                let state = state.clone();
                async move {
                    let id = req
                        .headers()
                        .get("x-vary-delivery")
                        .unwrap()
                        .to_str()
                        .unwrap()
                        .to_string();
                    state
                        .arrived
                        .lock()
                        .unwrap()
                        .push((id.clone(), Instant::now()));
                    actix_web::rt::time::sleep(delay).await;
                    let payload: Value = serde_json::from_str(&body).unwrap();
                    let mut answered = state.answered.lock().unwrap();
                    let first = !answered.iter().any(|(seen, _, _)| *seen == id);
                    let status = if first && fails_once(&payload) {
                        500
                    } else {
                        200
                    };
                    answered.push((id, status, Instant::now()));
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
    (url, log)
}

const CREATE: &str = "mutation($b: String!, $u: String!) { createWebhook(brand: $b, url: $u, events: [PUBLISHED]) { id } }";

/// Registers a webhook of `brand` posting to `url`; returns its id.
async fn webhook(app: &TestApp, brand: &str, url: &str) -> String {
    let created = app
        .gql(Some(app.admin()), CREATE, json!({"b": brand, "u": url}))
        .await;
    created.data()["createWebhook"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Queues `count` `published` events (payload `{"n": i}`) for `brand`'s webhooks, in one
/// transaction, as a publish does.
async fn enqueue(app: &TestApp, brand: &str, count: usize) {
    let brand = brand.to_string();
    app.app
        .db
        .write(move |conn| {
            let brand = vary::store::brands::require(conn, &brand)?;
            for n in 0..count {
                outbox::enqueue(conn, &brand.id, "published", &json!({ "n": n }))?;
            }
            Ok(())
        })
        .await
        .unwrap();
}

async fn deliveries(app: &TestApp, hook: &str) -> Vec<Delivery> {
    let hook = hook.to_string();
    app.app
        .db
        .read(move |conn| outbox::deliveries(conn, &hook, 10_000))
        .await
        .unwrap()
}

/// The webhook's one delivery once it is recorded as delivered (the receiver answers first).
async fn delivered(app: &TestApp, hook: &str) -> Delivery {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let recorded = deliveries(app, hook).await;
        assert_eq!(recorded.len(), 1);
        if recorded[0].status == "DELIVERED" {
            return recorded[0].clone();
        }
        assert!(Instant::now() < deadline, "not recorded: {:?}", recorded[0]);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Polls until `done` holds, or fails with `what` after `within`.
async fn wait_for(within: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Another node: a sender with its own connections to the app's database and the given lease,
/// woken by `wake`.
fn node(app: &TestApp, lease: Duration, wake: Arc<Notify>) -> tokio::task::JoinHandle<()> {
    let db = vary::store::Db::connect(&app.app.config.database, 4).unwrap();
    let sender = Arc::new(WebhookSender::new(db, wake, true).with_lease(lease));
    tokio::spawn(sender.run())
}

const EVENTS: usize = 120;

/// The events the receiver refuses once: every third.
fn every_third(payload: &Value) -> bool {
    payload["n"].as_u64().unwrap().is_multiple_of(3)
}

/// Three nodes (the app's sender and two more) work through the same outbox at once: each
/// delivery reaches the receiver until it answers 200, and then never again, and every request
/// the receiver saw is a recorded attempt. Every third delivery is refused once, so retries are
/// claimed across nodes too.
async fn three_nodes_deliver_each_event_once(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.webhooks_allow_private = true).await;
    app.seed_brand("alpine").await;
    let (url, log) = receiver(Duration::from_millis(20), every_third).await;
    let hook = webhook(&app, "alpine", &url).await;
    let wake = Arc::new(Notify::new());
    let nodes = [
        node(&app, vary::webhooks::LEASE, wake.clone()),
        node(&app, Duration::from_secs(15), wake.clone()),
    ];
    enqueue(&app, "alpine", EVENTS).await;
    wake.notify_waiters();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut recorded = deliveries(&app, &hook).await;
    while recorded.iter().any(|d| d.status != "DELIVERED") {
        assert!(Instant::now() < deadline, "not all delivered in time");
        tokio::time::sleep(Duration::from_millis(100)).await;
        recorded = deliveries(&app, &hook).await;
    }
    // A second send of any delivery would have reached the receiver by now.
    tokio::time::sleep(Duration::from_secs(2)).await;
    nodes.iter().for_each(|n| n.abort());
    assert_eq!(recorded.len(), EVENTS);
    let answers = log.answers();
    assert_eq!(log.arrivals().len(), answers.len());
    let mut per_delivery: HashMap<&str, Vec<u16>> = HashMap::new();
    for (id, status, _) in &answers {
        per_delivery.entry(id).or_default().push(*status);
    }
    for delivery in &recorded {
        let payload: Value = serde_json::from_str(&delivery.payload).unwrap();
        let expected = if every_third(&payload) {
            vec![500, 200]
        } else {
            vec![200]
        };
        let seen = per_delivery
            .get(delivery.id.as_str())
            .cloned()
            .unwrap_or_default();
        assert_eq!(seen, expected, "requests for {}", delivery.id);
        assert_eq!(delivery.attempts as usize, seen.len(), "{}", delivery.id);
        assert_eq!(delivery.last_status, Some(200));
    }
    assert_eq!(answers.len(), EVENTS + EVENTS / 3);
}

/// A receiver that takes six seconds to answer does not hold up a delivery to another one: the
/// second is queued while the first is in flight and arrives long before the first is answered.
async fn a_slow_receiver_does_not_hold_up_another(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.webhooks_allow_private = true).await;
    app.seed_brand("slow").await;
    app.seed_brand("fast").await;
    let (slow_url, slow) = receiver(Duration::from_secs(6), |_| false).await;
    let (fast_url, fast) = receiver(Duration::ZERO, |_| false).await;
    let slow_hook = webhook(&app, "slow", &slow_url).await;
    webhook(&app, "fast", &fast_url).await;
    enqueue(&app, "slow", 1).await;
    wait_for(
        Duration::from_secs(10),
        "the slow delivery to be sent",
        || !slow.arrivals().is_empty(),
    )
    .await;
    let queued = Instant::now();
    enqueue(&app, "fast", 1).await;
    wait_for(Duration::from_secs(10), "the fast delivery", || {
        !fast.answers().is_empty()
    })
    .await;
    let fast_at = fast.answers()[0].2;
    assert!(
        fast_at - queued < Duration::from_secs(3),
        "the fast delivery took {:?}",
        fast_at - queued
    );
    assert!(slow.answers().is_empty(), "the slow one is still in flight");
    wait_for(Duration::from_secs(15), "the slow delivery", || {
        !slow.answers().is_empty()
    })
    .await;
    assert!(fast_at < slow.answers()[0].2);
    let recorded = delivered(&app, &slow_hook).await;
    assert_eq!(recorded.attempts, 1);
}

/// A delivery claimed by a node that died is left alone while the claim's lease lasts, then
/// sent by another node; the dead node's late record of an attempt is refused and overwrites
/// nothing.
async fn a_dead_nodes_claim_is_taken_over_when_its_lease_ends(backend: Backend) {
    use diesel::prelude::*;
    use vary::store::schema::webhook_deliveries as d;

    let app = TestApp::spawn_with(backend, |c| c.webhooks_allow_private = true).await;
    app.seed_brand("alpine").await;
    let (url, log) = receiver(Duration::ZERO, |_| false).await;
    let hook = webhook(&app, "alpine", &url).await;
    let lease = Duration::from_secs(3);
    let lease_ends = Instant::now() + lease;
    let until = vary::store::time::to_db(chrono::Utc::now() + lease);
    app.app
        .db
        .write(move |conn| {
            let brand = vary::store::brands::require(conn, "alpine")?;
            outbox::enqueue(conn, &brand.id, "published", &json!({ "n": 0 }))?;
            diesel::update(d::table)
                .set((d::claimed_by.eq("node_dead.0"), d::claimed_until.eq(until)))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
    tokio::time::sleep(lease - Duration::from_millis(500)).await;
    assert!(log.arrivals().is_empty(), "sent while the lease held");
    wait_for(
        Duration::from_secs(10),
        "the delivery after the lease",
        || !log.answers().is_empty(),
    )
    .await;
    assert!(log.arrivals()[0].1 >= lease_ends);
    let recorded = delivered(&app, &hook).await;
    assert_eq!(recorded.attempts, 1);
    let id = recorded.id.clone();
    let late = Attempt {
        status: "FAILED",
        attempts: 8,
        http_status: None,
        error: Some("the dead node's attempt".into()),
        next_attempt_at: chrono::Utc::now(),
    };
    let written = app
        .app
        .db
        .write(move |conn| outbox::record_attempt(conn, &id, "node_dead.0", &late))
        .await
        .unwrap();
    assert!(!written, "a lost claim records nothing");
    assert_eq!(deliveries(&app, &hook).await, vec![recorded]);
    assert_eq!(log.arrivals().len(), 1);
}

/// A node shutting down lets a send under way finish and records it, releasing its claim, and
/// claims nothing after that: what is queued later waits, unclaimed, for another node.
async fn a_stopping_node_finishes_its_sends_and_claims_no_more(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.webhooks_allow_private = true).await;
    app.seed_brand("alpine").await;
    let (url, log) = receiver(Duration::from_millis(1500), |_| false).await;
    let hook = webhook(&app, "alpine", &url).await;
    enqueue(&app, "alpine", 1).await;
    wait_for(Duration::from_secs(10), "the send to start", || {
        !log.arrivals().is_empty()
    })
    .await;
    assert!(
        log.answers().is_empty(),
        "still under way when the drain starts"
    );
    assert!(app.app.webhooks.drain(Duration::from_secs(15)).await);
    let recorded = deliveries(&app, &hook).await;
    assert_eq!(recorded.len(), 1);
    assert_eq!(
        recorded[0].status, "DELIVERED",
        "recorded before the drain ends"
    );
    enqueue(&app, "alpine", 1).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        log.arrivals().len(),
        1,
        "a drained sender sends nothing more"
    );
    let unclaimed = {
        use diesel::prelude::*;
        use vary::store::schema::webhook_deliveries as d;
        app.app
            .db
            .read(|conn| {
                Ok(d::table
                    .filter(d::claimed_by.is_not_null())
                    .count()
                    .get_result::<i64>(conn)?)
            })
            .await
            .unwrap()
    };
    assert_eq!(unclaimed, 0, "no claim is left behind");
}

backend_tests!(
    three_nodes_deliver_each_event_once,
    a_slow_receiver_does_not_hold_up_another,
    a_dead_nodes_claim_is_taken_over_when_its_lease_ends,
    a_stopping_node_finishes_its_sends_and_claims_no_more
);
