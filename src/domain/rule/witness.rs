//! Proving that rules can hold together, by finding attributes for which they all do.
//!
//! [`common_audience`] builds candidate attributes from the rules' own literals (the values they
//! compare with, just above and below their bounds, their instants shifted by a second) and
//! checks each guess with the real evaluator. A returned witness is therefore a proof; `None`
//! only means none was found. The conflicts analysis uses it to report ties it can show.

use chrono::{Duration, SecondsFormat};
use serde_json::{Map, Number, Value};

use super::condition::{Condition, Num, Test};
use super::{Attributes, Disjuncts, Rule};

/// How many combinations of disjuncts are tried before giving up.
const MAX_COMBINATIONS: usize = 256;

/// Attributes every rule matches, when some can be found from the rules' literals.
pub fn common_audience(rules: &[&Rule]) -> Option<Map<String, Value>> {
    let everyone = Map::new();
    if rules
        .iter()
        .all(|rule| rule.matches(&Attributes::new(&everyone)))
    {
        return Some(everyone);
    }
    let expanded: Vec<Disjuncts<'_>> = rules
        .iter()
        .map(|rule| rule.disjuncts())
        .collect::<Option<_>>()?;
    let combinations = expanded
        .iter()
        .try_fold(1usize, |count, d| count.checked_mul(d.len()))?;
    if combinations > MAX_COMBINATIONS {
        return None;
    }
    (0..combinations)
        .filter_map(|number| witness_for(&pick(&expanded, number)))
        .find(|witness| {
            rules
                .iter()
                .all(|rule| rule.matches(&Attributes::new(witness)))
        })
}

/// The `number`-th combination of one conjunction per rule, merged into one conjunction.
fn pick<'r>(expanded: &[Disjuncts<'r>], mut number: usize) -> Vec<&'r Condition> {
    let mut merged = Vec::new();
    for disjuncts in expanded {
        merged.extend(&disjuncts[number % disjuncts.len()]);
        number /= disjuncts.len();
    }
    merged
}

/// Attributes satisfying a conjunction, chosen attribute by attribute.
fn witness_for(conjunction: &[&Condition]) -> Option<Map<String, Value>> {
    let mut witness = Map::new();
    let mut names: Vec<&str> = conjunction.iter().map(|c| c.attr()).collect();
    names.sort_unstable();
    names.dedup();
    for name in names {
        let on_name: Vec<&Condition> = conjunction
            .iter()
            .copied()
            .filter(|c| c.attr() == name)
            .collect();
        if on_name.iter().all(|c| c.holds_for(None)) {
            continue;
        }
        let value = guesses(&on_name)
            .into_iter()
            .find(|guess| on_name.iter().all(|c| c.holds_for(Some(guess))))?;
        witness.insert(name.to_owned(), value);
    }
    Some(witness)
}

/// Values worth trying for an attribute, drawn from the conditions that read it.
fn guesses(conditions: &[&Condition]) -> Vec<Value> {
    let mut guesses = Vec::new();
    for condition in conditions {
        guesses_from(condition, &mut guesses);
    }
    let numbers: Vec<f64> = guesses.iter().filter_map(Value::as_f64).collect();
    for (i, a) in numbers.iter().enumerate() {
        for b in &numbers[i + 1..] {
            guesses.extend(float((a + b) / 2.0));
        }
    }
    guesses.push(Value::Bool(true));
    guesses
}

fn guesses_from(condition: &Condition, guesses: &mut Vec<Value>) {
    let literal = condition.literal();
    match condition.test() {
        Test::Present | Test::Matches(_) => {}
        Test::OneOf(_) => guesses.extend(literal.as_array().into_iter().flatten().cloned()),
        Test::Contains(_) => guesses.extend([literal.clone(), Value::Array(vec![literal.clone()])]),
        Test::Bound { limit, .. } => guesses.extend(around(*limit)),
        Test::NumberRange(lo, hi) => guesses.extend(around(*lo).into_iter().chain(around(*hi))),
        Test::InstantRange(lo, hi) => guesses.extend([*lo, *hi].map(instant)),
        Test::Before(limit) => guesses.push(instant(*limit - Duration::seconds(1))),
        Test::After(limit) => guesses.push(instant(*limit + Duration::seconds(1))),
        Test::Equals(_) | Test::StartsWith(_) | Test::EndsWith(_) => guesses.push(literal.clone()),
    }
}

/// A number, one below it and one above it.
fn around(number: Num) -> Vec<Value> {
    match number {
        Num::Int(int) => [int - 1, int, int + 1]
            .into_iter()
            .filter_map(|n| i64::try_from(n).ok().map(Value::from))
            .collect(),
        Num::Float(f) => [f - 1.0, f, f + 1.0]
            .into_iter()
            .filter_map(float)
            .collect(),
    }
}

fn float(f: f64) -> Option<Value> {
    Number::from_f64(f).map(Value::Number)
}

fn instant(at: chrono::DateTime<chrono::Utc>) -> Value {
    Value::from(at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}
