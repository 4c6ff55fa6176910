//! An experiment's figures counted from the usage index, for `experimentReport` and the BANDIT
//! refresh: the database stays the source of truth, and this counts the same events it holds.
//!
//! An enrolled answer's events carry two more values: the experiment id, indexed, so a report
//! reads the experiment's own events and no others; and, with a user key, the person as 128 bits
//! of the hashed key in two fast columns. The arm comes from the served tuple (one dictionary
//! walk per segment maps term ordinals to arms). Per arm, FIXED mode gathers the people of
//! impressions and of goal events, BANDIT mode counts impressions and gathers the impressions
//! goal events name; the gathered keys are then sorted and counted once each, as the database's
//! `COUNT(DISTINCT …)` does. Events without a user key are no one in FIXED mode (as SQL's
//! `COUNT(DISTINCT)` skips nulls) but are still answers in BANDIT mode.

use chrono::{DateTime, Utc};
use tantivy::columnar::Column;
use tantivy::query::{EnableScoring, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, TantivyDocument, Term};
use tantivy::{DateTime as TantivyDate, DocId, SegmentReader};

use super::{date, Fields, IndexError, UsageIndex, COLUMNS};
use crate::usage::event::{UsageEvent, UsageKind};
use crate::usage::grouping::{impression_key, served_enrollment};

/// The indexed experiment id of an enrolled answer's events.
pub(super) const EXPERIMENT: &str = "experiment";
/// The fast columns of the person (high and low halves of [`impression_key`] of the hashed key).
pub(super) const PERSON: [&str; 2] = ["person_high", "person_low"];

/// What an arm's figures count: distinct people (FIXED mode) or answers (BANDIT mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExperimentUnit {
    People,
    Answers,
}

/// One arm's counts: the people or answers enrolled, those with at least one goal event, and the
/// sum of its conversions' values.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ArmTally {
    pub enrolled: u64,
    pub converters: u64,
    pub conversion_value: f64,
}

/// Adds the experiment and the person to the document of an enrolled answer's event.
pub(super) fn add_enrollment(fields: &Fields, event: &UsageEvent, doc: &mut TantivyDocument) {
    if event.served.experiment_id.is_empty() {
        return;
    }
    doc.add_text(fields.experiment, &event.served.experiment_id);
    if let Some(hash) = &event.user_key_hash {
        let (high, low) = impression_key(hash);
        doc.add_u64(fields.person_key[0], high);
        doc.add_u64(fields.person_key[1], low);
    }
}

/// An arm while counting: impressions (answers), and the keys to count once each.
#[derive(Default)]
struct Gathered {
    impressions: u64,
    enrolled: Vec<u128>,
    converted: Vec<u128>,
    value: f64,
}

/// Sorts and counts distinct keys.
fn distinct(mut keys: Vec<u128>) -> u64 {
    keys.sort_unstable();
    keys.dedup();
    keys.len() as u64
}

/// A two-column 128-bit key of `doc`, when it has one.
fn key_of(columns: &Option<(Column<u64>, Column<u64>)>, doc: DocId) -> Option<u128> {
    let (high, low) = columns.as_ref()?;
    Some((u128::from(high.first(doc)?) << 64) | u128::from(low.first(doc)?))
}

/// For each term ordinal of a segment's served tuples, the arm it names in the experiment.
fn arms_by_ordinal(
    reader: &SegmentReader,
    experiment_id: &str,
    arm_ids: &[&str],
) -> tantivy::Result<Vec<Option<usize>>> {
    let Some(served) = reader.fast_fields().str(COLUMNS.served)? else {
        return Ok(Vec::new());
    };
    let mut arms = Vec::new();
    let mut terms = served.dictionary().stream()?;
    while terms.advance() {
        let value = String::from_utf8_lossy(terms.key());
        let (experiment, arm) = served_enrollment(&value);
        arms.push(if experiment == experiment_id {
            arm_ids.iter().position(|id| *id == arm)
        } else {
            None
        });
    }
    Ok(arms)
}

/// The columns of one segment the count reads.
struct Columns {
    served: tantivy::columnar::StrColumn,
    kind: Column<u64>,
    at: Column<TantivyDate>,
    value: Option<Column<f64>>,
    person: Option<(Column<u64>, Column<u64>)>,
    impression: Option<(Column<u64>, Column<u64>)>,
}

fn pair(reader: &SegmentReader, names: [&str; 2]) -> tantivy::Result<Option<(Column, Column)>> {
    let fast = reader.fast_fields();
    Ok(
        match (fast.column_opt(names[0])?, fast.column_opt(names[1])?) {
            (Some(high), Some(low)) => Some((high, low)),
            _ => None,
        },
    )
}

fn columns(reader: &SegmentReader) -> tantivy::Result<Option<Columns>> {
    let fast = reader.fast_fields();
    let Some(served) = fast.str(COLUMNS.served)? else {
        return Ok(None);
    };
    Ok(Some(Columns {
        served,
        kind: fast.u64(COLUMNS.kind)?,
        at: fast.date(COLUMNS.at)?,
        value: fast.column_opt(COLUMNS.value)?,
        person: pair(reader, PERSON)?,
        impression: pair(reader, COLUMNS.impression)?,
    }))
}

/// What to count: the experiment's arms (by id, in order), from when, in which unit, and the
/// kind of event that is the goal.
pub struct ArmQuery<'a> {
    pub experiment_id: &'a str,
    pub arm_ids: &'a [&'a str],
    pub since: DateTime<Utc>,
    pub unit: ExperimentUnit,
    pub goal: UsageKind,
}

impl UsageIndex {
    /// Counts the experiment's events at or after `since` per arm, in the order of `arm_ids`
    /// (events of arms not listed are left out).
    pub fn arm_tallies(&self, ask: &ArmQuery) -> Result<Vec<ArmTally>, IndexError> {
        self.gather(ask).map_err(|e| e.to_string()).map(|gathered| {
            gathered
                .into_iter()
                .map(|arm| ArmTally {
                    enrolled: match ask.unit {
                        ExperimentUnit::People => distinct(arm.enrolled),
                        ExperimentUnit::Answers => arm.impressions,
                    },
                    converters: distinct(arm.converted),
                    conversion_value: arm.value,
                })
                .collect()
        })
    }

    fn gather(&self, ask: &ArmQuery) -> tantivy::Result<Vec<Gathered>> {
        let searcher = self.reader.searcher();
        let term = Term::from_field_text(self.fields.experiment, ask.experiment_id);
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        let weight = query.weight(EnableScoring::disabled_from_searcher(&searcher))?;
        let since = date(ask.since);
        let goal = super::kind_code(ask.goal);
        let mut arms: Vec<Gathered> = ask.arm_ids.iter().map(|_| Gathered::default()).collect();
        for reader in searcher.segment_readers() {
            let Some(columns) = columns(reader)? else {
                continue;
            };
            let arm_of = arms_by_ordinal(reader, ask.experiment_id, ask.arm_ids)?;
            let alive = reader.alive_bitset();
            let mut add = |doc: DocId| {
                if alive.is_some_and(|a| !a.is_alive(doc))
                    || columns.at.first(doc).is_none_or(|at| at < since)
                {
                    return;
                }
                let arm = columns.served.ords().first(doc);
                let Some(arm) = arm.and_then(|o| arm_of.get(o as usize).copied().flatten()) else {
                    return;
                };
                let arm = &mut arms[arm];
                let kind = columns.kind.first(doc);
                if kind == Some(super::kind_code(UsageKind::Conversion)) {
                    arm.value += columns
                        .value
                        .as_ref()
                        .and_then(|v| v.first(doc))
                        .unwrap_or(0.0);
                }
                let impression = kind == Some(super::kind_code(UsageKind::Impression));
                let key = match ask.unit {
                    ExperimentUnit::People => key_of(&columns.person, doc),
                    ExperimentUnit::Answers if impression => {
                        arm.impressions += 1;
                        None
                    }
                    ExperimentUnit::Answers => key_of(&columns.impression, doc),
                };
                match (key, impression) {
                    (Some(key), true) => arm.enrolled.push(key),
                    (Some(key), false) if kind == Some(goal) => arm.converted.push(key),
                    _ => {}
                }
            };
            weight.for_each_no_score(reader, &mut |docs: &[DocId]| {
                docs.iter().for_each(|&doc| add(doc))
            })?;
        }
        Ok(arms)
    }
}
