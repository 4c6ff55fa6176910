//! Rules back out: one readable line for people, canonical JSON for machines.
//!
//! The line reads `segment in [skier, snowboarder] and tier >= 3`: `not` binds tighter than
//! `and`, which binds tighter than `or`, and parentheses appear only where that precedence would
//! mislead (plus always after `not`, which reads badly without them). Strings stay unquoted when
//! they are plain words that could not be mistaken for a number, a boolean or a keyword, so that
//! `age eq "34"` and `age eq 34` still look different — types never coerce.

use std::fmt::{self, Display, Formatter, Write};

use serde_json::{json, Map, Value};

use super::condition::{Condition, Op};
use super::Node;

/// How tightly a node binds; a child binding looser than its context gets parentheses.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Precedence {
    Loosest,
    Or,
    And,
}

impl Display for Node {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_node(self, Precedence::Loosest, f)
    }
}

fn write_node(node: &Node, context: Precedence, f: &mut Formatter<'_>) -> fmt::Result {
    match node {
        Node::Leaf(condition) => condition.fmt(f),
        Node::Not(inner) => write!(f, "not ({inner})"),
        Node::All(children) => write_list(children, " and ", Precedence::And, context, f),
        Node::Any(children) => write_list(children, " or ", Precedence::Or, context, f),
        Node::Audience(audience) => {
            f.write_str("audience ")?;
            write_word(&audience.name, f)?;
            match &audience.inner {
                Some(inner) => write!(f, " ({inner})"),
                None => Ok(()),
            }
        }
    }
}

fn write_list(
    children: &[Node],
    separator: &str,
    own: Precedence,
    context: Precedence,
    f: &mut Formatter<'_>,
) -> fmt::Result {
    if let [only] = children {
        return write_node(only, context, f);
    }
    let wrap = own < context;
    if wrap {
        f.write_char('(')?;
    }
    for (index, child) in children.iter().enumerate() {
        if index > 0 {
            f.write_str(separator)?;
        }
        write_node(child, own, f)?;
    }
    if wrap {
        f.write_char(')')?;
    }
    Ok(())
}

impl Display for Condition {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_word(self.attr(), f)?;
        write!(f, " {}", self.op().symbol())?;
        match self.op() {
            Op::Exists | Op::NotExists => Ok(()),
            Op::Matches => write!(f, " {}", self.literal()),
            _ => {
                f.write_char(' ')?;
                write_literal(self.literal(), f)
            }
        }
    }
}

/// Writes a JSON operand the way the rendered line shows it: `[skier, 3, "two words"]`.
pub(super) fn write_literal(value: &Value, f: &mut impl Write) -> fmt::Result {
    match value {
        Value::String(text) => write_word(text, f),
        Value::Array(items) => {
            f.write_char('[')?;
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    f.write_str(", ")?;
                }
                write_literal(item, f)?;
            }
            f.write_char(']')
        }
        other => write!(f, "{other}"),
    }
}

fn write_word(text: &str, f: &mut impl Write) -> fmt::Result {
    if is_plain_word(text) {
        f.write_str(text)
    } else {
        write!(f, "{}", Value::from(text))
    }
}

fn is_plain_word(text: &str) -> bool {
    const KEYWORDS: [&str; 6] = ["and", "or", "not", "true", "false", "null"];
    let plain_chars = text
        .chars()
        .all(|c| c.is_alphanumeric() || "_-.:@/+".contains(c));
    let looks_numeric = text.starts_with(|c: char| c.is_ascii_digit() || "-+.".contains(c));
    !text.is_empty() && plain_chars && !looks_numeric && !KEYWORDS.contains(&text)
}

/// The canonical JSON of a compiled node; parsing it gives the same rule back.
pub(super) fn node_to_json(node: &Node) -> Value {
    match node {
        Node::Leaf(condition) => condition_to_json(condition),
        Node::All(children) => {
            json!({ "all": children.iter().map(node_to_json).collect::<Vec<_>>() })
        }
        Node::Any(children) => {
            json!({ "any": children.iter().map(node_to_json).collect::<Vec<_>>() })
        }
        Node::Not(inner) => json!({ "not": node_to_json(inner) }),
        Node::Audience(audience) => json!({ "audience": &*audience.name }),
    }
}

fn condition_to_json(condition: &Condition) -> Value {
    let mut object = Map::new();
    object.insert("attr".to_owned(), Value::from(condition.attr()));
    object.insert("op".to_owned(), Value::from(condition.op().name()));
    if !condition.op().takes_no_value() {
        object.insert("value".to_owned(), condition.literal().clone());
    }
    Value::Object(object)
}
