//! Delivery's promise that choosing a variant allocates nothing, checked with a counting
//! allocator on the benchmark's entry: 20 variants, five mixed conditions each.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Map, Value};
use vary::domain::device::Device;
use vary::domain::resolution::{resolve, Candidate, NoVariantReason, ResolveContext};
use vary::domain::rule::{Attributes, Rule};

/// Counts the allocations of the thread that asked to be counted, so that the test harness's
/// own threads cannot disturb the count.
struct CountingAllocator;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn note_allocation() {
    if COUNTING.with(Cell::get) {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
    }
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation();
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// The allocations `work` makes on this thread.
fn allocations_during(work: impl FnOnce()) -> usize {
    ALLOCATIONS.with(|count| count.set(0));
    COUNTING.with(|counting| counting.set(true));
    work();
    COUNTING.with(|counting| counting.set(false));
    ALLOCATIONS.with(Cell::get)
}

const VARIANTS: usize = 20;
const MATCHING: usize = 17;
const DEVICES: [Device; 2] = [Device::Mobile, Device::Desktop];

/// Odd variants reach their first conditions through a brand audience (`{"audience": …}`),
/// inlined when the rule compiles: resolving through it must allocate nothing either.
fn rule(i: usize) -> Rule {
    let (audiences, _) = vary::domain::audience::compile_all(&[(
        "Alpine".to_string(),
        json!({"all": [
            {"attr": "tier", "op": "gte", "value": 3},
            {"attr": "country", "op": "in", "value": ["CH", "AT", "DE"]}
        ]}),
    )]);
    let first = if i % 2 == 1 {
        vec![json!({"audience": "Alpine"})]
    } else {
        vec![
            json!({"attr": "tier", "op": "gte", "value": 3}),
            json!({"attr": "country", "op": "in", "value": ["CH", "AT", "DE", format!("X{i}")]}),
        ]
    };
    let rest = [
        json!({"attr": "email", "op": "matches", "value": "@(vary|example)\\.io$"}),
        json!({"any": [{"attr": "consent", "op": "exists"}, {"attr": "interests", "op": "contains", "value": "ski"}]}),
        json!({"attr": "segment", "op": "eq", "value": format!("segment-{i}")}),
    ];
    let json = json!({"all": first.into_iter().chain(rest).collect::<Vec<_>>()});
    Rule::parse_with(&json, &audiences).unwrap().unwrap()
}

fn created(i: usize) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::days(i as i64)
}

/// The benchmark's entry: `VARIANTS` published variants, each with its rule, the even ones for
/// mobiles and desktops only.
struct Entry {
    rules: Vec<Rule>,
    ids: Vec<String>,
}

impl Entry {
    fn new() -> Entry {
        Entry {
            rules: (0..VARIANTS).map(rule).collect(),
            ids: (0..VARIANTS).map(|i| format!("variant-{i}")).collect(),
        }
    }

    /// Its variants as candidates, every third one for `locale` when there is one.
    fn candidates(&self, locale: Option<&'static str>) -> Vec<Candidate<'_>> {
        (0..VARIANTS)
            .map(|i| Candidate {
                id: &self.ids[i],
                name: &self.ids[i],
                priority: i as i32,
                rule: Some(&self.rules[i]),
                devices: if i % 2 == 0 { &DEVICES } else { &[] },
                locale: locale.filter(|_| i % 3 == 0),
                starts_at: None,
                ends_at: None,
                quality: 0.9,
                created_at: created(i),
                published: true,
                archived: false,
            })
            .collect()
    }
}

/// The attributes of a consenting person whom variant `MATCHING` is for (and several others).
fn person() -> Map<String, Value> {
    let json = json!({"segment": format!("segment-{MATCHING}"), "tier": 4, "country": "CH",
        "email": "ann@vary.io", "consent": true, "interests": ["ski", "golf"]});
    json.as_object().unwrap().clone()
}

/// A personalized request from a mobile for `en-GB`.
fn context<'a>(attributes: &'a Attributes<'a>) -> ResolveContext<'a> {
    ResolveContext {
        attributes,
        device: Some(Device::Mobile),
        locale: Some("en-GB"),
        default_locale: "en",
        at: created(30),
        min_quality: 0.5,
        personalized: true,
    }
}

#[test]
fn resolving_a_variant_allocates_nothing() {
    let entry = Entry::new();
    let candidates = entry.candidates(Some("en"));
    let map = person();
    let attributes = Attributes::new(&map);
    let context = context(&attributes);
    // The regex crate makes each pattern's search cache on its first use in a thread; a server
    // thread pays that once, not per request.
    assert_eq!(
        resolve(&candidates, &context).map(|w| w.index),
        Some(MATCHING)
    );

    // Both routes: candidates in serving order (as the delivery snapshot keeps them) and not.
    let mut ranked = candidates.clone();
    ranked.sort_by(vary::domain::resolution::rank_order);
    assert!(resolve(&ranked, &context).is_some());

    let mut winners = 0;
    let allocations = allocations_during(|| {
        for _ in 0..1000 {
            winners += usize::from(std::hint::black_box(resolve(&candidates, &context)).is_some());
            winners += usize::from(std::hint::black_box(resolve(&ranked, &context)).is_some());
        }
    });

    assert_eq!(winners, 2000);
    assert_eq!(
        allocations, 0,
        "resolve allocated {allocations} times in 1000 calls"
    );
}

/// Without personalization consent (attributes empty, device unknown, only untargeted variants
/// eligible) resolution still allocates nothing, and writing its reason into a reused buffer
/// neither.
#[test]
fn resolving_without_consent_allocates_nothing() {
    use std::fmt::Write;
    let entry = Entry::new();
    let mut candidates = entry.candidates(None);
    // The last is untargeted: the only one eligible without consent.
    candidates[VARIANTS - 1].rule = None;
    let attributes = Attributes::EMPTY;
    let context = ResolveContext {
        device: None,
        personalized: false,
        ..context(&attributes)
    };
    let mut ranked = candidates.clone();
    ranked.sort_by(vary::domain::resolution::rank_order);
    let mut reason = String::with_capacity(256);
    let mut winners = 0;
    let allocations = allocations_during(|| {
        for _ in 0..1000 {
            for list in [&candidates, &ranked] {
                let winner = std::hint::black_box(resolve(list, &context));
                if let Some(winner) = winner {
                    winners += 1;
                    reason.clear();
                    write!(reason, "{}", winner.reason(list, &context)).unwrap();
                }
            }
        }
    });
    assert_eq!(winners, 2000);
    assert!(reason.contains("consent"), "{reason}");
    assert_eq!(
        allocations, 0,
        "resolve allocated {allocations} times in 1000 calls"
    );

    // Without the untargeted variant nothing is eligible: why is counted and written into the
    // reused buffer without allocating either (no `explain`).
    let targeted = &candidates[..VARIANTS - 1];
    let allocations = allocations_during(|| {
        for _ in 0..1000 {
            assert!(std::hint::black_box(resolve(targeted, &context)).is_none());
            reason.clear();
            write!(reason, "{}", NoVariantReason::of(targeted, &context)).unwrap();
        }
    });
    assert_eq!(
        reason,
        "no variant is eligible: 19 of 19 targeted, without personalization consent \
         (no personalization consent: only untargeted variants are eligible)"
    );
    assert_eq!(
        allocations, 0,
        "the no-winner reason allocated {allocations} times in 1000 calls"
    );
}

/// With a running experiment on the entry (FIXED: an XXH3 bucket of the userKey; BANDIT: a
/// draw against the shares), enrollment and the arm served allocate nothing either, nor does the
/// reason written into a reused buffer.
#[test]
fn choosing_with_a_running_experiment_allocates_nothing() {
    use std::fmt::Write;
    use std::sync::Arc;
    use vary::domain::experiment::serve::{choose, ChoiceReason, LiveArm, LiveExperiment};
    use vary::domain::experiment::ExperimentMode;
    let entry = Entry::new();
    let mut candidates = entry.candidates(None);
    candidates.sort_by(vary::domain::resolution::rank_order);
    let map = person();
    let attributes = Attributes::new(&map);
    let context = context(&attributes);
    let audience = Rule::parse(&json!({"attr": "tier", "op": "gte", "value": 2})).unwrap();
    let arm = |name: &str, variant: Option<usize>| LiveArm {
        id: format!("arm_{name}"),
        name: name.into(),
        ranked: variant.is_none(),
        variant,
        weight: 45,
        share: 0.5,
    };
    let mut experiment = LiveExperiment {
        id: "exp_bench".into(),
        name: "Bench".into(),
        audience: audience.map(Arc::new),
        mode: ExperimentMode::Fixed,
        arms: vec![arm("control", Some(VARIANTS - 1)), arm("ranked", None)],
    };
    let keys: Vec<String> = (0..100).map(|i| format!("person-{i}")).collect();
    let mut reason = String::with_capacity(256);
    // The regex crate makes each pattern's search cache on its first use in a thread.
    for key in &keys {
        let choice = choose(&candidates, &context, Some(&experiment), Some(key), 0.5);
        let why = ChoiceReason {
            choice: &choice,
            experiment: Some(&experiment),
            candidates: &candidates,
            context: &context,
        };
        reason.clear();
        write!(reason, "{why}").unwrap();
    }
    for mode in [ExperimentMode::Fixed, ExperimentMode::Bandit] {
        experiment.mode = mode;
        let mut enrolled = 0;
        let allocations = allocations_during(|| {
            for round in 0..10 {
                for key in &keys {
                    let draw = f64::from(round) / 10.0;
                    let choice = std::hint::black_box(choose(
                        &candidates,
                        &context,
                        Some(&experiment),
                        Some(key),
                        draw,
                    ));
                    enrolled += usize::from(choice.arm().is_some());
                    reason.clear();
                    let why = ChoiceReason {
                        choice: &choice,
                        experiment: Some(&experiment),
                        candidates: &candidates,
                        context: &context,
                    };
                    write!(reason, "{why}").unwrap();
                }
            }
        });
        assert!(enrolled > 500, "{enrolled} of 1000 enrolled");
        assert!(
            reason.starts_with("experiment \"Bench\" arm ") || reason.starts_with("not enrolled"),
            "{reason}"
        );
        assert_eq!(
            allocations, 0,
            "{mode:?}: choose allocated {allocations} times in 1000 calls"
        );
    }
}

#[test]
fn the_counter_sees_allocations() {
    let allocations = allocations_during(|| {
        std::hint::black_box(vec![1u8; 16]);
    });
    assert_eq!(allocations, 1);
}
