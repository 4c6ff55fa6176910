//! Every fault the contract names for experiments: BAD_INPUT with the fault named and nothing
//! stored, CONFLICT for wrong states, stale versions and a second RUNNING experiment on an entry,
//! FORBIDDEN for editors starting or concluding where the brand requires approval, and the audit.

use serde_json::{json, Value};

use super::{alpine, create, step, EXPERIMENT};
use crate::backend_tests;
use crate::helpers::{hero, Backend, TestApp};

fn arms(a: &str, b: &str) -> Value {
    json!([{"name": "A", "variant": a, "weight": 50}, {"name": "B", "variant": b, "weight": 50}])
}

async fn count(app: &TestApp) -> usize {
    app.gql(
        Some(app.admin()),
        "{ experiments(brand: \"alpine\") { id } }",
        json!({}),
    )
    .await
    .data()["experiments"]
        .as_array()
        .unwrap()
        .len()
}

async fn every_bad_input_is_named_and_nothing_is_stored(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (entry, a, b) = alpine(&app, json!({})).await;
    let other_entry = app.entry("alpine", "other").await;
    let foreign = app
        .published(
            &other_entry,
            json!({"name": "elsewhere", "fields": hero("Other")}),
        )
        .await;
    let base = |arms: Value| json!({"entryId": entry, "name": "T", "goal": "CLICK", "arms": arms});
    let cases = [
        (
            base(json!([{"name": "A", "variant": a, "weight": 50}])),
            "at least two arms",
        ),
        (
            base(
                json!([{"name": "A", "variant": a, "ranked": true, "weight": 50}, {"name": "B", "variant": b, "weight": 50}]),
            ),
            "arms[0]: exactly one",
        ),
        (
            base(json!([{"name": "A", "variant": a, "weight": 50}, {"name": "B", "weight": 50}])),
            "arms[1]: exactly one",
        ),
        (base(arms(&a, &foreign)), "not a variant of this entry"),
        (
            base(
                json!([{"name": "A", "variant": a, "weight": -5}, {"name": "B", "variant": b, "weight": 50}]),
            ),
            "arms[0].weight: below 0",
        ),
        (
            base(
                json!([{"name": "A", "variant": a, "weight": 60}, {"name": "B", "variant": b, "weight": 50}]),
            ),
            "sum to more than 100",
        ),
        (
            json!({"entryId": entry, "name": "T", "goal": "CLICK", "arms": arms(&a, &b),
                   "audience": {"attr": "segment", "op": "nope", "value": 1}}),
            "audience: $",
        ),
    ];
    for (input, fault) in cases {
        let answer = create(&app, app.admin(), input).await;
        assert_eq!(answer.code(), "BAD_INPUT", "{}", answer.body);
        assert!(
            answer.message().contains(fault),
            "{} lacks {fault}",
            answer.message()
        );
    }
    assert_eq!(count(&app).await, 0, "nothing was stored");
    let unknown = create(
        &app,
        app.admin(),
        json!({"entryId": "ent_nope", "name": "T", "goal": "CLICK", "arms": arms(&a, &b)}),
    )
    .await;
    assert_eq!(unknown.code(), "NOT_FOUND");
}

async fn wrong_states_stale_versions_and_a_second_running_are_conflicts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (entry, a, b) = alpine(&app, json!({})).await;
    let input = json!({"entryId": entry, "name": "First", "goal": "CLICK", "arms": arms(&a, &b)});
    let first = create(&app, app.admin(), input.clone()).await.data()["createExperiment"].clone();
    let id = first["id"].as_str().unwrap();
    assert_eq!(first["status"], "DRAFT");
    assert_eq!(first["mode"], "FIXED");
    assert_eq!(first["minPeoplePerArm"], 100);
    assert_eq!(first["audienceText"], "everyone");
    // Update: a stale version is a conflict, the right one moves to version 2.
    let update = format!("mutation($id: ID!, $v: Int!, $i: CreateExperimentInput!) {{ updateExperiment(id: $id, expectedVersion: $v, input: $i) {{ {EXPERIMENT} }} }}");
    let mut renamed = input.clone();
    renamed["name"] = json!("Renamed");
    let stale = app
        .gql(
            Some(app.admin()),
            &update,
            json!({"id": id, "v": 7, "i": renamed}),
        )
        .await;
    assert_eq!(stale.code(), "CONFLICT");
    let updated = app
        .gql(
            Some(app.admin()),
            &update,
            json!({"id": id, "v": 1, "i": renamed}),
        )
        .await;
    assert_eq!(updated.data()["updateExperiment"]["version"], 2);
    assert_eq!(
        step(&app, app.admin(), "stopExperiment", id).await.code(),
        "CONFLICT"
    );
    step(&app, app.admin(), "startExperiment", id).await.data();
    assert_eq!(
        step(&app, app.admin(), "startExperiment", id).await.code(),
        "CONFLICT"
    );
    let outside_draft = app
        .gql(
            Some(app.admin()),
            &update,
            json!({"id": id, "v": 3, "i": renamed}),
        )
        .await;
    assert_eq!(outside_draft.code(), "CONFLICT");
    let second = create(&app, app.admin(), input).await.data()["createExperiment"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let answer = step(&app, app.admin(), "startExperiment", &second).await;
    assert_eq!(answer.code(), "CONFLICT", "{}", answer.body);
    let bad_winner = app
        .gql(
            Some(app.admin()),
            "mutation($id: ID!) { concludeExperiment(id: $id, winner: \"arm_nope\") { id } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(bad_winner.code(), "BAD_INPUT");
    let audit = app
        .gql(
            Some(app.admin()),
            "{ auditLog(brand: \"alpine\", first: 100) { edges { node { action target } } } }",
            json!({}),
        )
        .await;
    let actions: Vec<String> = audit.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["target"] == id)
        .map(|e| e["node"]["action"].as_str().unwrap().to_string())
        .collect();
    for action in ["createExperiment", "updateExperiment", "startExperiment"] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
}

async fn editors_may_not_start_or_conclude_where_approval_is_required(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (entry, a, b) = alpine(&app, json!({})).await;
    app.gql(
        Some(app.admin()),
        "mutation { updateBrand(slug: \"alpine\", input: {policy: {requireApproval: true}}) { slug } }",
        json!({}),
    )
    .await
    .data();
    let editor = app.user("ed@test.local", "EDITOR", &["alpine"]).await;
    let reviewer = app.user("rev@test.local", "REVIEWER", &["alpine"]).await;
    let auditor = app.user("aud@test.local", "AUDITOR", &[]).await;
    let input = json!({"entryId": entry, "name": "T", "goal": "CLICK", "arms": arms(&a, &b)});
    let created = create(&app, &editor, input.clone()).await;
    let id = created.data()["createExperiment"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        step(&app, &editor, "startExperiment", &id).await.code(),
        "FORBIDDEN"
    );
    assert_eq!(create(&app, &auditor, input).await.code(), "FORBIDDEN");
    step(&app, &reviewer, "startExperiment", &id).await.data();
    step(&app, &editor, "stopExperiment", &id).await.data();
    let read = app
        .gql(
            Some(&auditor),
            "query($id: ID!) { experiment(id: $id) { status } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(read.data()["experiment"]["status"], "STOPPED");
}

backend_tests!(
    every_bad_input_is_named_and_nothing_is_stored,
    wrong_states_stale_versions_and_a_second_running_are_conflicts,
    editors_may_not_start_or_conclude_where_approval_is_required,
);
