//! How long choosing a variant takes on a realistic entry: 20 published variants whose rules
//! each hold five conditions of mixed operators, and a context that only a late variant matches.

use chrono::{DateTime, TimeZone, Utc};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use serde_json::{json, Map, Value};
use vary::domain::device::Device;
use vary::domain::resolution::{rank_order, resolve, Candidate, ResolveContext};
use vary::domain::rule::{Attributes, Rule};

const VARIANTS: usize = 20;
const MATCHING: usize = 17;
const DEVICES: [Device; 2] = [Device::Mobile, Device::Desktop];

/// Variant `i` targets segment `segment-i`; the distinguishing condition comes last so that
/// every rule is read almost to its end.
fn rule(i: usize) -> Rule {
    let json = json!({"all": [
        {"attr": "tier", "op": "gte", "value": 3},
        {"attr": "country", "op": "in", "value": ["CH", "AT", "DE", format!("X{i}")]},
        {"attr": "email", "op": "matches", "value": "@(vary|example)\\.io$"},
        {"any": [{"attr": "consent", "op": "exists"}, {"attr": "interests", "op": "contains", "value": "ski"}]},
        {"attr": "segment", "op": "eq", "value": format!("segment-{i}")}
    ]});
    Rule::parse(&json).unwrap().unwrap()
}

fn attributes() -> Map<String, Value> {
    let json = json!({"segment": format!("segment-{MATCHING}"), "tier": 4, "country": "CH",
        "email": "ann@vary.io", "consent": true, "interests": ["ski", "golf"]});
    json.as_object().unwrap().clone()
}

fn created(i: usize) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::days(i as i64)
}

/// Later variants rank higher, so that every rule must be evaluated.
fn candidates<'a>(rules: &'a [Rule], ids: &'a [String]) -> Vec<Candidate<'a>> {
    (0..VARIANTS)
        .map(|i| Candidate {
            id: &ids[i],
            name: &ids[i],
            priority: i as i32,
            rule: Some(&rules[i]),
            devices: if i % 2 == 0 { &DEVICES } else { &[] },
            locale: if i % 3 == 0 { Some("en") } else { None },
            starts_at: None,
            ends_at: None,
            quality: 0.9,
            created_at: created(i),
            published: true,
            archived: false,
        })
        .collect()
}

fn bench_resolve(c: &mut Criterion) {
    let rules: Vec<Rule> = (0..VARIANTS).map(rule).collect();
    let ids: Vec<String> = (0..VARIANTS).map(|i| format!("variant-{i}")).collect();
    let unordered = candidates(&rules, &ids);
    // The delivery snapshot keeps each entry's variants in serving order; measure that, and the
    // general path for candidates in any order.
    let mut candidates = unordered.clone();
    candidates.sort_by(rank_order);
    let map = attributes();
    let attributes = Attributes::new(&map);
    let context = ResolveContext {
        attributes: &attributes,
        device: Some(Device::Mobile),
        locale: Some("en-GB"),
        default_locale: "en",
        at: created(30),
        min_quality: 0.5,
        personalized: true,
    };
    let winner = resolve(&candidates, &context).map(|w| candidates[w.index].id);
    assert_eq!(winner, Some(ids[MATCHING].as_str()));
    assert_eq!(
        resolve(&unordered, &context).map(|w| w.index),
        Some(MATCHING)
    );
    c.bench_function("resolve", |b| {
        b.iter(|| resolve(black_box(&candidates), black_box(&context)))
    });
    c.bench_function("resolve (candidates in any order)", |b| {
        b.iter(|| resolve(black_box(&unordered), black_box(&context)))
    });
    bench_with_experiment(c, &candidates, &context);
}

/// The same entry with a RUNNING FIXED experiment (an audience of one condition, a holdout of
/// two arms): `choose` without the experiment, and with it for an enrolled person (the bucket's
/// XXH3 hash, the audience, the arm's variant checked).
fn bench_with_experiment(
    c: &mut Criterion,
    candidates: &[Candidate<'_>],
    context: &ResolveContext<'_>,
) {
    use std::sync::Arc;
    use vary::domain::experiment::serve::{choose, LiveArm, LiveExperiment};
    use vary::domain::experiment::ExperimentMode;
    let audience = Rule::parse(&json!({"attr": "tier", "op": "gte", "value": 2})).unwrap();
    let arm = |name: &str, variant: Option<usize>| LiveArm {
        id: format!("arm_{name}"),
        name: name.into(),
        ranked: variant.is_none(),
        variant,
        weight: 50,
        share: 0.5,
    };
    let experiment = LiveExperiment {
        id: "exp_0123456789abcdef".into(),
        name: "Holdout".into(),
        audience: audience.map(Arc::new),
        mode: ExperimentMode::Fixed,
        arms: vec![arm("control", Some(VARIANTS - 1)), arm("ranked", None)],
    };
    let user_key = "user-8f14e45fceea167a5a36dedd4bea2543";
    assert!(
        choose(candidates, context, Some(&experiment), Some(user_key), 0.5)
            .arm()
            .is_some()
    );
    c.bench_function("choose without an experiment", |b| {
        b.iter(|| {
            choose(
                black_box(candidates),
                black_box(context),
                None,
                Some(user_key),
                0.5,
            )
        })
    });
    c.bench_function("choose with a running experiment", |b| {
        b.iter(|| {
            choose(
                black_box(candidates),
                black_box(context),
                Some(black_box(&experiment)),
                Some(black_box(user_key)),
                0.5,
            )
        })
    });
}

criterion_group!(benches, bench_resolve);
criterion_main!(benches);
