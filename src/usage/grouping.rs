//! Counting a usage report from the usage index's fast fields.
//!
//! Each grouped dimension is a dictionary-encoded column in every segment. First, the terms of
//! each grouped column are interned once per segment into report-wide ids (as many strings as
//! there are distinct variants, days, …, never one per event), so that a segment's term ordinal
//! maps to a report-wide id through a table. Then every matching event adds its kind to the cell
//! of its tuple of ids: a dense array when the product of the dimensions' cardinalities is small
//! (the usual case: variants × days), a hash map otherwise. Rows are put in the order of the
//! dimensions' text (the database's `ORDER BY`) by comparing precomputed ranks, and only the
//! finished rows are turned into strings.

use std::collections::HashMap;

use rustc_hash::FxHashMap;
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocId, Searcher};

use super::report::{GroupKey, UsageCounts, UsageDimension, UsageRow};

/// The most cells counted in a dense array (32 bytes each); beyond it, a hash map.
pub const DENSE_LIMIT: u64 = 1 << 20;
/// At most one id per grouped dimension.
const MAX_DIMENSIONS: usize = 6;
/// "No name seen yet" in a cell.
const NO_NAME: u32 = u32::MAX;

/// Report-wide ids for the texts of one column, and their sort ranks.
#[derive(Default)]
struct Interned {
    ids: HashMap<String, u32>,
    texts: Vec<String>,
    /// `ranks[id]`: the position of `texts[id]` in byte order.
    ranks: Vec<u32>,
}

impl Interned {
    /// Maps every term of `column` (in this segment) to its report-wide id.
    fn segment_table(&mut self, column: Option<&StrColumn>) -> std::io::Result<Vec<u32>> {
        let Some(column) = column else {
            return Ok(Vec::new());
        };
        let mut table = Vec::with_capacity(column.num_terms());
        let mut terms = column.dictionary().stream()?;
        while terms.advance() {
            let text = String::from_utf8_lossy(terms.key());
            let next = self.texts.len() as u32;
            let id = *self.ids.entry(text.to_string()).or_insert(next);
            if id == next {
                self.texts.push(text.into_owned());
            }
            table.push(id);
        }
        Ok(table)
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

/// The counts of one group and the greatest variant name seen in it (as `MAX(variant_name)`).
#[derive(Clone, Copy)]
struct Cell {
    counts: [u64; 3],
    name: u32,
}

impl Default for Cell {
    fn default() -> Self {
        Cell { counts: [0; 3], name: NO_NAME }
    }
}

/// Where the cells live.
enum Table {
    Dense { cells: Vec<Cell>, strides: Vec<u64> },
    Sparse(FxHashMap<[u32; MAX_DIMENSIONS], Cell>),
}

impl Table {
    fn new(cardinalities: &[u64], dense_limit: u64) -> Table {
        let total = cardinalities.iter().try_fold(1u64, |acc, &c| acc.checked_mul(c.max(1)));
        match total {
            Some(total) if total <= dense_limit => {
                let mut strides = vec![1u64; cardinalities.len()];
                for i in (0..cardinalities.len().saturating_sub(1)).rev() {
                    strides[i] = strides[i + 1] * cardinalities[i + 1].max(1);
                }
                Table::Dense { cells: vec![Cell::default(); total as usize], strides }
            }
            _ => Table::Sparse(FxHashMap::default()),
        }
    }

    #[inline]
    fn cell(&mut self, ids: &[u32; MAX_DIMENSIONS], grouped: usize) -> &mut Cell {
        match self {
            Table::Dense { cells, strides } => {
                let index: u64 = ids[..grouped].iter().zip(strides.iter()).map(|(&id, &s)| u64::from(id) * s).sum();
                &mut cells[index as usize]
            }
            Table::Sparse(map) => map.entry(*ids).or_default(),
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
            Table::Sparse(map) => map.into_iter().filter(|(_, cell)| seen(cell)).collect(),
        }
    }
}

/// One segment's columns, read once.
struct SegmentColumns {
    kind: Column<u64>,
    columns: Vec<Option<StrColumn>>,
    tables: Vec<Vec<u32>>,
    names: Option<(StrColumn, Vec<u32>)>,
}

/// Counts the events `query` matches, grouped by `dimensions` (each with its fast text column
/// named beside it, the variant name in `name_column`), in the order of the dimensions' text;
/// `dimensions` must come in the report's column order. Cells are dense up to `dense_limit`.
pub fn count(
    searcher: &Searcher,
    query: &dyn Query,
    dimensions: &[(UsageDimension, &str)],
    name_column: &str,
    kind_column: &str,
    dense_limit: u64,
) -> tantivy::Result<Vec<UsageRow>> {
    let by_variant = dimensions.iter().any(|(d, _)| *d == UsageDimension::Variant);
    let mut interned: Vec<Interned> = dimensions.iter().map(|_| Interned::default()).collect();
    let mut names = Interned::default();
    let mut segments = Vec::with_capacity(searcher.segment_readers().len());
    for reader in searcher.segment_readers() {
        let fast = reader.fast_fields();
        let mut columns = Vec::with_capacity(dimensions.len());
        let mut tables = Vec::with_capacity(dimensions.len());
        for ((_, name), interned) in dimensions.iter().zip(interned.iter_mut()) {
            let column = fast.str(name)?;
            tables.push(interned.segment_table(column.as_ref())?);
            columns.push(column);
        }
        let names = match (by_variant, fast.str(name_column)?) {
            (true, Some(column)) => {
                let table = names.segment_table(Some(&column))?;
                Some((column, table))
            }
            _ => None,
        };
        segments.push(SegmentColumns { kind: fast.u64(kind_column)?, columns, tables, names });
    }
    interned.iter_mut().for_each(Interned::rank);
    names.rank();

    let cardinalities: Vec<u64> = interned.iter().map(|i| i.texts.len() as u64).collect();
    let mut table = Table::new(&cardinalities, dense_limit);
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let grouped = dimensions.len();
    for (reader, segment) in searcher.segment_readers().iter().zip(&segments) {
        let mut add = |doc: DocId| {
            let mut ids = [0u32; MAX_DIMENSIONS];
            for (i, (column, map)) in segment.columns.iter().zip(&segment.tables).enumerate() {
                let ord = column.as_ref().and_then(|c| c.ords().first(doc));
                ids[i] = ord.and_then(|o| map.get(o as usize).copied()).unwrap_or(0);
            }
            let cell = table.cell(&ids, grouped);
            if let Some(count) = segment.kind.first(doc).and_then(|k| cell.counts.get_mut(k as usize)) {
                *count += 1;
            }
            if let Some((column, map)) = &segment.names {
                if let Some(name) = column.ords().first(doc).and_then(|o| map.get(o as usize).copied()) {
                    if cell.name == NO_NAME || names.ranks[name as usize] > names.ranks[cell.name as usize] {
                        cell.name = name;
                    }
                }
            }
        };
        weight.for_each_no_score(reader, &mut |docs: &[DocId]| docs.iter().for_each(|&doc| add(doc)))?;
    }

    let mut groups = table.into_groups(&cardinalities);
    groups.sort_unstable_by(|(a, _), (b, _)| {
        let rank = |ids: &[u32; MAX_DIMENSIONS], i: usize| interned[i].ranks.get(ids[i] as usize).copied().unwrap_or(0);
        (0..grouped).map(|i| rank(a, i).cmp(&rank(b, i))).find(|o| o.is_ne()).unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(groups
        .into_iter()
        .map(|(ids, cell)| {
            let mut key = GroupKey::default();
            for (i, (dimension, _)) in dimensions.iter().enumerate() {
                let text = interned[i].texts.get(ids[i] as usize).cloned().unwrap_or_default();
                match dimension {
                    UsageDimension::Entry => key.entry_key = Some(text),
                    UsageDimension::Variant => key.variant_id = Some(text),
                    UsageDimension::Revision => key.revision = Some(text),
                    UsageDimension::Device => key.device = Some(text),
                    UsageDimension::Day => key.day = Some(text),
                    UsageDimension::Locale => key.locale = Some(text),
                }
            }
            if by_variant && cell.name != NO_NAME {
                key.variant_name = names.texts.get(cell.name as usize).cloned();
            }
            let [impressions, clicks, conversions] = cell.counts.map(|c| c as i64);
            UsageRow::new(key, UsageCounts { impressions, clicks, conversions })
        })
        .collect())
}
