//! `{"audience": NAME}` conditions: a brand's named rules, used inside other rules.
//!
//! Parsing looks each name up through an [`AudienceLookup`] and inlines the audience's compiled
//! rule into the node, so evaluation never looks anything up (and stays allocation-free); the
//! name is kept beside it for rendering (`audience VIP (tier >= 3)`), reasons and canonical JSON
//! (which names the audience rather than copying its rule). Which audiences exist, and in what
//! order they compile, is `domain::audience`'s concern.

use std::collections::HashMap;

use serde_json::Value;

use super::{Node, Rule};

/// An audience named in a rule, with its rule inlined.
#[derive(Debug, Clone)]
pub(crate) struct AudienceRef {
    pub(crate) name: Box<str>,
    /// The audience's rule as written; `None` when read for display only.
    pub(crate) inner: Option<Node>,
}

/// Where parsing finds the audiences a rule names.
pub trait AudienceLookup {
    /// The compiled rule of the audience called `name`, if there is one.
    fn audience(&self, name: &str) -> Option<&Rule>;
}

/// No audiences at all: every `{"audience": …}` is unknown.
pub struct NoAudiences;

impl AudienceLookup for NoAudiences {
    fn audience(&self, _name: &str) -> Option<&Rule> {
        None
    }
}

impl AudienceLookup for HashMap<String, Rule> {
    fn audience(&self, name: &str) -> Option<&Rule> {
        self.get(name)
    }
}

impl AudienceRef {
    pub(crate) fn new(name: &str, rule: Option<&Rule>) -> AudienceRef {
        AudienceRef {
            name: name.into(),
            inner: rule.map(|r| r.root.clone()),
        }
    }
}

/// The audience names a rule's JSON names directly (not through other audiences), in order,
/// each once; malformed parts are skipped (parsing reports them).
pub fn referenced_audiences(json: &Value) -> Vec<String> {
    let mut names = Vec::new();
    collect(json, &mut names, 0);
    names
}

fn collect(json: &Value, names: &mut Vec<String>, depth: usize) {
    if depth > super::MAX_DEPTH {
        return;
    }
    let Value::Object(object) = json else {
        return;
    };
    if let Some(Value::String(name)) = object.get("audience") {
        if !names.contains(name) {
            names.push(name.clone());
        }
        return;
    }
    for key in ["all", "any"] {
        if let Some(Value::Array(items)) = object.get(key) {
            items
                .iter()
                .for_each(|item| collect(item, names, depth + 1));
        }
    }
    if let Some(inner) = object.get("not") {
        collect(inner, names, depth + 1);
    }
}
