//! `auditVerification`: the audit chain as `vary audit verify` sees it, for auditors and admins.

use serde_json::json;

use crate::backend_tests;
use crate::helpers::{Backend, TestApp};

const VERIFY: &str = "{ auditVerification { intact firstBrokenSeq } }";

async fn the_audit_chain_is_verified_on_request(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_brand("chain").await;
    let answer = app.gql(Some(app.admin()), VERIFY, json!({})).await;
    assert_eq!(
        answer.data()["auditVerification"],
        json!({"intact": true, "firstBrokenSeq": null})
    );
    let auditor = app.user("aud@test.local", "AUDITOR", &[]).await;
    assert_eq!(
        app.gql(Some(&auditor), VERIFY, json!({})).await.data()["auditVerification"]["intact"],
        true
    );
    let editor = app.user("ed@test.local", "EDITOR", &["chain"]).await;
    assert_eq!(
        app.gql(Some(&editor), VERIFY, json!({})).await.code(),
        "FORBIDDEN"
    );
}

backend_tests!(the_audit_chain_is_verified_on_request);
