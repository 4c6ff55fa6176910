//! Usage reports: the dimensions a report groups by, its rows, and their CSV form.
//!
//! The counting itself happens where the events are: the usage index groups them
//! (`usage::grouping`), the database too for exports (`store::usage::report`). In tests,
//! `reference::aggregate` does the same in memory and is the reference both are held to. This
//! module owns what a row means: `clicks` counts the answers (impressions) of the group with at
//! least one click, `conversions` those with at least one conversion, so repeating or retrying
//! an event never pushes a rate past 1; `conversionValue` sums the value of every conversion
//! (an event stored twice under one id counts once: its id is the same); `ctr` = clicks /
//! impressions and `conversionRate` = conversions / impressions, both 0 when there were no
//! impressions.

use serde::Serialize;
use std::collections::HashMap;

use super::csv::{self, Cell};

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
pub(crate) mod reference;
#[cfg(test)]
pub(crate) use reference::aggregate;
#[cfg(test)]
pub(crate) mod tests;
