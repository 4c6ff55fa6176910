//! Rule JSON → compiled [`Node`] tree, refusing anything malformed with the JSON path of the
//! fault (`$.all[2].value`).
//!
//! This is the only place rule JSON is read; everything downstream works on the compiled tree.

use chrono::{DateTime, Utc};
use regex::RegexBuilder;
use serde_json::{Map, Value};

use super::audience::{AudienceLookup, AudienceRef};
use super::condition::{Condition, Num, Op, Scalar, ScalarSet, Test};
use super::Node;

/// Rules nest at most this deep: the root is at depth 1, each `all`/`any`/`not` adds one.
pub const MAX_DEPTH: usize = 32;

/// The compiled size limit for a `matches` pattern, so that one rule cannot eat the server's memory.
pub const REGEX_SIZE_LIMIT: usize = 256 * 1024;

/// A malformed rule: where (a JSON path such as `$.all[2].value`) and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct RuleError {
    pub path: String,
    pub message: String,
}

/// The JSON path of the node being read, grown and shrunk as parsing descends, and where the
/// audiences it may name are found.
struct Cursor<'l> {
    path: String,
    audiences: &'l dyn AudienceLookup,
    /// False when reading for display only: audiences are kept by name, unresolved.
    resolve: bool,
}

impl Cursor<'_> {
    fn error(&self, message: impl Into<String>) -> RuleError {
        RuleError {
            path: self.path.clone(),
            message: message.into(),
        }
    }

    fn error_at(&mut self, segment: &str, message: impl Into<String>) -> RuleError {
        self.within(segment, |cursor| cursor.error(message))
    }

    fn within<T>(&mut self, segment: &str, read: impl FnOnce(&mut Self) -> T) -> T {
        let length = self.path.len();
        self.path.push_str(segment);
        let result = read(self);
        self.path.truncate(length);
        result
    }
}

/// Compiles a non-null rule; `{"audience": NAME}` is looked up in `audiences` (or, when
/// `resolve` is false, kept by name only).
pub fn parse_root(
    json: &Value,
    audiences: &dyn AudienceLookup,
    resolve: bool,
) -> Result<Node, RuleError> {
    parse_node(
        json,
        &mut Cursor {
            path: "$".to_owned(),
            audiences,
            resolve,
        },
        1,
    )
}

fn parse_node(json: &Value, cursor: &mut Cursor<'_>, depth: usize) -> Result<Node, RuleError> {
    if depth > MAX_DEPTH {
        return Err(cursor.error(format!("rules nest at most {MAX_DEPTH} deep")));
    }
    let Value::Object(object) = json else {
        return Err(cursor.error("expected an object: a condition or all/any/not"));
    };
    if ["attr", "op", "value"]
        .iter()
        .any(|key| object.contains_key(*key))
    {
        return parse_condition(object, cursor).map(Node::Leaf);
    }
    if object.contains_key("audience") {
        return parse_audience(object, cursor);
    }
    let mut keys = object.keys();
    let (Some(key), None) = (keys.next(), keys.next()) else {
        return Err(combinator_shape_error(object, cursor));
    };
    let child = &object[key];
    match key.as_str() {
        "all" => parse_list(child, cursor, ".all", depth).map(Node::All),
        "any" => parse_list(child, cursor, ".any", depth).map(Node::Any),
        "not" => cursor
            .within(".not", |cursor| parse_node(child, cursor, depth + 1))
            .map(|node| Node::Not(Box::new(node))),
        _ => Err(cursor.error_at(&format!(".{key}"), format!("unknown key {key:?}"))),
    }
}

fn parse_audience(object: &Map<String, Value>, cursor: &mut Cursor) -> Result<Node, RuleError> {
    if let Some(key) = object.keys().find(|key| key.as_str() != "audience") {
        return Err(cursor.error_at(&format!(".{key}"), format!("unknown key {key:?}")));
    }
    let Some(Value::String(name)) = object.get("audience") else {
        return Err(cursor.error_at(".audience", "expected the audience's name as a string"));
    };
    if !cursor.resolve {
        return Ok(Node::Audience(Box::new(AudienceRef::new(name, None))));
    }
    match cursor.audiences.audience(name) {
        Some(rule) => Ok(Node::Audience(Box::new(AudienceRef::new(name, Some(rule))))),
        None => Err(cursor.error_at(".audience", format!("unknown audience {name:?}"))),
    }
}

fn combinator_shape_error(object: &Map<String, Value>, cursor: &mut Cursor) -> RuleError {
    if object.is_empty() {
        return cursor.error("empty rule: expected a condition or all/any/not");
    }
    let stray = object
        .keys()
        .find(|key| !["all", "any", "not"].contains(&key.as_str()));
    match stray {
        Some(key) => cursor.error_at(&format!(".{key}"), format!("unknown key {key:?}")),
        None => cursor.error("a node holds exactly one of all, any, not"),
    }
}

fn parse_list(
    json: &Value,
    cursor: &mut Cursor,
    key: &str,
    depth: usize,
) -> Result<Box<[Node]>, RuleError> {
    cursor.within(key, |cursor| {
        let Value::Array(items) = json else {
            return Err(cursor.error("expected an array of rules"));
        };
        if items.is_empty() {
            return Err(cursor.error("expected at least one rule"));
        }
        items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                cursor.within(&format!("[{index}]"), |c| parse_node(item, c, depth + 1))
            })
            .collect()
    })
}

fn parse_condition(
    object: &Map<String, Value>,
    cursor: &mut Cursor,
) -> Result<Condition, RuleError> {
    if let Some(key) = object
        .keys()
        .find(|key| !["attr", "op", "value"].contains(&key.as_str()))
    {
        return Err(cursor.error_at(&format!(".{key}"), format!("unknown key {key:?}")));
    }
    let attr = match object.get("attr") {
        Some(Value::String(attr)) if !attr.is_empty() => attr,
        Some(Value::String(_)) => {
            return Err(cursor.error_at(".attr", "the attribute name is empty"))
        }
        Some(_) => return Err(cursor.error_at(".attr", "expected the attribute name as a string")),
        None => return Err(cursor.error("missing \"attr\"")),
    };
    let op = match object.get("op") {
        Some(Value::String(name)) => Op::from_name(name)
            .ok_or_else(|| cursor.error_at(".op", format!("unknown operator {name:?}")))?,
        Some(_) => return Err(cursor.error_at(".op", "expected the operator as a string")),
        None => return Err(cursor.error("missing \"op\"")),
    };
    let value = object.get("value");
    let test = cursor.within(".value", |cursor| compile_operand(op, value, cursor))?;
    let literal = if op.takes_no_value() {
        Value::Null
    } else {
        value.cloned().unwrap_or(Value::Null)
    };
    Ok(Condition::new(attr, op, test, literal))
}

fn compile_operand(op: Op, value: Option<&Value>, cursor: &mut Cursor) -> Result<Test, RuleError> {
    if op.takes_no_value() {
        return match value {
            None | Some(Value::Null) => Ok(Test::Present),
            Some(_) => Err(cursor.error(format!("{} takes no value", op.name()))),
        };
    }
    let Some(value) = value else {
        return Err(cursor.error(format!("{} needs a value", op.name())));
    };
    match op {
        Op::Eq | Op::Ne => scalar(value, op, cursor).map(Test::Equals),
        Op::Contains | Op::NotContains => scalar(value, op, cursor).map(Test::Contains),
        Op::In | Op::NotIn => scalar_set(value, op, cursor).map(Test::OneOf),
        Op::StartsWith => string(value, op, cursor).map(|s| Test::StartsWith(s.into())),
        Op::EndsWith => string(value, op, cursor).map(|s| Test::EndsWith(s.into())),
        Op::Matches => regex(value, cursor),
        Op::Gt | Op::Gte | Op::Lt | Op::Lte => bound(value, op, cursor),
        Op::Between => range(value, cursor),
        Op::Before => instant(value, op, cursor).map(Test::Before),
        Op::After => instant(value, op, cursor).map(Test::After),
        Op::Exists | Op::NotExists => unreachable!("handled above"),
    }
}

fn scalar(value: &Value, op: Op, cursor: &Cursor) -> Result<Scalar, RuleError> {
    Scalar::from_json(value).ok_or_else(|| {
        cursor.error(format!(
            "{} takes a string, a number or a boolean",
            op.name()
        ))
    })
}

fn scalar_set(value: &Value, op: Op, cursor: &mut Cursor) -> Result<ScalarSet, RuleError> {
    let Value::Array(items) = value else {
        return Err(cursor.error(format!("{} takes an array", op.name())));
    };
    if items.is_empty() {
        return Err(cursor.error(format!("{} takes a non-empty array", op.name())));
    }
    let members = items
        .iter()
        .enumerate()
        .map(|(index, item)| cursor.within(&format!("[{index}]"), |c| scalar(item, op, c)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ScalarSet::new(&members))
}

fn string<'v>(value: &'v Value, op: Op, cursor: &Cursor) -> Result<&'v str, RuleError> {
    value
        .as_str()
        .ok_or_else(|| cursor.error(format!("{} takes a string", op.name())))
}

fn regex(value: &Value, cursor: &Cursor) -> Result<Test, RuleError> {
    let pattern = string(value, Op::Matches, cursor)?;
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map(Test::Matches)
        .map_err(|error| {
            cursor.error(format!(
                "bad regular expression: {}",
                regex_error_line(&error)
            ))
        })
}

/// The one line of a regex error that says what is wrong (its display also draws the pattern).
fn regex_error_line(error: &regex::Error) -> String {
    let text = error.to_string();
    let line = text.lines().find_map(|line| line.strip_prefix("error: "));
    line.map_or_else(|| text.replace('\n', " "), str::to_owned)
}

fn number(value: &Value, op: Op, cursor: &Cursor) -> Result<Num, RuleError> {
    value
        .as_number()
        .map(Num::from_json)
        .ok_or_else(|| cursor.error(format!("{} takes a number", op.name())))
}

fn bound(value: &Value, op: Op, cursor: &Cursor) -> Result<Test, RuleError> {
    let limit = number(value, op, cursor)?;
    let above = matches!(op, Op::Gt | Op::Gte);
    let inclusive = matches!(op, Op::Gte | Op::Lte);
    Ok(Test::Bound {
        limit,
        above,
        inclusive,
    })
}

fn instant(value: &Value, op: Op, cursor: &Cursor) -> Result<DateTime<Utc>, RuleError> {
    let text = string(value, op, cursor)?;
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            cursor.error(format!(
                "{} takes an RFC 3339 instant, not {text:?}",
                op.name()
            ))
        })
}

fn range(value: &Value, cursor: &mut Cursor) -> Result<Test, RuleError> {
    const SHAPE: &str = "between takes [low, high]: two numbers or two RFC 3339 instants";
    let Some([lo, hi]) = value.as_array().map(Vec::as_slice) else {
        return Err(cursor.error(SHAPE));
    };
    let test = if lo.is_number() && hi.is_number() {
        let (lo, hi) = (
            number(lo, Op::Between, cursor)?,
            number(hi, Op::Between, cursor)?,
        );
        (lo.compare(hi) != Some(std::cmp::Ordering::Greater)).then_some(Test::NumberRange(lo, hi))
    } else if lo.is_string() && hi.is_string() {
        let lo = cursor.within("[0]", |c| instant(lo, Op::Between, c))?;
        let hi = cursor.within("[1]", |c| instant(hi, Op::Between, c))?;
        (lo <= hi).then_some(Test::InstantRange(lo, hi))
    } else {
        return Err(cursor.error(SHAPE));
    };
    test.ok_or_else(|| cursor.error("between needs low <= high"))
}
