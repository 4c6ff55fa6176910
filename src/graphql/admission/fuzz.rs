//! Generated hostile input for admission and the rule parser: random bytes, random bracket and
//! fragment structures, and mutations of real operations. Whatever comes in, admission answers
//! (passes or refuses with a contract code) without panicking, and what it passes is parsed and
//! expanded in bounded time. `PROPTEST_CASES` raises the case count for a longer run.

use proptest::prelude::*;
use serde_json::Value as Json;

use super::*;
use crate::domain::rule::Rule;

const LIMITS: AdmissionLimits = AdmissionLimits {
    max_selections: 5_000,
    max_answers: 1_000,
};

const SEEDS: [&str; 4] = [
    "query Q($c: ContextInput) { content(brand: \"alpine\", key: \"home\", context: $c) { key servedId variant { id fields } } }",
    "{ contents(brand: \"b\", keys: [\"a\", \"b\"]) { key } ...F } fragment F on Query { me { id email } }",
    "mutation { createVariant(input: {entryId: \"e\", name: \"n\", fields: {title: \"t\", list: [1, [2, {x: 3}]]}}) { id } }",
    "query { search(query: \"ski \\\"powder\\\"\", first: 5) { total hits { score } } }",
];

/// 256 cases in an ordinary test run; `PROPTEST_CASES` for a longer one.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256)
}

/// Admission, then (as the HTTP layer would) async-graphql's parser on what was admitted.
fn admit_and_parse(query: &str, variables: Json) {
    if check_nesting(query).is_err() {
        return;
    }
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return;
    };
    if check_document(&doc, LIMITS).is_err() {
        return;
    }
    let request = Request::new(query).variables(async_graphql::Variables::from_json(variables));
    let _ = check_request(&doc, &request, LIMITS);
}

/// Bracket and fragment soup: deep, wide, cyclic and doubling shapes.
fn structure() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("{".to_string()),
        Just("}".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("a".to_string()),
        Just("a: b".to_string()),
        Just("...F".to_string()),
        Just("...G".to_string()),
        Just("fragment F on Query { ...G ...G }".to_string()),
        Just("fragment G on Query { ...F me { id } }".to_string()),
        Just("\"\\\"\"".to_string()),
        Just("\"\"\"{[\"\"\"".to_string()),
        Just("# {[(\n".to_string()),
        Just("$v".to_string()),
        Just("query Q($v: [Int] = [[1]])".to_string()),
        Just("@include(if: true)".to_string()),
    ];
    (proptest::collection::vec(piece, 0..400), 1usize..40).prop_map(|(pieces, repeat)| {
        let mut text = pieces.join(" ");
        if repeat > 30 {
            text = text.repeat(repeat);
        }
        text
    })
}

fn mutated_seed() -> impl Strategy<Value = String> {
    (
        0..SEEDS.len(),
        proptest::collection::vec((any::<usize>(), any::<u8>()), 0..12),
    )
        .prop_map(|(seed, edits)| {
            let mut bytes = SEEDS[seed].as_bytes().to_vec();
            for (at, byte) in edits {
                let at = at % (bytes.len() + 1);
                match byte % 3 {
                    0 => bytes.insert(at, byte),
                    1 if at < bytes.len() => {
                        bytes.remove(at);
                    }
                    _ if at < bytes.len() => bytes[at] = byte,
                    _ => {}
                }
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
}

fn json_value() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(|n| Json::from(n)),
        "[a-z\\x00-\\x1f\"\\\\]{0,8}".prop_map(Json::String),
        prop_oneof![
            Just("eq"),
            Just("in"),
            Just("all"),
            Just("any"),
            Just("not"),
            Just("attr"),
            Just("op"),
            Just("value"),
            Just("matches"),
            Just("between")
        ]
        .prop_map(|s| Json::String(s.to_string())),
    ];
    leaf.prop_recursive(12, 256, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("attr"),
                    Just("op"),
                    Just("value"),
                    Just("all"),
                    Just("any"),
                    Just("not"),
                    Just("x")
                ]
                .prop_map(str::to_string),
                inner,
                0..4
            )
            .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn random_text_never_panics(text in "\\PC{0,300}", variables in json_value()) {
        admit_and_parse(&text, serde_json::json!({ "v": variables }));
    }

    #[test]
    fn bracket_and_fragment_soup_is_admitted_or_refused_quickly(text in structure()) {
        let started = std::time::Instant::now();
        admit_and_parse(&text, serde_json::json!({}));
        prop_assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn mutated_operations_never_panic(text in mutated_seed(), variables in json_value()) {
        admit_and_parse(&text, serde_json::json!({ "c": { "attributes": variables } }));
    }

    #[test]
    fn any_json_is_a_rule_or_a_located_fault(value in json_value()) {
        match Rule::parse(&value) {
            Ok(_) => {}
            Err(fault) => prop_assert!(fault.path.starts_with('$'), "{:?}", fault),
        }
    }
}
