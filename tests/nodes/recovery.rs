//! Nodes that fall behind and come back: a node that missed changes catches up before it is
//! ready, a dropped notification connection is restored with nothing missed, a node killed under
//! load loses nothing it acknowledged, and a node cut off from the database is not ready until
//! it has caught up.

use serde_json::json;

use crate::database::PgDatabase;
use crate::endpoints::Proxy;
use crate::node::Node;
use crate::support::{pg_or_skip, two_nodes, within, TwoNodes};
use crate::SECOND;

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
