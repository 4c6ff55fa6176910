use super::*;
use crate::usage::report::aggregate;
use chrono::TimeZone;
use std::time::Instant;

fn event(n: u32, kind: UsageKind, variant: &str, device: Option<&str>, day: u32) -> UsageEvent {
    UsageEvent {
        id: format!("evt_{n}"),
        kind,
        // Clicks and conversions come back to a few answers: a report counts answers once.
        impression_id: format!("imp_{}", n % 40),
        served: std::sync::Arc::new(crate::usage::ServedVariant {
            brand: if n % 7 == 0 {
                "other".into()
            } else {
                "alpine".into()
            },
            entry_id: "ent_1".into(),
            entry_key: if n % 2 == 0 {
                "home-hero".into()
            } else {
                "offer".into()
            },
            variant_id: variant.into(),
            // Renamed now and then: a report shows the greatest name, as SQL's MAX does.
            variant_name: if n % 50 == 0 {
                format!("Renamed {variant}")
            } else {
                format!("Name of {variant}")
            },
            revision: format!("rev-{variant}"),
            // Most answers enrolled in an experiment, in the arm of their variant.
            experiment_id: if n % 5 < 3 {
                "exp_1".into()
            } else {
                String::new()
            },
            arm_id: if n % 5 < 3 {
                format!("arm_{variant}")
            } else {
                String::new()
            },
            ..Default::default()
        }),
        device: device.map(|d| std::borrow::Cow::Owned(d.to_string())),
        locale: if n % 3 == 0 { "de".into() } else { "en".into() },
        at: Utc
            .with_ymd_and_hms(2026, 11, day, (n % 24) as u32, 0, 0)
            .unwrap(),
        user_key_hash: None,
        attributes: Default::default(),
        value: (kind == UsageKind::Conversion).then_some(f64::from(n) * 0.25 - 20.0),
    }
}

fn events() -> Vec<UsageEvent> {
    let kinds = [
        UsageKind::Impression,
        UsageKind::Impression,
        UsageKind::Click,
        UsageKind::Conversion,
    ];
    let variants = ["var_a", "var_b", "var_c"];
    let devices = [Some("MOBILE"), Some("DESKTOP"), None];
    (0..600)
        .map(|n| {
            event(
                n,
                kinds[n as usize % 4],
                variants[n as usize % 3],
                devices[n as usize % 5 % 3],
                1 + n % 5,
            )
        })
        .collect()
}

fn indexed(events: &[UsageEvent]) -> UsageIndex {
    let index = UsageIndex::in_ram(USAGE_WRITER).unwrap();
    // Several batches, committed apart, so the report spans several segments.
    for chunk in events.chunks(150) {
        index.add(chunk).unwrap();
        index.flush().unwrap();
    }
    index
}

#[test]
fn reports_match_the_reference_aggregation_for_every_grouping() {
    let events = events();
    let index = indexed(&events);
    let from = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2026, 11, 5, 0, 0, 0).unwrap();
    let in_range: Vec<UsageEvent> = events
        .iter()
        .filter(|e| e.served.brand == "alpine" && e.at >= from && e.at < to)
        .cloned()
        .collect();
    let groupings: Vec<Vec<UsageDimension>> = vec![
        vec![],
        vec![UsageDimension::Variant],
        vec![UsageDimension::Variant, UsageDimension::Day],
        vec![UsageDimension::Device, UsageDimension::Locale],
        UsageDimension::ALL.to_vec(),
    ];
    for dimensions in groupings {
        let want = aggregate(&in_range, &dimensions);
        let dense = index.report("alpine", from, to, &dimensions).unwrap();
        assert_eq!(dense, want, "grouped by {dimensions:?}");
        let sparse = index
            .report_with("alpine", from, to, &dimensions, 0)
            .unwrap();
        assert_eq!(
            sparse, want,
            "grouped by {dimensions:?}, cells in a hash map"
        );
    }
}

#[test]
fn other_brands_and_times_outside_the_range_are_not_counted() {
    let index = indexed(&events());
    let from = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2026, 12, 2, 0, 0, 0).unwrap();
    assert!(index.report("alpine", from, to, &[]).unwrap().is_empty());
    let all = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap();
    let rows = index
        .report("nobody", all, to, &[UsageDimension::Variant])
        .unwrap();
    assert!(rows.is_empty());
    let everything = index
        .report(
            "alpine",
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
            &[],
        )
        .unwrap();
    let alpine: Vec<UsageEvent> = events()
        .into_iter()
        .filter(|e| e.served.brand == "alpine")
        .collect();
    assert_eq!(alpine.len(), 600 - 600 / 7 - 1);
    assert_eq!(everything, aggregate(&alpine, &[]));
}

#[test]
fn brands_whose_names_begin_alike_are_counted_apart() {
    let brands = ["alp", "alpine", "alpine-x", "alpine2", "b"];
    let events: Vec<UsageEvent> = events()
        .into_iter()
        .take(200)
        .enumerate()
        .map(|(n, e)| {
            let served = crate::usage::ServedVariant {
                brand: brands[n % brands.len()].to_string(),
                ..(*e.served).clone()
            };
            UsageEvent {
                served: std::sync::Arc::new(served),
                ..e
            }
        })
        .collect();
    let index = indexed(&events);
    let (from, to) = (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
    for brand in brands {
        let own: Vec<UsageEvent> = events
            .iter()
            .filter(|e| e.served.brand == brand)
            .cloned()
            .collect();
        let dimensions = [UsageDimension::Variant, UsageDimension::Day];
        assert_eq!(
            index.report(brand, from, to, &dimensions).unwrap(),
            aggregate(&own, &dimensions),
            "{brand}"
        );
    }
    assert!(index.report("alpine-", from, to, &[]).unwrap().is_empty());
}

#[test]
fn report_bounds_cut_at_the_microsecond_as_the_database_does() {
    let noon = Utc.with_ymd_and_hms(2026, 11, 3, 12, 0, 0).unwrap();
    let at = |ms: i64| noon + chrono::Duration::milliseconds(ms);
    let mut event = events()[1].clone();
    event.at = at(500);
    let index = indexed(&[event]);
    let total = |from, to| {
        index
            .report("alpine", from, to, &[])
            .unwrap()
            .first()
            .map_or(0, |r| r.impressions + r.clicks + r.conversions)
    };
    assert_eq!(total(at(200), at(700)), 1);
    assert_eq!(total(at(500), at(501)), 1);
    assert_eq!(total(at(501), at(700)), 0);
    assert_eq!(total(at(200), at(500)), 0);
}

#[test]
fn a_rebuild_replaces_everything() {
    let events = events();
    let index = indexed(&events);
    assert_eq!(index.num_events(), 600);
    let written = index
        .rebuild(|send| send(events[..100].to_vec()), None)
        .unwrap();
    assert_eq!(written, 100);
    assert_eq!(index.num_events(), 100);
}

#[test]
fn events_are_visible_within_the_commit_interval_without_a_flush() {
    let config = WriterConfig {
        commit_interval: Duration::from_millis(50),
        ..USAGE_WRITER
    };
    let index = UsageIndex::in_ram(config).unwrap();
    index.add(&events()[..10]).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while index.num_events() < 10 {
        assert!(Instant::now() < deadline, "never committed");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_second_writer_on_the_same_directory_is_told_it_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let first = UsageIndex::open(dir.path(), USAGE_WRITER).unwrap();
    let second = UsageIndex::open(dir.path(), USAGE_WRITER);
    assert!(second.as_ref().is_err_and(is_locked), "{:?}", second.err());
    first.shutdown().unwrap();
}

#[test]
fn an_index_on_disk_survives_reopening_and_a_corrupt_one_is_recreated() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = UsageIndex::open(dir.path(), USAGE_WRITER).unwrap();
        assert!(index.was_created());
        index.add(&events()[..20]).unwrap();
        index.shutdown().unwrap();
    }
    let index = UsageIndex::open(dir.path(), USAGE_WRITER).unwrap();
    assert!(!index.was_created());
    assert_eq!(index.num_events(), 20);
    index.shutdown().unwrap();
    drop(index);
    std::fs::write(dir.path().join("meta.json"), b"{ not json").unwrap();
    let index = UsageIndex::open(dir.path(), USAGE_WRITER).unwrap();
    assert!(index.was_created());
    assert_eq!(index.num_events(), 0);
}

/// Deleted events (a person forgotten, a brand's events before a cut) leave reports and the
/// count at once after a commit, whether they were committed before the deletion or not.
#[test]
fn forgotten_and_expired_events_leave_reports() {
    let mut all = events();
    for (n, event) in all.iter_mut().enumerate() {
        event.user_key_hash = (n % 4 == 0).then(|| format!("person-{}", n % 8));
    }
    let (committed, fresh) = all.split_at(400);
    let index = indexed(committed);
    index.add(fresh).unwrap();
    index.forget_person("alpine", "person-0").unwrap();
    let cut = Utc.with_ymd_and_hms(2026, 11, 3, 0, 0, 0).unwrap();
    index.expire("alpine", cut).unwrap();
    index.flush().unwrap();
    let kept: Vec<UsageEvent> = all
        .iter()
        .filter(|e| {
            let alpine = e.served.brand == "alpine";
            !(alpine && e.user_key_hash.as_deref() == Some("person-0")) && !(alpine && e.at < cut)
        })
        .cloned()
        .collect();
    assert!(kept.len() < all.len() && kept.iter().any(|e| e.served.brand == "other"));
    assert_eq!(index.num_events(), kept.len() as u64);
    let (from, to) = (
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
    );
    for brand in ["alpine", "other"] {
        let rows = index.report(brand, from, to, &UsageDimension::ALL).unwrap();
        let mine: Vec<UsageEvent> = kept
            .iter()
            .filter(|e| e.served.brand == brand)
            .cloned()
            .collect();
        assert_eq!(rows, aggregate(&mine, &UsageDimension::ALL), "{brand}");
    }
}

/// An experiment's events: people `person-0..40`, each answer in arm `arm_a` or `arm_b` by the
/// person's parity, some of them without a user key; clicks and conversions on a few answers,
/// repeated; events before the start, of another experiment and of another brand beside them.
fn experiment_events() -> Vec<UsageEvent> {
    let start = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
    let mut out = Vec::new();
    for n in 0..900u32 {
        let person = n % 40;
        let arm = if person % 2 == 0 { "arm_a" } else { "arm_b" };
        let kind = match n % 6 {
            0..=2 => UsageKind::Impression,
            3 | 4 => UsageKind::Click,
            _ => UsageKind::Conversion,
        };
        let mut e = event(n, kind, "var_a", Some("MOBILE"), 1 + n % 4);
        let mut served = (*e.served).clone();
        served.brand = "alpine".into();
        served.experiment_id = if n % 11 == 0 { "exp_2" } else { "exp_1" }.into();
        served.arm_id = arm.into();
        e.served = std::sync::Arc::new(served);
        e.at = start + chrono::Duration::hours(i64::from(n % 60)) - chrono::Duration::hours(12);
        e.impression_id = if kind == UsageKind::Impression {
            e.id.clone()
        } else {
            format!("evt_{}", n - n % 6 + n % 3)
        };
        e.user_key_hash = (n % 13 != 0).then(|| format!("person-{person}"));
        out.push(e);
    }
    out
}

/// The reference: the arms' counts by the contract's definitions, with sets.
fn tallies_by_hand(events: &[UsageEvent], ask: &ArmQuery) -> Vec<ArmTally> {
    use std::collections::HashSet;
    ask.arm_ids
        .iter()
        .map(|arm| {
            let mine: Vec<&UsageEvent> = events
                .iter()
                .filter(|e| e.served.experiment_id == ask.experiment_id)
                .filter(|e| e.served.arm_id == *arm && e.at >= ask.since)
                .collect();
            let unit = |e: &&UsageEvent| match ask.unit {
                ExperimentUnit::People => e.user_key_hash.clone(),
                ExperimentUnit::Answers => Some(e.impression_id.clone()),
            };
            let of = |kind: UsageKind| -> HashSet<String> {
                mine.iter()
                    .filter(|e| e.kind == kind)
                    .filter_map(unit)
                    .collect()
            };
            ArmTally {
                enrolled: of(UsageKind::Impression).len() as u64,
                converters: of(ask.goal).len() as u64,
                conversion_value: mine
                    .iter()
                    .filter(|e| e.kind == UsageKind::Conversion)
                    .filter_map(|e| e.value)
                    .sum(),
            }
        })
        .collect()
}

#[test]
fn arm_tallies_count_people_or_answers_as_the_contract_defines_them() {
    let events = experiment_events();
    let index = indexed(&events);
    let arm_ids = ["arm_a", "arm_b"];
    for unit in [ExperimentUnit::People, ExperimentUnit::Answers] {
        for goal in [UsageKind::Click, UsageKind::Conversion] {
            let ask = ArmQuery {
                experiment_id: "exp_1",
                arm_ids: &arm_ids,
                since: Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap(),
                unit,
                goal,
            };
            let got = index.arm_tallies(&ask).unwrap();
            let want = tallies_by_hand(&events, &ask);
            assert!(want.iter().all(|t| t.enrolled > 0) && want.iter().any(|t| t.converters > 0));
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(
                    (g.enrolled, g.converters),
                    (w.enrolled, w.converters),
                    "{unit:?} {goal:?}"
                );
                assert!((g.conversion_value - w.conversion_value).abs() < 1e-9);
            }
        }
    }
    let none = ArmQuery {
        experiment_id: "exp_404",
        arm_ids: &arm_ids,
        since: DateTime::<Utc>::MIN_UTC,
        unit: ExperimentUnit::People,
        goal: UsageKind::Click,
    };
    assert_eq!(
        index.arm_tallies(&none).unwrap(),
        vec![ArmTally::default(); 2]
    );
}
