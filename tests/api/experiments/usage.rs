//! Experiments in usage reports (the EXPERIMENT and ARM dimensions, over GraphQL, the REST CSV
//! and `vary export usage`) and experiment audiences that name a brand's audience.

use serde_json::{json, Value};
use std::collections::BTreeMap;

use super::{alpine, arm_in, create, started, step, TRACK};
use crate::backend_tests;
use crate::helpers::{Backend, TestApp};
use crate::usage::counts::export_usage;

const USAGE: &str = "query($g: [UsageDimension!]!) {
    usageReport(brand: \"alpine\", from: \"2000-01-01T00:00:00Z\", to: \"2999-01-01T00:00:00Z\", groupBy: $g) {
        experimentId experimentName armId armName impressions clicks } }";

async fn usage(app: &TestApp, group_by: Value) -> Vec<Value> {
    let answer = app
        .gql(Some(app.admin()), USAGE, json!({"g": group_by}))
        .await;
    answer.data()["usageReport"].as_array().unwrap().clone()
}

async fn usage_groups_by_experiment_and_arm(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (entry, default, skier) = alpine(&app, json!({})).await;
    let exp = started(
        &app,
        json!({"entryId": entry, "name": "=Hero test", "goal": "CLICK",
               "arms": [{"name": "A", "variant": default, "weight": 50},
                        {"name": "B", "variant": skier, "weight": 50}]}),
    )
    .await;
    let id = exp["id"].as_str().unwrap();
    let arm_ids: BTreeMap<String, String> = exp["arms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap().into(),
                a["id"].as_str().unwrap().into(),
            )
        })
        .collect();
    let key = app.delivery_key("alpine").await;
    // Our own count: answers per arm; answers without a userKey are not enrolled.
    let mut answers: BTreeMap<String, i64> = BTreeMap::new();
    let mut clicked: BTreeMap<String, i64> = BTreeMap::new();
    let mut clicks = Vec::new();
    for person in 0..16 {
        let context = json!({"userKey": format!("person-{person}")});
        let answer = app.content(&key, "alpine", "home-hero", context).await;
        let arm = arm_in(answer["reason"].as_str().unwrap())
            .unwrap()
            .to_string();
        *answers.entry(arm.clone()).or_default() += 1;
        if person % 4 == 0 {
            *clicked.entry(arm).or_default() += 1;
            clicks.push(json!({"servedId": answer["servedId"], "kind": "CLICK"}));
        }
    }
    for _ in 0..3 {
        app.content(&key, "alpine", "home-hero", json!({})).await;
    }
    app.gql(Some(&key), TRACK, json!({"e": clicks}))
        .await
        .data();
    app.flush_usage().await;

    let rows = usage(&app, json!(["EXPERIMENT", "ARM"])).await;
    let outside = rows.iter().find(|r| r["experimentId"].is_null()).unwrap();
    assert_eq!(
        (&outside["armId"], &outside["armName"]),
        (&Value::Null, &Value::Null)
    );
    assert_eq!(outside["impressions"], 3, "{rows:?}");
    let enrolled: BTreeMap<String, (i64, i64)> = rows
        .iter()
        .filter(|r| !r["experimentId"].is_null())
        .map(|r| {
            assert_eq!(
                (r["experimentId"].as_str(), r["experimentName"].as_str()),
                (Some(id), Some("=Hero test"))
            );
            let name = r["armName"].as_str().unwrap().to_string();
            assert_eq!(r["armId"].as_str(), Some(arm_ids[&name].as_str()));
            let counts = (
                r["impressions"].as_i64().unwrap(),
                r["clicks"].as_i64().unwrap(),
            );
            (name, counts)
        })
        .collect();
    let ours: BTreeMap<String, (i64, i64)> = answers
        .iter()
        .map(|(arm, n)| (arm.clone(), (*n, clicked.get(arm).copied().unwrap_or(0))))
        .collect();
    assert_eq!(enrolled, ours);
    // By arm alone: the arm named, the experiment not.
    let by_arm = usage(&app, json!(["ARM"])).await;
    assert!(by_arm
        .iter()
        .all(|r| r["experimentId"].is_null() && r["experimentName"].is_null()));
    assert_eq!(
        by_arm.iter().filter(|r| r["armName"].is_string()).count(),
        ours.len()
    );

    csv_lines_name_the_experiment_and_arms(&app, id, &arm_ids, &ours).await;
}

/// The CSV by experiment and arm, from the usage index (REST) and from the database (`vary export
/// usage`): the same lines, the experiment's name escaped as a spreadsheet needs.
async fn csv_lines_name_the_experiment_and_arms(
    app: &TestApp,
    id: &str,
    arm_ids: &BTreeMap<String, String>,
    ours: &BTreeMap<String, (i64, i64)>,
) {
    let (status, rest) = app
        .get_as(
            Some(app.admin()),
            "/api/reports/usage?brand=alpine&from=2000-01-01&to=2999-12-31&groupBy=EXPERIMENT,ARM",
        )
        .await;
    assert_eq!(status, 200, "{rest}");
    let cli = export_usage(app, &["--group-by", "experiment,arm"]);
    for csv in [&rest, &cli] {
        let mut lines: Vec<&str> = csv.lines().collect();
        assert!(lines[0].contains(",locale,experimentId,experimentName,armId,armName,impressions,"));
        lines.remove(0);
        lines.sort_unstable();
        let mut want: Vec<String> = ours
            .iter()
            .map(|(arm, (n, c))| {
                let ctr = *c as f64 / *n as f64;
                format!(
                    ",,,,,,,{id},'=Hero test,{},{arm},{n},{c},0,0,{ctr},0",
                    arm_ids[arm]
                )
            })
            .collect();
        want.push(",,,,,,,,,,,3,0,0,0,0,0".into());
        want.sort_unstable();
        assert_eq!(lines, want, "{csv}");
    }
}

async fn an_experiment_audience_may_name_a_brand_audience(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (entry, default, skier) = alpine(&app, json!({})).await;
    let audience = app
        .gql(
            Some(app.admin()),
            "mutation { createAudience(brand: \"alpine\", name: \"Skiers\", rule: {attr: \"segment\", op: \"eq\", value: \"skier\"}) { id } }",
            json!({}),
        )
        .await;
    let audience_id = audience.data()["createAudience"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let input = |rule: Value| {
        json!({"entryId": entry, "name": "Skiers test", "goal": "CLICK", "audience": rule,
               "arms": [{"name": "A", "variant": default, "weight": 50},
                        {"name": "B", "variant": skier, "weight": 50}]})
    };
    // An unknown name is refused, and nothing is stored.
    let unknown = create(
        &app,
        app.admin(),
        input(json!({"audience": "Snowboarders"})),
    )
    .await;
    assert_eq!(unknown.code(), "BAD_INPUT");
    assert!(
        unknown.message().contains("Snowboarders"),
        "{}",
        unknown.message()
    );
    let listed = app
        .gql(
            Some(app.admin()),
            "{ experiments(brand: \"alpine\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(listed.data()["experiments"], json!([]));

    let rule = json!({"all": [{"audience": "Skiers"}, {"attr": "tier", "op": "gte", "value": 1}]});
    let exp = started(&app, input(rule)).await;
    let key = app.delivery_key("alpine").await;
    let reason = |answer: Value| answer["reason"].as_str().unwrap().to_string();
    let skier_context = json!({"userKey": "u1", "attributes": {"segment": "skier", "tier": 2}});
    let enrolled = reason(
        app.content(&key, "alpine", "home-hero", skier_context)
            .await,
    );
    assert!(
        enrolled.starts_with("experiment \"Skiers test\" arm "),
        "{enrolled}"
    );
    let other = json!({"userKey": "u1", "attributes": {"segment": "hiker", "tier": 2}});
    let outside = reason(app.content(&key, "alpine", "home-hero", other).await);
    assert!(
        outside.starts_with("not enrolled: outside the audience; "),
        "{outside}"
    );

    deleting_the_audience_waits_for_the_experiment_to_conclude(&app, &audience_id, &exp).await;
}

/// While the experiment uses the audience, deleting it is refused naming the experiment, which
/// `usedBy` lists; once concluded, the experiment no longer holds it.
async fn deleting_the_audience_waits_for_the_experiment_to_conclude(
    app: &TestApp,
    audience_id: &str,
    exp: &Value,
) {
    let deleted = app
        .gql(
            Some(app.admin()),
            "mutation($id: ID!) { deleteAudience(id: $id) }",
            json!({"id": audience_id}),
        )
        .await;
    assert_eq!(deleted.code(), "CONFLICT");
    assert!(
        deleted.message().contains("experiment \"Skiers test\""),
        "{}",
        deleted.message()
    );
    let used = app
        .gql(
            Some(app.admin()),
            "{ audiences(brand: \"alpine\") { usedBy { kind id name entryKey } } }",
            json!({}),
        )
        .await;
    let used_by = &used.data()["audiences"][0]["usedBy"];
    assert_eq!(
        used_by,
        &json!([{"kind": "EXPERIMENT", "id": exp["id"], "name": "Skiers test", "entryKey": "home-hero"}])
    );
    // Once concluded, the experiment no longer holds the audience.
    step(
        app,
        app.admin(),
        "stopExperiment",
        exp["id"].as_str().unwrap(),
    )
    .await
    .data();
    let winner = exp["arms"][0]["id"].clone();
    app.gql(
        Some(app.admin()),
        "mutation($id: ID!, $w: ID!) { concludeExperiment(id: $id, winner: $w) { status } }",
        json!({"id": exp["id"], "w": winner}),
    )
    .await
    .data();
    let deleted = app
        .gql(
            Some(app.admin()),
            "mutation($id: ID!) { deleteAudience(id: $id) }",
            json!({"id": audience_id}),
        )
        .await;
    assert_eq!(deleted.data()["deleteAudience"], true);
}

backend_tests!(
    usage_groups_by_experiment_and_arm,
    an_experiment_audience_may_name_a_brand_audience,
);
