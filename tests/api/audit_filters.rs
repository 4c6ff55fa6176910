//! The audit log for people: newest first, filtered by actor, action and time in the database
//! (the report follows the same filters), and targets named instead of raw ids.

use serde_json::{json, Value};

use crate::backend_tests;
use crate::helpers::{hero, Backend, TestApp};

const LOG: &str = "query($actor: String, $action: String, $from: DateTime, $to: DateTime, $order: AuditOrder, $first: Int, $after: String) {
  auditLog(brand: \"alpine\", actor: $actor, action: $action, from: $from, to: $to, order: $order, first: $first, after: $after) {
    edges { node { actor action target targetLabel } }
    pageInfo { hasNextPage endCursor }
  }
}";

/// Every matching row, page after page (two rows a page), as `(actor, action, targetLabel)`.
async fn read_all(app: &TestApp, token: &str, mut vars: Value) -> Vec<(String, String, Value)> {
    let mut rows = Vec::new();
    vars["first"] = json!(2);
    loop {
        let answer = app.gql(Some(token), LOG, vars.clone()).await;
        let log = answer.data()["auditLog"].clone();
        for edge in log["edges"].as_array().unwrap() {
            let node = &edge["node"];
            rows.push((
                node["actor"].as_str().unwrap().to_string(),
                node["action"].as_str().unwrap().to_string(),
                node["targetLabel"].clone(),
            ));
        }
        if log["pageInfo"]["hasNextPage"] != true {
            return rows;
        }
        vars["after"] = log["pageInfo"]["endCursor"].clone();
    }
}

fn actions(rows: &[(String, String, Value)]) -> Vec<&str> {
    rows.iter().map(|(_, action, _)| action.as_str()).collect()
}

async fn the_log_reads_newest_first_filtered_with_names(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    let editor = app.user("ed@test.local", "EDITOR", &["alpine"]).await;
    let id = app
        .variant(
            &editor,
            &entry,
            json!({"name": "Summer", "fields": hero("t")}),
        )
        .await;
    app.transition("publishVariant", app.admin(), &id)
        .await
        .data();
    app.delivery_key("alpine").await;
    let auditor = app.user("aud@test.local", "AUDITOR", &[]).await;

    let oldest_first = read_all(&app, &auditor, json!({})).await;
    let newest_first = read_all(&app, &auditor, json!({"order": "NEWEST_FIRST"})).await;
    let mut reversed = oldest_first.clone();
    reversed.reverse();
    assert_eq!(newest_first, reversed, "the same rows, the other way round");
    assert_eq!(
        actions(&newest_first),
        [
            "key.create",
            "variant.publish",
            "variant.create",
            "entry.create",
            "content_type.create",
            "brand.create"
        ]
    );
    assert_eq!(newest_first[0].2, "web", "a key by its name");
    assert_eq!(
        newest_first[1].2, "home-hero / Summer",
        "a variant by entry and name"
    );

    let by_editor = read_all(&app, &auditor, json!({"actor": "ed@test.local"})).await;
    assert_eq!(
        by_editor,
        [(
            "ed@test.local".to_string(),
            "variant.create".to_string(),
            json!("home-hero / Summer")
        )]
    );
    let publishes = read_all(
        &app,
        &auditor,
        json!({"action": "variant.publish", "order": "NEWEST_FIRST"}),
    )
    .await;
    assert_eq!(actions(&publishes), ["variant.publish"]);
    let nobody = read_all(
        &app,
        &auditor,
        json!({"actor": "ed@test.local", "action": "variant.publish"}),
    )
    .await;
    assert!(nobody.is_empty(), "both filters hold at once: {nobody:?}");

    let now = chrono::Utc::now();
    let hour = chrono::Duration::hours(1);
    let today = read_all(
        &app,
        &auditor,
        json!({"from": now - hour, "to": now + hour}),
    )
    .await;
    assert_eq!(today, oldest_first);
    let later = read_all(
        &app,
        &auditor,
        json!({"from": now + hour, "order": "NEWEST_FIRST"}),
    )
    .await;
    assert!(later.is_empty(), "{later:?}");
    let earlier = read_all(&app, &auditor, json!({"to": now - hour})).await;
    assert!(earlier.is_empty(), "{earlier:?}");
}

async fn the_report_follows_the_actor_and_action_filters(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    let editor = app.user("ed@test.local", "EDITOR", &["alpine"]).await;
    app.variant(
        &editor,
        &entry,
        json!({"name": "Summer", "fields": hero("t")}),
    )
    .await;
    let (status, body) = app
        .get_as(
            Some(app.admin()),
            "/api/reports/audit?brand=alpine&actor=ed%40test.local&format=json",
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let rows: Vec<Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(rows.len(), 1, "{body}");
    assert_eq!(rows[0]["action"], "variant.create");
    assert!(
        rows[0].get("targetLabel").is_none(),
        "the report keeps its columns"
    );
    let (status, csv) = app
        .get_as(
            Some(app.admin()),
            "/api/reports/audit?action=entry.create&format=csv",
        )
        .await;
    assert_eq!(status, 200, "{csv}");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "a header and one row: {csv}");
    assert!(lines[1].contains(",entry.create,home-hero,"), "{csv}");
}

backend_tests!(
    the_log_reads_newest_first_filtered_with_names,
    the_report_follows_the_actor_and_action_filters
);
