//! Sign-in throttling as the contract says: per account (a wait that doubles after the 5th
//! failure) and per address across accounts (the 101st failure and what follows refused), with
//! `X-Forwarded-For` believed only from `trusted_proxies`.

use serde_json::{json, Value};
use std::time::Duration;

use crate::backend_tests;
use crate::helpers::{Answer, Backend, TestApp, ADMIN_EMAIL, PASSWORD};

const LOGIN: &str =
    "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }";

/// Signs in as `email`, from the connection's address or, with `forwarded`, through a proxy
/// that says the client is that.
async fn login(app: &TestApp, email: &str, password: &str, forwarded: Option<&str>) -> Answer {
    let mut request = TestApp::client()
        .post(format!("{}/graphql", app.base))
        .content_type("application/json");
    if let Some(chain) = forwarded {
        request = request.insert_header(("X-Forwarded-For", chain));
    }
    let body = json!({"query": LOGIN, "variables": {"e": email, "p": password}}).to_string();
    let mut response = request.send_body(body).await.expect("request sent");
    let status = response.status().as_u16();
    let bytes = response.body().await.expect("body");
    let body: Value = serde_json::from_slice(&bytes).expect("JSON");
    Answer { status, body }
}

fn retry_after(answer: &Answer) -> u64 {
    assert_eq!(answer.code(), "RATE_LIMITED", "{}", answer.body);
    answer.body["errors"][0]["extensions"]["retryAfter"]
        .as_u64()
        .unwrap_or_else(|| panic!("no retryAfter in {}", answer.body))
}

fn signed_in(answer: &Answer) -> bool {
    answer.body["data"]["login"]["token"].is_string()
}

async fn one_accounts_failures_do_not_hold_up_another_account_on_the_same_address(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    app.user("a@test.local", "AUDITOR", &[]).await;
    for _ in 0..30 {
        let answer = login(&app, "a@test.local", "wrong-password", None).await;
        assert!(
            matches!(answer.code(), "UNAUTHENTICATED" | "RATE_LIMITED"),
            "{}",
            answer.body
        );
    }
    let b = login(&app, ADMIN_EMAIL, PASSWORD, None).await;
    assert!(signed_in(&b), "{}", b.body);
}

async fn an_account_waits_longer_after_each_failure_then_signs_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("a@test.local", "AUDITOR", &[]).await;
    for _ in 0..5 {
        let answer = login(&app, "a@test.local", "wrong-password", None).await;
        assert_eq!(answer.code(), "UNAUTHENTICATED");
    }
    let waiting = login(&app, "a@test.local", "wrong-password", None).await;
    assert_eq!(retry_after(&waiting), 1, "1 s after the 5th failure");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let sixth = login(&app, "a@test.local", "wrong-password", None).await;
    assert_eq!(
        sixth.code(),
        "UNAUTHENTICATED",
        "the attempt made while waiting did not count"
    );
    let at_once = login(&app, "a@test.local", PASSWORD, None).await;
    let wait = retry_after(&at_once);
    assert_eq!(
        wait, 2,
        "2 s after the 6th failure, even with the right password"
    );
    tokio::time::sleep(Duration::from_secs(wait)).await;
    let after = login(&app, "a@test.local", PASSWORD, None).await;
    assert!(signed_in(&after), "{}", after.body);
    let again = login(&app, "a@test.local", "wrong-password", None).await;
    assert_eq!(
        again.code(),
        "UNAUTHENTICATED",
        "a success clears the account's failures"
    );
}

async fn an_address_is_refused_from_its_101st_failure_until_its_count_falls(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.trusted_proxies = Some(vary::config::network::StringList(vec!["127.0.0.1".into()]))
    })
    .await;
    let x = Some("198.51.100.1");
    for i in 0..100 {
        let answer = login(&app, &format!("u{i}@test.local"), "wrong-password", x).await;
        assert_eq!(answer.code(), "UNAUTHENTICATED", "failure {}", i + 1);
    }
    let hundred_first = login(&app, "u100@test.local", "wrong-password", x).await;
    assert!(
        retry_after(&hundred_first) > 60,
        "until the window lets a failure go"
    );
    let right_password = login(&app, ADMIN_EMAIL, PASSWORD, x).await;
    retry_after(&right_password);
    let elsewhere = login(&app, ADMIN_EMAIL, PASSWORD, Some("198.51.100.2")).await;
    assert!(signed_in(&elsewhere), "{}", elsewhere.body);
}

/// Behind a trusted proxy each client counts on its own, and a client cannot escape its count
/// by writing addresses into the header itself; from any other peer the header is ignored.
async fn forwarded_for_counts_only_from_a_trusted_proxy(backend: Backend) {
    let list = |items: &[&str]| {
        Some(vary::config::network::StringList(
            items.iter().map(|s| s.to_string()).collect(),
        ))
    };
    let trusted = TestApp::spawn_with(backend, |c| {
        c.trusted_proxies = list(&["10.0.0.0/8", "127.0.0.1"]);
        c.login_address_max_failures = 3;
    })
    .await;
    for i in 0..3 {
        let answer = login(
            &trusted,
            &format!("u{i}@test.local"),
            "x-password",
            Some("198.51.100.1"),
        )
        .await;
        assert_eq!(answer.code(), "UNAUTHENTICATED");
    }
    let fourth = login(
        &trusted,
        "u3@test.local",
        "x-password",
        Some("198.51.100.1"),
    )
    .await;
    retry_after(&fourth);
    let spoofed = login(
        &trusted,
        ADMIN_EMAIL,
        PASSWORD,
        Some("203.0.113.5, 198.51.100.1, 10.1.1.1"),
    )
    .await;
    retry_after(&spoofed);
    let other_client = login(&trusted, ADMIN_EMAIL, PASSWORD, Some("198.51.100.2")).await;
    assert!(signed_in(&other_client), "{}", other_client.body);

    let untrusted = TestApp::spawn_with(backend, |c| {
        c.trusted_proxies = list(&["10.9.9.9"]);
        c.login_address_max_failures = 3;
    })
    .await;
    for i in 0..4 {
        login(
            &untrusted,
            &format!("u{i}@test.local"),
            "x-password",
            Some(&format!("198.51.100.{i}")),
        )
        .await;
    }
    let ignored = login(&untrusted, ADMIN_EMAIL, PASSWORD, Some("198.51.100.200")).await;
    retry_after(&ignored);
}

backend_tests!(
    one_accounts_failures_do_not_hold_up_another_account_on_the_same_address,
    an_account_waits_longer_after_each_failure_then_signs_in,
    an_address_is_refused_from_its_101st_failure_until_its_count_falls,
    forwarded_for_counts_only_from_a_trusted_proxy,
);
