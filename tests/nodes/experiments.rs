//! An experiment started through one node enrolls on the other within a second, and a person's
//! arm is the same on both processes and after a restart (the bucket is an XXH3 hash of the
//! experiment id and the userKey, not a per-process hash).

use serde_json::{json, Value};
use std::time::Duration;

use crate::node::Node;
use crate::support::{two_nodes, within, TwoNodes};

const CONTENT: &str = "query($u: String!) { content(brand: \"alpine\", key: \"home\", context: {userKey: $u}) { reason variant { id } } }";

fn arm(node: &Node, key: &str, user: &str) -> String {
    let answer = node.gql(Some(key), CONTENT, json!({"u": user}));
    let reason = answer["content"]["reason"].as_str().unwrap().to_string();
    reason
        .split_once("\" arm ")
        .map(|(_, rest)| rest.split(';').next().unwrap().to_string())
        .unwrap_or(reason)
}

fn arms(node: &Node, key: &str) -> Vec<String> {
    (0..20)
        .map(|i| arm(node, key, &format!("person-{i}")))
        .collect()
}

#[test]
fn a_persons_arm_is_the_same_on_every_node_and_after_a_restart() {
    let Some(TwoNodes { db, a, b, token }) = two_nodes() else {
        return;
    };
    let entry = a.seed(&token);
    let first = a.create_variant(&token, &entry, "First");
    let second = a.create_variant(&token, &entry, "Second");
    a.transition(&token, "publishVariant", &first);
    a.transition(&token, "publishVariant", &second);
    let key = a.delivery_key(&token).token;
    let created: Value = a.gql(
        Some(&token),
        "mutation($i: CreateExperimentInput!) { createExperiment(input: $i) { id } }",
        json!({"i": {"entryId": entry, "name": "Sticky", "goal": "CLICK", "arms": [
            {"name": "one", "variant": first, "weight": 50},
            {"name": "two", "variant": second, "weight": 50}]}}),
    );
    let id = created["createExperiment"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    a.gql(
        Some(&token),
        "mutation($id: ID!) { startExperiment(id: $id) { status } }",
        json!({"id": id}),
    );
    let on_a = arms(&a, &key);
    assert!(
        on_a.iter().all(|arm| arm == "one" || arm == "two"),
        "{on_a:?}"
    );
    assert!(on_a.iter().any(|arm| arm == "one") && on_a.iter().any(|arm| arm == "two"));
    within(Duration::from_secs(1), "B enrolls", || {
        arm(&b, &key, "person-0") == on_a[0]
    });
    assert_eq!(arms(&b, &key), on_a, "the same arms on the second process");
    b.kill();
    let restarted = Node::start(&db.url);
    assert_eq!(
        arms(&restarted, &key),
        on_a,
        "the same arms after a restart"
    );
}
