//! The contract's "Experiments" over HTTP: the lifecycle with its roles and audit, every bad
//! input, enrollment and reasons in delivery, a holdout, the report counting people against the
//! test's own count, and a broken sample ratio.

use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use vary::domain::experiment::bucket::{arm_of, bucket};

use crate::backend_tests;
use crate::helpers::{hero, Answer, Backend, TestApp};

mod faults;
mod usage;

pub(crate) const EXPERIMENT: &str =
    "id name status version mode goal minPeoplePerArm audienceText \
    startedAt stoppedAt winner { id name } arms { id name ranked weight variant { id } }";

const CREATE: &str = "mutation($i: CreateExperimentInput!) { createExperiment(input: $i) { \
    id name status version mode goal minPeoplePerArm audienceText startedAt stoppedAt \
    winner { id name } arms { id name ranked weight variant { id } } } }";

const REPORT: &str = "query($id: ID!) { experimentReport(id: $id) { sampleRatioMismatch srmPValue \
    decision arms { arm { id name } people converters rate rateLow rateHigh uplift upliftLow \
    upliftHigh pValue probabilityToBeatControl probabilityBest weight conversionValue } } }";

const TRACK: &str = "mutation($e: [TrackInput!]!) { track(events: $e) { accepted rejected { index code message } } }";

/// A brand `alpine` with two published variants on `home-hero`: `default` for everyone and
/// `skier` for the skier segment. Returns (entry, default, skier).
pub(crate) async fn alpine(app: &TestApp, policy: Value) -> (String, String, String) {
    let entry = app.seed_brand_with_policy("alpine", policy).await;
    let default = app
        .published(
            &entry,
            json!({"name": "default", "fields": hero("For all")}),
        )
        .await;
    let skier = app
        .published(
            &entry,
            json!({"name": "skier", "fields": hero("For skiers"),
                   "rule": {"attr": "segment", "op": "eq", "value": "skier"}}),
        )
        .await;
    (entry, default, skier)
}

pub(crate) async fn create(app: &TestApp, token: &str, input: Value) -> Answer {
    app.gql(Some(token), CREATE, json!({"i": input})).await
}

pub(crate) async fn step(app: &TestApp, token: &str, mutation: &str, id: &str) -> Answer {
    let query = format!("mutation($id: ID!) {{ {mutation}(id: $id) {{ {EXPERIMENT} }} }}");
    app.gql(Some(token), &query, json!({"id": id})).await
}

/// A created and started experiment's answer.
async fn started(app: &TestApp, input: Value) -> Value {
    let created = create(app, app.admin(), input).await.data()["createExperiment"].clone();
    let id = created["id"].as_str().unwrap();
    step(app, app.admin(), "startExperiment", id).await.data()["startExperiment"].clone()
}

async fn report(app: &TestApp, token: &str, id: &str) -> Value {
    app.gql(Some(token), REPORT, json!({"id": id})).await.data()["experimentReport"].clone()
}


/// The arm named in a reason `experiment "NAME" arm ARM; …`.
fn arm_in(reason: &str) -> Option<&str> {
    let rest = reason.split_once("\" arm ")?.1;
    Some(rest.split(';').next().unwrap())
}

async fn the_report_counts_people_and_matches_our_own_count(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (entry, default, skier) = alpine(&app, json!({})).await;
    let exp = started(
        &app,
        json!({"entryId": entry, "name": "Hero test", "goal": "CLICK",
               "arms": [{"name": "A", "variant": default, "weight": 50},
                        {"name": "B", "variant": skier, "weight": 50}]}),
    )
    .await;
    assert_eq!(exp["status"], "RUNNING");
    let id = exp["id"].as_str().unwrap();
    let key = app.delivery_key("alpine").await;
    let mut people: HashMap<String, HashSet<String>> = HashMap::new();
    let mut clickers: HashMap<String, HashSet<String>> = HashMap::new();
    let mut clicks = Vec::new();
    for person in 0..24 {
        let user = format!("person-{person}");
        // Each person comes three times: the report counts people, not answers.
        for visit in 0..3 {
            let answer = app
                .content(&key, "alpine", "home-hero", json!({"userKey": user}))
                .await;
            let reason = answer["reason"].as_str().unwrap();
            let arm = arm_in(reason).unwrap_or_else(|| panic!("not enrolled: {reason}"));
            let expected = if arm == "A" { "default" } else { "skier" };
            assert_eq!(answer["variant"]["name"], expected, "{reason}");
            people.entry(arm.into()).or_default().insert(user.clone());
            if person % 3 == 0 && visit == 1 {
                clickers.entry(arm.into()).or_default().insert(user.clone());
                clicks.push(json!({"servedId": answer["servedId"], "kind": "CLICK"}));
                // A second click of the same person counts once.
                clicks.push(json!({"servedId": answer["servedId"], "kind": "CLICK"}));
            }
        }
    }
    let tracked = app.gql(Some(&key), TRACK, json!({"e": clicks})).await;
    assert!(tracked.data()["track"]["rejected"]
        .as_array()
        .unwrap()
        .is_empty());
    app.flush_usage().await;
    let report = report(&app, app.admin(), id).await;
    for arm in report["arms"].as_array().unwrap() {
        let name = arm["arm"]["name"].as_str().unwrap();
        let count = |m: &HashMap<String, HashSet<String>>| m.get(name).map_or(0, |s| s.len());
        assert_eq!(arm["people"], count(&people) as i64, "{name}: {report}");
        assert_eq!(
            arm["converters"],
            count(&clickers) as i64,
            "{name}: {report}"
        );
        assert_eq!(arm["weight"], 0.5);
    }
    assert_eq!(report["arms"][0]["uplift"], Value::Null);
    assert_eq!(report["arms"][0]["probabilityToBeatControl"], Value::Null);
    assert!(report["decision"]
        .as_str()
        .unwrap()
        .starts_with("Keep running: the smallest arm needs"));
    // Stopping serves by ranking again, from the next request.
    step(&app, app.admin(), "stopExperiment", id).await.data();
    let answer = app
        .content(&key, "alpine", "home-hero", json!({"userKey": "person-1"}))
        .await;
    assert!(!answer["reason"].as_str().unwrap().contains("experiment"));
    let winner = report["arms"][1]["arm"]["id"].as_str().unwrap();
    let concluded = app
        .gql(
            Some(app.admin()),
            "mutation($id: ID!, $w: ID!) { concludeExperiment(id: $id, winner: $w) { status winner { name } version } }",
            json!({"id": id, "w": winner}),
        )
        .await;
    let concluded = &concluded.data()["concludeExperiment"];
    assert_eq!(concluded["status"], "CONCLUDED");
    assert_eq!(concluded["winner"]["name"], "B");
    assert_eq!(concluded["version"], 4);
}

async fn a_holdout_serves_the_default_to_the_control_and_personalization_to_the_rest(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let (entry, default, _) = alpine(&app, json!({})).await;
    started(
        &app,
        json!({"entryId": entry, "name": "Holdout", "goal": "CONVERSION",
               "arms": [{"name": "control", "variant": default, "weight": 10},
                        {"name": "personalized", "ranked": true, "weight": 90}]}),
    )
    .await;
    let key = app.delivery_key("alpine").await;
    let mut seen = HashSet::new();
    for person in 0..60 {
        let context = json!({"userKey": format!("p{person}"), "attributes": {"segment": "skier"}});
        let answer = app.content(&key, "alpine", "home-hero", context).await;
        let reason = answer["reason"].as_str().unwrap();
        let arm = arm_in(reason).unwrap().to_string();
        let expected = if arm == "control" { "default" } else { "skier" };
        assert_eq!(answer["variant"]["name"], expected, "{reason}");
        seen.insert(arm);
    }
    assert_eq!(seen.len(), 2, "60 people reach both arms: {seen:?}");
}

async fn who_is_not_enrolled_is_told_why(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (entry, default, skier) = alpine(&app, json!({})).await;
    started(
        &app,
        json!({"entryId": entry, "name": "Skiers only", "goal": "CLICK",
               "audience": {"attr": "segment", "op": "eq", "value": "skier"},
               "arms": [{"name": "A", "variant": default, "weight": 30},
                        {"name": "B", "variant": skier, "weight": 30}]}),
    )
    .await;
    let key = app.delivery_key("alpine").await;
    let reason = |answer: Value| answer["reason"].as_str().unwrap().to_string();
    let no_key = app
        .content(
            &key,
            "alpine",
            "home-hero",
            json!({"attributes": {"segment": "skier"}}),
        )
        .await;
    assert!(reason(no_key).starts_with("not enrolled: no userKey; "));
    let outside = app
        .content(
            &key,
            "alpine",
            "home-hero",
            json!({"userKey": "u1", "attributes": {"segment": "surfer"}}),
        )
        .await;
    assert!(reason(outside).starts_with("not enrolled: outside the audience; "));
    let no_consent = app
        .content(
            &key,
            "alpine",
            "home-hero",
            json!({"userKey": "u1", "attributes": {"segment": "skier"}, "consent": {"personalization": false}}),
        )
        .await;
    let text = reason(no_consent);
    assert!(
        text.starts_with("not enrolled: no personalization consent; "),
        "{text}"
    );
    // Weights summing to 60 leave some of 40 people outside them.
    let mut outside_weights = 0;
    for person in 0..40 {
        let context = json!({"userKey": format!("w{person}"), "attributes": {"segment": "skier"}});
        let answer = app.content(&key, "alpine", "home-hero", context).await;
        outside_weights +=
            usize::from(reason(answer).starts_with("not enrolled: outside the weights; "));
    }
    assert!(
        outside_weights > 0 && outside_weights < 40,
        "{outside_weights}"
    );
    // Preview shows the arm a person with a userKey gets.
    let preview = app
        .gql(
            Some(app.admin()),
            "{ preview(brand: \"alpine\", key: \"home-hero\", context: {userKey: \"w1\", attributes: {segment: \"skier\"}}) { variant { name } reason } }",
            json!({}),
        )
        .await;
    let preview = &preview.data()["preview"];
    let text = preview["reason"].as_str().unwrap();
    assert!(
        text.starts_with("experiment \"Skiers only\" arm ")
            || text.starts_with("not enrolled: outside the weights"),
        "{text}"
    );
}

async fn a_crafted_skew_raises_the_sample_ratio_mismatch(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (entry, default, skier) = alpine(&app, json!({})).await;
    let exp = started(
        &app,
        json!({"entryId": entry, "name": "Skewed", "goal": "CLICK", "minPeoplePerArm": 5,
               "arms": [{"name": "A", "variant": default, "weight": 50},
                        {"name": "B", "variant": skier, "weight": 50}]}),
    )
    .await;
    let id = exp["id"].as_str().unwrap();
    let key = app.delivery_key("alpine").await;
    // Only people whose bucket falls in arm A come: 40 against 0.
    let mut sent = 0;
    for person in 0.. {
        let user = format!("skew-{person}");
        if arm_of(bucket(id, &user), [50, 50]) != Some(0) {
            continue;
        }
        let answer = app
            .content(&key, "alpine", "home-hero", json!({"userKey": user}))
            .await;
        assert_eq!(arm_in(answer["reason"].as_str().unwrap()), Some("A"));
        sent += 1;
        if sent == 40 {
            break;
        }
    }
    app.flush_usage().await;
    let report = report(&app, app.admin(), id).await;
    assert_eq!(report["arms"][0]["people"], 40);
    assert_eq!(report["arms"][1]["people"], 0);
    assert_eq!(report["sampleRatioMismatch"], true, "{report}");
    assert!(report["srmPValue"].as_f64().unwrap() < 0.001);
    assert!(report["decision"]
        .as_str()
        .unwrap()
        .contains("sample ratio"));
}

/// BANDIT mode counts answers, and after a refresh the arm that converts gets the larger share.
async fn a_bandit_shifts_traffic_to_the_arm_that_converts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (entry, default, skier) = alpine(&app, json!({})).await;
    let exp = started(
        &app,
        json!({"entryId": entry, "name": "Bandit", "goal": "CLICK", "mode": "BANDIT",
               "arms": [{"name": "A", "variant": default, "weight": 50},
                        {"name": "B", "variant": skier, "weight": 50}]}),
    )
    .await;
    let id = exp["id"].as_str().unwrap();
    let key = app.delivery_key("alpine").await;
    let mut answers: HashMap<String, i64> = HashMap::new();
    let mut clicks = Vec::new();
    for visit in 0..60 {
        let answer = app
            .content(
                &key,
                "alpine",
                "home-hero",
                json!({"userKey": "same-person"}),
            )
            .await;
        let arm = arm_in(answer["reason"].as_str().unwrap())
            .unwrap()
            .to_string();
        *answers.entry(arm.clone()).or_default() += 1;
        if arm == "B" || visit % 10 == 0 && arm == "A" {
            clicks.push(json!({"servedId": answer["servedId"], "kind": "CLICK"}));
        }
    }
    assert_eq!(
        answers.len(),
        2,
        "one person's answers reach both arms: {answers:?}"
    );
    app.gql(Some(&key), TRACK, json!({"e": clicks}))
        .await
        .data();
    app.flush_usage().await;
    app.app.delivery.refresh_bandits().await.unwrap();
    let report = report(&app, app.admin(), id).await;
    let (a, b) = (&report["arms"][0], &report["arms"][1]);
    assert_eq!(a["people"], answers["A"], "answers are counted: {report}");
    assert_eq!(b["people"], answers["B"]);
    assert_eq!(b["converters"], answers["B"]);
    assert!(b["weight"].as_f64().unwrap() > 0.9, "{report}");
    assert!(a["weight"].as_f64().unwrap() >= 0.05 - 1e-9);
    let mut to_b = 0;
    for _ in 0..40 {
        let answer = app
            .content(
                &key,
                "alpine",
                "home-hero",
                json!({"userKey": "same-person"}),
            )
            .await;
        to_b += usize::from(arm_in(answer["reason"].as_str().unwrap()) == Some("B"));
    }
    assert!(
        to_b >= 30,
        "{to_b} of 40 answers went to B after the refresh"
    );
}

backend_tests!(
    a_bandit_shifts_traffic_to_the_arm_that_converts,
    the_report_counts_people_and_matches_our_own_count,
    a_holdout_serves_the_default_to_the_control_and_personalization_to_the_rest,
    who_is_not_enrolled_is_told_why,
    a_crafted_skew_raises_the_sample_ratio_mismatch,
);
