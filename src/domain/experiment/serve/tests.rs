//! Enrollment and serving as the contract's "Experiments" words them, and BANDIT mode shifting
//! traffic to the better arm in a simulated environment.

use chrono::{TimeZone, Utc};
use serde_json::{json, Map, Value};

use super::*;
use crate::domain::device::Device;
use crate::domain::experiment::bucket::{arm_of, bucket};
use crate::domain::rule::Attributes;
use crate::domain::statistics::{bayesian, Counts};

fn candidate(id: &'static str, rule: Option<&'static Rule>) -> Candidate<'static> {
    Candidate {
        id,
        name: id,
        priority: 0,
        rule,
        devices: &[],
        locale: None,
        starts_at: None,
        ends_at: None,
        quality: 1.0,
        created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        published: true,
        archived: false,
    }
}

fn context<'a>(attributes: &'a Attributes<'a>) -> ResolveContext<'a> {
    ResolveContext {
        attributes,
        device: Some(Device::Mobile),
        locale: None,
        default_locale: "en",
        at: Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap(),
        min_quality: 0.0,
        personalized: true,
    }
}

fn skier_rule() -> &'static Rule {
    Box::leak(Box::new(
        Rule::parse(&json!({"attr": "segment", "op": "eq", "value": "skier"}))
            .unwrap()
            .unwrap(),
    ))
}

fn arm(name: &str, variant: Option<usize>, weight: u32) -> LiveArm {
    LiveArm {
        id: format!("arm_{name}"),
        name: name.into(),
        ranked: variant.is_none(),
        variant,
        weight,
        share: 0.5,
    }
}

/// Arms `[{variant: default}, {ranked}]`: a holdout.
fn holdout(audience: Option<Value>) -> LiveExperiment {
    LiveExperiment {
        id: "exp_holdout".into(),
        name: "Holdout".into(),
        audience: audience.map(|a| Arc::new(Rule::parse(&a).unwrap().unwrap())),
        mode: ExperimentMode::Fixed,
        arms: vec![arm("control", Some(1), 50), arm("personalized", None, 50)],
    }
}

/// A key that the holdout puts in arm `wanted`.
fn key_in_arm(experiment: &LiveExperiment, wanted: usize) -> String {
    (0..)
        .map(|i| format!("person-{i}"))
        .find(|k| arm_of(bucket(&experiment.id, k), [50, 50]) == Some(wanted))
        .unwrap()
}

fn segment(value: &str) -> Map<String, Value> {
    json!({"segment": value}).as_object().unwrap().clone()
}

#[test]
fn a_holdout_serves_the_default_to_the_control_and_personalization_to_the_rest() {
    // Ranked order: the skier variant (more specific) first, the default second.
    let candidates = [
        candidate("skier", Some(skier_rule())),
        candidate("default", None),
    ];
    let experiment = holdout(None);
    let attributes = segment("skier");
    let attributes = Attributes::new(&attributes);
    let ctx = context(&attributes);
    let control = key_in_arm(&experiment, 0);
    let treated = key_in_arm(&experiment, 1);
    let choice = choose(&candidates, &ctx, Some(&experiment), Some(&control), 0.0);
    assert_eq!(choice.enrollment, Some(Enrollment::Arm(0)));
    assert_eq!(choice.winner.unwrap().index, 1);
    assert!(choice.arm_variant);
    let reason = ChoiceReason {
        choice: &choice,
        experiment: Some(&experiment),
        candidates: &candidates,
        context: &ctx,
    };
    assert_eq!(
        reason.to_string(),
        "experiment \"Holdout\" arm control; the arm's variant; locale en; priority 0"
    );
    let choice = choose(&candidates, &ctx, Some(&experiment), Some(&treated), 0.0);
    assert_eq!(choice.enrollment, Some(Enrollment::Arm(1)));
    assert_eq!(choice.winner.unwrap().index, 0);
    let reason = ChoiceReason {
        choice: &choice,
        experiment: Some(&experiment),
        candidates: &candidates,
        context: &ctx,
    };
    assert!(reason
        .to_string()
        .starts_with("experiment \"Holdout\" arm personalized; matched segment"));
}

#[test]
fn the_same_person_always_gets_the_same_arm() {
    let candidates = [candidate("a", None), candidate("b", None)];
    let experiment = holdout(None);
    let ctx = context(&Attributes::EMPTY);
    for i in 0..200 {
        let key = format!("k{i}");
        let first = choose(&candidates, &ctx, Some(&experiment), Some(&key), 0.3);
        let again = choose(&candidates, &ctx, Some(&experiment), Some(&key), 0.9);
        assert_eq!(first, again);
    }
}

#[test]
fn who_is_not_enrolled_and_why() {
    let candidates = [candidate("a", None), candidate("b", None)];
    let experiment = holdout(Some(
        json!({"attr": "segment", "op": "eq", "value": "skier"}),
    ));
    let skier = segment("skier");
    let skier = Attributes::new(&skier);
    let surfer = segment("surfer");
    let surfer = Attributes::new(&surfer);
    let not = |ctx: &ResolveContext<'_>, key: Option<&str>| {
        let choice = choose(&candidates, ctx, Some(&experiment), key, 0.0);
        assert_eq!(choice.winner.unwrap().index, 0, "ranking serves");
        let reason = ChoiceReason {
            choice: &choice,
            experiment: Some(&experiment),
            candidates: &candidates,
            context: ctx,
        };
        reason.to_string()
    };
    assert_eq!(
        not(&context(&skier), None),
        "not enrolled: no userKey; targets everyone; locale en; priority 0"
    );
    assert!(not(&context(&skier), Some("")).starts_with("not enrolled: no userKey; "));
    assert!(not(&context(&surfer), Some("k")).starts_with("not enrolled: outside the audience; "));
    let no_consent = ResolveContext {
        personalized: false,
        ..context(&Attributes::EMPTY)
    };
    assert!(not(&no_consent, Some("k")).starts_with("not enrolled: no personalization consent; "));
    let mut partial = holdout(None);
    partial.arms[0].weight = 0;
    partial.arms[1].weight = 0;
    let choice = choose(
        &candidates,
        &context(&skier),
        Some(&partial),
        Some("k"),
        0.0,
    );
    assert_eq!(
        choice.enrollment,
        Some(Enrollment::Not(NotEnrolled::OutsideWeights))
    );
}

#[test]
fn an_arm_variant_that_cannot_be_served_falls_back_to_ranking_and_still_counts() {
    let wrong_device = Candidate {
        devices: &[Device::Tv],
        ..candidate("tv-only", None)
    };
    let candidates = [candidate("a", None), wrong_device];
    let experiment = holdout(None);
    let ctx = context(&Attributes::EMPTY);
    let control = key_in_arm(&experiment, 0);
    let choice = choose(&candidates, &ctx, Some(&experiment), Some(&control), 0.0);
    assert_eq!(choice.enrollment, Some(Enrollment::Arm(0)));
    assert_eq!(choice.winner.unwrap().index, 0);
    assert!(!choice.arm_variant);
    // An unpublished arm variant (no index) too.
    let mut unpublished = holdout(None);
    unpublished.arms[0].variant = None;
    let choice = choose(&candidates, &ctx, Some(&unpublished), Some(&control), 0.0);
    assert_eq!((choice.arm(), choice.winner.unwrap().index), (Some(0), 0));
}

#[test]
fn an_arm_variant_in_a_worse_locale_tier_than_rankings_is_not_served() {
    let german = Candidate {
        locale: Some("de"),
        ..candidate("de", None)
    };
    let english = Candidate {
        locale: Some("en"),
        ..candidate("en", None)
    };
    let candidates = [german, english];
    let experiment = LiveExperiment {
        arms: vec![arm("control", Some(1), 50), arm("other", Some(0), 50)],
        ..holdout(None)
    };
    let ctx = ResolveContext {
        locale: Some("de"),
        ..context(&Attributes::EMPTY)
    };
    let control = key_in_arm(&experiment, 0);
    let choice = choose(&candidates, &ctx, Some(&experiment), Some(&control), 0.0);
    assert_eq!((choice.arm(), choice.winner.unwrap().index), (Some(0), 0));
    assert!(!choice.arm_variant);
}

#[test]
fn thompson_shares_keep_a_five_percent_floor_and_sum_to_one() {
    let shares = thompson_shares(&[1.0, 0.0]);
    assert!((shares[0] - 0.95).abs() < 1e-12 && (shares[1] - 0.05).abs() < 1e-12);
    let shares = thompson_shares(&[0.2, 0.3, 0.5]);
    assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    assert!(shares.iter().all(|s| *s >= BANDIT_FLOOR));
    assert_eq!(thompson_shares(&[0.0, 0.0]), vec![0.5, 0.5]);
    assert!(thompson_shares(&[]).is_empty());
}

/// A simulated environment: arm A converts 5 % of answers, arm B 10 %. Every 2,000 answers the
/// posteriors are refreshed from the results (as the per-node refresh does every minute); by the
/// end most traffic goes to B, and A keeps its floor.
#[test]
fn bandit_traffic_shifts_to_the_better_arm() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(22);
    let candidates = [candidate("a", None), candidate("b", None)];
    let mut experiment = LiveExperiment {
        mode: ExperimentMode::Bandit,
        arms: vec![arm("A", Some(0), 50), arm("B", Some(1), 50)],
        ..holdout(None)
    };
    let ctx = context(&Attributes::EMPTY);
    let rates = [0.05, 0.10];
    let mut counts = [Counts {
        people: 0,
        converters: 0,
    }; 2];
    let mut last_round = [0u64; 2];
    for round in 0..20 {
        last_round = [0; 2];
        for _ in 0..2000 {
            let choice = choose(&candidates, &ctx, Some(&experiment), Some("u"), rng.gen());
            let arm = choice.arm().unwrap();
            last_round[arm] += 1;
            counts[arm].people += 1;
            if rng.gen::<f64>() < rates[arm] {
                counts[arm].converters += 1;
            }
        }
        let (best, _) = bayesian(&counts);
        for (live, share) in experiment.arms.iter_mut().zip(thompson_shares(&best)) {
            live.share = share;
        }
        if round == 0 {
            assert!(last_round[0] > 800 && last_round[1] > 800, "starts even");
        }
    }
    let b_share = last_round[1] as f64 / 2000.0;
    assert!(b_share > 0.9, "B had {b_share} of the last round");
    assert!(
        last_round[0] >= 60,
        "A keeps about its 5 % floor: {}",
        last_round[0]
    );
}
