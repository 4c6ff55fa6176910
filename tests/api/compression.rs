//! Compressed answers: the admin UI's precompressed assets (brotli or gzip, by Accept-Encoding,
//! with `Vary`), gzip on GraphQL and reports, and `HEAD /admin/` answering like `GET`.

use serde_json::json;

use crate::backend_tests;
use crate::helpers::{Backend, TestApp};

/// GET (or HEAD) `path` with `Accept-Encoding`; answers status, headers and the raw body.
async fn fetch(
    app: &TestApp,
    method: &str,
    path: &str,
    encoding: &str,
    token: Option<&str>,
) -> (u16, awc::http::header::HeaderMap, Vec<u8>) {
    let client = TestApp::client();
    let url = format!("{}{}", app.base, path);
    let mut request = match method {
        "HEAD" => client.head(url),
        _ => client.get(url),
    };
    request = request.insert_header(("Accept-Encoding", encoding));
    if let Some(t) = token {
        request = request.insert_header(("Authorization", format!("Bearer {t}")));
    }
    let mut response = request.send().await.expect("request sent");
    let headers = response.headers().clone();
    let body = response.body().limit(50_000_000).await.expect("body");
    (response.status().as_u16(), headers, body.to_vec())
}

fn header<'a>(headers: &'a awc::http::header::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn gunzip(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut out = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut out)
        .expect("valid gzip");
    out
}

async fn the_admin_ui_and_the_api_answer_compressed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, headers, index) = fetch(&app, "GET", "/admin/", "identity", None).await;
    assert_eq!(status, 200);
    let index = String::from_utf8(index).unwrap();
    let (head_status, head_headers, head_body) =
        fetch(&app, "HEAD", "/admin/", "identity", None).await;
    assert_eq!(head_status, 200, "HEAD /admin/ answers like GET");
    assert_eq!(
        header(&head_headers, "content-type"),
        header(&headers, "content-type")
    );
    assert!(head_body.is_empty());
    assert_eq!(
        fetch(&app, "HEAD", "/admin", "identity", None).await.0,
        200,
        "redirected to /admin/"
    );

    // The UI's script (absent from a binary built without the UI).
    let script = index
        .split("src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .filter(|src| src.starts_with("/admin/assets/"));
    if let Some(script) = script {
        let (_, plain_h, plain) = fetch(&app, "GET", script, "identity", None).await;
        assert_eq!(header(&plain_h, "content-encoding"), None);
        assert_eq!(header(&plain_h, "vary"), Some("Accept-Encoding"));
        let (_, br_h, br) = fetch(&app, "GET", script, "gzip, deflate, br", None).await;
        assert_eq!(header(&br_h, "content-encoding"), Some("br"));
        assert_eq!(header(&br_h, "vary"), Some("Accept-Encoding"));
        assert!(header(&br_h, "content-type")
            .unwrap()
            .contains("javascript"));
        assert!(
            br.len() * 2 < plain.len(),
            "{} vs {}",
            br.len(),
            plain.len()
        );
        let (_, gz_h, gz) = fetch(&app, "GET", script, "gzip", None).await;
        assert_eq!(header(&gz_h, "content-encoding"), Some("gzip"));
        assert_eq!(gunzip(&gz).as_bytes(), plain.as_slice());
        let (head_status, head_h, _) = fetch(&app, "HEAD", script, "br", None).await;
        assert_eq!(head_status, 200);
        assert_eq!(header(&head_h, "content-encoding"), Some("br"));
    } else {
        eprintln!("this binary was built without the admin UI: asset encodings not checked");
    }

    // GraphQL answers are gzipped when asked, plain otherwise.
    let body = json!({"query": "{ __schema { types { name } } }"}).to_string();
    let mut response = TestApp::client()
        .post(format!("{}/graphql", app.base))
        .content_type("application/json")
        .insert_header(("Accept-Encoding", "gzip"))
        .insert_header(("Authorization", format!("Bearer {}", app.admin())))
        .send_body(body)
        .await
        .expect("sent");
    assert_eq!(header(response.headers(), "content-encoding"), Some("gzip"));
    let bytes = response.body().limit(50_000_000).await.unwrap();
    let answer: serde_json::Value = serde_json::from_str(&gunzip(&bytes)).unwrap();
    assert!(answer["data"]["__schema"]["types"].is_array());

    // Reports too, streamed.
    let (status, report_h, report) = fetch(
        &app,
        "GET",
        "/api/reports/audit?format=csv",
        "gzip",
        Some(app.admin()),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(header(&report_h, "content-encoding"), Some("gzip"));
    assert!(gunzip(&report).lines().next().is_some());
}

backend_tests!(the_admin_ui_and_the_api_answer_compressed);
