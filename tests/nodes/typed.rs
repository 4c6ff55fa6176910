//! The typed delivery schema follows a content-type change made through another node within a
//! second: the SDL shows the new field and a typed query for it works there.

use serde_json::json;
use std::time::Duration;

use crate::support::{two_nodes, within, TwoNodes};

const SECOND: Duration = Duration::from_secs(1);
const SDL: &str = "/delivery/alpine/schema.graphql";
const TYPED: &str = "/delivery/alpine/graphql";

#[test]
fn the_typed_schema_follows_a_content_type_change_on_every_node_within_a_second() {
    let Some(TwoNodes {
        db: _db,
        a,
        b,
        token,
    }) = two_nodes()
    else {
        return;
    };
    let entry = a.seed(&token);
    let key = a.delivery_key(&token).token;
    within(SECOND, "B knows the key and the brand", || {
        b.content(&key).is_some()
    });
    // B has built its schema before the change: the change must replace it.
    let (status, sdl) = b.fetch_as(SDL, &key);
    assert_eq!(status, 200, "{sdl}");
    assert!(
        sdl.contains("title: String!") && !sdl.contains("badge"),
        "{sdl}"
    );
    let before = b.post_query(TYPED, &key, "{ hero(key: \"home\") { variant { badge } } }");
    assert!(!before["errors"].is_null(), "no `badge` yet: {before}");

    let types = a.gql(
        Some(&token),
        "{ contentTypes(brand: \"alpine\") { id version } }",
        json!({}),
    );
    let hero = &types["contentTypes"][0];
    a.gql(
        Some(&token),
        "mutation($id: ID!, $v: Int!, $i: UpdateContentTypeInput!) { updateContentType(id: $id, expectedVersion: $v, input: $i) { version } }",
        json!({"id": hero["id"], "v": hero["version"], "i": {"fields": [
            {"name": "title", "kind": "TEXT", "required": true},
            {"name": "badge", "kind": "TEXT"}]}}),
    );
    let took = within(SECOND, "B's SDL shows the new field", || {
        b.fetch_as(SDL, &key).1.contains("badge: String")
    });
    println!("typed schema on B followed the change after {took:?}");
    let answer = b.post_query(
        TYPED,
        &key,
        "{ hero(key: \"home\") { reason variant { title badge } } }",
    );
    assert!(answer["errors"].is_null(), "{answer}");

    // A variant using the field, published on A, is served typed by B.
    let variant = a.gql(
        Some(&token),
        "mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }",
        json!({"i": {"entryId": entry, "name": "New", "fields": {"title": "Powder", "badge": "New"}}}),
    );
    let id = variant["createVariant"]["id"].as_str().unwrap().to_string();
    a.transition(&token, "publishVariant", &id);
    within(SECOND, "B serves the new field typed", || {
        let answer = b.post_query(TYPED, &key, "{ hero(key: \"home\") { variant { badge } } }");
        answer["data"]["hero"]["variant"]["badge"] == "New"
    });
}
