//! Which conflicts are reported, and which are not because they cannot be proven.

use super::*;
use crate::domain::device::Device;
use chrono::TimeZone;
use serde_json::{json, Value};

fn rule(json: Value) -> Rule {
    Rule::parse(&json).unwrap().unwrap()
}

fn day(n: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, n, 0, 0, 0).unwrap()
}

fn variant(name: &'static str) -> Candidate<'static> {
    Candidate {
        id: name,
        name,
        priority: 0,
        rule: None,
        devices: &[],
        locale: None,
        starts_at: None,
        ends_at: None,
        quality: 1.0,
        created_at: day(1),
        published: true,
        archived: false,
    }
}

fn conflicts(variants: &[Candidate<'_>]) -> Vec<Conflict> {
    find_conflicts(variants)
        .into_iter()
        .map(|w| w.conflict)
        .collect()
}

#[test]
fn a_narrower_variant_below_a_broader_one_is_shadowed() {
    let skiers = rule(json!({"attr": "segment", "op": "in", "value": ["skier", "snowboarder"]}));
    let expert_skiers = rule(json!({"all": [
        {"attr": "segment", "op": "eq", "value": "skier"}, {"attr": "tier", "op": "gte", "value": 3}]}));
    let broad = Candidate {
        priority: 5,
        rule: Some(&skiers),
        ..variant("all skiers")
    };
    let narrow = Candidate {
        rule: Some(&expert_skiers),
        ..variant("expert skiers")
    };
    let warnings = find_conflicts(&[narrow, broad]);
    assert_eq!(
        warnings[0].conflict,
        Conflict::Shadowed { variant: 0, by: 1 }
    );
    assert!(warnings[0]
        .message
        .contains("\"expert skiers\" can never be served: \"all skiers\""));
}

#[test]
fn a_variant_for_everyone_shadows_lower_ranked_ones() {
    let high = Candidate {
        priority: 1,
        ..variant("everyone")
    };
    let targeted = Candidate {
        devices: &[Device::Tv],
        locale: None,
        ..variant("tv")
    };
    assert_eq!(
        conflicts(&[high, targeted]),
        [Conflict::Shadowed { variant: 1, by: 0 }]
    );
}

#[test]
fn a_narrower_variant_that_ranks_higher_is_not_shadowed() {
    let skiers = rule(json!({"attr": "segment", "op": "eq", "value": "skier"}));
    let narrow = Candidate {
        rule: Some(&skiers),
        ..variant("skiers")
    };
    assert_eq!(conflicts(&[variant("everyone"), narrow]), []);
}

#[test]
fn narrower_devices_locale_schedule_or_quality_prevent_shadowing() {
    let everyone = variant("low");
    let cases = [
        Candidate {
            devices: &[Device::Mobile],
            ..variant("mobile only")
        },
        Candidate {
            locale: Some("de"),
            ..variant("german")
        },
        Candidate {
            ends_at: Some(day(9)),
            ..variant("until the 9th")
        },
        Candidate {
            quality: 0.5,
            ..variant("poorer")
        },
    ];
    for high in cases {
        let high = Candidate {
            priority: 1,
            ..high
        };
        let found = conflicts(&[high, everyone]);
        assert!(
            !found.iter().any(|c| matches!(c, Conflict::Shadowed { .. })),
            "{}",
            high.name
        );
    }
}

#[test]
fn rules_with_not_are_never_claimed_to_shadow() {
    let not_hiker = rule(json!({"not": {"attr": "segment", "op": "eq", "value": "hiker"}}));
    let high = Candidate {
        priority: 1,
        rule: Some(&not_hiker),
        ..variant("not hikers")
    };
    let low = Candidate {
        rule: Some(&not_hiker),
        ..variant("also not hikers")
    };
    assert_eq!(conflicts(&[high, low]), []);
}

#[test]
fn equal_rank_overlapping_audiences_are_a_tie() {
    let skiers = rule(json!({"attr": "segment", "op": "eq", "value": "skier"}));
    let experts = rule(json!({"attr": "tier", "op": "gt", "value": 3}));
    let a = Candidate {
        rule: Some(&skiers),
        quality: 0.9,
        ..variant("skiers")
    };
    let b = Candidate {
        rule: Some(&experts),
        ..variant("experts")
    };
    let warnings = find_conflicts(&[a, b]);
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].conflict, Conflict::Tie { a: 0, b: 1 });
    assert!(warnings[0]
        .message
        .starts_with("variants \"skiers\" and \"experts\" have the same priority (0)"));
}

#[test]
fn disjoint_audiences_devices_or_schedules_are_no_tie() {
    let skiers = rule(json!({"attr": "segment", "op": "eq", "value": "skier"}));
    let hikers = rule(json!({"attr": "segment", "op": "eq", "value": "hiker"}));
    let a = Candidate {
        rule: Some(&skiers),
        ..variant("skiers")
    };
    assert_eq!(
        conflicts(&[
            a,
            Candidate {
                rule: Some(&hikers),
                ..variant("hikers")
            }
        ]),
        []
    );
    let early = Candidate {
        ends_at: Some(day(5)),
        devices: &[Device::Tv],
        ..variant("early")
    };
    let late = Candidate {
        starts_at: Some(day(5)),
        devices: &[Device::Tv],
        ..variant("late")
    };
    assert_eq!(conflicts(&[early, late]), []);
    let mobile = Candidate {
        devices: &[Device::Mobile],
        ..variant("mobile")
    };
    assert_eq!(
        conflicts(&[
            Candidate {
                devices: &[Device::Tv],
                ..variant("tv")
            },
            mobile
        ]),
        []
    );
}

#[test]
fn an_unpublished_variant_does_not_shadow_a_published_one() {
    let draft = Candidate {
        priority: 1,
        published: false,
        ..variant("draft")
    };
    assert_eq!(conflicts(&[draft, variant("live")]), []);
    let live = Candidate {
        published: false,
        ..variant("also a draft")
    };
    assert_eq!(
        conflicts(&[draft, live]),
        [Conflict::Shadowed { variant: 1, by: 0 }]
    );
}

#[test]
fn archived_variants_are_ignored() {
    let archived = Candidate {
        priority: 9,
        archived: true,
        ..variant("archived")
    };
    assert_eq!(conflicts(&[archived, variant("live")]), []);
}
