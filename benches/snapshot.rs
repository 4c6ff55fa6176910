//! Rebuilding a brand's delivery snapshot: 10,000 entries × 10 published variants whose rules
//! have three conditions each. Reports the time per rebuild (criterion) and the memory the
//! finished snapshot holds (a counting allocator: bytes live after the build minus before).
//! A second case shares 1,000 audiences among the 100,000 variants (each rule names one): the
//! rebuild then compiles the audiences and inlines them (target: under 300 ms).

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
// The input (as loaded from the database) is made outside the timed part; building the
// snapshot from it is what is measured.
use serde_json::json;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use vary::delivery::snapshot::BrandSnapshot;
use vary::domain::audience::compile_all;
use vary::domain::brand::{Brand, BrandPolicy};
use vary::domain::entry::Entry;
use vary::domain::targeting::Targeting;
use vary::domain::variant::PublishedVariant;

struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const ENTRIES: usize = 10_000;
const VARIANTS: usize = 10;

fn brand() -> Brand {
    Brand {
        id: "brd".into(),
        slug: "bench".into(),
        name: "Bench".into(),
        default_locale: "en".into(),
        locales: vec!["en".into(), "de".into()],
        policy: BrandPolicy::default(),
        version: 1,
        preview_url: None,
    }
}

/// The input as the store hands it over: entries, and each published variant joined with its
/// published revision (the rule as its stored JSON text).
fn data() -> (Vec<Entry>, Vec<PublishedVariant>) {
    let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let mut entries = Vec::with_capacity(ENTRIES);
    let mut published = Vec::with_capacity(ENTRIES * VARIANTS);
    for e in 0..ENTRIES {
        let entry_id = format!("ent_{e:08}");
        entries.push(Entry {
            id: entry_id.clone(),
            brand_id: "brd".into(),
            key: format!("entry-{e}"),
            content_type_id: "ct".into(),
            description: None,
            version: 1,
        });
        for v in 0..VARIANTS {
            let rule = json!({"all": [
                {"attr": "segment", "op": "in", "value": [format!("s{v}"), "all"]},
                {"attr": "tier", "op": "gte", "value": v},
                {"attr": "country", "op": "eq", "value": "CH"}
            ]});
            published.push(PublishedVariant {
                id: format!("var_{e:08}_{v:02}"),
                entry_id: entry_id.clone(),
                created_at: at,
                revision: format!("{:064x}", e * VARIANTS + v),
                name: format!("Variant {v}"),
                fields: json!({"title": format!("Title {e}/{v}"), "body": "Some body copy for the variant.", "cta": "Go"}),
                tags: vec!["bench".into()],
                targeting: Targeting {
                    rule: Some(rule.to_string()),
                    devices: vec![],
                    locale: None,
                    priority: v as i32,
                    starts_at: None,
                    ends_at: None,
                },
                quality: 1.0,
            });
        }
    }
    (entries, published)
}

fn bench_snapshot(c: &mut Criterion) {
    let (entries, published) = data();
    let before = LIVE.load(Ordering::Relaxed);
    let snapshot = BrandSnapshot::compile(
        brand(),
        entries.clone(),
        published.clone(),
        &Default::default(),
        vec![],
        Default::default(),
    );
    let held = LIVE.load(Ordering::Relaxed) - before;
    println!(
        "snapshot of {} entries × {VARIANTS} variants holds {:.1} MB",
        snapshot.entries.len(),
        held as f64 / 1_000_000.0
    );
    drop(snapshot);
    if std::env::var_os("VARY_SNAPSHOT_ONCE").is_some() {
        // One build and out: for a profiler (`valgrind --tool=callgrind`).
        return;
    }
    let mut group = c.benchmark_group("snapshot");
    group.sample_size(10);
    group.bench_function("rebuild 10k entries x 10 variants", |b| {
        b.iter_batched(
            || (entries.clone(), published.clone()),
            |(entries, published)| {
                BrandSnapshot::compile(
                    brand(),
                    entries,
                    published,
                    &Default::default(),
                    vec![],
                    Default::default(),
                )
            },
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

const AUDIENCES: usize = 1_000;

/// 1,000 audiences of two conditions each (one in ten naming another audience), and the same
/// variants with rules that name one of them.
fn audience_data() -> (
    Vec<(String, serde_json::Value)>,
    Vec<Entry>,
    Vec<PublishedVariant>,
) {
    let audiences = (0..AUDIENCES)
        .map(|a| {
            let own = json!({"attr": "tier", "op": "gte", "value": a % 7});
            let rule = if a % 10 == 9 {
                json!({"all": [own, {"audience": format!("aud-{}", a - 1)}]})
            } else {
                json!({"all": [own, {"attr": "segment", "op": "in", "value": [format!("s{a}")]}]})
            };
            (format!("aud-{a}"), rule)
        })
        .collect();
    let (entries, mut published) = data();
    for (i, variant) in published.iter_mut().enumerate() {
        let rule = json!({"all": [
            {"audience": format!("aud-{}", i % AUDIENCES)},
            {"attr": "country", "op": "eq", "value": "CH"}
        ]});
        variant.targeting.rule = Some(rule.to_string());
    }
    (audiences, entries, published)
}

fn bench_audiences(c: &mut Criterion) {
    let (audiences, entries, published) = audience_data();
    let build = |entries, published| {
        let (rules, failed) = compile_all(&audiences);
        assert!(failed.is_empty());
        BrandSnapshot::compile(
            brand(),
            entries,
            published,
            &Default::default(),
            vec![],
            rules,
        )
    };
    let once = build(entries.clone(), published.clone());
    assert_eq!(once.variant_count(), ENTRIES * VARIANTS);
    drop(once);
    let mut group = c.benchmark_group("snapshot");
    group.sample_size(10);
    group.bench_function("rebuild 1k audiences shared by 100k variants", |b| {
        b.iter_batched(
            || (entries.clone(), published.clone()),
            |(entries, published)| build(entries, published),
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench_snapshot, bench_audiences);
criterion_main!(benches);
