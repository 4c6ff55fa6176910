//! `experimentReport` over 1,000,000 enrolled events (issue #22: under 1 s): a FIXED experiment
//! of two arms, 100,000 people, 700,000 impressions, 200,000 clicks and 100,000 conversions in an
//! on-disk usage index, counted as the server counts them (`content::experiments::
//! counted_in_index`: distinct people per arm, converters by the goal) and turned into the
//! report's statistics (`domain::experiment::report`). Loading the experiment's row is the only
//! part of the request left out.
//!
//! `cargo bench --bench experiment_report` runs the full size (`VARY_REPORT_EVENTS` overrides
//! it). Under `cargo test` (no `--bench` argument) it runs 10,000 events as a smoke test.

use std::sync::Arc;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use criterion::{black_box, Criterion};
use vary::content::experiments::counted_in_index;
use vary::domain::experiment::report::report;
use vary::domain::experiment::{
    Arm, ArmTarget, Experiment, ExperimentGoal, ExperimentMode, ExperimentStatus,
};
use vary::usage::{ServedVariant, UsageEvent, UsageIndex, UsageKind, USAGE_WRITER};

const PEOPLE: u64 = 200_000;

fn experiment() -> Experiment {
    let at = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let arm = |id: &str, target| Arm {
        id: id.into(),
        name: id.into(),
        target,
        weight: 50,
    };
    Experiment {
        id: "exp_bench".into(),
        brand_id: "brand".into(),
        entry_id: "ent_1".into(),
        name: "Hero".into(),
        hypothesis: None,
        audience: None,
        arms: vec![
            arm("arm_control", ArmTarget::Variant("var_a".into())),
            arm("arm_ranked", ArmTarget::Ranked),
        ],
        goal: ExperimentGoal::Click,
        mode: ExperimentMode::Fixed,
        status: ExperimentStatus::Running,
        min_people_per_arm: 100,
        started_at: Some(at),
        stopped_at: None,
        winner: None,
        version: 2,
        created_at: at,
        updated_at: at,
    }
}

/// Event `n` of the experiment: 7 in 10 impressions, 2 clicks, 1 conversion, each click or
/// conversion on an earlier impression of the same person and arm.
fn events(total: u64) -> Vec<UsageEvent> {
    let served = |arm: &str, variant: &str| {
        Arc::new(ServedVariant {
            brand: "scale".into(),
            entry_id: "ent_1".into(),
            entry_key: "home-hero".into(),
            variant_id: variant.into(),
            variant_name: format!("Variant {variant}"),
            revision: format!("rev-{variant}"),
            experiment_id: "exp_bench".into(),
            arm_id: arm.into(),
        })
    };
    let arms = [
        served("arm_control", "var_a"),
        served("arm_ranked", "var_b"),
    ];
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    (0..total)
        .map(|n| {
            let person = (n / 10 * 7919) % PEOPLE;
            let kind = match n % 10 {
                0..=6 => UsageKind::Impression,
                7 | 8 => UsageKind::Click,
                _ => UsageKind::Conversion,
            };
            UsageEvent {
                id: format!("evt_{n}"),
                kind,
                impression_id: format!("evt_{}", n - n % 10 + n % 3),
                served: arms[(person % 2) as usize].clone(),
                device: Some(std::borrow::Cow::Borrowed("MOBILE")),
                locale: "en".into(),
                at: start + chrono::Duration::seconds(n as i64),
                user_key_hash: Some(format!("{:064x}", person)),
                attributes: Default::default(),
                value: (kind == UsageKind::Conversion).then_some(12.5),
            }
        })
        .collect()
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let total: u64 = std::env::var("VARY_REPORT_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 1_000_000 } else { 10_000 });
    let dir = tempfile::tempdir().expect("temp dir");
    let index = UsageIndex::open(&dir.path().join("usage"), USAGE_WRITER).unwrap();
    let started = Instant::now();
    for chunk in events(total).chunks(50_000) {
        index.add(chunk).unwrap();
    }
    index.flush().unwrap();
    println!(
        "indexed {} enrolled events in {:.1} s",
        index.num_events(),
        started.elapsed().as_secs_f64()
    );
    let experiment = experiment();
    let counts = counted_in_index(&index, &experiment).unwrap();
    let people: u64 = counts.iter().map(|c| c.people).sum();
    assert!(people > 0 && people <= PEOPLE, "{counts:?}");
    println!("counts: {counts:?}");

    let mut criterion = Criterion::default().sample_size(10).configure_from_args();
    criterion.bench_function(&format!("experimentReport over {total} events"), |b| {
        b.iter(|| {
            let counts = counted_in_index(&index, &experiment).unwrap();
            black_box(report(&experiment, &counts, None))
        })
    });
    criterion.final_summary();
    index.shutdown().unwrap();
}
