//! The in-memory reference report, compiled for tests only: [`aggregate`] groups events as a
//! report must, one event at a time, with no cleverness. The usage index's grouping and the
//! store's SQL are both tested against it; nothing in production counts this way.

use std::collections::{BTreeMap, HashSet};

use super::{enrolled_id, GroupKey, UsageCounts, UsageDimension, UsageRow};
use crate::usage::event::{UsageEvent, UsageKind};

impl GroupKey {
    /// The key of `event` under `dimensions`. Grouping by variant groups by its id alone (a
    /// renamed variant stays one row); `variant_name` is filled in by [`aggregate`].
    pub fn of(event: &UsageEvent, dimensions: &[UsageDimension]) -> GroupKey {
        let has = |d| dimensions.contains(&d);
        let served = &event.served;
        GroupKey {
            experiment_id: has(UsageDimension::Experiment)
                .then(|| enrolled_id(&served.experiment_id))
                .flatten(),
            arm_id: has(UsageDimension::Arm)
                .then(|| enrolled_id(&served.arm_id))
                .flatten(),
            entry_key: has(UsageDimension::Entry).then(|| event.served.entry_key.clone()),
            variant_id: has(UsageDimension::Variant).then(|| event.served.variant_id.clone()),
            variant_name: None,
            revision: has(UsageDimension::Revision).then(|| event.served.revision.clone()),
            device: has(UsageDimension::Device).then(|| event.device_name().to_string()),
            day: has(UsageDimension::Day).then(|| event.day()),
            locale: has(UsageDimension::Locale).then(|| event.locale.clone()),
        }
    }
}

/// One group while [`aggregate`] counts it: the answers clicked and converted, by impression id.
#[derive(Default)]
struct Group<'a> {
    counts: UsageCounts,
    clicked: HashSet<&'a str>,
    converted: HashSet<&'a str>,
    name: Option<String>,
}

/// Groups events in memory: the reference for what a report must say. Rows come in the order
/// of their dimension values; a variant's name is the greatest it had in the period (as SQL's
/// `MAX` picks it). An id met twice is counted once, as stores keep one event per id.
pub fn aggregate<'a>(
    events: impl IntoIterator<Item = &'a UsageEvent>,
    dimensions: &[UsageDimension],
) -> Vec<UsageRow> {
    let by_variant = dimensions.contains(&UsageDimension::Variant);
    let mut groups: BTreeMap<GroupKey, Group<'a>> = BTreeMap::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for event in events {
        if !seen.insert(&event.id) {
            continue;
        }
        let group = groups.entry(GroupKey::of(event, dimensions)).or_default();
        let impression = event.impression_id.as_str();
        match event.kind {
            UsageKind::Impression => group.counts.impressions += 1,
            UsageKind::Click => {
                group.clicked.insert(impression);
            }
            UsageKind::Conversion => {
                group.converted.insert(impression);
                group.counts.conversion_value += event.value.unwrap_or(0.0);
            }
        }
        let name = &mut group.name;
        if by_variant
            && name
                .as_deref()
                .is_none_or(|n| n < event.served.variant_name.as_str())
        {
            *name = Some(event.served.variant_name.clone());
        }
    }
    groups
        .into_iter()
        .map(|(key, group)| {
            let counts = UsageCounts {
                clicks: group.clicked.len() as i64,
                conversions: group.converted.len() as i64,
                ..group.counts
            };
            let key = GroupKey {
                variant_name: group.name,
                ..key
            };
            UsageRow::new(key, counts)
        })
        .collect()
}
