//! Why a rule held or failed, in words, for reasons shown to apps and editors.
//!
//! The unit of explanation is the *atom*: a leaf condition, or a whole `not (…)` (whose inner
//! conditions failed, which is what made it hold). A rule that held is explained by the atoms
//! that made it hold — every child of an `all`, every child of an `any` that held. A rule that
//! failed is explained by the smallest part that failed on its own — the first failing child of an
//! `all`, down to an atom or a failing `any` — and the values of the attributes that part reads.

use std::fmt::{self, Display, Formatter};

use serde_json::Value;

use super::{Attributes, Node};

/// Visits, in rule order, the atoms that made a holding node hold.
pub(super) fn visit_matched<'r, E>(
    node: &'r Node,
    attributes: &Attributes<'_>,
    visit: &mut impl FnMut(&'r Node) -> Result<(), E>,
) -> Result<(), E> {
    match node {
        Node::All(children) | Node::Any(children) => {
            for child in children.iter().filter(|child| child.holds(attributes)) {
                visit_matched(child, attributes, visit)?;
            }
            Ok(())
        }
        atom => visit(atom),
    }
}

/// The atoms that made a rule hold, displayed joined by `and`; borrowed, so displaying it
/// allocates nothing of its own.
#[derive(Clone, Copy)]
pub struct Matched<'r, 'a> {
    pub(super) root: &'r Node,
    pub(super) attributes: &'r Attributes<'a>,
}

impl Display for Matched<'_, '_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut first = true;
        visit_matched(self.root, self.attributes, &mut |atom| {
            if !std::mem::take(&mut first) {
                f.write_str(" and ")?;
            }
            atom.fmt(f)
        })
    }
}

/// Why a rule failed: the part that failed and what the attributes it reads were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFailure {
    /// The failing part, rendered, e.g. `segment in [skier]`.
    pub condition: String,
    /// The attributes that part reads, e.g. `segment is "hiker"` or `segment is absent`.
    pub facts: String,
}

impl Display for RuleFailure {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed: {}", self.condition, self.facts)
    }
}

/// Explains a node that failed; `None` when it holds.
pub(super) fn failure(node: &Node, attributes: &Attributes<'_>) -> Option<RuleFailure> {
    let failing = smallest_failing_part(node, attributes)?;
    Some(RuleFailure {
        condition: failing.to_string(),
        facts: facts(failing, attributes),
    })
}

fn smallest_failing_part<'r>(node: &'r Node, attributes: &Attributes<'_>) -> Option<&'r Node> {
    if node.holds(attributes) {
        return None;
    }
    match node {
        Node::All(children) => children
            .iter()
            .find_map(|child| smallest_failing_part(child, attributes)),
        Node::Any(children) if children.len() == 1 => {
            smallest_failing_part(&children[0], attributes)
        }
        other => Some(other),
    }
}

fn facts(node: &Node, attributes: &Attributes<'_>) -> String {
    let mut names: Vec<&str> = Vec::new();
    node.for_each_condition(&mut |condition| {
        if !names.contains(&condition.attr()) {
            names.push(condition.attr());
        }
    });
    let facts: Vec<String> = names
        .into_iter()
        .map(|name| match attributes.get(name) {
            Some(value) => format!("{name} is {}", shortened(value)),
            None => format!("{name} is absent"),
        })
        .collect();
    facts.join(", ")
}

/// The value's JSON, cut short so that one huge attribute cannot flood a reason.
fn shortened(value: &Value) -> String {
    const LIMIT: usize = 60;
    let text = value.to_string();
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}
