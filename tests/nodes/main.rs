//! Several `vary serve` processes on one PostgreSQL database behave as one Vary (the contract's
//! "Many nodes"): real processes, a real database, changes made through one node applied on the
//! other within a second, usage counted and webhooks sent once, uploads shared. A node that
//! missed changes, was killed or was cut off is in `recovery`.
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
mod recovery;
mod typed;

use database::PgDatabase;
use endpoints::{s3_or_skip, Receiver};
use node::{Node, ADMIN};
use serde_json::json;
use std::time::Duration;
use support::{pg_or_skip, two_nodes, within, TwoNodes};

pub(crate) const SECOND: Duration = Duration::from_secs(1);

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
