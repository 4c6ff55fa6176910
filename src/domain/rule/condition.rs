//! Leaf conditions: one attribute, one operator, one compiled operand.
//!
//! Parsing (in `parse`) turns the JSON operand into a [`Test`] once: sets are sorted, regular
//! expressions compiled, instants parsed. Evaluating a condition then only reads the attribute's
//! JSON value and never allocates.
//!
//! How a condition treats values it was not written for — every such case is simply false for
//! the positive operators, and therefore true for their negations (`ne`, `not_in`,
//! `not_contains`, `not_exists`):
//! - types never coerce: the string `"34"` is not the number `34`; numbers compare as numbers,
//!   so `3` equals `3.0`;
//! - `in` compares a scalar attribute (string, number, boolean) with the list; an array or an
//!   object attribute is in no list;
//! - `contains` looks for a substring in a string attribute, or for an equal element in an
//!   array attribute; any other attribute contains nothing;
//! - `starts_with`, `ends_with` and `matches` need a string attribute; `matches` searches
//!   anywhere in it (anchor with `^…$` to match it whole);
//! - `gt`, `gte`, `lt`, `lte` and numeric `between` need a number attribute;
//! - `before`, `after` and instant `between` need a string attribute holding an RFC 3339
//!   instant; any other string is neither before nor after anything.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use regex::Regex;
use serde_json::{Number, Value};

/// The operators of the rule language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    Eq,
    Ne,
    In,
    NotIn,
    Contains,
    NotContains,
    StartsWith,
    EndsWith,
    Matches,
    Gt,
    Gte,
    Lt,
    Lte,
    Between,
    Exists,
    NotExists,
    Before,
    After,
}

impl Op {
    /// Every operator, in the contract's order.
    pub const ALL: [Op; 18] = [
        Op::Eq,
        Op::Ne,
        Op::In,
        Op::NotIn,
        Op::Contains,
        Op::NotContains,
        Op::StartsWith,
        Op::EndsWith,
        Op::Matches,
        Op::Gt,
        Op::Gte,
        Op::Lt,
        Op::Lte,
        Op::Between,
        Op::Exists,
        Op::NotExists,
        Op::Before,
        Op::After,
    ];

    /// The operator's name in rule JSON, e.g. `not_in`.
    pub const fn name(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::In => "in",
            Op::NotIn => "not_in",
            Op::Contains => "contains",
            Op::NotContains => "not_contains",
            Op::StartsWith => "starts_with",
            Op::EndsWith => "ends_with",
            Op::Matches => "matches",
            Op::Gt => "gt",
            Op::Gte => "gte",
            Op::Lt => "lt",
            Op::Lte => "lte",
            Op::Between => "between",
            Op::Exists => "exists",
            Op::NotExists => "not_exists",
            Op::Before => "before",
            Op::After => "after",
        }
    }

    /// How the operator reads in a rendered rule: comparisons as symbols, the rest by name.
    pub const fn symbol(self) -> &'static str {
        match self {
            Op::Gt => ">",
            Op::Gte => ">=",
            Op::Lt => "<",
            Op::Lte => "<=",
            other => other.name(),
        }
    }

    /// The operator named `name` in rule JSON.
    pub fn from_name(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.name() == name)
    }

    /// Whether this is the negation of another operator; those hold when the attribute is absent.
    pub const fn is_negated(self) -> bool {
        matches!(self, Op::Ne | Op::NotIn | Op::NotContains | Op::NotExists)
    }

    /// Whether the operator is written without a `value`.
    pub const fn takes_no_value(self) -> bool {
        matches!(self, Op::Exists | Op::NotExists)
    }
}

/// A JSON number, kept exact for integers so that large ids compare correctly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    Int(i128),
    Float(f64),
}

impl Num {
    pub fn from_json(number: &Number) -> Num {
        if let Some(int) = number.as_i64() {
            Num::Int(int.into())
        } else if let Some(int) = number.as_u64() {
            Num::Int(int.into())
        } else {
            Num::Float(number.as_f64().unwrap_or(f64::NAN))
        }
    }

    fn as_f64(self) -> f64 {
        match self {
            Num::Int(int) => int as f64,
            Num::Float(float) => float,
        }
    }

    /// Numeric order: `3` and `3.0` are equal.
    pub fn compare(self, other: Num) -> Option<Ordering> {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => Some(a.cmp(&b)),
            (a, b) => a.as_f64().partial_cmp(&b.as_f64()),
        }
    }
}

/// A string, number or boolean operand.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Str(Box<str>),
    Num(Num),
    Bool(bool),
}

impl Scalar {
    pub fn from_json(value: &Value) -> Option<Scalar> {
        match value {
            Value::String(text) => Some(Scalar::Str(text.as_str().into())),
            Value::Number(number) => Some(Scalar::Num(Num::from_json(number))),
            Value::Bool(flag) => Some(Scalar::Bool(*flag)),
            _ => None,
        }
    }

    /// Whether `value` equals this scalar without coercion.
    pub fn equals(&self, value: &Value) -> bool {
        match (self, value) {
            (Scalar::Str(a), Value::String(b)) => **a == **b,
            (Scalar::Num(a), Value::Number(b)) => {
                a.compare(Num::from_json(b)) == Some(Ordering::Equal)
            }
            (Scalar::Bool(a), Value::Bool(b)) => a == b,
            _ => false,
        }
    }
}

/// The members of an `in` list, grouped by type; strings sorted for binary search.
#[derive(Debug, Clone, Default)]
pub struct ScalarSet {
    strings: Box<[Box<str>]>,
    numbers: Box<[Num]>,
    has_true: bool,
    has_false: bool,
}

impl ScalarSet {
    pub fn new(members: &[Scalar]) -> ScalarSet {
        let mut strings = Vec::new();
        let mut numbers = Vec::new();
        let mut set = ScalarSet::default();
        for member in members {
            match member {
                Scalar::Str(text) => strings.push(text.clone()),
                Scalar::Num(number) => numbers.push(*number),
                Scalar::Bool(true) => set.has_true = true,
                Scalar::Bool(false) => set.has_false = true,
            }
        }
        strings.sort_unstable();
        strings.dedup();
        set.strings = strings.into_boxed_slice();
        set.numbers = numbers.into_boxed_slice();
        set
    }

    pub fn contains(&self, value: &Value) -> bool {
        match value {
            Value::String(text) => self
                .strings
                .binary_search_by(|s| (**s).cmp(text.as_str()))
                .is_ok(),
            Value::Number(number) => {
                let number = Num::from_json(number);
                self.numbers
                    .iter()
                    .any(|n| n.compare(number) == Some(Ordering::Equal))
            }
            Value::Bool(true) => self.has_true,
            Value::Bool(false) => self.has_false,
            _ => false,
        }
    }
}

/// The compiled operand of a condition. Negated operators share the test of their positive twin.
#[derive(Debug, Clone)]
pub enum Test {
    Present,
    Equals(Scalar),
    OneOf(ScalarSet),
    Contains(Scalar),
    StartsWith(Box<str>),
    EndsWith(Box<str>),
    Matches(Regex),
    /// `gt`/`gte` (`above: true`) or `lt`/`lte`, inclusive or not.
    Bound {
        limit: Num,
        above: bool,
        inclusive: bool,
    },
    NumberRange(Num, Num),
    InstantRange(DateTime<Utc>, DateTime<Utc>),
    Before(DateTime<Utc>),
    After(DateTime<Utc>),
}

impl Test {
    /// Whether a present, non-null attribute value passes the positive form of the test.
    pub fn passes(&self, value: &Value) -> bool {
        match self {
            Test::Present => true,
            Test::Equals(scalar) => scalar.equals(value),
            Test::OneOf(set) => set.contains(value),
            Test::Contains(needle) => contains(value, needle),
            Test::StartsWith(prefix) => value.as_str().is_some_and(|s| s.starts_with(&**prefix)),
            Test::EndsWith(suffix) => value.as_str().is_some_and(|s| s.ends_with(&**suffix)),
            Test::Matches(regex) => value.as_str().is_some_and(|s| regex.is_match(s)),
            Test::Bound {
                limit,
                above,
                inclusive,
            } => number(value)
                .and_then(|n| n.compare(*limit))
                .is_some_and(|order| bound_holds(order, *above, *inclusive)),
            Test::NumberRange(lo, hi) => number(value).is_some_and(|n| within(n, *lo, *hi)),
            Test::InstantRange(lo, hi) => instant(value).is_some_and(|t| *lo <= t && t <= *hi),
            Test::Before(limit) => instant(value).is_some_and(|t| t < *limit),
            Test::After(limit) => instant(value).is_some_and(|t| t > *limit),
        }
    }
}

fn contains(value: &Value, needle: &Scalar) -> bool {
    match (value, needle) {
        (Value::String(haystack), Scalar::Str(needle)) => haystack.contains(&**needle),
        (Value::Array(items), needle) => items.iter().any(|item| needle.equals(item)),
        _ => false,
    }
}

fn number(value: &Value) -> Option<Num> {
    value.as_number().map(Num::from_json)
}

/// Parses an RFC 3339 attribute value; chrono does this without allocating.
pub fn instant(value: &Value) -> Option<DateTime<Utc>> {
    let text = value.as_str()?;
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn bound_holds(order: Ordering, above: bool, inclusive: bool) -> bool {
    match order {
        Ordering::Equal => inclusive,
        Ordering::Greater => above,
        Ordering::Less => !above,
    }
}

fn within(n: Num, lo: Num, hi: Num) -> bool {
    let above_lo = n.compare(lo).is_some_and(Ordering::is_ge);
    let below_hi = n.compare(hi).is_some_and(Ordering::is_le);
    above_lo && below_hi
}

/// One leaf of a rule: `{"attr": NAME, "op": OP, "value": V}`, compiled.
#[derive(Debug, Clone)]
pub struct Condition {
    attr: Box<str>,
    op: Op,
    test: Test,
    /// The operand as written (`Null` for `exists`/`not_exists`), kept for rendering and JSON.
    literal: Value,
}

impl Condition {
    pub(super) fn new(attr: &str, op: Op, test: Test, literal: Value) -> Condition {
        Condition {
            attr: attr.into(),
            op,
            test,
            literal,
        }
    }

    /// The attribute the condition reads.
    pub fn attr(&self) -> &str {
        &self.attr
    }

    pub fn op(&self) -> Op {
        self.op
    }

    /// The compiled operand.
    pub fn test(&self) -> &Test {
        &self.test
    }

    /// The operand as written in the rule JSON (`null` for `exists`/`not_exists`).
    pub fn literal(&self) -> &Value {
        &self.literal
    }

    /// Whether the condition holds for the attribute's value (`None`: absent or null).
    pub fn holds_for(&self, value: Option<&Value>) -> bool {
        let passes = value.is_some_and(|value| self.test.passes(value));
        passes != self.op.is_negated()
    }
}
