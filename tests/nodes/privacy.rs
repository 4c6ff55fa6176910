//! A person forgotten through one node leaves every node's usage index: the deletion travels as
//! a change, and each node's reports agree with the database within the contract's 2 s.

use serde_json::json;
use std::time::Duration;

use crate::node::Node;
use crate::support::{two_nodes, within, TwoNodes};

const CONTENT: &str = "query($u: String!) { content(brand: \"alpine\", key: \"home\", context: {userKey: $u}) { servedId } }";
const REPORT: &str = "{ usageReport(brand: \"alpine\", from: \"2000-01-01T00:00:00Z\", to: \"2100-01-01T00:00:00Z\", groupBy: []) { impressions clicks } }";

fn counted(node: &Node, token: &str) -> (u64, u64) {
    let row = node.gql(Some(token), REPORT, json!({}))["usageReport"][0].clone();
    (
        row["impressions"].as_u64().unwrap_or(0),
        row["clicks"].as_u64().unwrap_or(0),
    )
}

#[test]
fn a_person_forgotten_on_one_node_leaves_the_reports_of_both() {
    let Some(TwoNodes { db, a, b, token }) = two_nodes() else {
        return;
    };
    let second = Duration::from_secs(1);
    let entry = a.seed(&token);
    let key = a.delivery_key(&token);
    let variant = a.create_variant(&token, &entry, "Everyone");
    a.transition(&token, "publishVariant", &variant);
    within(second, "B serves the variant", || {
        b.served_variant(&key.token).is_some()
    });
    // Ann is served by both nodes and clicks on B; Bob once on each. (B's check above served
    // one answer without a user key.)
    let mut ann = Vec::new();
    for (node, user) in [
        (&a, "ann"),
        (&b, "ann"),
        (&a, "bob"),
        (&b, "bob"),
        (&b, "ann"),
    ] {
        let answer = node.gql(Some(&key.token), CONTENT, json!({"u": user}));
        if user == "ann" {
            ann.push(answer["content"]["servedId"].as_str().unwrap().to_string());
        }
    }
    let click = json!({"e": [{"servedId": ann[0], "kind": "CLICK"}]});
    b.gql(
        Some(&key.token),
        "mutation($e: [TrackInput!]!) { track(events: $e) { accepted } }",
        click,
    );
    for (name, node) in [("A", &a), ("B", &b)] {
        within(2 * second, &format!("{name} counts every event"), || {
            counted(node, &token) == (6, 1)
        });
    }

    let forgot = a.gql(
        Some(&token),
        "mutation { forgetPerson(brand: \"alpine\", userKey: \"ann\") }",
        json!({}),
    );
    assert_eq!(forgot["forgetPerson"], 4, "three impressions and a click");
    assert_eq!(db.count("usage_events"), 3);
    assert_eq!(counted(&a, &token), (3, 0), "A's own index at once");
    within(2 * second, "B's index drops them too", || {
        counted(&b, &token) == (3, 0)
    });
}
