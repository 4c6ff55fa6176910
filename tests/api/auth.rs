//! Signing in, sessions and tokens.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::json;

use crate::backend_tests;
use crate::helpers::{Backend, TestApp, ADMIN_EMAIL, PASSWORD};

const ME: &str = "{ me { email role brands } }";

async fn login_returns_a_token_that_identifies_the_user(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let answer = app.gql(Some(app.admin()), ME, json!({})).await;
    assert_eq!(answer.data()["me"]["email"], ADMIN_EMAIL);
    assert_eq!(answer.data()["me"]["role"], "ADMIN");
}

async fn wrong_credentials_are_unauthenticated_then_rate_limited(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.login_max_failures = 3).await;
    let login = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }";
    for _ in 0..3 {
        let answer = app
            .gql(
                None,
                login,
                json!({"e": ADMIN_EMAIL, "p": "wrong-password"}),
            )
            .await;
        assert_eq!(answer.code(), "UNAUTHENTICATED");
    }
    let answer = app
        .gql(None, login, json!({"e": ADMIN_EMAIL, "p": PASSWORD}))
        .await;
    assert_eq!(
        answer.code(),
        "RATE_LIMITED",
        "locked out even with the right password"
    );
    let unknown = app
        .gql(
            None,
            login,
            json!({"e": "nobody@test.local", "p": "whatever-password"}),
        )
        .await;
    assert_eq!(
        unknown.code(),
        "UNAUTHENTICATED",
        "another account from the same address is not held up"
    );
}

async fn unknown_accounts_answer_like_wrong_passwords(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let login = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }";
    let answer = app
        .gql(
            None,
            login,
            json!({"e": "ghost@test.local", "p": "whatever-password"}),
        )
        .await;
    assert_eq!(answer.code(), "UNAUTHENTICATED");
    assert_eq!(answer.message(), "wrong e-mail or password");
}

async fn bad_tokens_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.admin().to_string();
    let (header, payload, _signature) = {
        let mut parts = token.split('.');
        (
            parts.next().unwrap().to_string(),
            parts.next().unwrap().to_string(),
            parts.next().unwrap().to_string(),
        )
    };
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&payload).unwrap()).unwrap();
    let encode = |v: &serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let none_header = encode(&json!({"alg": "none", "typ": "JWT"}));
    let mut expired = claims.clone();
    expired["exp"] = json!(1_000_000);
    let mut other_audience = claims.clone();
    other_audience["aud"] = json!("somebody-else");
    let forged_signature = format!("{header}.{payload}.{}", URL_SAFE_NO_PAD.encode([0u8; 32]));
    let cases = [
        ("forged signature", forged_signature),
        ("alg none", format!("{none_header}.{payload}.")),
        (
            "expired, re-signed with a wrong key",
            format!("{header}.{}.{}", encode(&expired), "AAAA"),
        ),
        (
            "wrong audience, unsigned",
            format!("{none_header}.{}.", encode(&other_audience)),
        ),
        ("garbage", "not-a-token".to_string()),
        ("unknown delivery key", "vary_dk_doesnotexist".to_string()),
    ];
    for (case, bad) in cases {
        let answer = app.gql(Some(&bad), ME, json!({})).await;
        assert_eq!(answer.status, 401, "{case}");
        assert_eq!(answer.code(), "UNAUTHENTICATED", "{case}");
    }
}

async fn expired_and_wrong_audience_tokens_signed_with_the_real_key_are_refused(backend: Backend) {
    use jsonwebtoken::{encode, EncodingKey, Header};
    let app = TestApp::spawn_with(backend, |c| c.jwt_secret = Some("s".repeat(40))).await;
    let key = EncodingKey::from_secret("s".repeat(40).as_bytes());
    let now = chrono::Utc::now().timestamp();
    // A session names an existing account (its id), else it is refused whatever it claims.
    let admin_id = app
        .gql(Some(app.admin()), "{ me { id } }", json!({}))
        .await
        .data()["me"]["id"]
        .clone();
    let base = json!({"sub": admin_id, "email": ADMIN_EMAIL, "role": "admin", "brands": [], "iss": "vary",
                      "aud": "vary:session", "iat": now, "exp": now + 600, "jti": "j"});
    let mut expired = base.clone();
    expired["exp"] = json!(now - 600);
    let mut wrong_audience = base.clone();
    wrong_audience["aud"] = json!("vary:delivery");
    let mut wrong_issuer = base.clone();
    wrong_issuer["iss"] = json!("elsewhere");
    let good = encode(&Header::default(), &base, &key).unwrap();
    assert_eq!(
        app.gql(Some(&good), ME, json!({})).await.data()["me"]["email"],
        ADMIN_EMAIL
    );
    for (case, claims) in [
        ("expired", expired),
        ("audience", wrong_audience),
        ("issuer", wrong_issuer),
    ] {
        let token = encode(&Header::default(), &claims, &key).unwrap();
        assert_eq!(
            app.gql(Some(&token), ME, json!({})).await.code(),
            "UNAUTHENTICATED",
            "{case}"
        );
    }
}

/// Tokens forged with the real secret: one not valid yet (`nbf` ahead), one whose lifetime
/// (`exp - iat`) is longer than `session_ttl_secs`, one issued in the future (which would
/// stretch a short lifetime). All are refused; the same claims within the rules pass.
async fn tokens_not_yet_valid_or_outliving_a_session_are_refused(backend: Backend) {
    use jsonwebtoken::{encode, EncodingKey, Header};
    let app = TestApp::spawn_with(backend, |c| {
        c.jwt_secret = Some("s".repeat(40));
        c.session_ttl_secs = 600;
    })
    .await;
    let key = EncodingKey::from_secret("s".repeat(40).as_bytes());
    let now = chrono::Utc::now().timestamp();
    // A session names an existing account (its id), else it is refused whatever it claims.
    let admin_id = app
        .gql(Some(app.admin()), "{ me { id } }", json!({}))
        .await
        .data()["me"]["id"]
        .clone();
    let base = json!({"sub": admin_id, "email": ADMIN_EMAIL, "role": "admin", "brands": [], "iss": "vary",
                      "aud": "vary:session", "iat": now, "exp": now + 600, "jti": "j"});
    let with = |changes: serde_json::Value| {
        let mut claims = base.clone();
        for (k, v) in changes.as_object().unwrap() {
            claims[k] = v.clone();
        }
        encode(&Header::default(), &claims, &key).unwrap()
    };
    for (case, token) in [
        ("within the rules", with(json!({}))),
        ("nbf passed", with(json!({"nbf": now - 60}))),
    ] {
        assert_eq!(
            app.gql(Some(&token), ME, json!({})).await.data()["me"]["email"],
            ADMIN_EMAIL,
            "{case}"
        );
    }
    for (case, token) in [
        ("nbf in an hour", with(json!({"nbf": now + 3600}))),
        ("nbf malformed", with(json!({"nbf": "soon"}))),
        (
            "lifetime one second past the TTL",
            with(json!({"exp": now + 601})),
        ),
        (
            "a year-long token",
            with(json!({"iat": now - 60, "exp": now + 365 * 86400})),
        ),
        (
            "issued in the future",
            with(json!({"iat": now + 86400, "exp": now + 86400 + 600})),
        ),
    ] {
        let answer = app.gql(Some(&token), ME, json!({})).await;
        assert_eq!(answer.status, 401, "{case}");
        assert_eq!(answer.code(), "UNAUTHENTICATED", "{case}");
    }
}

async fn anonymous_callers_may_only_log_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert!(app.gql(None, ME, json!({})).await.data()["me"].is_null());
    let answer = app.gql(None, "{ brands { slug } }", json!({})).await;
    assert_eq!(answer.code(), "UNAUTHENTICATED");
}

async fn the_jwt_secret_is_generated_once_and_kept_private(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let path = app.data_dir.path().join("jwt-secret");
    if backend == Backend::Postgres {
        // Every node of a deployment signs with one secret, kept in the database: no file.
        assert!(
            !path.exists(),
            "on PostgreSQL the secret is shared through the database"
        );
        return;
    }
    let secret = std::fs::read_to_string(&path).expect("secret file");
    assert!(secret.len() >= 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

backend_tests!(
    login_returns_a_token_that_identifies_the_user,
    wrong_credentials_are_unauthenticated_then_rate_limited,
    unknown_accounts_answer_like_wrong_passwords,
    bad_tokens_are_refused,
    expired_and_wrong_audience_tokens_signed_with_the_real_key_are_refused,
    tokens_not_yet_valid_or_outliving_a_session_are_refused,
    anonymous_callers_may_only_log_in,
    the_jwt_secret_is_generated_once_and_kept_private,
);
