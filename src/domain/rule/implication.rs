//! Proving that one rule's audience contains another's, for the conflicts analysis.
//!
//! Sound, not complete: [`Rule::covers`] answers `true` only when every set of attributes the
//! narrower rule matches is matched by the wider one, and `false` whenever it cannot tell. It
//! works on the rules' disjunctive normal forms: the narrower rule is covered when each of its
//! conjunctions implies some conjunction of the wider rule, condition by condition — each
//! condition of the wider conjunction must follow from one condition of the narrower one.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::condition::{Condition, Num, Op, Scalar, Test};
use super::Rule;

impl Rule {
    /// Whether every audience `narrower` matches is provably matched by `self` too.
    pub fn covers(&self, narrower: &Rule) -> bool {
        let (Some(wide), Some(narrow)) = (self.disjuncts(), narrower.disjuncts()) else {
            return false;
        };
        narrow
            .iter()
            .all(|n| wide.iter().any(|w| conjunction_implies(n, w)))
    }
}

fn conjunction_implies(narrow: &[&Condition], wide: &[&Condition]) -> bool {
    wide.iter().all(|w| narrow.iter().any(|n| implies(n, w)))
}

/// Whether `n` holding proves that `w` holds.
pub(super) fn implies(n: &Condition, w: &Condition) -> bool {
    if n.attr() != w.attr() {
        return false;
    }
    if n.op() == w.op() && n.literal() == w.literal() {
        return true;
    }
    match n.op() {
        Op::NotExists => w.holds_for(None),
        Op::Eq => stands_in(n.literal()) && w.holds_for(Some(n.literal())),
        Op::In => members(n).all(|m| stands_in(m) && w.holds_for(Some(m))),
        Op::Ne | Op::NotIn => excludes_all_that(n, w),
        Op::NotContains => false,
        _ => w.op() == Op::Exists || positive_implies(n.test(), w.test()),
    }
}

/// Whether the attribute equal to this literal behaves exactly like any value equal to it.
/// Floats beyond 2^53 are left out: several integers compare equal to one of them.
fn stands_in(literal: &Value) -> bool {
    const EXACT_LIMIT: f64 = 9_007_199_254_740_992.0;
    match literal {
        Value::Number(number) if number.is_f64() => {
            number.as_f64().is_some_and(|f| f.abs() < EXACT_LIMIT)
        }
        _ => true,
    }
}

fn members(condition: &Condition) -> impl Iterator<Item = &Value> {
    condition.literal().as_array().into_iter().flatten()
}

/// `ne`/`not_in` implies `ne`/`not_in` when the wider excludes only values the narrower excludes.
fn excludes_all_that(n: &Condition, w: &Condition) -> bool {
    let excluded: &[Value] = match w.op() {
        Op::Ne => std::slice::from_ref(w.literal()),
        Op::NotIn => w.literal().as_array().map_or(&[], Vec::as_slice),
        _ => return false,
    };
    excluded
        .iter()
        .all(|e| stands_in(e) && !n.holds_for(Some(e)))
}

/// Implications between the positive tests that are not about one literal value.
fn positive_implies(n: &Test, w: &Test) -> bool {
    match (n, w) {
        (Test::StartsWith(p), Test::StartsWith(q)) => p.starts_with(&**q),
        (Test::EndsWith(p), Test::EndsWith(q)) => p.ends_with(&**q),
        (Test::StartsWith(p) | Test::EndsWith(p), Test::Contains(Scalar::Str(q))) => {
            p.contains(&**q)
        }
        _ => match (number_interval(n), number_interval(w)) {
            (Some(inner), Some(outer)) => inner.within(&outer, Num::compare),
            _ => match (instant_interval(n), instant_interval(w)) {
                (Some(inner), Some(outer)) => inner.within(&outer, |a, b| a.partial_cmp(&b)),
                _ => false,
            },
        },
    }
}

/// One end of an interval: the limit and whether it is included.
type End<T> = Option<(T, bool)>;

/// The values a test admits, as an interval; `None` ends are open.
struct Interval<T> {
    low: End<T>,
    high: End<T>,
}

impl<T: Copy> Interval<T> {
    fn within(&self, outer: &Interval<T>, compare: impl Fn(T, T) -> Option<Ordering>) -> bool {
        end_within(self.low, outer.low, Ordering::Greater, &compare)
            && end_within(self.high, outer.high, Ordering::Less, &compare)
    }
}

/// Whether an inner end is at least as tight as an outer one; `inward` is the direction of
/// tighter limits (`Greater` for a low end).
fn end_within<T: Copy>(
    inner: End<T>,
    outer: End<T>,
    inward: Ordering,
    compare: &impl Fn(T, T) -> Option<Ordering>,
) -> bool {
    match (inner, outer) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some((i, i_incl)), Some((o, o_incl))) => match compare(i, o) {
            Some(Ordering::Equal) => o_incl || !i_incl,
            Some(order) => order == inward,
            None => false,
        },
    }
}

fn number_interval(test: &Test) -> Option<Interval<Num>> {
    match *test {
        Test::Bound {
            limit,
            above: true,
            inclusive,
        } => Some(Interval {
            low: Some((limit, inclusive)),
            high: None,
        }),
        Test::Bound {
            limit,
            above: false,
            inclusive,
        } => Some(Interval {
            low: None,
            high: Some((limit, inclusive)),
        }),
        Test::NumberRange(lo, hi) => Some(Interval {
            low: Some((lo, true)),
            high: Some((hi, true)),
        }),
        _ => None,
    }
}

fn instant_interval(test: &Test) -> Option<Interval<DateTime<Utc>>> {
    match *test {
        Test::After(limit) => Some(Interval {
            low: Some((limit, false)),
            high: None,
        }),
        Test::Before(limit) => Some(Interval {
            low: None,
            high: Some((limit, false)),
        }),
        Test::InstantRange(lo, hi) => Some(Interval {
            low: Some((lo, true)),
            high: Some((hi, true)),
        }),
        _ => None,
    }
}
