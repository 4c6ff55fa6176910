//! Choosing the variant, step by step as the contract words it; its properties are in `properties`.

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{json, Value};

use super::*;

pub(super) fn at(day: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap() + Duration::days(day)
}

pub(super) fn rule(json: Value) -> Rule {
    Rule::parse(&json).unwrap().unwrap()
}

/// A published, unscheduled, untargeted variant of quality 1.0 created on day 0.
fn variant(id: &'static str) -> Candidate<'static> {
    Candidate {
        id,
        name: id,
        priority: 0,
        rule: None,
        devices: &[],
        locale: None,
        starts_at: None,
        ends_at: None,
        quality: 1.0,
        created_at: at(0),
        published: true,
        archived: false,
    }
}

pub(super) fn context<'a>(attributes: &'a Attributes<'a>) -> ResolveContext<'a> {
    ResolveContext {
        attributes,
        device: Some(Device::Mobile),
        locale: None,
        default_locale: "en",
        at: at(10),
        min_quality: 0.5,
        personalized: true,
    }
}

pub(super) fn winner_id(
    candidates: &[Candidate<'_>],
    context: &ResolveContext<'_>,
) -> Option<String> {
    resolve(candidates, context).map(|w| candidates[w.index].id.to_owned())
}

const NONE: Attributes<'static> = Attributes::EMPTY;

#[test]
fn unpublished_archived_and_low_quality_variants_are_not_served() {
    let ctx = context(&NONE);
    let unpublished = Candidate {
        published: false,
        ..variant("draft")
    };
    let archived = Candidate {
        archived: true,
        ..variant("gone")
    };
    let poor = Candidate {
        quality: 0.4,
        ..variant("poor")
    };
    assert_eq!(winner_id(&[unpublished, archived, poor], &ctx), None);
    assert_eq!(
        winner_id(&[unpublished, variant("ok"), poor], &ctx),
        Some("ok".into())
    );
}

#[test]
fn the_schedule_includes_its_start_and_excludes_its_end() {
    let ctx = context(&NONE);
    let starting = Candidate {
        starts_at: Some(at(10)),
        ..variant("starting")
    };
    let ending = Candidate {
        ends_at: Some(at(10)),
        ..variant("ending")
    };
    assert_eq!(winner_id(&[ending], &ctx), None);
    assert_eq!(
        winner_id(&[ending, starting], &ctx),
        Some("starting".into())
    );
}

#[test]
fn an_unknown_device_only_matches_variants_for_every_device() {
    let mobile = Candidate {
        devices: &[Device::Mobile],
        priority: 1,
        ..variant("mobile")
    };
    let mut ctx = context(&NONE);
    assert_eq!(
        winner_id(&[variant("all"), mobile], &ctx),
        Some("mobile".into())
    );
    ctx.device = None;
    assert_eq!(
        winner_id(&[variant("all"), mobile], &ctx),
        Some("all".into())
    );
}

#[test]
fn the_rule_must_hold_for_the_attributes() {
    let skiers = rule(json!({"attr": "segment", "op": "eq", "value": "skier"}));
    let targeted = Candidate {
        rule: Some(&skiers),
        ..variant("skiers")
    };
    let hiker = json!({"segment": "hiker"});
    let hiker = Attributes::from_value(&hiker).unwrap();
    assert_eq!(winner_id(&[targeted], &context(&hiker)), None);
}

#[test]
fn locale_tiers_go_requested_then_language_then_default() {
    let swiss = Candidate {
        locale: Some("de-CH"),
        ..variant("swiss")
    };
    let german = Candidate {
        locale: Some("DE"),
        priority: 5,
        ..variant("german")
    };
    let default = Candidate {
        priority: 9,
        ..variant("default")
    };
    let mut ctx = context(&NONE);
    ctx.locale = Some("de-ch");
    assert_eq!(
        winner_id(&[swiss, german, default], &ctx),
        Some("swiss".into())
    );
    assert_eq!(winner_id(&[german, default], &ctx), Some("german".into()));
    assert_eq!(winner_id(&[default], &ctx), Some("default".into()));
    ctx.locale = Some("fr");
    assert_eq!(winner_id(&[swiss, german], &ctx), None);
}

#[test]
fn a_variant_without_locale_belongs_to_the_default_tier_only() {
    let english = Candidate {
        locale: Some("en"),
        ..variant("english")
    };
    let mut ctx = context(&NONE);
    ctx.locale = Some("en");
    ctx.default_locale = "de";
    assert_eq!(
        winner_id(&[variant("unlocalized"), english], &ctx),
        Some("english".into())
    );
    ctx.locale = Some("fr");
    assert_eq!(
        winner_id(&[variant("unlocalized"), english], &ctx),
        Some("unlocalized".into())
    );
}

#[test]
fn rank_is_priority_then_specificity_then_quality_then_age() {
    let tiered = rule(json!({"attr": "tier", "op": "not_exists"}));
    let ctx = context(&NONE);
    let specific = Candidate {
        rule: Some(&tiered),
        ..variant("specific")
    };
    let on_mobile = Candidate {
        devices: &[Device::Mobile],
        ..variant("on_mobile")
    };
    let better = Candidate {
        quality: 0.9,
        created_at: at(-5),
        ..variant("older_but_worse")
    };
    let best = Candidate {
        quality: 1.0,
        ..variant("newer_but_better")
    };
    assert_eq!(
        winner_id(
            &[
                variant("plain"),
                Candidate {
                    priority: 1,
                    ..variant("p1")
                },
                specific
            ],
            &ctx
        ),
        Some("p1".into())
    );
    assert_eq!(
        winner_id(&[variant("plain"), specific], &ctx),
        Some("specific".into())
    );
    assert_eq!(
        winner_id(&[variant("plain"), on_mobile], &ctx),
        Some("on_mobile".into())
    );
    assert_eq!(
        winner_id(&[better, best], &ctx),
        Some("newer_but_better".into())
    );
    let old = Candidate {
        created_at: at(-1),
        ..variant("old")
    };
    assert_eq!(winner_id(&[variant("new"), old], &ctx), Some("old".into()));
}

#[test]
fn the_reason_names_conditions_device_locale_and_priority() {
    let skiers = rule(json!({"attr": "segment", "op": "in", "value": ["skier"]}));
    let targeted = Candidate {
        rule: Some(&skiers),
        devices: &[Device::Mobile],
        ..variant("skiers")
    };
    let skier = json!({"segment": "skier"});
    let skier = Attributes::from_value(&skier).unwrap();
    let ctx = context(&skier);
    let candidates = [targeted];
    let winner = resolve(&candidates, &ctx).unwrap();
    let reason = winner.reason(&candidates, &ctx).to_string();
    assert_eq!(
        reason,
        "matched segment in [skier]; device MOBILE; locale en; priority 0"
    );
    let everyone = [variant("everyone")];
    let winner = resolve(&everyone, &ctx).unwrap();
    assert_eq!(
        winner.reason(&everyone, &ctx).to_string(),
        "targets everyone; locale en; priority 0"
    );
}

#[test]
fn preview_reports_why_each_variant_was_or_was_not_eligible() {
    let skiers = rule(json!({"attr": "segment", "op": "in", "value": ["skier"]}));
    let candidates = [
        Candidate {
            published: false,
            starts_at: Some(at(20)),
            ..variant("draft")
        },
        Candidate {
            ends_at: Some(at(1)),
            devices: &[Device::Desktop],
            ..variant("old")
        },
        Candidate {
            quality: 0.4,
            rule: Some(&skiers),
            ..variant("poor")
        },
        Candidate {
            locale: Some("de"),
            ..variant("german")
        },
        Candidate {
            archived: true,
            ..variant("archived")
        },
        Candidate {
            priority: 5,
            ..variant("winner")
        },
        variant("runner_up"),
    ];
    let hiker = json!({"segment": "hiker"});
    let hiker = Attributes::from_value(&hiker).unwrap();
    let explanation = explain(&candidates, &context(&hiker));
    let reasons: Vec<Vec<String>> = explanation
        .candidates
        .iter()
        .map(|c| c.reasons.clone())
        .collect();
    assert_eq!(explanation.winner, Some(5));
    assert_eq!(
        explanation.reason,
        "targets everyone; locale en; priority 5"
    );
    assert_eq!(
        reasons[0],
        ["not published", "scheduled from 2026-06-21T00:00:00Z"]
    );
    assert_eq!(
        reasons[1],
        [
            "ended at 2026-06-02T00:00:00Z",
            "device MOBILE not in [DESKTOP]"
        ]
    );
    assert_eq!(
        reasons[2],
        [
            "quality 40 below brand minimum 50",
            "rule failed: segment in [skier] (segment is \"hiker\")"
        ]
    );
    assert_eq!(reasons[3], ["locale de not in chosen tier en"]);
    assert_eq!(
        reasons[4],
        ["targets everyone", "locale en", "priority 5", "served"]
    );
    assert_eq!(
        reasons[5].last().unwrap(),
        "outranked by \"winner\" (priority 5 > 0)"
    );
    assert_eq!(
        explanation.candidates.len(),
        6,
        "archived variants are not candidates"
    );
}

#[test]
fn the_no_variant_reason_sums_up_the_blockers() {
    let candidates = [
        Candidate {
            published: false,
            ..variant("a")
        },
        Candidate {
            quality: 0.1,
            ..variant("b")
        },
    ];
    let reason = no_variant_reason(&candidates, &context(&NONE));
    assert_eq!(
        reason,
        "no variant is eligible: 1 of 2 not published, 1 of 2 below the quality minimum"
    );
    assert_eq!(
        no_variant_reason(&[], &context(&NONE)),
        "no variant is eligible: the entry has no variants"
    );
}

#[test]
fn without_personalization_consent_only_untargeted_variants_are_served() {
    let skier = rule(json!({"attr": "segment", "op": "eq", "value": "skier"}));
    let map = json!({"segment": "skier"});
    let attributes = Attributes::from_value(&map).unwrap();
    let candidates = [
        Candidate {
            rule: Some(&skier),
            priority: 10,
            ..variant("skiers")
        },
        Candidate {
            devices: &[Device::Mobile],
            priority: 5,
            ..variant("mobile")
        },
        variant("everyone"),
    ];
    let consented = context(&attributes);
    assert_eq!(
        winner_id(&candidates, &consented).as_deref(),
        Some("skiers")
    );
    let without = ResolveContext {
        personalized: false,
        ..consented
    };
    let winner = resolve(&candidates, &without).unwrap();
    assert_eq!(candidates[winner.index].id, "everyone");
    assert_eq!(
        winner.reason(&candidates, &without).to_string(),
        "no personalization consent; targets everyone; locale en; priority 0"
    );
    let explained = explain(&candidates, &without);
    assert_eq!(explained.winner, Some(2));
    assert!(explained.candidates[0].reasons[0].contains("no personalization consent"));
    assert!(!explained.candidates[1].eligible);

    let only_targeted = &candidates[..2];
    assert_eq!(resolve(only_targeted, &without), None);
    let reason = no_variant_reason(only_targeted, &without);
    assert!(reason.contains("consent"), "{reason}");
}
