//! Users from the command line: `migrate` then `user add` (once), its refusals, and `user
//! disable` ending the sessions a running server holds.

use std::io::Write;
use std::process::{Command, Stdio};

use super::common::{free_port, serve_demo};
use super::{graphql, vary, wait_for_exit};

#[test]
fn migrate_then_user_add_creates_a_user_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = vary(dir.path()).arg("migrate").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("vary.db").exists());
    let mut child = vary(dir.path())
        .args([
            "user",
            "add",
            "--email",
            "ops@test.local",
            "--role",
            "auditor",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a-long-password\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("ops@test.local"));
    let again = vary(dir.path())
        .args([
            "user",
            "add",
            "--email",
            "ops@test.local",
            "--role",
            "auditor",
            "--password",
            "a-long-password",
        ])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

#[test]
fn user_add_refuses_a_missing_password_and_an_unknown_role() {
    let dir = tempfile::tempdir().unwrap();
    let out = vary(dir.path())
        .args(["user", "add", "--email", "a@test.local", "--role", "admin"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "clap usage error");
    let out = vary(dir.path())
        .args([
            "user",
            "add",
            "--email",
            "a@test.local",
            "--role",
            "wizard",
            "--password",
            "long-enough-pw",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown role"));
}

/// `vary user disable` beside a running server: the server refuses the user's session within a
/// second (its change feed polls the log) and the user cannot sign in again.
#[test]
fn user_disable_ends_the_sessions_a_running_server_holds() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let (mut server, _) = serve_demo(vary(dir.path()), port);
    let login = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }";
    let credentials = serde_json::json!({"e": "editor@vary.demo", "p": "vary-demo-2026"});
    let answer = graphql(port, None, login, credentials.clone()).unwrap();
    let token = answer["data"]["login"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let me = graphql(
        port,
        Some(&token),
        "{ me { email } }",
        serde_json::json!({}),
    )
    .unwrap();
    assert_eq!(me["data"]["me"]["email"], "editor@vary.demo");

    let out = vary(dir.path())
        .args(["user", "disable", "--email", "editor@vary.demo"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("disabled editor@vary.demo"));
    let disabled_at = std::time::Instant::now();
    loop {
        match graphql(
            port,
            Some(&token),
            "{ me { email } }",
            serde_json::json!({}),
        ) {
            Err(e) => {
                assert!(e.contains("401"), "{e}");
                break;
            }
            Ok(_) => assert!(
                disabled_at.elapsed() < std::time::Duration::from_millis(1500),
                "the session still works {:?} after the disable",
                disabled_at.elapsed()
            ),
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let again = graphql(port, None, login, credentials).unwrap();
    assert_eq!(
        again["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "a disabled user cannot sign in: {again}"
    );
    let unknown = vary(dir.path())
        .args(["user", "disable", "--email", "nobody@vary.demo"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no user"));
    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    wait_for_exit(&mut server);
}
