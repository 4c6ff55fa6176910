//! Counting a usage report from the usage index's fast fields.
//!
//! An event is indexed with few values, so that recording stays cheap: its kind, its instant
//! (`at`, microseconds) and one text value, the *served tuple* ([`served_value`]: brand, entry
//! key, variant id, revision, device, locale, experiment id, arm id and variant name joined by a
//! separator; the experiment and arm are empty outside experiments). A segment
//! holds as many distinct served tuples as there were distinct things served — a few hundred,
//! never one per event — so splitting them is done once per segment, per dictionary term; and
//! since the brand comes first, a brand's tuples are one range of term ordinals.
//!
//! Counting then goes in three steps. First, the parts of each segment's served tuples of the
//! brand are interned into report-wide ids (one table per segment: term ordinal → ids of the
//! grouped dimensions and of the variant name); the day is not in the tuple but is derived from
//! `at` per event (days since the earliest day in the index). Second, every matching event adds its
//! kind to the cell of its tuple of ids: a dense array when the product of the dimensions'
//! cardinalities is small (the usual case: variants × days), a hash map otherwise. Third, rows
//! are put in the order of the dimensions' text (the database's `ORDER BY`) by comparing
//! precomputed ranks, and only the finished rows are turned into strings.

use std::collections::HashMap;

use rustc_hash::FxHashMap;
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{EnableScoring, Query};
use tantivy::{DateTime as TantivyDate, DocId, Searcher};

use super::event::day_of;
use super::report::{enrolled_id, GroupKey, UsageCounts, UsageDimension, UsageRow};

/// The most cells counted in a dense array (32 bytes each); beyond it, a hash map.
pub const DENSE_LIMIT: u64 = 1 << 20;
/// At most one id per grouped dimension.
const MAX_DIMENSIONS: usize = UsageDimension::ALL.len();
/// "No name seen yet" in a cell.
const NO_NAME: u32 = u32::MAX;
/// Microseconds in a UTC day.
const DAY_MICROS: i64 = 86_400_000_000;

/// The names of the index's columns a report reads.
pub struct Columns<'a> {
    pub served: &'a str,
    pub at: &'a str,
    pub kind: &'a str,
    /// The high and low halves of [`impression_key`] (clicks and conversions only).
    pub impression: [&'a str; 2],
    /// A conversion's value.
    pub value: &'a str,
}

/// The UTC day of an instant in the index, as days since 1970-01-01.
fn day_number(at: TantivyDate) -> i64 {
    at.into_timestamp_micros().div_euclid(DAY_MICROS)
}

/// Report-wide ids for the texts of one dimension, and their sort ranks.
#[derive(Default)]
struct Interned {
    ids: HashMap<String, u32>,
    texts: Vec<String>,
    /// `ranks[id]`: the position of `texts[id]` in byte order.
    ranks: Vec<u32>,
}

impl Interned {
    fn id(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = self.texts.len() as u32;
        self.ids.insert(text.to_string(), id);
        self.texts.push(text.to_string());
        id
    }

    fn rank(&mut self) {
        let mut order: Vec<u32> = (0..self.texts.len() as u32).collect();
        order.sort_unstable_by(|a, b| self.texts[*a as usize].cmp(&self.texts[*b as usize]));
        self.ranks = vec![0; order.len()];
        for (rank, id) in order.into_iter().enumerate() {
            self.ranks[id as usize] = rank as u32;
        }
    }
}

/// The counts of one group, the sum of its conversions' values and the greatest variant name
/// seen in it (as `MAX(variant_name)`). Clicks and conversions are filled in at the end, from the
/// distinct impressions they name.
#[derive(Clone, Copy)]
struct Cell {
    counts: [u64; 3],
    value: f64,
    name: u32,
}

impl Default for Cell {
    fn default() -> Self {
        Cell {
            counts: [0; 3],
            value: 0.0,
            name: NO_NAME,
        }
    }
}

/// Where the cells live; a cell is known by its slot.
enum Table {
    Dense {
        cells: Vec<Cell>,
        strides: Vec<u64>,
    },
    Sparse {
        slots: FxHashMap<[u32; MAX_DIMENSIONS], usize>,
        cells: Vec<([u32; MAX_DIMENSIONS], Cell)>,
    },
}

impl Table {
    fn new(cardinalities: &[u64], dense_limit: u64) -> Table {
        let total = cardinalities
            .iter()
            .try_fold(1u64, |acc, &c| acc.checked_mul(c.max(1)));
        match total {
            Some(total) if total <= dense_limit => {
                let mut strides = vec![1u64; cardinalities.len()];
                for i in (0..cardinalities.len().saturating_sub(1)).rev() {
                    strides[i] = strides[i + 1] * cardinalities[i + 1].max(1);
                }
                Table::Dense {
                    cells: vec![Cell::default(); total as usize],
                    strides,
                }
            }
            _ => Table::Sparse {
                slots: FxHashMap::default(),
                cells: Vec::new(),
            },
        }
    }

    /// The slot of the cell of `ids`, made when new.
    #[inline]
    fn slot(&mut self, ids: &[u32; MAX_DIMENSIONS], grouped: usize) -> usize {
        match self {
            Table::Dense { strides, .. } => ids[..grouped]
                .iter()
                .zip(strides.iter())
                .map(|(&id, &s)| u64::from(id) * s)
                .sum::<u64>() as usize,
            Table::Sparse { slots, cells } => *slots.entry(*ids).or_insert_with(|| {
                cells.push((*ids, Cell::default()));
                cells.len() - 1
            }),
        }
    }

    #[inline]
    fn cell(&mut self, slot: usize) -> &mut Cell {
        match self {
            Table::Dense { cells, .. } => &mut cells[slot],
            Table::Sparse { cells, .. } => &mut cells[slot].1,
        }
    }

    /// Every non-empty cell with its ids.
    fn into_groups(self, cardinalities: &[u64]) -> Vec<([u32; MAX_DIMENSIONS], Cell)> {
        let seen = |cell: &Cell| cell.counts.iter().any(|&c| c > 0);
        match self {
            Table::Dense { cells, strides } => cells
                .into_iter()
                .enumerate()
                .filter(|(_, cell)| seen(cell))
                .map(|(index, cell)| {
                    let mut ids = [0u32; MAX_DIMENSIONS];
                    for (i, stride) in strides.iter().enumerate() {
                        ids[i] = ((index as u64 / stride) % cardinalities[i].max(1)) as u32;
                    }
                    (ids, cell)
                })
                .collect(),
            Table::Sparse { cells, .. } => cells.into_iter().filter(|(_, c)| seen(c)).collect(),
        }
    }
}

/// A click or conversion met while counting: its cell, its kind's slot in [`Cell::counts`] and
/// the impression it names. Sorted and deduplicated, they count each answer once per cell.
type FollowUp = (usize, usize, u128);

/// Adds the distinct answers clicked and converted to the cells' counts.
fn count_follow_ups(table: &mut Table, mut follow_ups: Vec<FollowUp>) {
    follow_ups.sort_unstable();
    follow_ups.dedup();
    for (slot, kind, _) in follow_ups {
        table.cell(slot).counts[kind] += 1;
    }
}

/// One segment's columns, read once, and what its served tuples stand for.
struct Segment {
    kind: Column<u64>,
    at: Column<TantivyDate>,
    served: Option<StrColumn>,
    /// A click's or conversion's impression, as [`impression_key`] halves it.
    impression: Option<(Column<u64>, Column<u64>)>,
    /// A conversion's value.
    value: Option<Column<f64>>,
    /// The term ordinals of the brand's served tuples.
    brand: std::ops::Range<u64>,
    /// For the brand's `n`-th served tuple (term ordinal `brand.start + n`): the ids of the
    /// grouped dimensions at `n * grouped ..` (the day's slot is filled per event), and the
    /// variant name's id at `names[n]`.
    ids: Vec<u32>,
    names: Vec<u32>,
}

/// Counts `brand`'s events among those `query` matches, grouped by `dimensions` (in the
/// report's column order), in the order of the dimensions' text. Cells are dense up to
/// `dense_limit`.
pub fn count(
    searcher: &Searcher,
    query: &dyn Query,
    brand: &str,
    dimensions: &[UsageDimension],
    columns: &Columns,
    dense_limit: u64,
) -> tantivy::Result<Vec<UsageRow>> {
    let grouped = dimensions.len().min(MAX_DIMENSIONS);
    let dimensions = &dimensions[..grouped];
    let by_variant = dimensions.contains(&UsageDimension::Variant);
    let day_slot = dimensions.iter().position(|d| *d == UsageDimension::Day);
    // Where each grouped dimension (but the day) sits in a served tuple.
    let parts: Vec<Option<usize>> = dimensions
        .iter()
        .map(|d| SERVED.iter().position(|s| s == d))
        .collect();

    let mut interned: Vec<Interned> = dimensions.iter().map(|_| Interned::default()).collect();
    let mut names = Interned::default();
    let mut first_day = i64::MAX;
    let mut last_day = i64::MIN;
    let mut segments = Vec::with_capacity(searcher.segment_readers().len());
    for reader in searcher.segment_readers() {
        let fast = reader.fast_fields();
        let at = fast.date(columns.at)?;
        if reader.num_docs() > 0 {
            first_day = first_day.min(day_number(at.min_value()));
            last_day = last_day.max(day_number(at.max_value()));
        }
        let served = fast.str(columns.served)?;
        let (mut ids, mut name_ids, mut brand_ords) = (Vec::new(), Vec::new(), 0..0);
        if let Some(column) = &served {
            let mut terms = column.dictionary().stream()?;
            let mut ord = 0u64;
            while terms.advance() {
                let value = String::from_utf8_lossy(terms.key());
                let (of, values, name) = served_parts(&value);
                if of == brand {
                    if brand_ords.is_empty() {
                        brand_ords = ord..ord;
                    }
                    brand_ords.end = ord + 1;
                    for (part, interned) in parts.iter().zip(interned.iter_mut()) {
                        ids.push(part.map_or(0, |p| interned.id(values[p])));
                    }
                    name_ids.push(if by_variant { names.id(name) } else { NO_NAME });
                } else if !brand_ords.is_empty() {
                    break; // past the brand's range: the dictionary is sorted
                }
                ord += 1;
            }
        }
        let [high, low] = columns.impression;
        let impression = match (fast.column_opt(high)?, fast.column_opt(low)?) {
            (Some(high), Some(low)) => Some((high, low)),
            _ => None,
        };
        segments.push(Segment {
            kind: fast.u64(columns.kind)?,
            at,
            served,
            impression,
            value: fast.column_opt(columns.value)?,
            brand: brand_ords,
            ids,
            names: name_ids,
        });
    }
    interned.iter_mut().for_each(Interned::rank);
    names.rank();

    let days = if first_day <= last_day {
        (last_day - first_day + 1) as u64
    } else {
        1
    };
    let cardinalities: Vec<u64> = dimensions
        .iter()
        .zip(&interned)
        .map(|(d, i)| {
            if *d == UsageDimension::Day {
                days
            } else {
                i.texts.len() as u64
            }
        })
        .collect();
    let mut table = Table::new(&cardinalities, dense_limit);
    let mut follow_ups: Vec<FollowUp> = Vec::new();
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    for (reader, segment) in searcher.segment_readers().iter().zip(&segments) {
        if segment.brand.is_empty() {
            continue; // none of the brand's events in this segment
        }
        let mut add = |doc: DocId| {
            let mut ids = [0u32; MAX_DIMENSIONS];
            let Some(ord) = segment.served.as_ref().and_then(|c| c.ords().first(doc)) else {
                return;
            };
            if !segment.brand.contains(&ord) {
                return; // another brand's event
            }
            let n = (ord - segment.brand.start) as usize;
            if let Some(row) = segment.ids.get(n * grouped..(n + 1) * grouped) {
                ids[..grouped].copy_from_slice(row);
            }
            let name = segment.names.get(n).copied().unwrap_or(NO_NAME);
            if let (Some(slot), Some(at)) = (day_slot, segment.at.first(doc)) {
                ids[slot] = (day_number(at) - first_day) as u32;
            }
            let slot = table.slot(&ids, grouped);
            let cell = table.cell(slot);
            match segment.kind.first(doc) {
                Some(0) => cell.counts[0] += 1,
                Some(kind @ (1 | 2)) => {
                    if let Some((high, low)) = &segment.impression {
                        let (h, l) = (high.first(doc).unwrap_or(0), low.first(doc).unwrap_or(0));
                        follow_ups.push((
                            slot,
                            kind as usize,
                            (u128::from(h) << 64) | u128::from(l),
                        ));
                    }
                    if kind == 2 {
                        cell.value += segment
                            .value
                            .as_ref()
                            .and_then(|v| v.first(doc))
                            .unwrap_or(0.0);
                    }
                }
                _ => {}
            }
            if name != NO_NAME
                && (cell.name == NO_NAME
                    || names.ranks[name as usize] > names.ranks[cell.name as usize])
            {
                cell.name = name;
            }
        };
        // Deleted documents (a person forgotten, events past retention) stay in a segment until
        // it is merged: only the alive ones count.
        match reader.alive_bitset() {
            None => weight.for_each_no_score(reader, &mut |docs: &[DocId]| {
                docs.iter().for_each(|&doc| add(doc))
            })?,
            Some(alive) => weight.for_each_no_score(reader, &mut |docs: &[DocId]| {
                docs.iter()
                    .filter(|&&doc| alive.is_alive(doc))
                    .for_each(|&doc| add(doc))
            })?,
        }
    }

    count_follow_ups(&mut table, follow_ups);
    let mut groups = table.into_groups(&cardinalities);
    // Days are named and ranked only now, and only those that have a row.
    if let Some(slot) = day_slot {
        let day = &mut interned[slot];
        let mut offsets: Vec<u32> = groups.iter().map(|(ids, _)| ids[slot]).collect();
        offsets.sort_unstable();
        offsets.dedup();
        let mut renumbered = FxHashMap::default();
        for offset in offsets {
            let micros = (first_day + i64::from(offset)).saturating_mul(DAY_MICROS);
            let text = chrono::DateTime::from_timestamp_micros(micros)
                .map(day_of)
                .unwrap_or_default();
            renumbered.insert(offset, day.id(&text));
        }
        day.rank();
        for (ids, _) in groups.iter_mut() {
            ids[slot] = renumbered[&ids[slot]];
        }
    }
    groups.sort_unstable_by(|(a, _), (b, _)| {
        let rank = |ids: &[u32; MAX_DIMENSIONS], i: usize| {
            interned[i].ranks.get(ids[i] as usize).copied().unwrap_or(0)
        };
        (0..grouped)
            .map(|i| rank(a, i).cmp(&rank(b, i)))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(groups
        .into_iter()
        .map(|(ids, cell)| {
            let mut key = GroupKey::default();
            for (i, dimension) in dimensions.iter().enumerate() {
                let text = interned[i]
                    .texts
                    .get(ids[i] as usize)
                    .cloned()
                    .unwrap_or_default();
                match dimension {
                    UsageDimension::Entry => key.entry_key = Some(text),
                    UsageDimension::Variant => key.variant_id = Some(text),
                    UsageDimension::Revision => key.revision = Some(text),
                    UsageDimension::Device => key.device = Some(text),
                    UsageDimension::Day => key.day = Some(text),
                    UsageDimension::Locale => key.locale = Some(text),
                    UsageDimension::Experiment => key.experiment_id = enrolled_id(&text),
                    UsageDimension::Arm => key.arm_id = enrolled_id(&text),
                }
            }
            if by_variant && cell.name != NO_NAME {
                key.variant_name = names.texts.get(cell.name as usize).cloned();
            }
            let [impressions, clicks, conversions] = cell.counts.map(|c| c as i64);
            UsageRow::new(
                key,
                UsageCounts {
                    impressions,
                    clicks,
                    conversions,
                    conversion_value: cell.value,
                },
            )
        })
        .collect())
}

mod served;

pub use served::{impression_key, served_enrollment, served_value, write_served_value};
use served::{served_parts, SERVED};

#[cfg(test)]
mod tests;
