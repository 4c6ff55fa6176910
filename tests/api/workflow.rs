//! The review workflow: transitions, who may make them, four eyes, blocking checks, rollback,
//! and the audit chain that records it all.

use serde_json::json;

use crate::backend_tests;
use crate::helpers::{hero, Backend, TestApp};

async fn a_reviewed_variant_goes_from_draft_to_published(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app
        .seed_brand_with_policy("bank", json!({"requireApproval": true}))
        .await;
    let editor = app.user("ed@test.local", "EDITOR", &["bank"]).await;
    let reviewer = app.user("rev@test.local", "REVIEWER", &["bank"]).await;
    let id = app
        .variant(
            &editor,
            &entry,
            json!({"name": "offer", "fields": hero("Save")}),
        )
        .await;
    assert_eq!(
        app.transition("publishVariant", &editor, &id).await.code(),
        "FORBIDDEN",
        "approval required"
    );
    assert_eq!(
        app.transition("publishVariant", &reviewer, &id)
            .await
            .code(),
        "CONFLICT",
        "not approved yet"
    );
    assert_eq!(
        app.transition("approveVariant", &reviewer, &id)
            .await
            .code(),
        "CONFLICT",
        "not submitted"
    );
    let submitted = app.transition("submitVariant", &editor, &id).await;
    assert_eq!(submitted.data()["submitVariant"]["status"], "IN_REVIEW");
    assert_eq!(submitted.data()["submitVariant"]["version"], 2);
    assert_eq!(
        app.transition("submitVariant", &editor, &id).await.code(),
        "CONFLICT"
    );
    assert_eq!(
        app.transition("approveVariant", &editor, &id).await.code(),
        "FORBIDDEN",
        "editors do not review"
    );
    let approved = app
        .gql(Some(&reviewer), "mutation($id: ID!) { approveVariant(id: $id, note: \"fine\") { status brandReview { status note reviewer } } }", json!({"id": id}))
        .await;
    assert_eq!(approved.data()["approveVariant"]["status"], "APPROVED");
    assert_eq!(
        approved.data()["approveVariant"]["brandReview"]["reviewer"],
        "rev@test.local"
    );
    let published = app.transition("publishVariant", &reviewer, &id).await;
    assert_eq!(published.data()["publishVariant"]["status"], "PUBLISHED");
    assert!(published.data()["publishVariant"]["publishedRevision"].is_string());
    let key = app.delivery_key("bank").await;
    assert_eq!(
        app.content(&key, "bank", "home-hero", json!({})).await["variant"]["name"],
        "offer"
    );
    let archived = app.transition("archiveVariant", &reviewer, &id).await;
    assert_eq!(archived.data()["archiveVariant"]["status"], "ARCHIVED");
    assert!(app.content(&key, "bank", "home-hero", json!({})).await["variant"].is_null());
    assert_eq!(
        app.transition("archiveVariant", &reviewer, &id)
            .await
            .code(),
        "CONFLICT"
    );
}

async fn nobody_approves_their_own_revision(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    let id = app
        .variant(
            app.admin(),
            &entry,
            json!({"name": "mine", "fields": hero("t")}),
        )
        .await;
    app.transition("submitVariant", app.admin(), &id)
        .await
        .data();
    let own = app.transition("approveVariant", app.admin(), &id).await;
    assert_eq!(own.code(), "FORBIDDEN", "admins included");
    let reviewer = app.user("rev@test.local", "REVIEWER", &["alpine"]).await;
    assert_eq!(
        app.transition("approveVariant", &reviewer, &id)
            .await
            .data()["approveVariant"]["status"],
        "APPROVED"
    );
}

async fn a_rejection_needs_a_note_and_returns_to_draft(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    let reviewer = app.user("rev@test.local", "REVIEWER", &["alpine"]).await;
    let id = app
        .variant(
            app.admin(),
            &entry,
            json!({"name": "v", "fields": hero("t")}),
        )
        .await;
    app.transition("submitVariant", app.admin(), &id)
        .await
        .data();
    let reject = "mutation($id: ID!, $n: String!) { rejectVariant(id: $id, note: $n) { status brandReview { status note } } }";
    assert_eq!(
        app.gql(Some(&reviewer), reject, json!({"id": id, "n": "  "}))
            .await
            .code(),
        "BAD_INPUT"
    );
    let rejected = app
        .gql(
            Some(&reviewer),
            reject,
            json!({"id": id, "n": "Title too vague"}),
        )
        .await;
    assert_eq!(rejected.data()["rejectVariant"]["status"], "DRAFT");
    assert_eq!(
        rejected.data()["rejectVariant"]["brandReview"]["note"],
        "Title too vague"
    );
}

async fn failing_brand_checks_block_submit_and_publish(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app
        .seed_brand_with_policy(
            "bank",
            json!({"bannedTerms": ["risk-free"], "requiredDisclaimer": "Capital at risk."}),
        )
        .await;
    let id = app
        .variant(
            app.admin(),
            &entry,
            json!({"name": "v", "fields": {"title": "A risk-free return", "body": "Invest now."}}),
        )
        .await;
    for mutation in ["submitVariant", "publishVariant"] {
        let answer = app.transition(mutation, app.admin(), &id).await;
        assert_eq!(answer.code(), "BAD_INPUT", "{mutation}");
        assert!(
            answer.message().contains("banned") && answer.message().contains("disclaimer"),
            "{}",
            answer.message()
        );
    }
    let fixed = app
        .gql(
            Some(app.admin()),
            "mutation($id: ID!) { updateVariant(id: $id, expectedVersion: 1, patch: {fields: {title: \"A fair return\", body: \"Invest now. Capital at risk.\"}}) { quality { score checks { kind } } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(fixed.data()["updateVariant"]["quality"]["score"], 1.0);
    assert_eq!(
        app.transition("publishVariant", app.admin(), &id)
            .await
            .data()["publishVariant"]["status"],
        "PUBLISHED"
    );
}

async fn rollback_makes_a_new_draft_with_old_content(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    let id = app
        .variant(
            app.admin(),
            &entry,
            json!({"name": "v", "fields": hero("First")}),
        )
        .await;
    let first = app
        .gql(
            Some(app.admin()),
            "query($id: ID!) { variant(id: $id) { revision } }",
            json!({"id": id}),
        )
        .await;
    let first_rev = first.data()["variant"]["revision"]
        .as_str()
        .unwrap()
        .to_string();
    app.gql(Some(app.admin()), "mutation($id: ID!) { updateVariant(id: $id, expectedVersion: 1, patch: {fields: {title: \"Second\"}}) { id } }", json!({"id": id}))
        .await
        .data();
    let rollback = "mutation($id: ID!, $r: String!, $v: Int!) { rollbackVariant(id: $id, revision: $r, expectedVersion: $v) { fields revision version status revisions { hash } } }";
    assert_eq!(
        app.gql(
            Some(app.admin()),
            rollback,
            json!({"id": id, "r": first_rev, "v": 1})
        )
        .await
        .code(),
        "CONFLICT"
    );
    assert_eq!(
        app.gql(
            Some(app.admin()),
            rollback,
            json!({"id": id, "r": "nope", "v": 2})
        )
        .await
        .code(),
        "NOT_FOUND"
    );
    let rolled = app
        .gql(
            Some(app.admin()),
            rollback,
            json!({"id": id, "r": first_rev, "v": 2}),
        )
        .await;
    let v = rolled.data()["rollbackVariant"].clone();
    assert_eq!(v["fields"]["title"], "First");
    assert_eq!(v["status"], "DRAFT");
    assert_ne!(v["revision"], first_rev, "a rollback is a new revision");
    assert_eq!(v["revisions"].as_array().unwrap().len(), 3);
    let second_rev = v["revisions"][1]["hash"].as_str().unwrap();
    let diff = app
        .gql(Some(app.admin()), "query($id: ID!, $f: String!, $t: String!) { variant(id: $id) { diff(from: $f, to: $t) { path old new } } }",
            json!({"id": id, "f": first_rev, "t": second_rev}))
        .await;
    assert_eq!(
        diff.data()["variant"]["diff"],
        json!([
            {"path": "fields.body", "old": "Body text", "new": null},
            {"path": "fields.cta", "old": "Go", "new": null},
            {"path": "fields.title", "old": "First", "new": "Second"}
        ])
    );
    let foreign = app
        .gql(Some(app.admin()), "query($id: ID!, $f: String!) { variant(id: $id) { diff(from: $f, to: \"nope\") { path } } }", json!({"id": id, "f": first_rev}))
        .await;
    assert_eq!(foreign.code(), "NOT_FOUND");
}

async fn every_mutation_is_audited_in_an_unbroken_chain(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    let id = app
        .variant(
            app.admin(),
            &entry,
            json!({"name": "v", "fields": hero("t")}),
        )
        .await;
    app.transition("publishVariant", app.admin(), &id)
        .await
        .data();
    let failed = app
        .gql(
            None,
            "mutation { login(email: \"admin@test.local\", password: \"wrong-one\") { token } }",
            json!({}),
        )
        .await;
    assert_eq!(failed.code(), "UNAUTHENTICATED");
    let db = app.app.db.clone();
    let broken = db.read(vary::store::audit::first_broken).await.unwrap();
    assert_eq!(broken, None);
    let rows = db
        .read(|c| vary::store::audit::page(c, None, None, None, 0, 100))
        .await
        .unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    for expected in [
        "user.bootstrap",
        "login.success",
        "brand.create",
        "content_type.create",
        "entry.create",
        "variant.create",
        "variant.publish",
        "login.failure",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
    let publish = rows.iter().find(|r| r.action == "variant.publish").unwrap();
    assert!(publish.revision_after.is_some());
    assert!(
        rows.iter()
            .all(|r| !r.note.clone().unwrap_or_default().contains("wrong-one")),
        "passwords are never logged"
    );
}

async fn each_transition_is_open_only_to_its_roles(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app
        .seed_brand_with_policy("bank", json!({"requireApproval": true}))
        .await;
    let editor = app.user("ed@test.local", "EDITOR", &["bank"]).await;
    let reviewer = app.user("rev@test.local", "REVIEWER", &["bank"]).await;
    let auditor = app.user("aud@test.local", "AUDITOR", &[]).await;
    let key = app.delivery_key("bank").await;
    // A variant in each starting state, written by the admin so reviewers may approve.
    let draft = app
        .variant(
            app.admin(),
            &entry,
            json!({"name": "d", "fields": hero("t")}),
        )
        .await;
    let in_review = app
        .variant(
            app.admin(),
            &entry,
            json!({"name": "r", "fields": hero("t")}),
        )
        .await;
    app.transition("submitVariant", app.admin(), &in_review)
        .await
        .data();
    for (mutation, id, refused, allowed) in [
        (
            "submitVariant",
            &draft,
            vec![&reviewer, &auditor, &key],
            &editor,
        ),
        (
            "approveVariant",
            &in_review,
            vec![&editor, &auditor, &key],
            &reviewer,
        ),
        (
            "publishVariant",
            &in_review,
            vec![&editor, &auditor, &key],
            &reviewer,
        ),
        (
            "unpublishVariant",
            &in_review,
            vec![&editor, &auditor, &key],
            &reviewer,
        ),
        (
            "archiveVariant",
            &draft,
            vec![&editor, &auditor, &key],
            &reviewer,
        ),
    ] {
        for token in refused {
            let answer = app.transition(mutation, token, id).await;
            assert_eq!(answer.code(), "FORBIDDEN", "{mutation}: {}", answer.body);
        }
        let answer = app.transition(mutation, allowed, id).await;
        assert!(
            answer.body.get("errors").is_none(),
            "{mutation}: {}",
            answer.body
        );
    }
    assert_eq!(
        app.transition("publishVariant", &reviewer, &draft)
            .await
            .code(),
        "CONFLICT",
        "archived"
    );
    assert_eq!(
        app.transition("unpublishVariant", &reviewer, &draft)
            .await
            .code(),
        "CONFLICT",
        "never published"
    );
}

async fn brand_policy_changes_apply_to_delivery_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    let key = app.delivery_key("alpine").await;
    app.published(&entry, json!({"name": "plain", "fields": hero("a")}))
        .await;
    let update = "mutation($p: BrandPolicyInput!) { updateBrand(slug: \"alpine\", input: {policy: $p}) { version policy { minQuality requireApproval } } }";
    let editor = app.user("ed@test.local", "EDITOR", &["alpine"]).await;
    assert_eq!(
        app.gql(Some(&editor), update, json!({"p": {"minQuality": 0.5}}))
            .await
            .code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql(Some(app.admin()), update, json!({"p": {"minQuality": 2}}))
            .await
            .code(),
        "BAD_INPUT"
    );
    let hard = "Notwithstanding considerable institutional uncertainty, comprehensive diversification \
        methodologies notwithstanding, investment professionals systematically recommend international \
        multi-jurisdictional portfolio reconfiguration, particularly considering unprecedented macroeconomic \
        volatility characterising contemporary capitalisation and extraordinarily sophisticated securitisation.";
    app.published(&entry, json!({"name": "hard to read", "fields": {"title": "Invest", "body": hard}, "priority": 10})).await;
    assert_eq!(
        app.content(&key, "alpine", "home-hero", json!({})).await["variant"]["name"],
        "hard to read"
    );
    let updated = app
        .gql(
            Some(app.admin()),
            update,
            json!({"p": {"minQuality": 0.9, "requireApproval": true}}),
        )
        .await;
    assert_eq!(updated.data()["updateBrand"]["policy"]["minQuality"], 0.9);
    assert_eq!(updated.data()["updateBrand"]["version"], 2);
    let served = app.content(&key, "alpine", "home-hero", json!({})).await;
    assert_eq!(
        served["variant"]["name"], "plain",
        "below the brand minimum: not served"
    );
    let blocked = app
        .variant(&editor, &entry, json!({"name": "new", "fields": hero("c")}))
        .await;
    assert_eq!(
        app.transition("publishVariant", &editor, &blocked)
            .await
            .code(),
        "FORBIDDEN",
        "approval now required"
    );
}

backend_tests!(
    each_transition_is_open_only_to_its_roles,
    brand_policy_changes_apply_to_delivery_at_once,
    a_reviewed_variant_goes_from_draft_to_published,
    nobody_approves_their_own_revision,
    a_rejection_needs_a_note_and_returns_to_draft,
    failing_brand_checks_block_submit_and_publish,
    rollback_makes_a_new_draft_with_old_content,
    every_mutation_is_audited_in_an_unbroken_chain,
);
