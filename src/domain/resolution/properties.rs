//! Properties of choosing the variant, over generated entries and contexts: determinism,
//! order independence, indifference to ineligible variants, priority, and `resolve` agreeing
//! with `explain`.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::tests::{at, context, rule, winner_id};
use super::*;

const LOCALES: [Option<&str>; 5] = [None, Some("en"), Some("de"), Some("de-CH"), Some("fr")];
const DEVICE_SETS: [&[Device]; 3] = [&[], &[Device::Mobile], &[Device::Desktop, Device::Tablet]];

fn rule_table() -> Vec<Rule> {
    [
        json!({"attr": "segment", "op": "eq", "value": "skier"}),
        json!({"attr": "tier", "op": "gte", "value": 3}),
        json!({"any": [{"attr": "segment", "op": "in", "value": ["skier", "hiker"]}, {"attr": "vip", "op": "exists"}]}),
        json!({"not": {"attr": "segment", "op": "eq", "value": "hiker"}}),
        json!({"attr": "never", "op": "exists"}),
    ]
    .into_iter()
    .map(rule)
    .collect()
}

fn attribute_table() -> Vec<Value> {
    vec![
        json!({}),
        json!({"segment": "skier", "tier": 3}),
        json!({"segment": "hiker", "tier": 1, "vip": true}),
        json!({"segment": "skier", "tier": 5.0, "vip": false}),
    ]
}

/// An owned variant description that a test turns into a borrowed [`Candidate`].
#[derive(Debug, Clone)]
struct Spec {
    id: String,
    priority: i32,
    rule: Option<usize>,
    devices: usize,
    locale: usize,
    window: (Option<i64>, Option<i64>),
    quality: f64,
    created_day: i64,
    published: bool,
    archived: bool,
}

fn spec() -> impl Strategy<Value = Spec> {
    let rule = prop::option::of(0..4usize);
    let window = (prop::option::of(5..15i64), prop::option::of(5..15i64));
    let flags = (prop::bool::weighted(0.85), prop::bool::weighted(0.1));
    (
        -1..3i32,
        rule,
        0..3usize,
        0..5usize,
        window,
        prop::sample::select(vec![0.2, 0.5, 0.9]),
        0..4i64,
        flags,
    )
        .prop_map(
            |(
                priority,
                rule,
                devices,
                locale,
                window,
                quality,
                created_day,
                (published, archived),
            )| Spec {
                id: String::new(),
                priority,
                rule,
                devices,
                locale,
                window,
                quality,
                created_day,
                published,
                archived,
            },
        )
}

fn specs() -> impl Strategy<Value = Vec<Spec>> {
    prop::collection::vec(spec(), 0..8).prop_map(|mut specs| {
        specs
            .iter_mut()
            .enumerate()
            .for_each(|(i, s)| s.id = format!("v{i}"));
        specs
    })
}

/// The context's choices: attributes, device, requested locale, minimum quality, consent to
/// personalization.
type Setting = (usize, Option<Device>, usize, f64, bool);

fn setting() -> impl Strategy<Value = Setting> {
    let device = prop::option::of(prop::sample::select(Device::ALL.to_vec()));
    (
        0..4usize,
        device,
        0..5usize,
        prop::sample::select(vec![0.0, 0.5]),
        prop::bool::weighted(0.7),
    )
}

fn candidates<'a>(specs: &'a [Spec], rules: &'a [Rule]) -> Vec<Candidate<'a>> {
    specs
        .iter()
        .map(|s| Candidate {
            id: &s.id,
            name: &s.id,
            priority: s.priority,
            rule: s.rule.map(|r| &rules[r]),
            devices: DEVICE_SETS[s.devices],
            locale: LOCALES[s.locale],
            starts_at: s.window.0.map(at),
            ends_at: s.window.1.map(at),
            quality: s.quality,
            created_at: at(s.created_day),
            published: s.published,
            archived: s.archived,
        })
        .collect()
}

/// Resolves `specs` in `setting` and gives the winner's id.
fn winner_of(specs: &[Spec], setting: &Setting) -> Option<String> {
    let (rules, values) = (rule_table(), attribute_table());
    let attributes = Attributes::from_value(&values[setting.0]).unwrap();
    let ctx = ResolveContext {
        device: setting.1,
        locale: LOCALES[setting.2],
        min_quality: setting.3,
        personalized: setting.4,
        ..context(&attributes)
    };
    winner_id(&candidates(specs, &rules), &ctx)
}

proptest! {
    #[test]
    fn the_same_input_gives_the_same_winner(specs in specs(), setting in setting()) {
        prop_assert_eq!(winner_of(&specs, &setting), winner_of(&specs, &setting));
    }

    #[test]
    fn the_winner_does_not_depend_on_candidate_order(
        (specs, shuffled) in specs().prop_flat_map(|s| (Just(s.clone()), Just(s).prop_shuffle())),
        setting in setting(),
    ) {
        prop_assert_eq!(winner_of(&specs, &setting), winner_of(&shuffled, &setting));
    }

    #[test]
    fn adding_an_ineligible_variant_never_changes_the_winner(
        specs in specs(), setting in setting(), extra in spec(), how in 0..3usize, position in any::<prop::sample::Index>(),
    ) {
        let mut ineligible = Spec { id: "ineligible".into(), ..extra };
        match how {
            0 => ineligible.published = false,
            1 => ineligible.window = (None, Some(0)),
            _ => ineligible.rule = Some(4),
        }
        let mut more = specs.clone();
        more.insert(position.index(specs.len() + 1), ineligible);
        prop_assert_eq!(winner_of(&specs, &setting), winner_of(&more, &setting));
    }

    #[test]
    fn a_higher_priority_eligible_variant_beats_the_winner(
        specs in specs(), setting in setting(), position in any::<prop::sample::Index>(),
    ) {
        let Some(winner) = winner_of(&specs, &setting) else { return Ok(()) };
        let mut challenger = specs.iter().find(|s| s.id == winner).unwrap().clone();
        challenger.id = "challenger".into();
        challenger.priority += 1;
        let mut more = specs.clone();
        more.insert(position.index(specs.len() + 1), challenger);
        prop_assert_eq!(winner_of(&more, &setting), Some("challenger".to_owned()));
    }

    #[test]
    fn the_ranked_fast_path_agrees_with_the_general_one(specs in specs(), setting in setting()) {
        let (rules, values) = (rule_table(), attribute_table());
        let attributes = Attributes::from_value(&values[setting.0]).unwrap();
        let ctx = ResolveContext { device: setting.1, locale: LOCALES[setting.2], min_quality: setting.3, personalized: setting.4, ..context(&attributes) };
        let candidates = candidates(&specs, &rules);
        let mut ranked = candidates.clone();
        ranked.sort_by(super::rank_order);
        let general = super::resolve_unordered(&candidates, &ctx).map(|w| (candidates[w.index].id, w.tier));
        let fast = super::resolve_ranked(&ranked, &ctx).map(|w| (ranked[w.index].id, w.tier));
        prop_assert_eq!(general, fast);
    }

    #[test]
    fn resolve_and_explain_agree(specs in specs(), setting in setting()) {
        let (rules, values) = (rule_table(), attribute_table());
        let attributes = Attributes::from_value(&values[setting.0]).unwrap();
        let ctx = ResolveContext { device: setting.1, locale: LOCALES[setting.2], min_quality: setting.3, personalized: setting.4, ..context(&attributes) };
        let candidates = candidates(&specs, &rules);
        let resolved = resolve(&candidates, &ctx);
        let explained = explain(&candidates, &ctx);
        prop_assert_eq!(resolved.map(|w| w.index), explained.winner);
        if let Some(winner) = resolved {
            prop_assert_eq!(winner.reason(&candidates, &ctx).to_string(), explained.reason.clone());
        }
        let eligible = explained.candidates.iter().filter(|c| c.eligible).count();
        prop_assert_eq!(eligible > 0, resolved.is_some());
        if !ctx.personalized {
            prop_assert!(explained.reason.contains("consent"), "{}", explained.reason);
        }
    }

    #[test]
    fn without_consent_the_winner_is_the_best_untargeted_variant(specs in specs(), setting in setting()) {
        let without = (setting.0, setting.1, setting.2, setting.3, false);
        let winner = winner_of(&specs, &without);
        if let Some(id) = &winner {
            let spec = specs.iter().find(|s| &s.id == id).unwrap();
            prop_assert!(spec.rule.is_none() && DEVICE_SETS[spec.devices].is_empty());
        }
        // The same as with consent among the untargeted variants alone, whatever the visitor
        // is: attributes and device are not looked at.
        let untargeted: Vec<Spec> = specs.iter().filter(|s| s.rule.is_none() && s.devices == 0).cloned().collect();
        prop_assert_eq!(winner, winner_of(&untargeted, &(0, None, setting.2, setting.3, true)));
    }
}
