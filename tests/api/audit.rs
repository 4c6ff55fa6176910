//! The audit log through GraphQL and the streamed REST report.

use serde_json::json;

use crate::backend_tests;
use crate::helpers::{hero, Backend, TestApp};

async fn audit_report(app: &TestApp, token: Option<&str>, query: &str) -> (u16, String) {
    app.get_as(token, &format!("/api/reports/audit?{query}"))
        .await
}

async fn auditors_page_through_the_audit_log(backend: Backend) {
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
    let auditor = app.user("aud@test.local", "AUDITOR", &[]).await;
    let query = "query($a: String) { auditLog(brand: \"alpine\", first: 2, after: $a) { edges { cursor node { actor action target brand revisionAfter hash } } pageInfo { hasNextPage endCursor } } }";
    let mut actions = Vec::new();
    let mut after = serde_json::Value::Null;
    loop {
        let answer = app.gql(Some(&auditor), query, json!({"a": after})).await;
        let conn = answer.data()["auditLog"].clone();
        for edge in conn["edges"].as_array().unwrap() {
            assert_eq!(edge["node"]["brand"], "alpine");
            actions.push(edge["node"]["action"].as_str().unwrap().to_string());
        }
        if !conn["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = conn["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(
        actions,
        [
            "brand.create",
            "content_type.create",
            "entry.create",
            "variant.create",
            "variant.publish"
        ]
    );
    let editor = app.user("ed@test.local", "EDITOR", &["alpine"]).await;
    assert_eq!(
        app.gql(
            Some(&editor),
            "{ auditLog { edges { cursor } } }",
            json!({})
        )
        .await
        .code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql(
            Some(&auditor),
            "{ auditLog(first: 501) { edges { cursor } } }",
            json!({})
        )
        .await
        .code(),
        "BAD_INPUT"
    );
}

async fn the_audit_report_streams_csv_and_json(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("alpine").await;
    let auditor = app.user("aud@test.local", "AUDITOR", &[]).await;
    let (status, csv) = audit_report(&app, Some(&auditor), "brand=alpine&format=csv").await;
    assert_eq!(status, 200);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("at,actor,action,target,brand,revisionBefore,revisionAfter,note,hash")
    );
    assert_eq!(lines.count(), 3, "{csv}");
    let (status, body) = audit_report(
        &app,
        Some(&auditor),
        "format=json&from=2000-01-01&to=2999-12-31",
    )
    .await;
    assert_eq!(status, 200);
    let rows: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(rows.as_array().unwrap().len() >= 5, "{body}");
    let (status, none) = audit_report(&app, Some(&auditor), "format=json&to=2000-01-01").await;
    assert_eq!((status, none.as_str()), (200, "[]"));
    for (token, query, expected) in [
        (None, "format=csv", 401),
        (Some(app.admin()), "format=xml", 400),
        (Some(app.admin()), "from=yesterday", 400),
        (Some(app.admin()), "from=2026-02-01&to=2026-01-01", 400),
    ] {
        let (status, body) = audit_report(&app, token, query).await;
        assert_eq!(status, expected, "{query}: {body}");
        assert!(body.contains("\"code\""), "{body}");
    }
    let editor = app.user("ed@test.local", "EDITOR", &["alpine"]).await;
    assert_eq!(audit_report(&app, Some(&editor), "format=csv").await.0, 403);
}

/// Actors (even the e-mail typed in a failed login) and notes are what someone typed: a cell a
/// spreadsheet would compute is written with a leading `'`.
async fn the_audit_csv_escapes_what_people_typed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    // Lower case: a login is audited under the e-mail as it is looked up.
    let typed = "=cmd|' /c calc'!a0";
    let failed = app
        .gql(
            None,
            "mutation($e: String!) { login(email: $e, password: \"wrong\") { token } }",
            json!({"e": typed}),
        )
        .await;
    assert_eq!(failed.code(), "UNAUTHENTICATED");
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
    let note = "@SUM(1+1)*cmd|' /C calc'!A0";
    app.gql(
        Some(app.admin()),
        "mutation($id: ID!, $n: String!) { rejectVariant(id: $id, note: $n) { id } }",
        json!({"id": id, "n": note}),
    )
    .await
    .data();
    let (status, csv) = audit_report(&app, Some(app.admin()), "format=csv").await;
    assert_eq!(status, 200, "{csv}");
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    let column = |name: &str, want: &str| {
        let at = [
            "at",
            "actor",
            "action",
            "target",
            "brand",
            "revisionBefore",
            "revisionAfter",
            "note",
            "hash",
        ]
        .iter()
        .position(|c| *c == name)
        .unwrap();
        assert!(
            rows.iter().any(|r| &r[at] == want),
            "{name} {want:?} in {csv}"
        );
    };
    column("actor", &format!("'{typed}"));
    column("note", &format!("'{note}"));
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?} in {csv}"
            );
        }
    }
}

backend_tests!(
    auditors_page_through_the_audit_log,
    the_audit_report_streams_csv_and_json,
    the_audit_csv_escapes_what_people_typed
);
