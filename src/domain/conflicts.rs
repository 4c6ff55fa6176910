//! Conflicts between an entry's variants that editors cannot see by looking at one variant.
//!
//! Two kinds, each reported only when proven — a missed warning is acceptable, a false one is not:
//! - **Shadowed**: a variant can never be served, because another one ranks above it and is
//!   eligible in every context where it is: its audience contains the shadowed one's (proven by
//!   [`Rule::covers`]), its devices, locale and schedule cover the shadowed one's, and its quality
//!   score is at least as high (so no brand minimum admits one but not the other).
//! - **Tie**: two variants share priority and specificity and can both be eligible at once (a
//!   common audience is found by [`common_audience`] and checked), so only their quality scores
//!   and ages decide between them — rarely what an editor meant.
//!
//! Variants are compared as they would be if live: archived ones are skipped, unpublished ones
//! are included, so that a conflict shows before it reaches the audience — except that an
//! unpublished variant never shadows a published one, which is being served today. Rank comes from
//! [`rank_order`], the same order resolution serves by.

use std::fmt::{self, Display, Formatter};

use chrono::{DateTime, Utc};

use super::resolution::{rank_order, Candidate};
use super::rule::{common_audience, Rule};

/// A conflict between variants, by their indices in the slice given to [`find_conflicts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// `variant` can never be served: `by` outranks it wherever it is eligible.
    Shadowed { variant: usize, by: usize },
    /// `a` and `b` tie on priority and specificity for an audience they share.
    Tie { a: usize, b: usize },
}

/// A conflict and its explanation for editors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub conflict: Conflict,
    pub message: String,
}

impl Display for Warning {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Every conflict provable among the variants: shadowed variants (each named once, with the
/// highest-ranked variant shadowing it), then ties, both in variant order.
pub fn find_conflicts(variants: &[Candidate<'_>]) -> Vec<Warning> {
    let live: Vec<usize> = (0..variants.len())
        .filter(|&i| !variants[i].archived)
        .collect();
    let mut by_rank = live.clone();
    by_rank.sort_by(|&a, &b| rank_order(&variants[a], &variants[b]));
    let mut warnings: Vec<Warning> = live
        .iter()
        .filter_map(|&variant| {
            let by = by_rank
                .iter()
                .copied()
                .find(|&by| shadows(&variants[by], &variants[variant]))?;
            Some(shadowed(variants, variant, by))
        })
        .collect();
    for (position, &a) in live.iter().enumerate() {
        for &b in &live[position + 1..] {
            let already = warnings.iter().any(|w| involves_both(w.conflict, a, b));
            if !already && ties(&variants[a], &variants[b]) {
                warnings.push(tie(variants, a, b));
            }
        }
    }
    warnings
}

/// Whether `high` outranks `low` wherever `low` is eligible.
pub fn shadows(high: &Candidate<'_>, low: &Candidate<'_>) -> bool {
    rank_order(high, low).is_lt()
        && high.published >= low.published
        && high.quality >= low.quality
        && same_locale(high, low)
        && devices_cover(high, low)
        && schedule_covers(high, low)
        && audience_covers(high.rule, low.rule)
}

/// Whether `a` and `b` tie on priority and specificity and can provably be eligible together.
pub fn ties(a: &Candidate<'_>, b: &Candidate<'_>) -> bool {
    a.priority == b.priority
        && a.specificity() == b.specificity()
        && same_locale(a, b)
        && devices_overlap(a, b)
        && schedules_overlap(a, b)
        && common_audience(&[a.rule, b.rule].into_iter().flatten().collect::<Vec<_>>()).is_some()
}

fn involves_both(conflict: Conflict, a: usize, b: usize) -> bool {
    let pair = match conflict {
        Conflict::Shadowed { variant, by } => (variant, by),
        Conflict::Tie { a, b } => (a, b),
    };
    pair == (a, b) || pair == (b, a)
}

fn same_locale(a: &Candidate<'_>, b: &Candidate<'_>) -> bool {
    match (a.locale, b.locale) {
        (None, None) => true,
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => false,
    }
}

fn devices_cover(high: &Candidate<'_>, low: &Candidate<'_>) -> bool {
    high.devices.is_empty()
        || (!low.devices.is_empty() && low.devices.iter().all(|d| high.devices.contains(d)))
}

fn devices_overlap(a: &Candidate<'_>, b: &Candidate<'_>) -> bool {
    a.devices.is_empty() || b.devices.is_empty() || a.devices.iter().any(|d| b.devices.contains(d))
}

fn schedule_covers(high: &Candidate<'_>, low: &Candidate<'_>) -> bool {
    let starts_first = match (high.starts_at, low.starts_at) {
        (None, _) => true,
        (Some(high), Some(low)) => high <= low,
        (Some(_), None) => false,
    };
    let ends_last = match (high.ends_at, low.ends_at) {
        (None, _) => true,
        (Some(high), Some(low)) => high >= low,
        (Some(_), None) => false,
    };
    starts_first && ends_last
}

fn schedules_overlap(a: &Candidate<'_>, b: &Candidate<'_>) -> bool {
    let start: Option<DateTime<Utc>> = a.starts_at.max(b.starts_at);
    let end = match (a.ends_at, b.ends_at) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    match (start, end) {
        (Some(start), Some(end)) => start < end,
        _ => true,
    }
}

fn audience_covers(high: Option<&Rule>, low: Option<&Rule>) -> bool {
    match (high, low) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(high), Some(low)) => high.covers(low),
    }
}

fn shadowed(variants: &[Candidate<'_>], variant: usize, by: usize) -> Warning {
    let (low, high) = (&variants[variant], &variants[by]);
    let message = format!(
        "variant {:?} can never be served: {:?} ranks above it and is eligible wherever it is",
        low.name, high.name
    );
    Warning {
        conflict: Conflict::Shadowed { variant, by },
        message,
    }
}

fn tie(variants: &[Candidate<'_>], a: usize, b: usize) -> Warning {
    let (first, second) = (&variants[a], &variants[b]);
    let message = format!(
        "variants {:?} and {:?} have the same priority ({}) and specificity ({}) and can reach the \
         same audience: only their quality scores and ages decide which is served",
        first.name,
        second.name,
        first.priority,
        first.specificity()
    );
    Warning {
        conflict: Conflict::Tie { a, b },
        message,
    }
}

#[cfg(test)]
mod tests;
