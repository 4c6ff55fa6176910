//! The HTTP surface: malformed and oversized requests, limits, GraphiQL, operations routes.

use serde_json::json;

use crate::backend_tests;
use crate::helpers::{Backend, TestApp};

async fn an_unparseable_body_is_bad_input_with_status_400(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for body in ["{not json", "[]x", "\"just a string\"", ""] {
        let answer = app.post_raw(Some(app.admin()), body).await;
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(answer.code(), "BAD_INPUT", "{body}");
    }
    let syntax = app.gql(Some(app.admin()), "{ me { email ", json!({})).await;
    assert_eq!(syntax.code(), "BAD_INPUT");
    let unknown = app
        .gql(Some(app.admin()), "{ nothingHere }", json!({}))
        .await;
    assert_eq!(unknown.code(), "BAD_INPUT");
}

async fn an_oversized_body_is_limit_exceeded_with_status_413(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.max_body_bytes = 10_000).await;
    let body =
        json!({"query": format!("{{ me {{ email }} }} #{}", "x".repeat(20_000))}).to_string();
    let answer = app.post_raw(Some(app.admin()), body).await;
    assert_eq!(answer.status, 413);
    assert_eq!(answer.code(), "LIMIT_EXCEEDED");
}

async fn deep_or_wide_queries_are_limit_exceeded(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut deep = String::from("email");
    for _ in 0..20 {
        deep = format!("variants {{ entry {{ {deep} }} }}");
    }
    let answer = app
        .gql(
            Some(app.admin()),
            &format!("{{ entries {{ edges {{ node {{ {deep} }} }} }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(answer.code(), "LIMIT_EXCEEDED");
    let aliases: String = (0..3000)
        .map(|i| format!("a{i}: me {{ email }} "))
        .collect();
    let answer = app
        .gql(Some(app.admin()), &format!("{{ {aliases} }}"), json!({}))
        .await;
    assert_eq!(answer.code(), "LIMIT_EXCEEDED");
}

async fn batches_are_capped_and_each_operation_limited(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.graphql_max_batch = 3).await;
    let one = json!({"query": "{ me { email } }"});
    let ok = app
        .post_raw(Some(app.admin()), json!([one, one]).to_string())
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body[1]["data"]["me"]["email"], "admin@test.local");
    let too_many = app
        .post_raw(Some(app.admin()), json!([one, one, one, one]).to_string())
        .await;
    assert_eq!(too_many.code(), "LIMIT_EXCEEDED");
}

async fn get_serves_queries_and_graphiql_but_never_mutations(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut response = TestApp::client()
        .get(format!("{}/graphql", app.base))
        .insert_header(("Accept", "text/html"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let csp = response
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let html = String::from_utf8_lossy(&response.body().await.unwrap()).to_string();
    assert!(html.contains("graphiql"), "GraphiQL page");
    // Served from the binary: nothing from a CDN (#24 item 11).
    assert!(!html.contains("https://"), "{html}");
    assert!(csp.contains("script-src 'self';"), "{csp}");
    assert!(!csp.contains("unpkg"), "{csp}");
    let (status, body) = app
        .get("/graphql?query=%7B%20me%20%7B%20email%20%7D%20%7D")
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = app
        .get("/graphql?query=mutation%20%7B%20revokeDeliveryKey(id%3A%20%22x%22)%20%7D")
        .await;
    assert_eq!(status, 405);
}

async fn errors_never_leak_internals(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let answer = app
        .gql(
            Some(app.admin()),
            "{ variant(id: \"' OR 1=1 --\") { id } }",
            json!({}),
        )
        .await;
    assert!(answer.data()["variant"].is_null());
    let text = answer.body.to_string().to_lowercase();
    for leak in ["select", "sqlite", "postgres", "/tmp", ".rs:"] {
        assert!(!text.contains(leak), "{leak} in {text}");
    }
}

async fn health_readiness_and_metrics_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(app.get("/healthz").await.0, 200);
    let (status, body) = app.get("/readyz").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"database\":true"));
    app.gql(Some(app.admin()), "{ nothingHere }", json!({}))
        .await;
    let (status, metrics) = app.get("/metrics").await;
    assert_eq!(status, 200);
    assert!(
        metrics.contains(
            "vary_http_requests_total{method=\"POST\",route=\"/graphql\",status=\"200\"}"
        ),
        "{metrics}"
    );
    assert!(metrics.contains("vary_graphql_errors_total{code=\"BAD_INPUT\"}"));
    assert!(metrics.contains("vary_http_request_duration_seconds_bucket"));
    for name in [
        "vary_usage_events_written_total",
        "vary_usage_queue_pending",
        "vary_usage_index_events",
        "vary_search_index_documents",
    ] {
        assert!(metrics.contains(name), "{name} in {metrics}");
    }
}

async fn unknown_routes_answer_json_errors(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, body) = app.get("/no/such/route").await;
    assert_eq!(status, 404);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["error"]["code"], "NOT_FOUND");
}

async fn the_admin_ui_is_served_from_the_binary(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, body) = app.get("/admin/").await;
    assert_eq!(status, 200);
    assert!(
        body.contains("<html") || body.contains("<!doctype") || body.contains("<!DOCTYPE"),
        "{body}"
    );
    let (status, deep_link) = app.get("/admin/entries/alpine/home-hero").await;
    assert_eq!(status, 200, "single-page routes fall back to index.html");
    assert_eq!(deep_link, body);
}

/// The directive `name` of a Content-Security-Policy, without its name.
fn directive<'a>(csp: &'a str, name: &str) -> &'a str {
    csp.split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix(name).filter(|rest| rest.starts_with(' ')))
        .unwrap_or_else(|| panic!("no {name} in {csp}"))
        .trim()
}

/// The admin UI and GraphiQL forbid framing and sniffing and carry a Content-Security-Policy:
/// a strict one for the admin UI, and for GraphiQL one that allows its own origin only (checked
/// against the page itself: every script and stylesheet is one of ours, none is inline).
async fn html_pages_carry_a_content_security_policy(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = TestApp::client();
    let header = |response: &awc::ClientResponse<_>, name: &str| {
        response
            .headers()
            .get(name)
            .unwrap_or_else(|| panic!("no {name}"))
            .to_str()
            .unwrap()
            .to_string()
    };
    let (_, index) = app.get("/admin/").await;
    let mut paths = vec!["/admin/".to_string(), "/admin/entries/alpine/x".to_string()];
    paths.extend(
        regex::Regex::new(r#"(?:src|href)="(/admin/assets/[^"]+)""#)
            .unwrap()
            .captures_iter(&index)
            .map(|c| c[1].to_string()),
    );
    for path in &paths {
        let response = client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            header(&response, "x-content-type-options"),
            "nosniff",
            "{path}"
        );
        assert_eq!(header(&response, "x-frame-options"), "DENY", "{path}");
        let csp = header(&response, "content-security-policy");
        assert_eq!(directive(&csp, "frame-ancestors"), "'none'", "{path}");
        assert_eq!(directive(&csp, "default-src"), "'self'", "{path}");
        assert_eq!(directive(&csp, "script-src"), "'self'", "{path}");
        assert_eq!(directive(&csp, "style-src"), "'self'", "{path}");
        assert_eq!(directive(&csp, "object-src"), "'none'", "{path}");
    }

    let mut response = client
        .get(format!("{}/graphql", app.base))
        .insert_header(("Accept", "text/html"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    let csp = header(&response, "content-security-policy");
    let page = String::from_utf8(response.body().await.unwrap().to_vec()).unwrap();
    assert_eq!(directive(&csp, "frame-ancestors"), "'none'");
    assert_eq!(directive(&csp, "default-src"), "'none'");
    let scripts = directive(&csp, "script-src");
    assert!(!scripts.contains("unsafe"), "{scripts}");
    // Built into the binary (#24 item 11): its scripts and styles come from this origin only,
    // and the page has no inline script.
    assert_eq!(scripts, "'self'", "{csp}");
    let tag = regex::Regex::new(r#"<(script|link)\b([^>]*)>"#).unwrap();
    let url = regex::Regex::new(r#"(?:src|href)="([^"]+)""#).unwrap();
    let mut own = 0;
    for found in tag.captures_iter(&page) {
        let Some(src) = url.captures(&found[2]).map(|c| c[1].to_string()) else {
            continue;
        };
        assert!(
            src.starts_with("/admin/assets/"),
            "{src} is not one of ours"
        );
        own += 1;
    }
    assert!(own >= 2, "GraphiQL's script and stylesheet: {page}");
    let inline = regex::Regex::new(r"(?s)<script>(.*?)</script>").unwrap();
    assert_eq!(inline.captures_iter(&page).count(), 0, "{page}");
}

backend_tests!(
    an_unparseable_body_is_bad_input_with_status_400,
    an_oversized_body_is_limit_exceeded_with_status_413,
    deep_or_wide_queries_are_limit_exceeded,
    batches_are_capped_and_each_operation_limited,
    get_serves_queries_and_graphiql_but_never_mutations,
    errors_never_leak_internals,
    health_readiness_and_metrics_answer,
    unknown_routes_answer_json_errors,
    the_admin_ui_is_served_from_the_binary,
    html_pages_carry_a_content_security_policy,
);
