//! The rule language, as its users see it: what is refused, what holds, how it reads.

use serde_json::{json, Value};

use super::*;

fn rule(json: Value) -> Rule {
    Rule::parse(&json).expect("valid rule").expect("not null")
}

fn holds(rule_json: Value, attributes: Value) -> bool {
    rule(rule_json).matches(&Attributes::from_value(&attributes).unwrap())
}

fn refusal(json: Value) -> RuleError {
    Rule::parse(&json).expect_err("refused")
}

fn cond(attr: &str, op: &str, value: Value) -> Value {
    json!({"attr": attr, "op": op, "value": value})
}

#[test]
fn null_is_no_rule() {
    assert!(Rule::parse(&Value::Null).unwrap().is_none());
}

#[test]
fn an_unknown_operator_is_refused_at_its_path() {
    let error = refusal(json!({"all": [cond("a", "eq", json!(1)), cond("b", "like", json!("x"))]}));
    assert_eq!(error.path, "$.all[1].op");
    assert!(error.message.contains("\"like\""));
}

#[test]
fn wrong_value_types_are_refused_at_the_value() {
    for (op, value) in [
        ("in", json!("skier")),
        ("gt", json!("3")),
        ("before", json!(3)),
        ("starts_with", json!(1)),
        ("eq", json!([1])),
        ("between", json!([1])),
        ("between", json!([1, "2026-01-01T00:00:00Z"])),
        ("matches", json!(true)),
    ] {
        let error = refusal(json!({"not": cond("a", op, value)}));
        assert_eq!(error.path, "$.not.value", "{op}");
    }
}

#[test]
fn a_bad_member_of_an_in_list_is_named_by_index() {
    assert_eq!(
        refusal(cond("a", "in", json!(["x", {"y": 1}]))).path,
        "$.value[1]"
    );
}

#[test]
fn empty_lists_and_reversed_ranges_are_refused() {
    assert!(refusal(cond("a", "in", json!([])))
        .message
        .contains("non-empty"));
    assert!(refusal(cond("a", "not_in", json!([])))
        .message
        .contains("non-empty"));
    assert_eq!(refusal(json!({"all": []})).path, "$.all");
    assert_eq!(refusal(json!({"any": []})).path, "$.any");
    assert!(refusal(cond("a", "between", json!([5, 1])))
        .message
        .contains("low <= high"));
}

#[test]
fn bad_regular_expressions_are_refused_in_one_line() {
    let error = refusal(cond("a", "matches", json!("(unclosed")));
    assert_eq!(error.path, "$.value");
    assert!(!error.message.contains('\n'));
}

#[test]
fn huge_regular_expressions_are_refused() {
    let error = refusal(cond("a", "matches", json!("\\w{1000}\\w{1000}\\w{1000}")));
    assert!(error.message.starts_with("bad regular expression"));
}

#[test]
fn unknown_keys_empty_names_and_non_objects_are_refused() {
    assert_eq!(
        refusal(json!({"attr": "a", "op": "exists", "vaule": 1})).path,
        "$.vaule"
    );
    assert_eq!(
        refusal(json!({"all": [cond("a", "eq", json!(1))], "extra": 1})).path,
        "$.extra"
    );
    assert_eq!(refusal(cond("", "eq", json!(1))).path, "$.attr");
    assert_eq!(refusal(json!({"any": [42]})).path, "$.any[0]");
    assert_eq!(refusal(json!({})).path, "$");
    assert_eq!(
        refusal(json!({"attr": "a", "op": "exists", "value": 1})).path,
        "$.value"
    );
}

#[test]
fn nesting_deeper_than_32_is_refused() {
    let nest = |depth: usize| {
        (1..depth).fold(
            json!({"attr": "a", "op": "exists"}),
            |r, _| json!({"not": r}),
        )
    };
    assert!(Rule::parse(&nest(MAX_DEPTH)).is_ok());
    assert!(refusal(nest(MAX_DEPTH + 1)).message.contains("32"));
}

#[test]
fn rule_errors_display_path_and_message() {
    let error = refusal(json!({"all": [{"attr": "a", "op": "nope"}]}));
    assert_eq!(error.to_string(), "$.all[0].op: unknown operator \"nope\"");
}

#[test]
fn types_never_coerce_but_numbers_compare_as_numbers() {
    assert!(!holds(cond("age", "eq", json!(34)), json!({"age": "34"})));
    assert!(holds(cond("age", "eq", json!(3)), json!({"age": 3.0})));
    assert!(holds(cond("age", "in", json!([1, 3.0])), json!({"age": 3})));
    assert!(!holds(
        cond("vip", "eq", json!(true)),
        json!({"vip": "true"})
    ));
}

#[test]
fn an_absent_attribute_fails_every_condition_but_the_negated_ones() {
    let value = |op: Op| match op {
        Op::Exists | Op::NotExists => Value::Null,
        Op::In | Op::NotIn => json!(["x"]),
        Op::Between => json!([1, 2]),
        Op::Gt | Op::Gte | Op::Lt | Op::Lte => json!(1),
        Op::Before | Op::After => json!("2026-01-01T00:00:00Z"),
        _ => json!("x"),
    };
    for op in Op::ALL {
        let held = holds(
            json!({"attr": "a", "op": op.name(), "value": value(op)}),
            json!({}),
        );
        assert_eq!(held, op.is_negated(), "{}", op.name());
    }
}

#[test]
fn contains_means_substring_for_strings_and_element_for_arrays() {
    assert!(holds(
        cond("ua", "contains", json!("Firefox")),
        json!({"ua": "Mozilla Firefox/99"})
    ));
    assert!(holds(
        cond("tags", "contains", json!("ski")),
        json!({"tags": ["golf", "ski"]})
    ));
    assert!(!holds(
        cond("tags", "contains", json!("sk")),
        json!({"tags": ["golf", "ski"]})
    ));
    assert!(holds(
        cond("ids", "contains", json!(2)),
        json!({"ids": [1, 2.0]})
    ));
    assert!(holds(
        cond("ids", "not_contains", json!(5)),
        json!({"ids": 5})
    ));
}

#[test]
fn mismatched_types_are_false_never_errors() {
    assert!(!holds(cond("a", "gt", json!(1)), json!({"a": "5"})));
    assert!(!holds(
        cond("a", "starts_with", json!("x")),
        json!({"a": ["xy"]})
    ));
    assert!(!holds(cond("a", "in", json!(["x"])), json!({"a": ["x"]})));
    assert!(!holds(
        cond("a", "before", json!("2026-01-01T00:00:00Z")),
        json!({"a": "yesterday"})
    ));
    assert!(holds(cond("a", "ne", json!(1)), json!({"a": "1"})));
}

#[test]
fn comparisons_ranges_and_instants_hold_as_written() {
    assert!(holds(cond("tier", "gte", json!(3)), json!({"tier": 3})));
    assert!(!holds(cond("tier", "gt", json!(3)), json!({"tier": 3})));
    assert!(holds(cond("tier", "lt", json!(3.5)), json!({"tier": 3})));
    assert!(holds(
        cond("age", "between", json!([18, 30])),
        json!({"age": 30})
    ));
    let window = json!(["2026-01-01T00:00:00Z", "2026-02-01T00:00:00+01:00"]);
    assert!(holds(
        cond("seen", "between", window),
        json!({"seen": "2026-01-31T22:30:00Z"})
    ));
    assert!(holds(
        cond("seen", "before", json!("2026-01-01T00:00:00Z")),
        json!({"seen": "2025-12-31T23:59:59Z"})
    ));
    assert!(holds(
        cond("seen", "after", json!("2026-01-01T00:00:00Z")),
        json!({"seen": "2026-01-01T01:00:00+00:30"})
    ));
}

#[test]
fn strings_match_prefixes_suffixes_and_patterns() {
    assert!(holds(
        cond("email", "ends_with", json!("@vary.io")),
        json!({"email": "ann@vary.io"})
    ));
    assert!(holds(
        cond("path", "starts_with", json!("/ski")),
        json!({"path": "/ski/alps"})
    ));
    assert!(holds(
        cond("email", "matches", json!("^[a-z]+@")),
        json!({"email": "ann@vary.io"})
    ));
    assert!(!holds(
        cond("email", "matches", json!("^[a-z]+$")),
        json!({"email": "ann@vary.io"})
    ));
}

#[test]
fn combinators_combine() {
    let r = json!({"all": [cond("segment", "in", json!(["skier"])), {"not": cond("tier", "lt", json!(3))}]});
    assert!(holds(r.clone(), json!({"segment": "skier", "tier": 3})));
    assert!(!holds(r.clone(), json!({"segment": "skier", "tier": 2})));
    assert!(holds(r, json!({"segment": "skier"})));
    let any = json!({"any": [cond("a", "eq", json!(1)), {"attr": "b", "op": "exists"}]});
    assert!(holds(any, json!({"b": false})));
}

#[test]
fn specificity_counts_leaves_only() {
    let r = rule(
        json!({"all": [cond("a", "eq", json!(1)), {"not": {"any": [cond("b", "eq", json!(1)), cond("c", "eq", json!(1))]}}]}),
    );
    assert_eq!(r.specificity(), 3);
    assert_eq!(r.leaves().len(), 3);
}

#[test]
fn rules_render_as_one_line_with_parentheses_only_where_needed() {
    let r = rule(
        json!({"all": [cond("segment", "in", json!(["skier", "snowboarder"])), cond("tier", "gte", json!(3))]}),
    );
    assert_eq!(r.render(), "segment in [skier, snowboarder] and tier >= 3");
    assert_eq!(
        rule(json!({"not": cond("gender", "eq", json!("female"))})).render(),
        "not (gender eq female)"
    );
    let nested = json!({"all": [{"any": [cond("a", "eq", json!(1)), {"attr": "b", "op": "exists"}]}, cond("c", "ne", json!("x y"))]});
    assert_eq!(
        rule(nested).render(),
        "(a eq 1 or b exists) and c ne \"x y\""
    );
    let flat = json!({"any": [{"all": [cond("a", "eq", json!(1)), cond("b", "eq", json!(2))]}, cond("c", "eq", json!(true))]});
    assert_eq!(rule(flat).render(), "a eq 1 and b eq 2 or c eq true");
}

#[test]
fn rendering_tells_strings_from_numbers() {
    assert_eq!(
        rule(cond("age", "eq", json!("34"))).render(),
        "age eq \"34\""
    );
    assert_eq!(rule(cond("age", "eq", json!(34))).render(), "age eq 34");
    assert_eq!(
        rule(cond("email", "matches", json!("^a.*$"))).render(),
        "email matches \"^a.*$\""
    );
}

#[test]
fn canonical_json_round_trips() {
    let original = json!({"any": [
        {"all": [cond("segment", "in", json!(["skier", 3, true])), {"attr": "vip", "op": "exists", "value": null}]},
        {"not": cond("seen", "between", json!(["2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"]))},
        cond("email", "matches", json!("^a"))
    ]});
    let canonical = rule(original).to_json();
    assert_eq!(rule(canonical.clone()).to_json(), canonical);
    assert_eq!(
        canonical["any"][0]["all"][1],
        json!({"attr": "vip", "op": "exists"})
    );
}

#[test]
fn rules_serialize_as_their_canonical_json() {
    let r = rule(cond("a", "eq", json!(1)));
    let text = serde_json::to_string(&r).unwrap();
    let back: Option<Rule> = serde_json::from_str(&text).unwrap();
    assert_eq!(back.unwrap().to_json(), r.to_json());
    assert!(serde_json::from_str::<Rule>("{\"attr\":\"a\",\"op\":\"zz\"}").is_err());
}

#[test]
fn matched_conditions_name_what_made_the_rule_hold() {
    let r = rule(json!({"all": [
        cond("segment", "in", json!(["skier"])),
        {"any": [cond("tier", "gte", json!(3)), cond("vip", "eq", json!(true))]},
        {"not": cond("gender", "eq", json!("female"))}
    ]}));
    let attributes = json!({"segment": "skier", "tier": 5});
    let attributes = Attributes::from_value(&attributes).unwrap();
    let expected = ["segment in [skier]", "tier >= 3", "not (gender eq female)"];
    assert_eq!(r.matched_conditions(&attributes), expected);
    assert_eq!(r.matched(&attributes).to_string(), expected.join(" and "));
}

#[test]
fn a_failure_names_the_failing_condition_and_the_attribute_values() {
    let r = rule(
        json!({"all": [cond("segment", "in", json!(["skier"])), cond("tier", "gte", json!(3))]}),
    );
    let hiker = json!({"segment": "hiker"});
    let failure = r
        .explain_failure(&Attributes::from_value(&hiker).unwrap())
        .unwrap();
    assert_eq!(
        failure.to_string(),
        "segment in [skier] failed: segment is \"hiker\""
    );
    let failure = r.explain_failure(&Attributes::empty()).unwrap();
    assert_eq!(
        failure.to_string(),
        "segment in [skier] failed: segment is absent"
    );
    let skier = json!({"segment": "skier", "tier": 5});
    assert!(r
        .explain_failure(&Attributes::from_value(&skier).unwrap())
        .is_none());
}

#[test]
fn a_failing_any_is_explained_whole() {
    let r = rule(json!({"any": [cond("a", "eq", json!(1)), {"attr": "b", "op": "exists"}]}));
    let attributes = json!({"a": 2});
    let failure = r
        .explain_failure(&Attributes::from_value(&attributes).unwrap())
        .unwrap();
    assert_eq!(
        failure.to_string(),
        "a eq 1 or b exists failed: a is 2, b is absent"
    );
}

#[test]
fn a_broader_rule_covers_a_narrower_one() {
    let skier_tier_5 = rule(
        json!({"all": [cond("segment", "eq", json!("skier")), cond("tier", "gte", json!(5))]}),
    );
    let skier = rule(cond("segment", "in", json!(["skier", "snowboarder"])));
    let tier_3 = rule(cond("tier", "gt", json!(3)));
    assert!(skier.covers(&skier_tier_5));
    assert!(tier_3.covers(&skier_tier_5));
    assert!(!skier_tier_5.covers(&skier));
    assert!(rule(json!({"attr": "tier", "op": "exists"})).covers(&skier_tier_5));
}

#[test]
fn coverage_is_only_claimed_when_proven() {
    let contains_ab = rule(cond("tags", "contains", json!("ab")));
    assert!(!rule(cond("tags", "contains", json!("a"))).covers(&contains_ab));
    let not_skier = rule(json!({"not": cond("segment", "eq", json!("skier"))}));
    assert!(
        !not_skier.covers(&not_skier),
        "rules with not are not analysed"
    );
    assert!(
        rule(cond("segment", "ne", json!("skier"))).covers(&rule(cond(
            "segment",
            "not_in",
            json!(["skier", "hiker"])
        )))
    );
    assert!(!rule(cond("tier", "gte", json!(3))).covers(&rule(cond(
        "tier",
        "between",
        json!([2, 5])
    ))));
}

#[test]
fn every_disjunct_must_be_covered() {
    let either = rule(json!({"any": [cond("a", "eq", json!(1)), cond("b", "eq", json!(1))]}));
    assert!(!rule(cond("a", "eq", json!(1))).covers(&either));
    assert!(either.covers(&rule(cond("b", "eq", json!(1)))));
}

#[test]
fn a_common_audience_is_a_checked_witness() {
    let a = rule(
        json!({"all": [cond("tier", "gt", json!(3)), cond("segment", "in", json!(["skier"]))]}),
    );
    let b =
        rule(json!({"all": [cond("tier", "lt", json!(4)), {"attr": "vip", "op": "not_exists"}]}));
    let witness = common_audience(&[&a, &b]).expect("3 < tier < 4 for a skier");
    assert!(a.matches(&Attributes::new(&witness)) && b.matches(&Attributes::new(&witness)));
    let c = rule(cond("tier", "lt", json!(2)));
    assert!(common_audience(&[&a, &c]).is_none());
}
