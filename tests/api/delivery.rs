//! Delivery over HTTP: the contract's "Audience rules" and "Choosing the variant" as tables of
//! contexts and the variant each must get.

use serde_json::{json, Value};

use crate::backend_tests;
use crate::helpers::{hero, Backend, TestApp};

const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

/// The demo-like hero: everyone, skiers, men who hike, VIPs, mobile, German.
async fn alpine(app: &TestApp) {
    let entry = app.seed_brand("alpine").await;
    let variants = [
        json!({"name": "everyone", "fields": hero("Trail")}),
        json!({"name": "skier", "fields": hero("Powder"), "priority": 10, "rule": {"attr": "segment", "op": "in", "value": ["skier", "snowboarder"]}}),
        json!({"name": "male hiker", "fields": hero("Climb"), "priority": 5,
               "rule": {"all": [{"attr": "gender", "op": "eq", "value": "male"}, {"attr": "segment", "op": "eq", "value": "hiker"}]}}),
        json!({"name": "vip", "fields": hero("Early"), "priority": 20, "rule": {"attr": "tier", "op": "gte", "value": 3}}),
        json!({"name": "mobile", "fields": hero("Short"), "devices": ["MOBILE"]}),
        json!({"name": "german", "fields": hero("Weg"), "locale": "de"}),
    ];
    for v in variants {
        app.published(&entry, v).await;
    }
}

fn name_of(resolved: &Value) -> &str {
    resolved["variant"]["name"].as_str().unwrap_or("<none>")
}

async fn each_audience_gets_its_variant_with_a_reason(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    alpine(&app).await;
    let key = app.delivery_key("alpine").await;
    let cases = [
        (
            json!({}),
            "everyone",
            "targets everyone; locale en; priority 0",
        ),
        (
            json!({"attributes": {"segment": "skier"}}),
            "skier",
            "matched segment in [skier, snowboarder]; locale en; priority 10",
        ),
        (
            json!({"attributes": {"segment": "snowboarder", "gender": "male"}}),
            "skier",
            "priority 10",
        ),
        (
            json!({"attributes": {"segment": "hiker", "gender": "male"}}),
            "male hiker",
            "gender",
        ),
        (
            json!({"attributes": {"segment": "hiker", "gender": "female"}}),
            "everyone",
            "targets everyone",
        ),
        (
            json!({"attributes": {"segment": "skier", "tier": 3}}),
            "vip",
            "tier >= 3",
        ),
        (json!({"attributes": {"tier": 3.0}}), "vip", "priority 20"),
        (
            json!({"attributes": {"tier": "3"}}),
            "everyone",
            "targets everyone",
        ),
        (json!({"device": "MOBILE"}), "mobile", "device MOBILE"),
        (json!({"device": "DESKTOP"}), "everyone", "locale en"),
        (json!({"locale": "de"}), "german", "locale de"),
        (json!({"locale": "de-CH"}), "german", "locale de"),
        (json!({"locale": "fr"}), "everyone", "locale en"),
        (
            json!({"locale": "de", "attributes": {"segment": "skier"}}),
            "german",
            "locale de",
        ),
    ];
    for (context, expected, reason) in cases {
        let resolved = app
            .content(&key, "alpine", "home-hero", context.clone())
            .await;
        assert_eq!(name_of(&resolved), expected, "{context}");
        assert!(
            resolved["reason"].as_str().unwrap().contains(reason),
            "{context}: {}",
            resolved["reason"]
        );
        assert!(
            resolved["servedId"].is_string(),
            "delivery keys get a servedId"
        );
    }
}

async fn headers_fill_in_device_and_locale(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    alpine(&app).await;
    let key = app.delivery_key("alpine").await;
    let query = "{ content(brand: \"alpine\", key: \"home-hero\") { variant { name } reason } }";
    let body = json!({"query": query}).to_string();
    let send = |headers: Vec<(&'static str, &'static str)>| {
        let mut request = TestApp::client()
            .post(format!("{}/graphql", app.base))
            .insert_header(("Authorization", format!("Bearer {key}")))
            .content_type("application/json");
        for h in headers {
            request = request.insert_header(h);
        }
        request.send_body(body.clone())
    };
    let mut phone = send(vec![("User-Agent", IPHONE)]).await.unwrap();
    let phone: Value = phone.json().await.unwrap();
    assert_eq!(phone["data"]["content"]["variant"]["name"], "mobile");
    let mut hinted = send(vec![("Sec-CH-UA-Mobile", "?1")]).await.unwrap();
    let hinted: Value = hinted.json().await.unwrap();
    assert_eq!(hinted["data"]["content"]["variant"]["name"], "mobile");
    let mut german = send(vec![("Accept-Language", "fr;q=0.9, de-DE, en;q=0.5")])
        .await
        .unwrap();
    let german: Value = german.json().await.unwrap();
    assert_eq!(german["data"]["content"]["variant"]["name"], "german");
}

/// One entry per operator: variant "hit" carries the rule, "miss" (lower priority) targets everyone.
async fn every_operator_follows_the_contract(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("ops").await;
    let key = app.delivery_key("ops").await;
    // (op, attr, value, contexts that match, contexts that do not)
    let table: Vec<(&str, &str, Value, Vec<Value>, Vec<Value>)> = vec![
        (
            "eq",
            "n",
            json!(3),
            vec![json!({"n": 3}), json!({"n": 3.0})],
            vec![json!({"n": "3"}), json!({}), json!({"n": 4})],
        ),
        (
            "ne",
            "s",
            json!("a"),
            vec![json!({"s": "b"}), json!({}), json!({"s": 1})],
            vec![json!({"s": "a"})],
        ),
        (
            "in",
            "s",
            json!(["a", "b"]),
            vec![json!({"s": "b"})],
            vec![json!({"s": "c"}), json!({})],
        ),
        (
            "not_in",
            "s",
            json!(["a", "b"]),
            vec![json!({"s": "c"}), json!({})],
            vec![json!({"s": "a"})],
        ),
        (
            "contains",
            "tags",
            json!("ski"),
            vec![json!({"tags": ["golf", "ski"]}), json!({"tags": "freeski"})],
            vec![json!({"tags": ["golf"]}), json!({})],
        ),
        (
            "not_contains",
            "tags",
            json!("ski"),
            vec![json!({"tags": ["golf"]}), json!({})],
            vec![json!({"tags": ["ski"]})],
        ),
        (
            "starts_with",
            "zip",
            json!("80"),
            vec![json!({"zip": "80331"})],
            vec![json!({"zip": "10115"}), json!({"zip": 80331}), json!({})],
        ),
        (
            "ends_with",
            "mail",
            json!("@bank.test"),
            vec![json!({"mail": "a@bank.test"})],
            vec![json!({"mail": "a@else.test"}), json!({})],
        ),
        (
            "matches",
            "zip",
            json!("^8\\d{4}$"),
            vec![json!({"zip": "80331"})],
            vec![json!({"zip": "180331"}), json!({})],
        ),
        (
            "gt",
            "age",
            json!(30),
            vec![json!({"age": 34})],
            vec![json!({"age": 30}), json!({"age": "34"}), json!({})],
        ),
        (
            "gte",
            "age",
            json!(30),
            vec![json!({"age": 30.0})],
            vec![json!({"age": 29.9}), json!({})],
        ),
        (
            "lt",
            "age",
            json!(30),
            vec![json!({"age": 18})],
            vec![json!({"age": 30}), json!({})],
        ),
        (
            "lte",
            "age",
            json!(30),
            vec![json!({"age": 30})],
            vec![json!({"age": 31}), json!({})],
        ),
        (
            "between",
            "age",
            json!([18, 30]),
            vec![json!({"age": 18}), json!({"age": 30})],
            vec![json!({"age": 31}), json!({})],
        ),
        (
            "exists",
            "tier",
            Value::Null,
            vec![json!({"tier": 0}), json!({"tier": false})],
            vec![json!({})],
        ),
        (
            "not_exists",
            "tier",
            Value::Null,
            vec![json!({})],
            vec![json!({"tier": 1})],
        ),
        (
            "before",
            "since",
            json!("2020-01-01T00:00:00Z"),
            vec![json!({"since": "2019-05-01T00:00:00Z"})],
            vec![
                json!({"since": "2021-01-01T00:00:00Z"}),
                json!({"since": "yesterday"}),
                json!({}),
            ],
        ),
        (
            "after",
            "since",
            json!("2020-01-01T00:00:00Z"),
            vec![json!({"since": "2021-01-01T00:00:00+02:00"})],
            vec![json!({"since": "2019-01-01T00:00:00Z"}), json!({})],
        ),
    ];
    for (op, attr, value, hits, misses) in table {
        let entry_key = format!("op-{op}");
        let entry = app.entry("ops", &entry_key).await;
        let mut rule = json!({"attr": attr, "op": op});
        if !value.is_null() {
            rule["value"] = value;
        }
        app.published(
            &entry,
            json!({"name": "hit", "fields": hero("hit"), "rule": rule, "priority": 1}),
        )
        .await;
        app.published(&entry, json!({"name": "miss", "fields": hero("miss")}))
            .await;
        for attributes in hits {
            let resolved = app
                .content(&key, "ops", &entry_key, json!({"attributes": attributes}))
                .await;
            assert_eq!(name_of(&resolved), "hit", "{op} should match {attributes}");
        }
        for attributes in misses {
            let resolved = app
                .content(&key, "ops", &entry_key, json!({"attributes": attributes}))
                .await;
            assert_eq!(
                name_of(&resolved),
                "miss",
                "{op} should not match {attributes}"
            );
        }
    }
}

async fn ties_go_to_specificity_then_age(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    let key = app.delivery_key("alpine").await;
    app.published(
        &entry,
        json!({"name": "older", "fields": hero("a"), "rule": {"attr": "x", "op": "exists"}}),
    )
    .await;
    app.published(
        &entry,
        json!({"name": "newer", "fields": hero("b"), "rule": {"attr": "x", "op": "exists"}}),
    )
    .await;
    app.published(
        &entry,
        json!({"name": "specific", "fields": hero("c"),
        "rule": {"all": [{"attr": "x", "op": "exists"}, {"attr": "y", "op": "eq", "value": 1}]}}),
    )
    .await;
    assert_eq!(
        name_of(
            &app.content(&key, "alpine", "home-hero", json!({"attributes": {"x": 1}}))
                .await
        ),
        "older"
    );
    assert_eq!(
        name_of(
            &app.content(
                &key,
                "alpine",
                "home-hero",
                json!({"attributes": {"x": 1, "y": 1}})
            )
            .await
        ),
        "specific"
    );
    let none = app.content(&key, "alpine", "home-hero", json!({})).await;
    assert!(none["variant"].is_null());
    assert!(none["servedId"].is_null());
    assert!(
        none["reason"].as_str().unwrap().starts_with("no variant"),
        "{}",
        none["reason"]
    );
}

async fn schedules_take_effect_at_their_instant(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    let key = app.delivery_key("alpine").await;
    app.published(&entry, json!({"name": "always", "fields": hero("a")}))
        .await;
    app.published(&entry, json!({"name": "future", "fields": hero("b"), "priority": 5, "startsAt": "2099-01-01T00:00:00Z"})).await;
    app.published(&entry, json!({"name": "past", "fields": hero("c"), "priority": 9, "endsAt": "2001-01-01T00:00:00Z"})).await;
    let soon_at = chrono::Utc::now() + chrono::Duration::seconds(3);
    app.published(&entry, json!({"name": "soon", "fields": hero("d"), "priority": 3, "startsAt": soon_at.to_rfc3339()})).await;
    let before = app.content(&key, "alpine", "home-hero", json!({})).await;
    if chrono::Utc::now() < soon_at {
        assert_eq!(name_of(&before), "always");
    }
    let wait = (soon_at - chrono::Utc::now()).to_std().unwrap_or_default()
        + std::time::Duration::from_millis(300);
    tokio::time::sleep(wait).await;
    assert_eq!(
        name_of(&app.content(&key, "alpine", "home-hero", json!({})).await),
        "soon",
        "no restart, no write"
    );
    let preview = app
        .gql(Some(app.admin()), "{ preview(brand: \"alpine\", key: \"home-hero\", context: {at: \"2099-06-01T00:00:00Z\"}) { variant { name } } }", json!({}))
        .await;
    assert_eq!(preview.data()["preview"]["variant"]["name"], "future");
    let refused = app
        .content_answer(&key, json!({"at": "2099-06-01T00:00:00Z"}))
        .await;
    assert_eq!(refused.code(), "BAD_INPUT");
}

async fn contents_answers_every_key_in_order(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    alpine(&app).await;
    let key = app.delivery_key("alpine").await;
    let answer = app
        .gql(
            Some(&key),
            "{ contents(brand: \"alpine\", keys: [\"missing\", \"home-hero\"], context: {attributes: {segment: \"skier\"}}) { key variant { name } reason servedId } }",
            json!({}),
        )
        .await;
    let list = answer.data()["contents"].as_array().unwrap().clone();
    assert_eq!(list[0]["key"], "missing");
    assert!(list[0]["variant"].is_null());
    assert!(list[0]["reason"].as_str().unwrap().contains("missing"));
    assert_eq!(list[1]["variant"]["name"], "skier");
}

async fn only_delivery_keys_get_served_ids(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    alpine(&app).await;
    let editor = app
        .content(app.admin(), "alpine", "home-hero", json!({}))
        .await;
    assert_eq!(name_of(&editor), "everyone");
    assert!(editor["servedId"].is_null());
}

async fn a_live_edit_is_served_only_once_published(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    let key = app.delivery_key("alpine").await;
    let id = app
        .published(&entry, json!({"name": "v", "fields": hero("Old")}))
        .await;
    let edit = app
        .gql(Some(app.admin()), "mutation($id: ID!) { updateVariant(id: $id, expectedVersion: 2, patch: {fields: {title: \"New\"}}) { status publishedRevision revision } }", json!({"id": id}))
        .await;
    let edited = edit.data()["updateVariant"].clone();
    assert_eq!(edited["status"], "DRAFT");
    assert_ne!(edited["publishedRevision"], edited["revision"]);
    let served = app.content(&key, "alpine", "home-hero", json!({})).await;
    assert_eq!(served["variant"]["fields"]["title"], "Old");
    assert_eq!(served["variant"]["revision"], edited["publishedRevision"]);
    app.transition("publishVariant", app.admin(), &id)
        .await
        .data();
    let served = app.content(&key, "alpine", "home-hero", json!({})).await;
    assert_eq!(served["variant"]["fields"]["title"], "New");
    app.transition("unpublishVariant", app.admin(), &id)
        .await
        .data();
    assert!(app.content(&key, "alpine", "home-hero", json!({})).await["variant"].is_null());
}

async fn a_revoked_key_is_refused_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    alpine(&app).await;
    let created = app
        .gql(
            Some(app.admin()),
            "mutation { createDeliveryKey(brand: \"alpine\", name: \"app\") { id token } }",
            json!({}),
        )
        .await;
    let id = created.data()["createDeliveryKey"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let token = created.data()["createDeliveryKey"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        name_of(&app.content(&token, "alpine", "home-hero", json!({})).await),
        "everyone"
    );
    let listed = app
        .gql(
            Some(app.admin()),
            "{ deliveryKeys { id name revoked } }",
            json!({}),
        )
        .await;
    assert!(
        !listed.body.to_string().contains(&token),
        "tokens are never listed"
    );
    app.gql(
        Some(app.admin()),
        "mutation($id: ID!) { revokeDeliveryKey(id: $id) }",
        json!({"id": id}),
    )
    .await
    .data();
    let answer = app
        .gql(
            Some(&token),
            "{ content(brand: \"alpine\", key: \"home-hero\") { reason } }",
            json!({}),
        )
        .await;
    assert_eq!(answer.code(), "UNAUTHENTICATED");
    let again = app
        .gql(
            Some(app.admin()),
            "mutation($id: ID!) { revokeDeliveryKey(id: $id) }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(again.code(), "NOT_FOUND");
}

async fn preview_explains_every_candidate(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    alpine(&app).await;
    let entry = app
        .gql(
            Some(app.admin()),
            "{ entry(brand: \"alpine\", key: \"home-hero\") { id } }",
            json!({}),
        )
        .await;
    let entry_id = entry.data()["entry"]["id"].as_str().unwrap().to_string();
    app.variant(
        app.admin(),
        &entry_id,
        json!({"name": "draft", "fields": hero("d"), "priority": 99}),
    )
    .await;
    let answer = app
        .gql(
            Some(app.admin()),
            "{ preview(brand: \"alpine\", key: \"home-hero\", context: {attributes: {segment: \"skier\"}, device: DESKTOP}) { variant { name } reason candidates { variant { name } eligible reasons } } }",
            json!({}),
        )
        .await;
    let preview = answer.data()["preview"].clone();
    assert_eq!(preview["variant"]["name"], "skier");
    let candidates = preview["candidates"].as_array().unwrap();
    assert_eq!(candidates.len(), 7);
    let find = |name: &str| {
        candidates
            .iter()
            .find(|c| c["variant"]["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(find("draft")["eligible"], false);
    assert!(find("draft")["reasons"]
        .to_string()
        .contains("not published"));
    assert!(find("mobile")["reasons"].to_string().contains("device"));
    assert!(find("vip")["reasons"].to_string().contains("tier"));
    assert!(find("everyone")["reasons"]
        .to_string()
        .contains("outranked"));
    let key = app.delivery_key("alpine").await;
    let refused = app
        .gql(
            Some(&key),
            "{ preview(brand: \"alpine\", key: \"home-hero\") { reason } }",
            json!({}),
        )
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
}

async fn bad_contexts_are_bad_input(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    alpine(&app).await;
    let key = app.delivery_key("alpine").await;
    assert_eq!(
        app.content_answer(&key, json!({"attributes": [1, 2]}))
            .await
            .code(),
        "BAD_INPUT"
    );
    assert_eq!(
        app.content_answer(&key, json!({"device": "FRIDGE"}))
            .await
            .code(),
        "BAD_INPUT"
    );
    let unknown_brand = app
        .gql(
            Some(app.admin()),
            "{ content(brand: \"nope\", key: \"k\") { reason } }",
            json!({}),
        )
        .await;
    assert_eq!(unknown_brand.code(), "NOT_FOUND");
}

impl TestApp {
    async fn content_answer(&self, token: &str, context: Value) -> crate::helpers::Answer {
        self.gql(
            Some(token),
            "query($c: ContextInput) { content(brand: \"alpine\", key: \"home-hero\", context: $c) { reason } }",
            json!({"c": context}),
        )
        .await
    }
}

async fn the_demo_data_shows_personalization(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let keys = vary::demo::load(&app.app.content)
        .await
        .expect("demo loads");
    app.app.delivery.rebuild_all().await.unwrap();
    let alpine = &keys.iter().find(|(b, _)| b == "alpine").unwrap().1;
    let skier = app
        .content(
            alpine,
            "alpine",
            "home-hero",
            json!({"attributes": {"segment": "skier"}}),
        )
        .await;
    assert_eq!(name_of(&skier), "Skiers: fresh powder");
    let hiker = app
        .content(
            alpine,
            "alpine",
            "home-hero",
            json!({"attributes": {"segment": "hiker", "gender": "male"}}),
        )
        .await;
    assert_eq!(name_of(&hiker), "Men who hike");
    let bank = &keys.iter().find(|(b, _)| b == "nordbank").unwrap().1;
    let answer = app
        .gql(Some(bank), "{ content(brand: \"nordbank\", key: \"next-best-offer\", context: {attributes: {lifeEvent: \"job_loss\"}}) { variant { name } } }", json!({}))
        .await;
    assert_eq!(
        answer.data()["content"]["variant"]["name"],
        "Job loss: budgeting support"
    );
    let reviewed = app
        .gql(Some(app.admin()), "{ entry(brand: \"nordbank\", key: \"next-best-offer\") { variants { status brandReview { reviewer } } } }", json!({}))
        .await;
    for v in reviewed.data()["entry"]["variants"].as_array().unwrap() {
        assert_eq!(v["status"], "PUBLISHED");
        assert_eq!(v["brandReview"]["reviewer"], "reviewer@vary.demo");
    }
}

backend_tests!(
    the_demo_data_shows_personalization,
    each_audience_gets_its_variant_with_a_reason,
    headers_fill_in_device_and_locale,
    every_operator_follows_the_contract,
    ties_go_to_specificity_then_age,
    schedules_take_effect_at_their_instant,
    contents_answers_every_key_in_order,
    only_delivery_keys_get_served_ids,
    a_live_edit_is_served_only_once_published,
    a_revoked_key_is_refused_at_once,
    preview_explains_every_candidate,
    bad_contexts_are_bad_input,
);
