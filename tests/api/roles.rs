//! The role matrix: each role and a delivery key × each operation, allowed or refused, with
//! brand scopes honoured.

use serde_json::{json, Value};

use crate::backend_tests;
use crate::helpers::{hero, Answer, Backend, TestApp};

/// What a caller should get.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Allowed,
    Refused(&'static str),
}
use Expect::{Allowed, Refused};
const F: Expect = Refused("FORBIDDEN");
const U: Expect = Refused("UNAUTHENTICATED");
const N: Expect = Refused("NOT_FOUND");

fn check(answer: &Answer, expect: Expect, what: &str) {
    match expect {
        Allowed => assert!(
            answer.body.get("errors").is_none(),
            "{what}: expected success, got {}",
            answer.body
        ),
        Refused(code) => assert_eq!(answer.code(), code, "{what}: {}", answer.body),
    }
}

struct Callers {
    tokens: Vec<(&'static str, Option<String>)>,
}

async fn callers(app: &TestApp) -> Callers {
    let tokens = vec![
        ("admin", Some(app.admin().to_string())),
        (
            "editor",
            Some(app.user("ed@test.local", "EDITOR", &["alpine"]).await),
        ),
        (
            "outsider",
            Some(app.user("out@test.local", "EDITOR", &["bank"]).await),
        ),
        (
            "reviewer",
            Some(app.user("rev@test.local", "REVIEWER", &["alpine"]).await),
        ),
        (
            "auditor",
            Some(app.user("aud@test.local", "AUDITOR", &[]).await),
        ),
        ("key", Some(app.delivery_key("alpine").await)),
        ("anonymous", None),
    ];
    Callers { tokens }
}

/// Runs `op` for every caller and checks it against `expected` (in the order of `callers`).
async fn matrix<F, Fut>(app: &TestApp, callers: &Callers, what: &str, expected: [Expect; 7], op: F)
where
    F: Fn(Option<String>, usize) -> Fut,
    Fut: std::future::Future<Output = Answer>,
{
    for (i, ((name, token), expect)) in callers.tokens.iter().zip(expected).enumerate() {
        let answer = op(token.clone(), i).await;
        check(&answer, expect, &format!("{what} as {name}"));
    }
    let _ = app;
}

async fn every_role_may_do_exactly_what_the_contract_says(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    app.seed_brand("bank").await;
    let who = callers(&app).await;
    let gql = |token: Option<String>, query: &'static str, vars: Value| {
        let app = &app;
        async move { app.gql(token.as_deref(), query, vars).await }
    };
    //                                   admin    editor   outsider reviewer auditor  key      anonymous
    matrix(&app, &who, "createBrand", [Allowed, F, F, F, F, F, U], |t, i| {
        gql(t, "mutation($s: String!) { createBrand(input: {slug: $s, name: \"N\", defaultLocale: \"en\"}) { slug } }", json!({"s": format!("b{i}")}))
    })
    .await;
    matrix(&app, &who, "createContentType", [Allowed, F, F, F, F, F, U], |t, i| {
        gql(t, "mutation($n: String!) { createContentType(input: {brand: \"alpine\", name: $n, fields: [{name: \"t\", kind: TEXT}]}) { id } }", json!({"n": format!("T{i}")}))
    })
    .await;
    matrix(&app, &who, "createEntry", [Allowed, Allowed, F, F, F, F, U], |t, i| {
        gql(t, "mutation($k: String!) { createEntry(input: {brand: \"alpine\", key: $k, contentType: \"Hero\"}) { id } }", json!({"k": format!("e{i}")}))
    })
    .await;
    matrix(
        &app,
        &who,
        "createVariant",
        [Allowed, Allowed, F, F, F, F, U],
        |t, _| {
            gql(
                t,
                "mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }",
                json!({"i": {"entryId": entry, "name": "v", "fields": hero("t")}}),
            )
        },
    )
    .await;
    let mut fresh = Vec::new();
    for _ in 0..7 {
        fresh.push(
            app.variant(
                app.admin(),
                &entry,
                json!({"name": "v", "fields": hero("t")}),
            )
            .await,
        );
    }
    matrix(&app, &who, "updateVariant", [Allowed, Allowed, N, F, F, F, U], |t, i| {
        gql(t, "mutation($id: ID!) { updateVariant(id: $id, expectedVersion: 1, patch: {name: \"x\"}) { id } }", json!({"id": fresh[i]}))
    })
    .await;
    let mut fresh = Vec::new();
    for _ in 0..7 {
        fresh.push(
            app.variant(
                app.admin(),
                &entry,
                json!({"name": "p", "fields": hero("t")}),
            )
            .await,
        );
    }
    matrix(
        &app,
        &who,
        "publishVariant",
        [Allowed, Allowed, N, Allowed, F, F, U],
        |t, i| {
            gql(
                t,
                "mutation($id: ID!) { publishVariant(id: $id) { id } }",
                json!({"id": fresh[i]}),
            )
        },
    )
    .await;
    matrix(&app, &who, "createUser", [Allowed, F, F, F, F, F, U], |t, i| {
        gql(t, "mutation($e: String!) { createUser(input: {email: $e, password: \"long-enough-pw\", role: AUDITOR}) { id } }", json!({"e": format!("new{i}@test.local")}))
    })
    .await;
    matrix(
        &app,
        &who,
        "createDeliveryKey",
        [Allowed, F, F, F, F, F, U],
        |t, _| {
            gql(
                t,
                "mutation { createDeliveryKey(brand: \"alpine\", name: \"k\") { token } }",
                json!({}),
            )
        },
    )
    .await;
    matrix(&app, &who, "users", [Allowed, F, F, F, F, F, U], |t, _| {
        gql(t, "{ users { email } }", json!({}))
    })
    .await;
    matrix(
        &app,
        &who,
        "entries of alpine",
        [Allowed, Allowed, F, Allowed, Allowed, F, U],
        |t, _| {
            gql(
                t,
                "{ entries(brand: \"alpine\") { totalCount } }",
                json!({}),
            )
        },
    )
    .await;
    matrix(
        &app,
        &who,
        "preview",
        [Allowed, Allowed, F, Allowed, Allowed, F, U],
        |t, _| {
            gql(
                t,
                "{ preview(brand: \"alpine\", key: \"home-hero\") { reason } }",
                json!({}),
            )
        },
    )
    .await;
    matrix(
        &app,
        &who,
        "content",
        [Allowed, Allowed, F, Allowed, Allowed, Allowed, U],
        |t, _| {
            gql(
                t,
                "{ content(brand: \"alpine\", key: \"home-hero\") { reason } }",
                json!({}),
            )
        },
    )
    .await;
    matrix(
        &app,
        &who,
        "content of another brand",
        [Allowed, F, Allowed, F, Allowed, F, U],
        |t, _| {
            gql(
                t,
                "{ content(brand: \"bank\", key: \"home-hero\") { reason } }",
                json!({}),
            )
        },
    )
    .await;
}

async fn scoped_callers_see_only_their_brands(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("alpine").await;
    app.seed_brand("bank").await;
    let editor = app.user("ed@test.local", "EDITOR", &["alpine"]).await;
    let brands = app
        .gql(Some(&editor), "{ brands { slug } }", json!({}))
        .await;
    assert_eq!(brands.data()["brands"], json!([{"slug": "alpine"}]));
    let entries = app
        .gql(
            Some(&editor),
            "{ entries { totalCount edges { node { brand { slug } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(entries.data()["entries"]["totalCount"], 1);
    let auditor = app.user("aud@test.local", "AUDITOR", &[]).await;
    let all = app
        .gql(Some(&auditor), "{ brands { slug } }", json!({}))
        .await;
    assert_eq!(all.data()["brands"].as_array().unwrap().len(), 2);
}

async fn a_scoped_role_needs_a_brand_and_a_global_one_takes_none(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("alpine").await;
    let create = "mutation($r: Role!, $b: [String!]) { createUser(input: {email: \"x@test.local\", password: \"long-enough-pw\", role: $r, brands: $b}) { id } }";
    assert_eq!(
        app.gql(Some(app.admin()), create, json!({"r": "EDITOR", "b": []}))
            .await
            .code(),
        "BAD_INPUT"
    );
    assert_eq!(
        app.gql(
            Some(app.admin()),
            create,
            json!({"r": "AUDITOR", "b": ["alpine"]})
        )
        .await
        .code(),
        "BAD_INPUT"
    );
    assert_eq!(
        app.gql(
            Some(app.admin()),
            create,
            json!({"r": "EDITOR", "b": ["nope"]})
        )
        .await
        .code(),
        "NOT_FOUND"
    );
    let weak = "mutation { createUser(input: {email: \"y@test.local\", password: \"short\", role: ADMIN}) { id } }";
    assert_eq!(
        app.gql(Some(app.admin()), weak, json!({})).await.code(),
        "BAD_INPUT"
    );
}

backend_tests!(
    every_role_may_do_exactly_what_the_contract_says,
    scoped_callers_see_only_their_brands,
    a_scoped_role_needs_a_brand_and_a_global_one_takes_none,
);
