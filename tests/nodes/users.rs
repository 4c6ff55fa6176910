//! A user's sessions across nodes: a disable or a logout made through one node ends the session
//! on the other within a second, with no database read per request there.

use serde_json::json;
use std::time::Duration;

use crate::support::{two_nodes, within, TwoNodes};

const SECOND: Duration = Duration::from_secs(1);
const EVE: &str = "eve@nodes.test";
const EVES_PASSWORD: &str = "another-long-password";

fn code(answer: &serde_json::Value) -> &str {
    answer["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

#[test]
fn a_user_disabled_or_logged_out_on_one_node_is_refused_by_the_other_within_a_second() {
    let Some(TwoNodes {
        db: _db,
        a,
        b,
        token: admin,
    }) = two_nodes()
    else {
        return;
    };
    let id = a.gql(
        Some(&admin),
        "mutation($e: String!, $p: String!) { createUser(input: {email: $e, password: $p, role: AUDITOR}) { id } }",
        json!({"e": EVE, "p": EVES_PASSWORD}),
    )["createUser"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let first = b.try_login(EVE, EVES_PASSWORD).expect("eve signs in on B");
    let second = b.try_login(EVE, EVES_PASSWORD).expect("and again");
    let me = "{ me { email } }";

    a.gql(Some(&first), "mutation { logout }", json!({}));
    let took = within(SECOND, "a session ended on A is refused by B", || {
        code(&b.answer(Some(&first), me, json!({}))) == "UNAUTHENTICATED"
    });
    println!("logout on A applied on B after {took:?}");
    assert_eq!(b.gql(Some(&second), me, json!({}))["me"]["email"], EVE);

    a.gql(
        Some(&admin),
        "mutation($id: ID!) { updateUser(id: $id, input: {disabled: true}) { id } }",
        json!({"id": id}),
    );
    let took = within(SECOND, "a user disabled on A is refused by B", || {
        code(&b.answer(Some(&second), me, json!({}))) == "UNAUTHENTICATED"
    });
    println!("disable on A applied on B after {took:?}");
    assert!(
        b.try_login(EVE, EVES_PASSWORD).is_none(),
        "nor can they sign in on B"
    );
}
