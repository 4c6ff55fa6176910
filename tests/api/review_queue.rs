//! `reviewQueue`: what the caller may review, across their brands, never their own revisions.

use serde_json::json;

use crate::backend_tests;
use crate::helpers::{hero, Backend, TestApp};

const QUEUE: &str = "{ reviewQueue { brand entryKey author submittedAt variant { name status } } }";

async fn reviewers_see_what_they_may_review(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let bank = app
        .seed_brand_with_policy("bank", json!({"requireApproval": true}))
        .await;
    let other = app.seed_brand("other").await;
    let editor = app
        .user("ed@test.local", "EDITOR", &["bank", "other"])
        .await;
    let reviewer = app.user("rev@test.local", "REVIEWER", &["bank"]).await;
    let submitted = app
        .variant(
            &editor,
            &bank,
            json!({"name": "offer", "fields": hero("Save")}),
        )
        .await;
    app.transition("submitVariant", &editor, &submitted)
        .await
        .data();
    app.variant(
        &editor,
        &bank,
        json!({"name": "draft", "fields": hero("Not yet")}),
    )
    .await;
    let elsewhere = app
        .variant(
            &editor,
            &other,
            json!({"name": "elsewhere", "fields": hero("Other")}),
        )
        .await;
    app.transition("submitVariant", &editor, &elsewhere)
        .await
        .data();
    let own = app
        .variant(
            app.admin(),
            &bank,
            json!({"name": "mine", "fields": hero("Mine")}),
        )
        .await;
    app.transition("submitVariant", app.admin(), &own)
        .await
        .data();

    let queue = app.gql(Some(&reviewer), QUEUE, json!({})).await;
    let items = queue.data()["reviewQueue"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2, "bank's only, oldest first: {items:?}");
    assert_eq!(items[0]["brand"], "bank");
    assert_eq!(items[0]["entryKey"], "home-hero");
    assert_eq!(items[0]["author"], "ed@test.local");
    assert_eq!(
        items[0]["variant"],
        json!({"name": "offer", "status": "IN_REVIEW"})
    );
    assert!(items[0]["submittedAt"].is_string());

    assert_eq!(items[1]["variant"]["name"], "mine");
    let admin = app.gql(Some(app.admin()), QUEUE, json!({})).await;
    let names: Vec<&str> = admin.data()["reviewQueue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["variant"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["offer", "elsewhere"],
        "every brand, never their own"
    );
    assert_eq!(
        app.gql(Some(&editor), QUEUE, json!({})).await.code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql(None, QUEUE, json!({})).await.code(),
        "UNAUTHENTICATED"
    );

    app.transition("approveVariant", &reviewer, &submitted)
        .await
        .data();
    let after = app.gql(Some(&reviewer), QUEUE, json!({})).await;
    assert_eq!(after.data()["reviewQueue"][0]["variant"]["name"], "mine");
    assert_eq!(after.data()["reviewQueue"].as_array().unwrap().len(), 1);
}

backend_tests!(reviewers_see_what_they_may_review);
