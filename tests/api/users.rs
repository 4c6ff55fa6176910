//! Users' lifecycle: role and brand changes, disabling, password resets and changes, logout —
//! each taking effect on the user's existing sessions at the next request.

use serde_json::{json, Value};

use crate::backend_tests;
use crate::helpers::{Backend, TestApp, ADMIN_EMAIL, PASSWORD};

const ME: &str = "{ me { id email role brands disabled mustChangePassword } }";
const UPDATE: &str = "mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id role brands disabled } }";
const RESET: &str = "mutation($id: ID!) { resetPassword(id: $id) }";
const CHANGE: &str = "mutation($c: String!, $n: String!) { changePassword(current: $c, new: $n) }";
const LOGIN: &str = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token user { mustChangePassword } } }";
const ENTRY: &str = "query($b: String!) { entry(brand: $b, key: \"home-hero\") { key } }";

async fn id_of(app: &TestApp, token: &str) -> String {
    let answer = app.gql(Some(token), ME, json!({})).await;
    answer.data()["me"]["id"].as_str().unwrap().to_string()
}

async fn update(app: &TestApp, id: &str, input: Value) -> crate::helpers::Answer {
    app.gql(Some(app.admin()), UPDATE, json!({"id": id, "i": input}))
        .await
}

async fn a_disabled_users_existing_token_is_refused_on_the_next_request(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("alpine").await;
    let editor = app.user("ed@test.local", "EDITOR", &["alpine"]).await;
    let id = id_of(&app, &editor).await;

    let answer = update(&app, &id, json!({"disabled": true})).await;
    assert_eq!(answer.data()["updateUser"]["disabled"], true);
    let refused = app.gql(Some(&editor), ENTRY, json!({"b": "alpine"})).await;
    assert_eq!(refused.code(), "UNAUTHENTICATED");
    assert_eq!(refused.status, 401);
    let login = app
        .gql(None, LOGIN, json!({"e": "ed@test.local", "p": PASSWORD}))
        .await;
    assert_eq!(
        login.code(),
        "UNAUTHENTICATED",
        "a disabled user cannot sign in"
    );
    assert!(login.message().contains("disabled"), "{}", login.message());

    update(&app, &id, json!({"disabled": false})).await.data();
    let again = app.gql(Some(&editor), ME, json!({})).await;
    assert_eq!(
        again.code(),
        "UNAUTHENTICATED",
        "enabling again revives no session"
    );
    let fresh = app.login("ed@test.local", PASSWORD).await;
    let answer = app.gql(Some(&fresh), ENTRY, json!({"b": "alpine"})).await;
    assert_eq!(answer.data()["entry"]["key"], "home-hero");
}

async fn a_demoted_editor_loses_a_brand_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("alpine").await;
    app.seed_brand("bank").await;
    let editor = app
        .user("ed@test.local", "EDITOR", &["alpine", "bank"])
        .await;
    let id = id_of(&app, &editor).await;
    let bank = app.gql(Some(&editor), ENTRY, json!({"b": "bank"})).await;
    assert_eq!(bank.data()["entry"]["key"], "home-hero");

    let answer = update(&app, &id, json!({"brands": ["alpine"]})).await;
    assert_eq!(answer.data()["updateUser"]["brands"], json!(["alpine"]));
    let bank = app.gql(Some(&editor), ENTRY, json!({"b": "bank"})).await;
    assert_eq!(bank.code(), "FORBIDDEN", "the same token lost the brand");
    let alpine = app.gql(Some(&editor), ENTRY, json!({"b": "alpine"})).await;
    assert_eq!(alpine.data()["entry"]["key"], "home-hero");
    let me = app.gql(Some(&editor), ME, json!({})).await;
    assert_eq!(me.data()["me"]["brands"], json!(["alpine"]));

    update(&app, &id, json!({"role": "AUDITOR"})).await.data();
    let create = app
        .gql(
            Some(&editor),
            "mutation { createEntry(input: {brand: \"alpine\", key: \"k2\", contentType: \"Hero\"}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(create.code(), "FORBIDDEN", "an auditor edits nothing");
    let me = app.gql(Some(&editor), ME, json!({})).await;
    assert_eq!(me.data()["me"]["role"], "AUDITOR");
    assert_eq!(me.data()["me"]["brands"], json!([]));
}

async fn bad_updates_get_the_contracts_codes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("alpine").await;
    let editor = app.user("ed@test.local", "EDITOR", &["alpine"]).await;
    let id = id_of(&app, &editor).await;
    let unknown_user = update(&app, "usr_nobody", json!({"disabled": true})).await;
    assert_eq!(unknown_user.code(), "NOT_FOUND");
    let unknown_brand = update(&app, &id, json!({"brands": ["nowhere"]})).await;
    assert_eq!(unknown_brand.code(), "BAD_INPUT");
    assert!(unknown_brand.message().contains("nowhere"));
    let no_brand = update(&app, &id, json!({"brands": []})).await;
    assert_eq!(no_brand.code(), "BAD_INPUT");
    let by_editor = app
        .gql(
            Some(&editor),
            UPDATE,
            json!({"id": id, "i": {"disabled": true}}),
        )
        .await;
    assert_eq!(by_editor.code(), "FORBIDDEN");
    let reset_by_editor = app.gql(Some(&editor), RESET, json!({"id": id})).await;
    assert_eq!(reset_by_editor.code(), "FORBIDDEN");
    let reset_unknown = app
        .gql(Some(app.admin()), RESET, json!({"id": "usr_nobody"}))
        .await;
    assert_eq!(reset_unknown.code(), "NOT_FOUND");
}

async fn the_last_active_admin_cannot_be_disabled_or_demoted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("alpine").await;
    let admin_id = id_of(&app, app.admin()).await;
    let disable = update(&app, &admin_id, json!({"disabled": true})).await;
    assert_eq!(disable.code(), "CONFLICT");
    assert!(disable.message().contains("another user an admin"));
    let demote = update(
        &app,
        &admin_id,
        json!({"role": "EDITOR", "brands": ["alpine"]}),
    )
    .await;
    assert_eq!(demote.code(), "CONFLICT");
    let me = app.gql(Some(app.admin()), ME, json!({})).await;
    assert_eq!(me.data()["me"]["role"], "ADMIN", "nothing changed");

    // A disabled admin is not active: it does not count.
    let other = app.user("second@test.local", "ADMIN", &[]).await;
    let other_id = id_of(&app, &other).await;
    update(&app, &other_id, json!({"disabled": true}))
        .await
        .data();
    assert_eq!(
        update(&app, &admin_id, json!({"role": "AUDITOR"}))
            .await
            .code(),
        "CONFLICT"
    );
    update(&app, &other_id, json!({"disabled": false}))
        .await
        .data();
    let demoted = update(&app, &admin_id, json!({"role": "AUDITOR"})).await;
    assert_eq!(demoted.data()["updateUser"]["role"], "AUDITOR");
    let now_forbidden = app
        .gql(
            Some(app.admin()),
            UPDATE,
            json!({"id": other_id, "i": {"disabled": true}}),
        )
        .await;
    assert_eq!(
        now_forbidden.code(),
        "FORBIDDEN",
        "the demoted admin's session lost the role"
    );
}

async fn a_one_time_password_forces_a_change(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("alpine").await;
    let editor = app.user("ed@test.local", "EDITOR", &["alpine"]).await;
    let id = id_of(&app, &editor).await;
    let reset = app.gql(Some(app.admin()), RESET, json!({"id": id})).await;
    let one_time = reset.data()["resetPassword"].as_str().unwrap().to_string();
    assert!(one_time.len() >= 16);

    assert_eq!(
        app.gql(Some(&editor), ME, json!({})).await.code(),
        "UNAUTHENTICATED"
    );
    let old = app
        .gql(None, LOGIN, json!({"e": "ed@test.local", "p": PASSWORD}))
        .await;
    assert_eq!(old.code(), "UNAUTHENTICATED", "the old password is gone");
    let login = app
        .gql(None, LOGIN, json!({"e": "ed@test.local", "p": one_time}))
        .await;
    assert_eq!(login.data()["login"]["user"]["mustChangePassword"], true);
    let session = login.data()["login"]["token"].as_str().unwrap().to_string();

    let me = app.gql(Some(&session), ME, json!({})).await;
    assert_eq!(me.data()["me"]["mustChangePassword"], true);
    for query in [
        ENTRY,
        "query($b: String!) { brands { slug } entries(brand: $b) { edges { node { key } } } }",
    ] {
        let answer = app.gql(Some(&session), query, json!({"b": "alpine"})).await;
        assert_eq!(answer.code(), "FORBIDDEN", "{query}");
        assert!(
            answer.message().contains("changePassword"),
            "{}",
            answer.message()
        );
    }
    let wrong = app
        .gql(
            Some(&session),
            CHANGE,
            json!({"c": "not-the-password", "n": "a-brand-new-secret"}),
        )
        .await;
    assert_eq!(wrong.code(), "UNAUTHENTICATED");
    let short = app
        .gql(Some(&session), CHANGE, json!({"c": one_time, "n": "short"}))
        .await;
    assert_eq!(short.code(), "BAD_INPUT");
    let changed = app
        .gql(
            Some(&session),
            CHANGE,
            json!({"c": one_time, "n": "a-brand-new-secret"}),
        )
        .await;
    assert_eq!(changed.data()["changePassword"], true);

    let answer = app.gql(Some(&session), ENTRY, json!({"b": "alpine"})).await;
    assert_eq!(
        answer.data()["entry"]["key"],
        "home-hero",
        "the same session goes on"
    );
    let me = app.gql(Some(&session), ME, json!({})).await;
    assert_eq!(me.data()["me"]["mustChangePassword"], false);
    let one_time_again = app
        .gql(None, LOGIN, json!({"e": "ed@test.local", "p": one_time}))
        .await;
    assert_eq!(
        one_time_again.code(),
        "UNAUTHENTICATED",
        "a one-time password works once"
    );
    app.login("ed@test.local", "a-brand-new-secret").await;
}

async fn logout_ends_only_that_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let first = app.login(ADMIN_EMAIL, PASSWORD).await;
    let second = app.login(ADMIN_EMAIL, PASSWORD).await;
    let out = app
        .gql(Some(&first), "mutation { logout }", json!({}))
        .await;
    assert_eq!(out.data()["logout"], true);
    assert_eq!(
        app.gql(Some(&first), ME, json!({})).await.code(),
        "UNAUTHENTICATED"
    );
    let other = app.gql(Some(&second), ME, json!({})).await;
    assert_eq!(other.data()["me"]["email"], ADMIN_EMAIL);
    assert_eq!(
        app.gql(Some(app.admin()), ME, json!({})).await.data()["me"]["email"],
        ADMIN_EMAIL
    );
    let anonymous = app.gql(None, "mutation { logout }", json!({})).await;
    assert_eq!(anonymous.code(), "UNAUTHENTICATED");
}

async fn every_change_is_audited_never_with_a_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("alpine").await;
    let editor = app.user("ed@test.local", "EDITOR", &["alpine"]).await;
    let id = id_of(&app, &editor).await;
    update(&app, &id, json!({"role": "REVIEWER"})).await.data();
    let reset = app.gql(Some(app.admin()), RESET, json!({"id": id})).await;
    let one_time = reset.data()["resetPassword"].as_str().unwrap().to_string();
    let session = app.login("ed@test.local", &one_time).await;
    app.gql(
        Some(&session),
        CHANGE,
        json!({"c": one_time, "n": "a-brand-new-secret"}),
    )
    .await
    .data();
    app.gql(Some(&session), "mutation { logout }", json!({}))
        .await
        .data();
    let log = app
        .gql(
            Some(app.admin()),
            "{ auditLog(first: 500) { edges { node { actor action target note } } } }",
            json!({}),
        )
        .await;
    let text = log.data().to_string();
    for action in [
        "user.update",
        "user.resetPassword",
        "user.changePassword",
        "user.logout",
    ] {
        assert!(text.contains(action), "{action} is audited: {text}");
    }
    assert!(text.contains("role editor → reviewer"), "{text}");
    for secret in [one_time.as_str(), "a-brand-new-secret", PASSWORD] {
        assert!(!text.contains(secret), "a password reached the audit log");
    }
}

backend_tests!(
    a_disabled_users_existing_token_is_refused_on_the_next_request,
    a_demoted_editor_loses_a_brand_at_once,
    bad_updates_get_the_contracts_codes,
    the_last_active_admin_cannot_be_disabled_or_demoted,
    a_one_time_password_forces_a_change,
    logout_ends_only_that_session,
    every_change_is_audited_never_with_a_password,
);
