//! Every row of [`LIMIT_MESSAGES`] triggered by the real limit on a tiny schema.

use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema, SchemaBuilder};

use super::*;

struct Node;

#[Object]
impl Node {
    async fn id(&self) -> i32 {
        1
    }
    async fn next(&self) -> Node {
        Node
    }
}

type Builder = SchemaBuilder<Node, EmptyMutation, EmptySubscription>;

/// A limit, how a schema sets it, and a query over it.
type Case = (Limit, fn(Builder) -> Builder, String);

/// The errors `query` gets from a schema with the limits `limit` sets.
async fn errors_of(limit: fn(Builder) -> Builder, query: &str) -> Vec<ServerError> {
    let schema = limit(Schema::build(Node, EmptyMutation, EmptySubscription)).finish();
    let response = apply_codes(schema.execute(query).await);
    assert!(!response.errors.is_empty(), "{query} was not refused");
    response.errors
}

fn nested(levels: usize) -> String {
    format!(
        "{{ {} id {} }}",
        "next { ".repeat(levels),
        "} ".repeat(levels)
    )
}

#[tokio::test]
async fn each_limit_async_graphql_raises_is_limit_exceeded() {
    let cases: [Case; 5] = [
        (Limit::Depth, |b| b.limit_depth(2), nested(3)),
        (
            Limit::Complexity,
            |b| b.limit_complexity(2),
            "{ a: id b: id c: id }".into(),
        ),
        (
            Limit::RecursiveDepth,
            |b| b.limit_recursive_depth(2),
            nested(3),
        ),
        (
            Limit::Directives,
            |b| b.limit_directives(1),
            "{ id @skip(if: false) @include(if: true) }".into(),
        ),
        (Limit::ParserNesting, |b| b, nested(70)),
    ];
    for (limit, set, query) in &cases {
        let errors = errors_of(*set, query).await;
        let error = &errors[0];
        assert_eq!(limit_of(&error.message), Some(*limit), "{}", error.message);
        let code = error.extensions.as_ref().and_then(|e| e.get("code"));
        assert_eq!(
            code,
            Some(&Value::from("LIMIT_EXCEEDED")),
            "{}",
            error.message
        );
    }
    for (limit, _) in &LIMIT_MESSAGES {
        assert!(
            cases.iter().any(|(tried, _, _)| tried == limit),
            "{limit:?} is never triggered"
        );
    }
}

#[tokio::test]
async fn other_errors_of_async_graphql_are_bad_input() {
    for query in ["{ id", "{ nope }", "{ next }"] {
        let errors = errors_of(|b| b, query).await;
        let code = errors[0].extensions.as_ref().and_then(|e| e.get("code"));
        assert_eq!(code, Some(&Value::from("BAD_INPUT")), "{query}");
    }
}
