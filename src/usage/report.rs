//! Usage reports: the dimensions a report groups by, its rows, and their CSV form.
//!
//! The counting itself happens where the events are (the database groups them; [`aggregate`]
//! does the same in memory and is the reference the store's query is tested against). This
//! module owns what a row means: `ctr` = clicks / impressions and `conversionRate` =
//! conversions / impressions, both 0 when there were no impressions.

use serde::Serialize;
use std::collections::BTreeMap;

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
}

impl UsageDimension {
    /// Every dimension, in the order reports sort by.
    pub const ALL: [UsageDimension; 6] = [
        UsageDimension::Entry,
        UsageDimension::Variant,
        UsageDimension::Revision,
        UsageDimension::Device,
        UsageDimension::Day,
        UsageDimension::Locale,
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
                "`{part}` is not a usage dimension (ENTRY, VARIANT, REVISION, DEVICE, DAY, LOCALE)"
            )
        })?;
        if !dimensions.contains(&dimension) {
            dimensions.push(dimension);
        }
    }
    Ok(dimensions)
}

/// Counts of one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UsageCounts {
    pub impressions: i64,
    pub clicks: i64,
    pub conversions: i64,
}

impl UsageCounts {
    pub fn add(&mut self, kind: UsageKind) {
        match kind {
            UsageKind::Impression => self.impressions += 1,
            UsageKind::Click => self.clicks += 1,
            UsageKind::Conversion => self.conversions += 1,
        }
    }
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
}

impl GroupKey {
    /// The key of `event` under `dimensions`. Grouping by variant groups by its id alone (a
    /// renamed variant stays one row); `variant_name` is filled in by [`aggregate`].
    pub fn of(event: &UsageEvent, dimensions: &[UsageDimension]) -> GroupKey {
        let has = |d| dimensions.contains(&d);
        GroupKey {
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
    pub impressions: i64,
    pub clicks: i64,
    pub conversions: i64,
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
            impressions: counts.impressions,
            clicks: counts.clicks,
            conversions: counts.conversions,
            ctr: rate(counts.clicks, counts.impressions),
            conversion_rate: rate(counts.conversions, counts.impressions),
        }
    }
}

/// Groups events in memory: the reference for what a report must say. Rows come in the order
/// of their dimension values; a variant's name is the greatest it had in the period (as SQL's
/// `MAX` picks it).
pub fn aggregate<'a>(
    events: impl IntoIterator<Item = &'a UsageEvent>,
    dimensions: &[UsageDimension],
) -> Vec<UsageRow> {
    let by_variant = dimensions.contains(&UsageDimension::Variant);
    let mut groups: BTreeMap<GroupKey, (UsageCounts, Option<String>)> = BTreeMap::new();
    for event in events {
        let (counts, name) = groups.entry(GroupKey::of(event, dimensions)).or_default();
        counts.add(event.kind);
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
        .map(|(key, (counts, name))| {
            UsageRow::new(
                GroupKey {
                    variant_name: name,
                    ..key
                },
                counts,
            )
        })
        .collect()
}

/// The CSV columns, named as the contract names the row's fields.
pub const CSV_COLUMNS: [&str; 12] = [
    "entryKey",
    "variantId",
    "variantName",
    "revision",
    "device",
    "day",
    "locale",
    "impressions",
    "clicks",
    "conversions",
    "ctr",
    "conversionRate",
];

fn csv_record(fields: &[&str]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(fields).expect("writing to memory");
    writer.into_inner().expect("flushing to memory")
}

/// The header line.
pub fn csv_header() -> Vec<u8> {
    csv_record(&CSV_COLUMNS)
}

/// One row as a CSV line; dimensions not grouped by are empty cells.
pub fn csv_row(row: &UsageRow) -> Vec<u8> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let cells = [
        text(&row.entry_key),
        text(&row.variant_id),
        text(&row.variant_name),
        text(&row.revision),
        text(&row.device),
        text(&row.day),
        text(&row.locale),
        row.impressions.to_string(),
        row.clicks.to_string(),
        row.conversions.to_string(),
        row.ctr.to_string(),
        row.conversion_rate.to_string(),
    ];
    let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
    csv_record(&refs)
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
            "entryKey,variantId,variantName,revision,device,day,locale,impressions,clicks,conversions,ctr,conversionRate\n"
        );
        let rows = aggregate(&sample(), &[UsageDimension::Entry, UsageDimension::Variant]);
        let lines: Vec<String> = rows
            .iter()
            .map(|r| String::from_utf8(csv_row(r)).unwrap())
            .collect();
        assert_eq!(lines[0], "home-hero,a,name of a,,,,,4,1,1,0.25,0.25\n");
        assert_eq!(lines.len(), 2);
    }
}
