//! A brand's `previewUrl`: the template "Open preview" fills in. Admins set and clear it; a
//! template that is not an http(s) URL naming `{key}` is BAD_INPUT and changes nothing.

use serde_json::json;

use crate::backend_tests;
use crate::helpers::{Backend, TestApp};

const SET: &str = "mutation($s: String!, $u: String) {
    updateBrand(slug: $s, input: {previewUrl: $u}) { previewUrl version } }";
const READ: &str = "query($s: String!) { brand(slug: $s) { previewUrl version name } }";

async fn an_admin_sets_and_clears_the_preview_url(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("acme").await;
    let template = "https://site.example/{key}?vary_preview={token}";
    let set = app
        .gql(
            Some(app.admin()),
            SET,
            json!({"s": "acme", "u": format!(" {template} ")}),
        )
        .await;
    assert_eq!(set.data()["updateBrand"]["previewUrl"], template);
    let read = app.gql(Some(app.admin()), READ, json!({"s": "acme"})).await;
    assert_eq!(read.data()["brand"]["previewUrl"], template);

    // Other changes leave it alone.
    let renamed = app
        .gql(
            Some(app.admin()),
            "mutation { updateBrand(slug: \"acme\", input: {name: \"Acme Co\"}) { previewUrl } }",
            json!({}),
        )
        .await;
    assert_eq!(renamed.data()["updateBrand"]["previewUrl"], template);

    let cleared = app
        .gql(Some(app.admin()), SET, json!({"s": "acme", "u": null}))
        .await;
    assert!(cleared.data()["updateBrand"]["previewUrl"].is_null());
}

async fn a_bad_template_is_bad_input_and_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("acme").await;
    let before = app.gql(Some(app.admin()), READ, json!({"s": "acme"})).await;
    let before = before.data()["brand"].clone();
    for bad in [
        "https://site.example/page?vary_preview={token}",
        "javascript:alert(1)//{key}",
        "ftp://site.example/{key}",
        "/relative/{key}",
        "https:///{key}",
        "https://{key}.site.example/",
        "https://site.example/{key} and more",
    ] {
        let answer = app
            .gql(Some(app.admin()), SET, json!({"s": "acme", "u": bad}))
            .await;
        assert_eq!(answer.code(), "BAD_INPUT", "{bad}: {}", answer.body);
        assert!(answer.message().contains("previewUrl"), "{}", answer.body);
    }
    let after = app.gql(Some(app.admin()), READ, json!({"s": "acme"})).await;
    assert_eq!(after.data()["brand"], before);
}

async fn only_admins_set_the_preview_url(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("acme").await;
    let editor = app.user("ed@acme.test", "EDITOR", &["acme"]).await;
    let answer = app
        .gql(
            Some(&editor),
            SET,
            json!({"s": "acme", "u": "https://site.example/{key}"}),
        )
        .await;
    assert_eq!(answer.code(), "FORBIDDEN");
    let read = app.gql(Some(&editor), READ, json!({"s": "acme"})).await;
    assert!(read.data()["brand"]["previewUrl"].is_null());
}

backend_tests!(
    an_admin_sets_and_clears_the_preview_url,
    a_bad_template_is_bad_input_and_changes_nothing,
    only_admins_set_the_preview_url,
);
