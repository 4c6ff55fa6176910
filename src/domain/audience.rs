//! Audiences: a brand's named, reusable rules, used inside other rules as
//! `{"audience": "NAME"}` (see the contract's "Content modeling").
//!
//! An audience may name other audiences, never in a cycle. [`compile_all`] compiles a brand's
//! audiences once, each after the audiences it names, so that every rule using them can inline
//! them ([`crate::domain::rule::Rule::parse_with`]); [`find_cycle`] is the check made when one is
//! saved. Pure: storage is `store::audiences`, the operations `content::audiences`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::rule::{referenced_audiences, Rule, RuleError};

/// The longest audience name, in characters.
pub const MAX_NAME: usize = 100;

/// An audience as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Audience {
    pub id: String,
    pub brand_id: String,
    pub name: String,
    /// The rule's canonical JSON (never null).
    pub rule: Value,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A brand's audiences compiled, by name.
pub type AudienceRules = HashMap<String, Rule>;

/// Why text is not an audience name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("an audience name has 1 to {} characters", MAX_NAME)]
    Length,
    #[error("an audience name holds no control characters")]
    ControlCharacter,
}

/// An audience name: 1 to 100 characters, trimmed, no control characters.
pub fn parse_name(raw: &str) -> Result<String, NameError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(NameError::Length);
    }
    if name.chars().any(char::is_control) {
        return Err(NameError::ControlCharacter);
    }
    Ok(name.to_string())
}

/// Compiles every audience (name → rule JSON), each after those it names. An audience whose
/// rule does not compile (which saving prevents) is left out, with its error, and so is every
/// audience that names it.
pub fn compile_all(stored: &[(String, Value)]) -> (AudienceRules, Vec<(String, RuleError)>) {
    let raw: HashMap<&str, &Value> = stored.iter().map(|(n, r)| (n.as_str(), r)).collect();
    let mut compiled = AudienceRules::new();
    let mut failed = Vec::new();
    for (name, _) in stored {
        let mut visiting = Vec::new();
        compile_one(name, &raw, &mut compiled, &mut failed, &mut visiting);
    }
    (compiled, failed)
}

fn compile_one(
    name: &str,
    raw: &HashMap<&str, &Value>,
    compiled: &mut AudienceRules,
    failed: &mut Vec<(String, RuleError)>,
    visiting: &mut Vec<String>,
) {
    if compiled.contains_key(name) || failed.iter().any(|(n, _)| n == name) {
        return;
    }
    let Some(json) = raw.get(name) else { return };
    visiting.push(name.to_string());
    for dependency in referenced_audiences(json) {
        if !visiting.contains(&dependency) {
            compile_one(&dependency, raw, compiled, failed, visiting);
        }
    }
    visiting.pop();
    match Rule::parse_with(json, compiled) {
        Ok(Some(rule)) => {
            compiled.insert(name.to_string(), rule);
        }
        Ok(None) => failed.push((name.to_string(), error("an audience needs a rule"))),
        Err(e) => failed.push((name.to_string(), e)),
    }
}

fn error(message: &str) -> RuleError {
    RuleError {
        path: "$".into(),
        message: message.into(),
    }
}

/// The cycle `name` would close if its rule were `rule`, given the other audiences' rules
/// (`NAME → … → NAME`), or `None`.
pub fn find_cycle(name: &str, rule: &Value, others: &[(String, Value)]) -> Option<Vec<String>> {
    let graph: HashMap<&str, Vec<String>> = others
        .iter()
        .filter(|(n, _)| n != name)
        .map(|(n, r)| (n.as_str(), referenced_audiences(r)))
        .chain(std::iter::once((name, referenced_audiences(rule))))
        .collect();
    let mut path = vec![name.to_string()];
    walk(name, name, &graph, &mut path).then_some(path)
}

fn walk(start: &str, at: &str, graph: &HashMap<&str, Vec<String>>, path: &mut Vec<String>) -> bool {
    for next in graph.get(at).into_iter().flatten() {
        path.push(next.clone());
        if next == start {
            return true;
        }
        // A node already on the path is a cycle not through `start`: stop there.
        if !path[..path.len() - 1].contains(next) && walk(start, next, graph, path) {
            return true;
        }
        path.pop();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::rule::Attributes;
    use serde_json::json;

    fn tier(n: i64) -> Value {
        json!({"attr": "tier", "op": "gte", "value": n})
    }

    #[test]
    fn audiences_compile_after_those_they_name_and_inline_them() {
        let stored = vec![
            (
                "Loyal".to_string(),
                json!({"all": [{"audience": "VIP"}, {"attr": "years", "op": "gt", "value": 2}]}),
            ),
            ("VIP".to_string(), tier(3)),
        ];
        let (rules, failed) = compile_all(&stored);
        assert!(failed.is_empty());
        let loyal = &rules["Loyal"];
        assert_eq!(loyal.render(), "audience VIP (tier >= 3) and years > 2");
        assert_eq!(loyal.audiences(), vec!["VIP"]);
        let attrs = json!({"tier": 4, "years": 3});
        assert!(loyal.matches(&Attributes::new(attrs.as_object().unwrap())));
        let rule = Rule::parse_with(&json!({"audience": "Loyal"}), &rules)
            .unwrap()
            .unwrap();
        assert_eq!(rule.to_json(), json!({"audience": "Loyal"}));
        assert_eq!(rule.audiences(), vec!["Loyal", "VIP"]);
        assert_eq!(rule.specificity(), 2);
    }

    #[test]
    fn an_unknown_audience_is_refused_with_its_path() {
        let error = Rule::parse_with(
            &json!({"any": [tier(1), {"audience": "Nope"}]}),
            &AudienceRules::new(),
        )
        .unwrap_err();
        assert_eq!(error.path, "$.any[1].audience");
        assert!(error.message.contains("Nope"));
    }

    #[test]
    fn cycles_are_found_and_named() {
        let others = vec![
            ("A".to_string(), json!({"audience": "B"})),
            (
                "B".to_string(),
                json!({"any": [tier(1), {"audience": "C"}]}),
            ),
            ("C".to_string(), tier(2)),
        ];
        assert_eq!(
            find_cycle("C", &json!({"audience": "A"}), &others),
            Some(vec!["C".into(), "A".into(), "B".into(), "C".into()])
        );
        assert_eq!(find_cycle("C", &tier(5), &others), None);
        assert_eq!(
            find_cycle("D", &json!({"audience": "D"}), &others),
            Some(vec!["D".into(), "D".into()])
        );
        let (rules, failed) = compile_all(&[
            ("X".into(), json!({"audience": "Y"})),
            ("Y".into(), json!({"audience": "X"})),
        ]);
        assert!(rules.is_empty());
        assert_eq!(failed.len(), 2);
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(parse_name("  VIP "), Ok("VIP".into()));
        assert!(parse_name(" ").is_err());
        assert!(parse_name("a\u{0}b").is_err());
        assert!(parse_name(&"x".repeat(101)).is_err());
    }
}
