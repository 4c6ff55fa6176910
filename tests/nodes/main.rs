//! Several `vary serve` processes on one PostgreSQL database behave as one Vary (the contract's
//! "Many nodes"): real processes, a real database, changes made through one node applied on the
//! other within a second, a node that missed changes catching up before it is ready, and a
//! dropped notification connection restored.
//!
//! Needs `VARY_TEST_POSTGRES_URL`; without it these tests say so and pass, except under
//! `CI=true`, where they fail.

// Shared with benches/nodes.rs by `#[path]`; each of the two uses a part of them.
#[allow(dead_code)]
mod database;
#[allow(dead_code)]
mod node;
#[allow(dead_code)]
mod support;

mod endpoints;
mod users;

mod experiments;
mod privacy;
mod typed;

use database::PgDatabase;
use endpoints::{s3_or_skip, Proxy, Receiver};
use node::{Node, ADMIN};
use serde_json::json;
use std::time::Duration;
use support::{pg_or_skip, two_nodes, within, TwoNodes};

const SECOND: Duration = Duration::from_secs(1);

const HARD_TO_READ: &str = "Notwithstanding considerable institutional uncertainty, comprehensive \
    diversification methodologies notwithstanding, investment professionals systematically \
    recommend international multi-jurisdictional portfolio reconfiguration, particularly \
    considering unprecedented macroeconomic volatility characterising contemporary \
    capitalisation, institutional intermediation and extraordinarily sophisticated securitisation.";

#[test]
fn changes_made_on_one_node_apply_on_the_other_within_a_second() {
    let Some(TwoNodes {
        db: _db,
        a,
        b,
        token,
    }) = two_nodes()
    else {
        return;
    };
    assert_eq!(
        b.gql(Some(&token), "{ me { email } }", json!({}))["me"]["email"],
        ADMIN,
        "a session from A works on B"
    );
    let entry = a.seed(&token);
    let key = a.delivery_key(&token);
    let served = within(SECOND, "a key made on A works on B", || {
        b.content(&key.token).is_some()
    });
    println!("key made on A known to B after {served:?}");

    // Copy hard to read: a quality warning, so a stricter minimum takes the variant off the air.
    let variant = a.create_variant(&token, &entry, HARD_TO_READ);
    a.transition(&token, "publishVariant", &variant);
    let served = within(SECOND, "a publish on A is served by B", || {
        b.served_variant(&key.token).as_deref() == Some(variant.as_str())
    });
    println!("publish on A served by B after {served:?}");
    within(
        2 * SECOND,
        "B's search finds a variant written on A",
        || b.search_total(&token, "securitisation") == 1,
    );

    let score = a.gql(
        Some(&token),
        "query($id: ID!) { variant(id: $id) { quality { score } } }",
        json!({"id": variant}),
    )["variant"]["quality"]["score"]
        .as_f64()
        .unwrap();
    assert!(score < 1.0, "the variant has quality warnings ({score})");
    a.gql(
        Some(&token),
        "mutation { updateBrand(slug: \"alpine\", input: {policy: {minQuality: 1.0}}) { slug } }",
        json!({}),
    );
    within(SECOND, "a policy change on A applies on B", || {
        b.served_variant(&key.token).is_none()
    });
    a.gql(
        Some(&token),
        "mutation { updateBrand(slug: \"alpine\", input: {policy: {minQuality: 0.0}}) { slug } }",
        json!({}),
    );
    within(SECOND, "B serves the variant again", || {
        b.served_variant(&key.token).is_some()
    });

    a.transition(&token, "unpublishVariant", &variant);
    within(SECOND, "an unpublish on A applies on B", || {
        b.served_variant(&key.token).is_none()
    });

    a.gql(
        Some(&token),
        "mutation($id: ID!) { revokeDeliveryKey(id: $id) }",
        json!({"id": key.id}),
    );
    within(SECOND, "a key revoked on A is refused by B", || {
        b.content(&key.token).is_none()
    });

    a.gql(
        Some(&token),
        "mutation { createUser(input: {email: \"eve@nodes.test\", password: \"another-long-password\", role: EDITOR, brands: [\"alpine\"]}) { id } }",
        json!({}),
    );
    assert!(b
        .try_login("eve@nodes.test", "another-long-password")
        .is_some());
}

#[test]
fn a_schedule_boundary_passes_on_both_nodes() {
    let Some(TwoNodes {
        db: _db,
        a,
        b,
        token,
    }) = two_nodes()
    else {
        return;
    };
    let entry = a.seed(&token);
    let key = a.delivery_key(&token);
    let starts = chrono::Utc::now() + chrono::Duration::seconds(3);
    let variant = a.gql(
        Some(&token),
        "mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }",
        json!({"i": {"entryId": entry, "name": "later", "fields": {"title": "Later"}, "startsAt": starts.to_rfc3339()}}),
    )["createVariant"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    a.transition(&token, "publishVariant", &variant);
    within(SECOND, "B knows the key", || {
        b.content(&key.token).is_some()
    });
    for node in [&a, &b] {
        assert_eq!(
            node.served_variant(&key.token),
            None,
            "not before its start"
        );
    }
    std::thread::sleep((starts - chrono::Utc::now()).to_std().unwrap_or_default());
    for node in [&a, &b] {
        within(SECOND / 5, "served from its start on", || {
            node.served_variant(&key.token).as_deref() == Some(variant.as_str())
        });
    }
}

#[test]
fn a_node_that_missed_changes_catches_up_before_it_is_ready() {
    let Some(admin_url) = pg_or_skip() else {
        return;
    };
    let db = PgDatabase::create(&admin_url);
    let a = Node::start(&db.url);
    let b_dir = tempfile::tempdir().unwrap();
    let b = Node::start_in(&db.url, b_dir.path());
    let token = a.login();
    let entry = a.seed(&token);
    let old_key = a.delivery_key(&token);
    within(SECOND, "B knows the key", || {
        b.content(&old_key.token).is_some()
    });
    b.kill();

    let variant = a.create_variant(&token, &entry, "Missed while away");
    a.transition(&token, "publishVariant", &variant);
    let key = a.delivery_key(&token);
    a.gql(
        Some(&token),
        "mutation($id: ID!) { revokeDeliveryKey(id: $id) }",
        json!({"id": old_key.id}),
    );

    let b = Node::start_in(&db.url, b_dir.path());
    assert_eq!(
        b.served_variant(&key.token).as_deref(),
        Some(variant.as_str()),
        "once ready, B serves what was published while it was away"
    );
    assert!(
        b.content(&old_key.token).is_none(),
        "and refuses the revoked key"
    );
    assert_eq!(b.search_total(&token, "missed"), 1);
}

#[test]
fn a_dropped_notification_connection_is_restored_and_nothing_is_missed() {
    let Some(TwoNodes { db, a, b, token }) = two_nodes() else {
        return;
    };
    let entry = a.seed(&token);
    let key = a.delivery_key(&token);
    within(SECOND, "B knows the key", || {
        b.content(&key.token).is_some()
    });
    assert_eq!(db.listeners(), 2, "each node listens on one connection");

    db.terminate_listeners();
    let first = a.create_variant(&token, &entry, "Published while deaf");
    a.transition(&token, "publishVariant", &first);
    within(
        SECOND,
        "B applies a change made while it was not listening",
        || b.served_variant(&key.token).as_deref() == Some(first.as_str()),
    );
    within(10 * SECOND, "both nodes listen again", || {
        db.listeners() == 2
    });

    a.transition(&token, "unpublishVariant", &first);
    let applied = within(SECOND, "B applies the next change", || {
        b.served_variant(&key.token).is_none()
    });
    println!("after the reconnection, a change on A applied on B after {applied:?}");
}

#[test]
fn usage_from_both_nodes_is_counted_once_on_each_and_track_crosses_nodes() {
    let Some(TwoNodes { db, a, b, token }) = two_nodes() else {
        return;
    };
    let entry = a.seed(&token);
    let key = a.delivery_key(&token);
    let variant = a.create_variant(&token, &entry, "Counted everywhere");
    a.transition(&token, "publishVariant", &variant);
    within(SECOND, "B serves the variant", || {
        b.served_variant(&key.token).is_some()
    });
    let mut served_on_a = Vec::new();
    for round in 0..20 {
        let node = if round % 2 == 0 { &a } else { &b };
        let answer = node.content(&key.token).unwrap();
        if round % 2 == 0 {
            served_on_a.push(answer["servedId"].as_str().unwrap().to_string());
        }
    }
    // Every answer so far was served once by B above, plus the 20 of the loop.
    let track = b.gql(
        Some(&key.token),
        "mutation($e: [TrackInput!]!) { track(events: $e) { accepted rejected { index message } } }",
        json!({"e": served_on_a.iter().take(4).map(|s| json!({"servedId": s, "kind": "CLICK"})).collect::<Vec<_>>()}),
    );
    assert_eq!(track["track"]["accepted"], 4, "{track}");
    let report = |node: &Node| {
        node.gql(
            Some(&token),
            "query($f: DateTime!, $t: DateTime!) { usageReport(brand: \"alpine\", from: $f, to: $t, groupBy: [VARIANT]) { impressions clicks } }",
            json!({"f": "2000-01-01T00:00:00Z", "t": "2100-01-01T00:00:00Z"}),
        )["usageReport"][0]
            .clone()
    };
    let impressions = |node: &Node| report(node)["impressions"].as_u64().unwrap_or(0);
    // Each node's queue stores what it served within tens of milliseconds.
    within(2 * SECOND, "every impression is stored", || {
        db.count("usage_events WHERE kind = 'impression'") > 20
    });
    std::thread::sleep(SECOND / 5);
    let stored = db.count("usage_events WHERE kind = 'impression'");
    for (name, node) in [("A", &a), ("B", &b)] {
        within(
            2 * SECOND,
            &format!("{name}'s report counts every impression"),
            || impressions(node) == stored as u64 && report(node)["clicks"] == 4,
        );
    }
}

#[test]
fn each_webhook_delivery_is_sent_once_with_both_nodes_running() {
    let Some(TwoNodes {
        db: _db,
        a,
        b,
        token,
    }) = two_nodes()
    else {
        return;
    };
    let entry = a.seed(&token);
    let receiver = Receiver::start();
    a.gql(
        Some(&token),
        "mutation($u: String!) { createWebhook(brand: \"alpine\", url: $u, events: [PUBLISHED, UNPUBLISHED]) { id } }",
        json!({"u": receiver.url}),
    );
    let variant = a.create_variant(&token, &entry, "Announced once");
    for round in 0..10 {
        let (node, mutation) = match round % 2 {
            0 => (&a, "publishVariant"),
            _ => (&b, "unpublishVariant"),
        };
        node.transition(&token, mutation, &variant);
    }
    within(10 * SECOND, "every event is delivered", || {
        receiver.seen.lock().unwrap().len() == 10
    });
    std::thread::sleep(SECOND);
    let seen = receiver.seen.lock().unwrap();
    assert_eq!(seen.len(), 10, "{seen:?}");
    assert!(
        seen.values().all(|&n| n == 1),
        "each delivery once: {seen:?}"
    );
}

#[test]
fn killing_a_node_under_load_loses_nothing_it_acknowledged_and_the_other_keeps_serving() {
    let Some(admin_url) = pg_or_skip() else {
        return;
    };
    let db = PgDatabase::create(&admin_url);
    let a_dir = tempfile::tempdir().unwrap();
    let a = Node::start_in(&db.url, a_dir.path());
    let b = Node::start(&db.url);
    let token = a.login();
    let entry = a.seed(&token);
    let key = a.delivery_key(&token);
    let live = a.create_variant(&token, &entry, "Served throughout");
    a.transition(&token, "publishVariant", &live);
    within(SECOND, "B serves the variant", || {
        b.served_variant(&key.token).is_some()
    });

    let stop = std::sync::atomic::AtomicBool::new(false);
    let (served_by_a, written_on_a, b_answers) = std::thread::scope(|scope| {
        let readers = scope.spawn(|| {
            let mut served = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                match a.try_content(&key.token) {
                    Some(answer) => served.push(answer["servedId"].as_str().unwrap().to_string()),
                    None => break,
                }
            }
            served
        });
        let writer = scope.spawn(|| {
            let mut written = Vec::new();
            for n in 0.. {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                match a.try_create_variant(&token, &entry, &format!("Written {n}")) {
                    Some(id) => written.push(id),
                    None => break,
                }
            }
            written
        });
        let b_load = scope.spawn(|| {
            let mut answers = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                assert!(b.served_variant(&key.token).is_some(), "B keeps serving");
                answers += 1;
            }
            answers
        });
        std::thread::sleep(SECOND);
        a.kill_9();
        std::thread::sleep(SECOND / 2);
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        (
            readers.join().unwrap(),
            writer.join().unwrap(),
            b_load.join().unwrap(),
        )
    });
    assert!(served_by_a.len() > 10 && written_on_a.len() > 2 && b_answers > 10);

    let _a = Node::start_in(&db.url, a_dir.path());
    for id in &written_on_a {
        let found = b.gql(
            Some(&token),
            "query($id: ID!) { variant(id: $id) { id } }",
            json!({"id": id}),
        );
        assert_eq!(
            found["variant"]["id"],
            id.as_str(),
            "an acknowledged write survives"
        );
    }
    let impressions: Vec<String> = served_by_a
        .iter()
        .map(|served| served.split('.').next().unwrap().to_string())
        .collect();
    let list = impressions
        .iter()
        .map(|id| format!("'{id}'"))
        .collect::<Vec<_>>()
        .join(",");
    let stored = db.count(&format!("usage_events WHERE id IN ({list})"));
    assert_eq!(
        stored as usize,
        impressions.len(),
        "every impression A answered with is stored once A is back"
    );
}

#[test]
fn a_node_cut_off_from_the_database_is_not_ready_and_catches_up_when_it_returns() {
    let Some(admin_url) = pg_or_skip() else {
        return;
    };
    let db = PgDatabase::create(&admin_url);
    let upstream = url::Url::parse(&db.url).unwrap();
    let upstream = std::net::ToSocketAddrs::to_socket_addrs(&(
        upstream.host_str().unwrap(),
        upstream.port().unwrap_or(5432),
    ))
    .unwrap()
    .next()
    .unwrap();
    let proxy = Proxy::start(upstream);
    let a = Node::start(&db.url);
    let b = Node::start(&proxy.url(&db.url));
    let token = a.login();
    let entry = a.seed(&token);
    let key = a.delivery_key(&token);
    within(SECOND, "B knows the key", || {
        b.content(&key.token).is_some()
    });

    proxy.cut();
    within(
        10 * SECOND,
        "B stops being ready without its database",
        || !b.ready(),
    );
    let variant = a.create_variant(&token, &entry, "Published while B was away");
    a.transition(&token, "publishVariant", &variant);
    assert!(
        b.content(&key.token).is_some(),
        "B keeps serving what it holds"
    );
    proxy.restore();
    within(15 * SECOND, "B is ready again", || b.ready());
    assert_eq!(
        b.served_variant(&key.token).as_deref(),
        Some(variant.as_str()),
        "ready again means caught up"
    );
}

#[test]
fn an_upload_on_one_node_is_served_by_the_other_from_the_object_store() {
    let Some(admin_url) = pg_or_skip() else {
        return;
    };
    let Some((endpoint, bucket)) = s3_or_skip() else {
        return;
    };
    let db = PgDatabase::create(&admin_url);
    let store = format!(
        "s3://{bucket}/nodes-{}",
        vary::ids::random_token(8).to_lowercase()
    );
    let mut env = vec![
        ("VARY_ASSET_STORE", store.as_str()),
        ("VARY_S3_ENDPOINT", endpoint.as_str()),
    ];
    let aws: Vec<(String, String)> = std::env::vars()
        .filter(|(k, _)| k.starts_with("AWS_"))
        .collect();
    env.extend(aws.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let a = Node::start_env(&db.url, &env);
    let b = Node::start_env(&db.url, &env);
    let token = a.login();
    a.seed(&token);
    let picture = {
        let img = image::RgbImage::from_fn(1200, 800, |x, y| {
            image::Rgb([(x * 255 / 1200) as u8, (y * 255 / 800) as u8, 90])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut out, image::ImageFormat::Jpeg)
            .unwrap();
        out.into_inner()
    };
    let (status, asset) = a.upload(&token, &picture);
    assert_eq!(status, 200, "{asset}");
    let id = asset["id"].as_str().unwrap();
    let (status, body) = b.fetch(&format!("/assets/{id}/mobile.webp"));
    assert_eq!(status, 200);
    assert_eq!(image::load_from_memory(&body).unwrap().width(), 640);
    let (status, _) = b.fetch(&format!("/assets/{id}/tablet.jpg?aspect=1:1"));
    assert_eq!(
        status, 200,
        "B makes a crop from the original in the object store"
    );
}
