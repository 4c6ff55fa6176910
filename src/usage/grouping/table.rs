//! The cells a report is counted into: one per group, known by the tuple of its dimensions'
//! report-wide ids, kept in a dense array when the product of the dimensions' cardinalities is
//! small (the usual case: variants × days), in a hash map otherwise.

use rustc_hash::FxHashMap;

use super::MAX_DIMENSIONS;

/// "No name seen yet" in a cell.
pub(super) const NO_NAME: u32 = u32::MAX;

/// The counts of one group, the sum of its conversions' values and the greatest variant name
/// seen in it (as `MAX(variant_name)`). Clicks and conversions are filled in at the end, from the
/// distinct impressions they name.
#[derive(Clone, Copy)]
pub(super) struct Cell {
    pub(super) counts: [u64; 3],
    pub(super) value: f64,
    pub(super) name: u32,
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
pub(super) enum Table {
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
    pub(super) fn new(cardinalities: &[u64], dense_limit: u64) -> Table {
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
    pub(super) fn slot(&mut self, ids: &[u32; MAX_DIMENSIONS], grouped: usize) -> usize {
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
    pub(super) fn cell(&mut self, slot: usize) -> &mut Cell {
        match self {
            Table::Dense { cells, .. } => &mut cells[slot],
            Table::Sparse { cells, .. } => &mut cells[slot].1,
        }
    }

    /// Every non-empty cell with its ids.
    pub(super) fn into_groups(self, cardinalities: &[u64]) -> Vec<([u32; MAX_DIMENSIONS], Cell)> {
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
pub(super) type FollowUp = (usize, usize, u128);

/// Adds the distinct answers clicked and converted to the cells' counts.
pub(super) fn count_follow_ups(table: &mut Table, mut follow_ups: Vec<FollowUp>) {
    follow_ups.sort_unstable();
    follow_ups.dedup();
    for (slot, kind, _) in follow_ups {
        table.cell(slot).counts[kind] += 1;
    }
}
