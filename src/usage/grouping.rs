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
//! Counting then goes in three steps. First (`Segment::read`, `Dictionary::intern`), the parts
//! of each segment's served tuples of the brand are interned into report-wide ids (one table per
//! segment: term ordinal → ids of the grouped dimensions and of the variant name); the day is not
//! in the tuple but is derived from `at` per event (days since the earliest day in the index).
//! Second (`Tally`), every matching event adds its kind to the cell of its tuple of ids (see
//! `table`). Third (`Dictionary::name_days`, `sort`, `row`), rows are put in the order of the
//! dimensions' text (the database's `ORDER BY`) by comparing precomputed ranks, and only the
//! finished rows are turned into strings.

use std::collections::HashMap;
use std::ops::Range;

use rustc_hash::FxHashMap;
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::{DateTime as TantivyDate, DocId, Searcher, SegmentReader};

use super::event::day_of;
use super::report::{enrolled_id, GroupKey, UsageCounts, UsageDimension, UsageRow};
use table::{count_follow_ups, Cell, FollowUp, Table, NO_NAME};

/// The most cells counted in a dense array (32 bytes each); beyond it, a hash map.
pub const DENSE_LIMIT: u64 = 1 << 20;
/// At most one id per grouped dimension.
const MAX_DIMENSIONS: usize = UsageDimension::ALL.len();
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

/// A group's ids, one per grouped dimension, and its cell.
type Group = ([u32; MAX_DIMENSIONS], Cell);

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
    let grouping = Grouping::new(dimensions);
    // First: each segment's columns read and the brand's served tuples interned.
    let mut dictionary = Dictionary::new(&grouping);
    let segments = searcher
        .segment_readers()
        .iter()
        .map(|reader| Segment::read(reader, brand, columns, &grouping, &mut dictionary))
        .collect::<tantivy::Result<Vec<_>>>()?;
    dictionary.rank();

    // Second: every matching event counted in its cell.
    let cardinalities = dictionary.cardinalities(&grouping);
    let mut tally = Tally {
        table: Table::new(&cardinalities, dense_limit),
        follow_ups: Vec::new(),
        grouped: grouping.dimensions.len(),
        day_slot: grouping.day_slot,
        first_day: dictionary.first_day,
        name_ranks: &dictionary.names.ranks,
    };
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    for (reader, segment) in searcher.segment_readers().iter().zip(&segments) {
        tally.segment(&*weight, reader, segment)?;
    }
    let Tally {
        mut table,
        follow_ups,
        ..
    } = tally;
    count_follow_ups(&mut table, follow_ups);
    let mut groups = table.into_groups(&cardinalities);

    // Third: rows in the order of their text, made strings only now.
    dictionary.name_days(&mut groups, &grouping);
    dictionary.sort(&mut groups, grouping.dimensions.len());
    Ok(groups
        .into_iter()
        .map(|(ids, cell)| dictionary.row(&grouping, &ids, cell))
        .collect())
}

/// What a count groups by, worked out once.
struct Grouping<'d> {
    /// The grouped dimensions, at most [`MAX_DIMENSIONS`].
    dimensions: &'d [UsageDimension],
    by_variant: bool,
    /// Where the day sits among the grouped dimensions.
    day_slot: Option<usize>,
    /// Where each grouped dimension (but the day) sits in a served tuple.
    parts: Vec<Option<usize>>,
}

impl<'d> Grouping<'d> {
    fn new(dimensions: &'d [UsageDimension]) -> Self {
        let dimensions = &dimensions[..dimensions.len().min(MAX_DIMENSIONS)];
        Grouping {
            dimensions,
            by_variant: dimensions.contains(&UsageDimension::Variant),
            day_slot: dimensions.iter().position(|d| *d == UsageDimension::Day),
            parts: dimensions
                .iter()
                .map(|d| SERVED.iter().position(|s| s == d))
                .collect(),
        }
    }
}

/// The report-wide ids of one count: the texts of each grouped dimension and the variant names,
/// and the span of days the index holds.
struct Dictionary {
    interned: Vec<Interned>,
    names: Interned,
    first_day: i64,
    last_day: i64,
}

impl Dictionary {
    fn new(grouping: &Grouping) -> Self {
        Dictionary {
            interned: grouping
                .dimensions
                .iter()
                .map(|_| Interned::default())
                .collect(),
            names: Interned::default(),
            first_day: i64::MAX,
            last_day: i64::MIN,
        }
    }

    /// Interns the parts of the brand's served tuples among one segment's terms. Answers, for
    /// the brand's `n`-th tuple (term ordinal `range.start + n`), the ids of the grouped
    /// dimensions at `n * grouped ..` and the variant name's id at `n`, and the range.
    fn intern(
        &mut self,
        column: &StrColumn,
        brand: &str,
        grouping: &Grouping,
    ) -> tantivy::Result<(Vec<u32>, Vec<u32>, Range<u64>)> {
        let (mut ids, mut names, mut brand_ords) = (Vec::new(), Vec::new(), 0..0);
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
                for (part, interned) in grouping.parts.iter().zip(self.interned.iter_mut()) {
                    ids.push(part.map_or(0, |p| interned.id(values[p])));
                }
                names.push(if grouping.by_variant {
                    self.names.id(name)
                } else {
                    NO_NAME
                });
            } else if !brand_ords.is_empty() {
                break; // past the brand's range: the dictionary is sorted
            }
            ord += 1;
        }
        Ok((ids, names, brand_ords))
    }

    fn rank(&mut self) {
        self.interned.iter_mut().for_each(Interned::rank);
        self.names.rank();
    }

    /// How many ids each grouped dimension can have: its texts, or the days the index spans.
    fn cardinalities(&self, grouping: &Grouping) -> Vec<u64> {
        let days = if self.first_day <= self.last_day {
            (self.last_day - self.first_day + 1) as u64
        } else {
            1
        };
        grouping
            .dimensions
            .iter()
            .zip(&self.interned)
            .map(|(d, i)| {
                if *d == UsageDimension::Day {
                    days
                } else {
                    i.texts.len() as u64
                }
            })
            .collect()
    }

    /// Days are named and ranked only now, and only those that have a row: the groups' day
    /// offsets become ids of the days' text.
    fn name_days(&mut self, groups: &mut [Group], grouping: &Grouping) {
        let Some(slot) = grouping.day_slot else {
            return;
        };
        let first_day = self.first_day;
        let day = &mut self.interned[slot];
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

    /// Puts groups in the order of their dimensions' text, by rank.
    fn sort(&self, groups: &mut [Group], grouped: usize) {
        groups.sort_unstable_by(|(a, _), (b, _)| {
            let rank = |ids: &[u32; MAX_DIMENSIONS], i: usize| {
                self.interned[i]
                    .ranks
                    .get(ids[i] as usize)
                    .copied()
                    .unwrap_or(0)
            };
            (0..grouped)
                .map(|i| rank(a, i).cmp(&rank(b, i)))
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    }

    /// The row of one group, its ids turned into text.
    fn row(&self, grouping: &Grouping, ids: &[u32; MAX_DIMENSIONS], cell: Cell) -> UsageRow {
        let mut key = GroupKey::default();
        for (i, dimension) in grouping.dimensions.iter().enumerate() {
            let text = self.interned[i]
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
        if grouping.by_variant && cell.name != NO_NAME {
            key.variant_name = self.names.texts.get(cell.name as usize).cloned();
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
    brand: Range<u64>,
    /// For the brand's `n`-th served tuple (term ordinal `brand.start + n`): the ids of the
    /// grouped dimensions at `n * grouped ..` (the day's slot is filled per event), and the
    /// variant name's id at `names[n]`.
    ids: Vec<u32>,
    names: Vec<u32>,
}

impl Segment {
    /// Reads a segment's columns, widens the dictionary's span of days by the segment's and
    /// interns the brand's served tuples.
    fn read(
        reader: &SegmentReader,
        brand: &str,
        columns: &Columns,
        grouping: &Grouping,
        dictionary: &mut Dictionary,
    ) -> tantivy::Result<Segment> {
        let fast = reader.fast_fields();
        let at = fast.date(columns.at)?;
        if reader.num_docs() > 0 {
            dictionary.first_day = dictionary.first_day.min(day_number(at.min_value()));
            dictionary.last_day = dictionary.last_day.max(day_number(at.max_value()));
        }
        let served = fast.str(columns.served)?;
        let (ids, names, brand_ords) = match &served {
            Some(column) => dictionary.intern(column, brand, grouping)?,
            None => (Vec::new(), Vec::new(), 0..0),
        };
        let [high, low] = columns.impression;
        let impression = match (fast.column_opt(high)?, fast.column_opt(low)?) {
            (Some(high), Some(low)) => Some((high, low)),
            _ => None,
        };
        Ok(Segment {
            kind: fast.u64(columns.kind)?,
            at,
            served,
            impression,
            value: fast.column_opt(columns.value)?,
            brand: brand_ords,
            ids,
            names,
        })
    }
}

/// The second step: the cells, the clicks and conversions met, and what placing an event in
/// its cell needs.
struct Tally<'a> {
    table: Table,
    follow_ups: Vec<FollowUp>,
    grouped: usize,
    day_slot: Option<usize>,
    first_day: i64,
    /// The variant names' sort ranks, to keep each cell's greatest.
    name_ranks: &'a [u32],
}

impl Tally<'_> {
    /// Counts the segment's events that `weight` matches.
    fn segment(
        &mut self,
        weight: &dyn Weight,
        reader: &SegmentReader,
        segment: &Segment,
    ) -> tantivy::Result<()> {
        if segment.brand.is_empty() {
            return Ok(()); // none of the brand's events in this segment
        }
        // Deleted documents (a person forgotten, events past retention) stay in a segment until
        // it is merged: only the alive ones count.
        match reader.alive_bitset() {
            None => weight.for_each_no_score(reader, &mut |docs: &[DocId]| {
                docs.iter().for_each(|&doc| self.add(segment, doc))
            }),
            Some(alive) => weight.for_each_no_score(reader, &mut |docs: &[DocId]| {
                docs.iter()
                    .filter(|&&doc| alive.is_alive(doc))
                    .for_each(|&doc| self.add(segment, doc))
            }),
        }
    }

    /// Adds one event to the cell of its ids.
    #[inline]
    fn add(&mut self, segment: &Segment, doc: DocId) {
        let mut ids = [0u32; MAX_DIMENSIONS];
        let Some(ord) = segment.served.as_ref().and_then(|c| c.ords().first(doc)) else {
            return;
        };
        if !segment.brand.contains(&ord) {
            return; // another brand's event
        }
        let (n, grouped) = ((ord - segment.brand.start) as usize, self.grouped);
        if let Some(row) = segment.ids.get(n * grouped..(n + 1) * grouped) {
            ids[..grouped].copy_from_slice(row);
        }
        let name = segment.names.get(n).copied().unwrap_or(NO_NAME);
        if let (Some(slot), Some(at)) = (self.day_slot, segment.at.first(doc)) {
            ids[slot] = (day_number(at) - self.first_day) as u32;
        }
        let slot = self.table.slot(&ids, grouped);
        let cell = self.table.cell(slot);
        match segment.kind.first(doc) {
            Some(0) => cell.counts[0] += 1,
            Some(kind @ (1 | 2)) => {
                if let Some((high, low)) = &segment.impression {
                    let (h, l) = (high.first(doc).unwrap_or(0), low.first(doc).unwrap_or(0));
                    let impression = (u128::from(h) << 64) | u128::from(l);
                    self.follow_ups.push((slot, kind as usize, impression));
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
                || self.name_ranks[name as usize] > self.name_ranks[cell.name as usize])
        {
            cell.name = name;
        }
    }
}

mod served;
mod table;

pub use served::{impression_key, served_enrollment, served_value, write_served_value};
use served::{served_parts, SERVED};

#[cfg(test)]
mod tests;
