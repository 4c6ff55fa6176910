//! Usage reports: the dimensions a report groups by, its rows, and their CSV form.
//!
//! The counting itself happens where the events are (the database groups them; [`aggregate`]
//! does the same in memory and is the reference the store's query is tested against). This
//! module owns what a row means: `clicks` counts the answers (impressions) of the group with at
//! least one click, `conversions` those with at least one conversion, so repeating or retrying
//! an event never pushes a rate past 1; `conversionValue` sums the value of every conversion
//! (an event stored twice under one id counts once: its id is the same); `ctr` = clicks /
//! impressions and `conversionRate` = conversions / impressions, both 0 when there were no
//! impressions.

use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

use super::csv::{self, Cell};
use super::event::{UsageEvent, UsageKind};

/// What a report can group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UsageDimension {
    Entry,
    Variant,
    Revision,
    Device,
    Day,
    Locale,
    Experiment,
    Arm,
}

impl UsageDimension {
    /// Every dimension, in the order reports sort by.
    pub const ALL: [UsageDimension; 8] = [
        UsageDimension::Entry,
        UsageDimension::Variant,
        UsageDimension::Revision,
        UsageDimension::Device,
        UsageDimension::Day,
        UsageDimension::Locale,
        UsageDimension::Experiment,
        UsageDimension::Arm,
    ];

    /// The contract's name: `ENTRY`, `VARIANT`, …
    pub fn as_str(self) -> &'static str {
        match self {
            UsageDimension::Entry => "ENTRY",
            UsageDimension::Variant => "VARIANT",
            UsageDimension::Revision => "REVISION",
            UsageDimension::Device => "DEVICE",
            UsageDimension::Day => "DAY",
            UsageDimension::Locale => "LOCALE",
            UsageDimension::Experiment => "EXPERIMENT",
            UsageDimension::Arm => "ARM",
        }
    }

    /// A contract name, in any case.
    pub fn parse(raw: &str) -> Option<UsageDimension> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|d| d.as_str().eq_ignore_ascii_case(raw))
    }
}

/// Parses `groupBy` as the REST route and the CLI take it: comma-separated names. Duplicates
/// are folded; the order is kept.
pub fn parse_group_by(raw: &str) -> Result<Vec<UsageDimension>, String> {
    let mut dimensions = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let dimension = UsageDimension::parse(part).ok_or_else(|| {
            format!(
                "`{part}` is not a usage dimension (ENTRY, VARIANT, REVISION, DEVICE, DAY, LOCALE, EXPERIMENT, ARM)"
            )
        })?;
        if !dimensions.contains(&dimension) {
            dimensions.push(dimension);
        }
    }
    Ok(dimensions)
}

/// Counts of one group: impressions, answers clicked, answers converted, and the sum of the
/// conversions' values.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct UsageCounts {
    pub impressions: i64,
    pub clicks: i64,
    pub conversions: i64,
    pub conversion_value: f64,
}

/// The values of the grouped dimensions; those not grouped by are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupKey {
    pub entry_key: Option<String>,
    pub variant_id: Option<String>,
    pub variant_name: Option<String>,
    pub revision: Option<String>,
    pub device: Option<String>,
    pub day: Option<String>,
    pub locale: Option<String>,
    /// The experiment and arm an enrolled answer counted in; `None` outside experiments.
    pub experiment_id: Option<String>,
    pub arm_id: Option<String>,
}

/// An experiment's or arm's id as a row holds it: `None` outside experiments (stored empty).
pub fn enrolled_id(id: &str) -> Option<String> {
    (!id.is_empty()).then(|| id.to_string())
}

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

/// How a report names events whose device was not known.
pub const UNKNOWN_DEVICE: &str = "OTHER";

/// One row of a usage report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageRow {
    pub entry_key: Option<String>,
    pub variant_id: Option<String>,
    pub variant_name: Option<String>,
    pub revision: Option<String>,
    pub device: Option<String>,
    pub day: Option<String>,
    pub locale: Option<String>,
    pub experiment_id: Option<String>,
    pub experiment_name: Option<String>,
    pub arm_id: Option<String>,
    pub arm_name: Option<String>,
    pub impressions: i64,
    pub clicks: i64,
    pub conversions: i64,
    pub conversion_value: f64,
    pub ctr: f64,
    pub conversion_rate: f64,
}

/// `part / impressions`, 0 without impressions.
pub fn rate(part: i64, impressions: i64) -> f64 {
    if impressions <= 0 {
        0.0
    } else {
        part as f64 / impressions as f64
    }
}

impl UsageRow {
    pub fn new(key: GroupKey, counts: UsageCounts) -> UsageRow {
        UsageRow {
            entry_key: key.entry_key,
            variant_id: key.variant_id,
            variant_name: key.variant_name,
            revision: key.revision,
            device: key.device,
            day: key.day,
            locale: key.locale,
            experiment_id: key.experiment_id,
            experiment_name: None,
            arm_id: key.arm_id,
            arm_name: None,
            impressions: counts.impressions,
            clicks: counts.clicks,
            conversions: counts.conversions,
            conversion_value: counts.conversion_value,
            ctr: rate(counts.clicks, counts.impressions),
            conversion_rate: rate(counts.conversions, counts.impressions),
        }
    }
}

/// The names rows show beside experiment and arm ids (the events keep only the ids, so a
/// renamed experiment or arm shows its current name).
#[derive(Debug, Clone, Default)]
pub struct ExperimentNames {
    experiments: HashMap<String, String>,
    arms: HashMap<String, String>,
}

impl ExperimentNames {
    /// Names an experiment and its arms, given as `(id, name)`.
    pub fn add<'a>(
        &mut self,
        experiment: (&str, &str),
        arms: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) {
        self.experiments
            .insert(experiment.0.to_string(), experiment.1.to_string());
        for (id, name) in arms {
            self.arms.insert(id.to_string(), name.to_string());
        }
    }

    /// Fills in the names of the row's experiment and arm, where the row has their ids.
    pub fn name(&self, row: &mut UsageRow) {
        let look_up = |names: &HashMap<String, String>, id: &Option<String>| {
            id.as_ref().and_then(|id| names.get(id).cloned())
        };
        row.experiment_name = look_up(&self.experiments, &row.experiment_id);
        row.arm_name = look_up(&self.arms, &row.arm_id);
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

/// The CSV columns, named as the contract names the row's fields.
pub const CSV_COLUMNS: [&str; 17] = [
    "entryKey",
    "variantId",
    "variantName",
    "revision",
    "device",
    "day",
    "locale",
    "experimentId",
    "experimentName",
    "armId",
    "armName",
    "impressions",
    "clicks",
    "conversions",
    "conversionValue",
    "ctr",
    "conversionRate",
];

/// The header line.
pub fn csv_header() -> Vec<u8> {
    csv::header(&CSV_COLUMNS)
}

/// One row as a CSV line; dimensions not grouped by are empty cells. Text that a spreadsheet
/// would read as a formula (a variant named `=1+1`) is escaped ([`csv::escape_text`]).
pub fn csv_row(row: &UsageRow) -> Vec<u8> {
    csv::record(&[
        Cell::optional(&row.entry_key),
        Cell::optional(&row.variant_id),
        Cell::optional(&row.variant_name),
        Cell::optional(&row.revision),
        Cell::optional(&row.device),
        Cell::optional(&row.day),
        Cell::optional(&row.locale),
        Cell::optional(&row.experiment_id),
        Cell::optional(&row.experiment_name),
        Cell::optional(&row.arm_id),
        Cell::optional(&row.arm_name),
        Cell::Int(row.impressions),
        Cell::Int(row.clicks),
        Cell::Int(row.conversions),
        Cell::Float(row.conversion_value),
        Cell::Float(row.ctr),
        Cell::Float(row.conversion_rate),
    ])
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    /// An event of brand `alpine`, entry `home-hero`, whose variant names its name and revision.
    pub(crate) fn event(
        id: &str,
        kind: UsageKind,
        variant: &str,
        device: Option<&str>,
        at: &str,
    ) -> UsageEvent {
        UsageEvent {
            id: id.into(),
            kind,
            impression_id: id.into(),
            served: std::sync::Arc::new(crate::usage::ServedVariant {
                brand: "alpine".into(),
                entry_id: "ent_1".into(),
                entry_key: "home-hero".into(),
                variant_id: variant.into(),
                variant_name: format!("name of {variant}"),
                revision: format!("rev-{variant}"),
                ..Default::default()
            }),
            device: device.map(|d| std::borrow::Cow::Owned(d.to_string())),
            locale: "en".into(),
            at: DateTime::parse_from_rfc3339(at)
                .unwrap()
                .with_timezone(&Utc),
            user_key_hash: None,
            attributes: Default::default(),
            value: None,
        }
    }

    fn sample() -> Vec<UsageEvent> {
        use UsageKind::*;
        vec![
            event("1", Impression, "a", Some("MOBILE"), "2026-03-01T10:00:00Z"),
            event("2", Impression, "a", Some("MOBILE"), "2026-03-01T11:00:00Z"),
            event("3", Impression, "a", None, "2026-03-02T10:00:00Z"),
            event(
                "4",
                Impression,
                "a",
                Some("DESKTOP"),
                "2026-03-02T10:00:00Z",
            ),
            event("5", Click, "a", Some("MOBILE"), "2026-03-02T10:00:00Z"),
            event("6", Conversion, "a", Some("MOBILE"), "2026-03-02T10:00:00Z"),
            event("7", Click, "b", Some("MOBILE"), "2026-03-02T10:00:00Z"),
        ]
    }

    #[test]
    fn rates_are_fractions_of_impressions_and_zero_without_any() {
        let rows = aggregate(&sample(), &[UsageDimension::Variant]);
        assert_eq!(rows.len(), 2);
        let a = &rows[0];
        assert_eq!(
            (
                a.variant_id.as_deref(),
                a.impressions,
                a.clicks,
                a.conversions
            ),
            (Some("a"), 4, 1, 1)
        );
        assert_eq!((a.ctr, a.conversion_rate), (0.25, 0.25));
        assert_eq!(a.variant_name.as_deref(), Some("name of a"));
        let b = &rows[1];
        assert_eq!(
            (b.impressions, b.clicks, b.ctr, b.conversion_rate),
            (0, 1, 0.0, 0.0)
        );
        assert_eq!(b.entry_key, None, "not grouped by entry");
    }

    #[test]
    fn grouping_by_nothing_gives_one_total_row() {
        let rows = aggregate(&sample(), &[]);
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].impressions, rows[0].clicks, rows[0].conversions),
            (4, 2, 1)
        );
    }

    #[test]
    fn days_devices_and_their_combinations_split_rows() {
        let by_day = aggregate(&sample(), &[UsageDimension::Day]);
        let days: Vec<_> = by_day
            .iter()
            .map(|r| (r.day.clone().unwrap(), r.impressions))
            .collect();
        assert_eq!(
            days,
            [("2026-03-01".to_string(), 2), ("2026-03-02".to_string(), 2)]
        );
        let by_device = aggregate(&sample(), &[UsageDimension::Device, UsageDimension::Day]);
        assert!(by_device
            .iter()
            .any(|r| r.device.as_deref() == Some(UNKNOWN_DEVICE) && r.impressions == 1));
        assert_eq!(by_device.iter().map(|r| r.impressions).sum::<i64>(), 4);
    }

    #[test]
    fn group_by_parses_names_in_any_case_and_refuses_others() {
        use UsageDimension::*;
        assert_eq!(
            parse_group_by("variant, DAY,variant").unwrap(),
            [Variant, Day]
        );
        assert_eq!(parse_group_by("").unwrap(), []);
        assert!(parse_group_by("entry,colour")
            .unwrap_err()
            .contains("colour"));
        for d in UsageDimension::ALL {
            assert_eq!(UsageDimension::parse(d.as_str()), Some(d));
        }
    }

    #[test]
    fn csv_has_the_contract_header_and_one_line_per_row_without_totals() {
        assert_eq!(
            String::from_utf8(csv_header()).unwrap(),
            "entryKey,variantId,variantName,revision,device,day,locale,experimentId,experimentName,armId,armName,impressions,clicks,conversions,conversionValue,ctr,conversionRate\n"
        );
        let rows = aggregate(&sample(), &[UsageDimension::Entry, UsageDimension::Variant]);
        let lines: Vec<String> = rows
            .iter()
            .map(|r| String::from_utf8(csv_row(r)).unwrap())
            .collect();
        assert_eq!(
            lines[0],
            "home-hero,a,name of a,,,,,,,,,4,1,1,0,0.25,0.25\n"
        );
        assert_eq!(lines.len(), 2);
    }

    #[test]
    fn csv_escapes_text_a_spreadsheet_would_compute_but_not_numbers() {
        let mut event = event(
            "1",
            UsageKind::Conversion,
            "a",
            None,
            "2026-03-01T10:00:00Z",
        );
        let mut served = (*event.served).clone();
        served.variant_name = "=HYPERLINK(\"http://evil\",\"x\")".into();
        served.entry_key = "-home".into();
        event.served = std::sync::Arc::new(served);
        event.value = Some(-12.5);
        let rows = aggregate(&[event], &[UsageDimension::Entry, UsageDimension::Variant]);
        assert_eq!(
            String::from_utf8(csv_row(&rows[0])).unwrap(),
            "'-home,a,\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",,,,,,,,,0,0,1,-12.5,0,0\n"
        );
    }

    #[test]
    fn clicks_and_conversions_count_answers_and_values_sum_every_conversion() {
        use UsageKind::*;
        let at = "2026-03-01T10:00:00Z";
        let on = |id: &str, kind, impression: &str, value: Option<f64>| UsageEvent {
            impression_id: impression.into(),
            value,
            ..event(id, kind, "a", None, at)
        };
        let events = vec![
            on("i1", Impression, "i1", None),
            on("i2", Impression, "i2", None),
            // Six clicks on one answer are one answer clicked.
            on("c1", Click, "i1", None),
            on("c2", Click, "i1", None),
            on("c3", Click, "i1", None),
            on("c4", Click, "i1", None),
            on("c5", Click, "i1", None),
            on("c6", Click, "i1", None),
            // Two conversions of one answer: one answer converted, both values summed.
            on("v1", Conversion, "i2", Some(10.0)),
            on("v2", Conversion, "i2", Some(2.5)),
            // The same event stored twice (a resent id) counts once.
            on("v2", Conversion, "i2", Some(2.5)),
        ];
        let rows = aggregate(&events, &[]);
        let row = &rows[0];
        assert_eq!((row.impressions, row.clicks, row.conversions), (2, 1, 1));
        assert_eq!(row.conversion_value, 12.5);
        assert_eq!((row.ctr, row.conversion_rate), (0.5, 0.5));
    }
}
