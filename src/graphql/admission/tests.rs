use super::*;
use async_graphql::Variables;
use serde_json::json;

const LIMITS: AdmissionLimits = AdmissionLimits {
    max_selections: 5_000,
    max_answers: 1_000,
};

/// Runs every admission step the way the parse cache does.
fn admit(query: &str, variables: serde_json::Value) -> Result<(), AppError> {
    check_nesting(query)?;
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return Ok(());
    };
    check_document(&doc, LIMITS)?;
    let request = Request::new(query).variables(Variables::from_json(variables));
    check_request(&doc, &request, LIMITS).map(|_| ())
}

fn refused(query: &str, variables: serde_json::Value) -> ErrorCode {
    admit(query, variables)
        .expect_err(query.get(..80).unwrap_or(query))
        .code
}

fn nested_list(depth: usize) -> String {
    format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
}

fn nested_object(depth: usize) -> String {
    format!("{}1{}", "{a: ".repeat(depth), "}".repeat(depth))
}

#[test]
fn deep_literals_of_every_shape_are_refused_before_parsing() {
    for depth in [200, 10_000, 100_000] {
        let shapes = [
            format!("{{ content(brand: \"b\", key: \"k\", context: {{attributes: {{x: {}}}}}) {{ key }} }}", nested_list(depth)),
            format!("{{ content(brand: \"b\", key: \"k\", context: {{attributes: {}}}) {{ key }} }}", nested_object(depth)),
            format!("{{ me @include(if: {}) {{ id }} }}", nested_list(depth)),
            format!("query Q($v: JSON = {}) {{ me {{ id }} }}", nested_object(depth)),
            format!("query Q($v: {}Int{}) {{ me {{ id }} }}", "[".repeat(depth), "]".repeat(depth)),
            format!("{}{}", "{ me ".repeat(depth), "}".repeat(depth)),
        ];
        for query in shapes {
            assert_eq!(refused(&query, json!({})), ErrorCode::BadInput);
        }
    }
}

#[test]
fn brackets_inside_strings_and_comments_do_not_count() {
    let text = "[".repeat(500);
    let query = format!(
        "# {text}\n{{ search(query: \"{text}\") {{ total }} x: search(query: \"\"\"{text}\\\"\"\" {text}\"\"\") {{ total }} }}"
    );
    admit(&query, json!({})).unwrap();
}

#[test]
fn literals_deeper_than_64_levels_are_bad_input_and_64_is_fine() {
    let query = |depth| {
        format!(
            "{{ content(brand: \"b\", key: \"k\", context: {{attributes: {{x: {}}}}}) {{ key }} }}",
            nested_list(depth)
        )
    };
    // attributes' object and the context object add two levels to the list.
    admit(&query(62), json!({})).unwrap();
    assert_eq!(refused(&query(63), json!({})), ErrorCode::BadInput);
    let err = admit(&query(100), json!({})).unwrap_err();
    assert!(
        err.message.contains("`context.attributes.x`"),
        "{}",
        err.message
    );
}

#[test]
fn deep_variables_are_bad_input() {
    let mut deep = json!(1);
    for _ in 0..65 {
        deep = json!([deep]);
    }
    let query =
        "query Q($c: ContextInput) { content(brand: \"b\", key: \"k\", context: $c) { key } }";
    let err = admit(query, json!({"c": {"attributes": deep}})).unwrap_err();
    assert_eq!(err.code, ErrorCode::BadInput);
    assert!(err.message.contains("`c`"), "{}", err.message);
}

#[test]
fn doubling_fragments_are_refused_by_their_expanded_size_at_once() {
    let mut query = String::from("query { ...F0 }\nfragment F0 on Query { me { id } }\n");
    for level in 1..=40 {
        let previous = level - 1;
        query.push_str(&format!(
            "fragment F{level} on Query {{ a{level}: me {{ id }} ...F{previous} ...F{previous} }}\n"
        ));
    }
    query = query.replacen("...F0", "...F40", 1);
    let started = std::time::Instant::now();
    assert_eq!(refused(&query, json!({})), ErrorCode::LimitExceeded);
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
}

#[test]
fn fragment_cycles_and_long_chains_are_refused_without_recursing_deeply() {
    let cycle = "{ ...A } fragment A on Query { me { id } ...B } fragment B on Query { ...A }";
    assert_eq!(refused(cycle, json!({})), ErrorCode::BadInput);
    let mut chain = String::from("{ ...F0 }\n");
    for i in 0..1_000 {
        chain.push_str(&format!("fragment F{i} on Query {{ ...F{} }}\n", i + 1));
    }
    chain.push_str("fragment F1000 on Query { me { id } }");
    assert_eq!(refused(&chain, json!({})), ErrorCode::BadInput);
}

#[test]
fn a_wide_operation_is_refused_by_its_selection_count() {
    let query = format!("{{ {} }}", "me { id } ".repeat(3_000));
    assert_eq!(refused(&query, json!({})), ErrorCode::LimitExceeded);
    let fine = format!("{{ {} }}", "me { id } ".repeat(100));
    admit(&fine, json!({})).unwrap();
}

#[test]
fn answers_count_keys_times_aliases_fragments_and_search_pages() {
    let keys: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
    let aliased = |n: usize| {
        let fields: String = (0..n)
            .map(|i| format!("a{i}: contents(brand: \"b\", keys: $keys) {{ key }} "))
            .collect();
        format!("query Q($keys: [String!]!) {{ {fields} }}")
    };
    admit(&aliased(10), json!({ "keys": keys })).unwrap();
    let err = admit(&aliased(11), json!({ "keys": keys })).unwrap_err();
    assert_eq!(err.code, ErrorCode::LimitExceeded);
    assert!(err.message.contains("1100"), "{}", err.message);

    let literal_keys = format!("{:?}", keys);
    let through_fragments = format!(
        "{{ ...A ...A ...B }} fragment A on Query {{ x: contents(brand: \"b\", keys: {literal_keys}) {{ key }} ...B }} \
         fragment B on Query {{ y: searchContent(brand: \"b\", query: \"q\", first: 100) {{ key }} }}"
    );
    // A twice (100 keys + B's 100 each time) and B once more: 500.
    admit(&through_fragments, json!({})).unwrap();
    let searches: String = (0..101)
        .map(|i| format!("s{i}: searchContent(brand: \"b\", query: \"q\") {{ key }} "))
        .collect();
    assert_eq!(
        refused(&format!("{{ {searches} }}"), json!({})),
        ErrorCode::LimitExceeded
    );
}

#[test]
fn only_the_chosen_operation_is_counted() {
    let keys: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
    let fields: String = (0..20)
        .map(|i| format!("a{i}: contents(brand: \"b\", keys: $keys) {{ key }} "))
        .collect();
    let query =
        format!("query Big($keys: [String!]!) {{ {fields} }} query Small {{ me {{ id }} }}");
    let doc = async_graphql::parser::parse_query(&query).unwrap();
    let small = Request::new(query.clone())
        .operation_name("Small")
        .variables(Variables::from_json(json!({ "keys": keys })));
    check_request(&doc, &small, LIMITS).unwrap();
    let big = small.operation_name("Big");
    assert_eq!(
        check_request(&doc, &big, LIMITS).unwrap_err().code,
        ErrorCode::LimitExceeded
    );
}

#[test]
fn control_characters_in_text_are_bad_input_except_for_sign_in() {
    for text in ["nul\\u0000", "bell\\u0007", "esc\\u001b"] {
        let query = format!("mutation {{ createBrand(input: {{slug: \"s\", name: \"{text}\", defaultLocale: \"en\"}}) {{ slug }} }}");
        assert_eq!(refused(&query, json!({})), ErrorCode::BadInput, "{text}");
    }
    let query = "mutation M($n: String!) { createEntry(input: {brand: \"b\", key: \"k\", contentType: \"t\", description: $n}) { id } }";
    assert_eq!(refused(query, json!({"n": "a\u{0}b"})), ErrorCode::BadInput);
    let fields = "mutation M($f: JSON!) { createVariant(input: {entryId: \"e\", name: \"n\", fields: $f}) { id } }";
    assert_eq!(
        refused(fields, json!({"f": {"title\u{0}": "x"}})),
        ErrorCode::BadInput
    );
    admit(
        fields,
        json!({"f": {"body": "line one\nline two\ttabbed\r\n"}}),
    )
    .unwrap();

    let sign_in = "mutation L($e: String!) { login(email: $e, password: \"p\") { token } }";
    admit(sign_in, json!({"e": "x\u{0}@y"})).unwrap();
    admit(
        "mutation { login(email: \"x\\u0000@y\", password: \"p\") { token } }",
        json!({}),
    )
    .unwrap();
}

#[test]
fn text_with_more_tokens_than_the_parser_should_see_is_refused_before_parsing() {
    let numbers = format!(
        "{{ content(brand: \"b\", key: \"k\", context: {{attributes: {{x: [{}]}}}}) {{ key }} }}",
        "1,".repeat(100_000)
    );
    let started = std::time::Instant::now();
    let err = admit(&numbers, json!({})).unwrap_err();
    assert_eq!(err.code, ErrorCode::LimitExceeded);
    assert!(err.message.contains("variables"), "{}", err.message);
    assert!(started.elapsed() < std::time::Duration::from_millis(500));
    // Strings and comments are one token each however long.
    let long = format!(
        "# {}\n{{ search(query: \"{}\") {{ total }} }}",
        "a b ".repeat(50_000),
        "a b ".repeat(50_000)
    );
    admit(&long, json!({})).unwrap();
}

#[test]
fn references_nest_at_most_five_levels_even_through_fragments() {
    let nested = |levels: usize| {
        let mut inner = "key".to_string();
        for _ in 0..levels {
            inner = format!("key references {{ field resolved {{ {inner} }} }}");
        }
        format!("{{ content(brand: \"b\", key: \"k\") {{ {inner} }} }}")
    };
    assert!(admit(&nested(5), json!({})).is_ok());
    assert_eq!(refused(&nested(6), json!({})), ErrorCode::LimitExceeded);
    let through_fragments = "query { content(brand: \"b\", key: \"k\") { ...A } }
        fragment A on Resolved { references { resolved { ...B } } }
        fragment B on Resolved { references { resolved { ...C } } }
        fragment C on Resolved { references { resolved { references { resolved { references { resolved { references { resolved { key } } } } } } } } }";
    assert_eq!(
        refused(through_fragments, json!({})),
        ErrorCode::LimitExceeded
    );
}
