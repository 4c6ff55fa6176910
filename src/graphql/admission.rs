//! Admission: what a GraphQL request must pass before async-graphql parses, validates or runs it.
//!
//! Hostile requests that fit the body cap can otherwise kill or stall the server: a literal nested
//! thousands deep overflows the parser's stack, fragments that spread each other twice expand
//! exponentially in validation, and aliases multiply what one request resolves (and records).
//! Each check here is linear in the request's size and never recurses without a bound:
//!
//! 1. [`check_nesting`] reads the query text's brackets and counts its tokens before the parser
//!    sees it;
//! 2. [`check_document`] walks the parsed document once: every literal's depth and text, the
//!    selections after fragment expansion (memoized per fragment, capped), fragment chains and
//!    cycles;
//! 3. [`check_request`] runs per request (documents are cached): the variables' depth and text,
//!    and the answers the chosen operation would resolve (keys × aliases, each search's `first`);
//!    references, known only once resolved, draw on what is left (`delivery::references`).

use async_graphql::parser::types::{
    ExecutableDocument, Field, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{Positioned, Request};
use async_graphql_value::{ConstValue, Name, Value};
use std::collections::{HashMap, HashSet};

use crate::delivery::search::DEFAULT_SEARCH_CONTENT;
use crate::error::{AppError, ErrorCode};
use literals::{
    check_const_value, check_operation_literals, check_selection_literals, sign_in_variables,
};

/// The deepest bracket nesting a query text may have: selections (at most the depth limit),
/// arguments and values (at most [`crate::domain::input::MAX_DEPTH`]) fit well inside it.
pub const MAX_QUERY_NESTING: usize = 128;

/// The most tokens (names, numbers, strings, punctuation) a query text may hold: about 55 KB of
/// ordinary GraphQL, far more than any operation Vary's clients send, and parsed in a few
/// milliseconds; large JSON values belong in variables, which are read without this limit.
pub const MAX_QUERY_TOKENS: usize = 30_000;

/// How deep the walk over selections and fragment spreads may go.
const MAX_WALK_DEPTH: usize = 2 * MAX_QUERY_NESTING;

/// The limits a request is admitted under.
#[derive(Debug, Clone, Copy)]
pub struct AdmissionLimits {
    /// Fields after every fragment is expanded.
    pub max_selections: u64,
    /// Entries one request may resolve (`graphql_max_answers`).
    pub max_answers: u64,
}

fn bad_input(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::BadInput, message)
}

fn limit_exceeded(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::LimitExceeded, message)
}

/// Refuses query text whose brackets nest deeper than [`MAX_QUERY_NESTING`] or that holds more
/// than [`MAX_QUERY_TOKENS`] tokens, reading strings, block strings and comments as the GraphQL
/// lexer does: the parser's time grows with the tokens, so a body at the size cap made of tiny
/// fields or numbers is refused before it is parsed.
pub fn check_nesting(query: &str) -> Result<(), AppError> {
    let bytes = query.as_bytes();
    let (mut depth, mut tokens, mut i) = (0usize, 0usize, 0usize);
    let word = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'+');
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                tokens += 1;
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 2;
            }
            b'"' => {
                tokens += 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' | b'(' => {
                tokens += 1;
                depth += 1;
                if depth > MAX_QUERY_NESTING {
                    return Err(bad_input(format!(
                        "the query nests deeper than {MAX_QUERY_NESTING} levels"
                    )));
                }
            }
            b'}' | b']' | b')' => {
                tokens += 1;
                depth = depth.saturating_sub(1);
            }
            b if word(b) && (i == 0 || !word(bytes[i - 1])) => tokens += 1,
            b':' | b'=' | b'@' | b'$' | b'!' | b'|' | b'&' => tokens += 1,
            _ => {}
        }
        if tokens > MAX_QUERY_TOKENS {
            return Err(limit_exceeded(format!(
                "the query holds more than {MAX_QUERY_TOKENS} tokens; send large values as variables"
            )));
        }
        i += 1;
    }
    Ok(())
}

/// Checks a freshly parsed document: literal values, selections after expansion, fragments.
pub fn check_document(doc: &ExecutableDocument, limits: AdmissionLimits) -> Result<(), AppError> {
    for (_, operation) in doc.operations.iter() {
        check_operation_literals(&operation.node)?;
        let selections = Expansion::new(doc).selections(&operation.node.selection_set, 0)?;
        if selections > limits.max_selections {
            return Err(limit_exceeded(format!(
                "the operation selects more than {} fields once its fragments are expanded",
                limits.max_selections
            )));
        }
    }
    for fragment in doc.fragments.values() {
        check_selection_literals(&fragment.node.selection_set.node, false)?;
    }
    references::check_reference_depth(doc)
}

/// Checks what changes with every request: its variables and the answers it would resolve;
/// answers that count (references, resolved later, draw from what is left).
pub fn check_request(
    doc: &ExecutableDocument,
    request: &Request,
    limits: AdmissionLimits,
) -> Result<u64, AppError> {
    let operation_name = request.operation_name.as_deref();
    let answers = match chosen_operation(doc, operation_name) {
        Some(operation) => {
            Expansion::new(doc).answers(&operation.selection_set, &request.variables, 0)?
        }
        None => 0,
    };
    let sign_in_variables = if request.variables.is_empty() {
        HashSet::new()
    } else {
        sign_in_variables(doc)
    };
    for (name, value) in request.variables.iter() {
        check_const_value(
            value,
            name.as_str(),
            sign_in_variables.contains(name.as_str()),
        )?;
    }
    if answers > limits.max_answers {
        return Err(limit_exceeded(format!(
            "the request would resolve {answers} entries; at most {} are allowed \
             (count keys × aliases and each search's `first`)",
            limits.max_answers
        )));
    }
    Ok(answers)
}

/// The answers a typed delivery operation's root fields would resolve (each key of each alias),
/// refused (`LIMIT_EXCEEDED`) over the limit; references then draw on what is left.
pub fn check_typed_answers(
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &async_graphql::Variables,
    limits: AdmissionLimits,
) -> Result<u64, AppError> {
    let Some(operation) = chosen_operation(doc, operation_name) else {
        return Ok(0);
    };
    let mut expansion = Expansion::new(doc);
    expansion.typed = true;
    let answers = expansion.answers(&operation.selection_set, variables, 0)?;
    if answers > limits.max_answers {
        return Err(limit_exceeded(format!(
            "the request would resolve {answers} entries; at most {} are allowed",
            limits.max_answers
        )));
    }
    Ok(answers)
}

fn chosen_operation<'a>(
    doc: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    let mut operations = doc.operations.iter();
    match name {
        Some(wanted) => operations
            .find(|(n, _)| n.is_some_and(|n| n.as_str() == wanted))
            .map(|(_, op)| &op.node),
        None => {
            let first = operations.next().map(|(_, op)| &op.node);
            operations.next().is_none().then_some(first).flatten()
        }
    }
}

/// Counts over a document with every fragment expanded, each fragment counted once and
/// remembered (so doubling chains cost their length, not 2^length).
struct Expansion<'a> {
    doc: &'a ExecutableDocument,
    selections: HashMap<&'a Name, u64>,
    answers: HashMap<&'a Name, u64>,
    expanding: HashSet<&'a Name>,
    /// Counting a typed delivery operation: every root field with `key` or `keys` resolves them.
    typed: bool,
}

impl<'a> Expansion<'a> {
    fn new(doc: &'a ExecutableDocument) -> Self {
        Expansion {
            doc,
            selections: HashMap::new(),
            answers: HashMap::new(),
            expanding: HashSet::new(),
            typed: false,
        }
    }

    fn enter(&self, depth: usize) -> Result<usize, AppError> {
        if depth >= MAX_WALK_DEPTH {
            return Err(bad_input(format!(
                "selections and fragments nest deeper than {MAX_WALK_DEPTH} levels"
            )));
        }
        Ok(depth + 1)
    }

    /// The fragment a spread names, marked as being expanded (a cycle is refused).
    fn fragment(&mut self, name: &'a Name) -> Result<Option<&'a SelectionSet>, AppError> {
        let Some(fragment) = self.doc.fragments.get(name) else {
            return Ok(None); // validation reports the unknown fragment
        };
        if !self.expanding.insert(name) {
            return Err(bad_input(format!("fragment `{name}` spreads itself")));
        }
        Ok(Some(&fragment.node.selection_set.node))
    }

    /// Fields selected, at every level, after expansion (saturating).
    fn selections(
        &mut self,
        set: &'a Positioned<SelectionSet>,
        depth: usize,
    ) -> Result<u64, AppError> {
        self.selections_in(&set.node, depth)
    }

    fn selections_in(&mut self, set: &'a SelectionSet, depth: usize) -> Result<u64, AppError> {
        let depth = self.enter(depth)?;
        let mut total: u64 = 0;
        for selection in &set.items {
            let count = match &selection.node {
                Selection::Field(field) => {
                    1 + self.selections_in(&field.node.selection_set.node, depth)?
                }
                Selection::InlineFragment(inline) => {
                    self.selections_in(&inline.node.selection_set.node, depth)?
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    match self.selections.get(name) {
                        Some(count) => *count,
                        None => match self.fragment(name)? {
                            None => 0,
                            Some(fragment) => {
                                let count = self.selections_in(fragment, depth)?;
                                self.expanding.remove(name);
                                self.selections.insert(name, count);
                                count
                            }
                        },
                    }
                }
            };
            total = total.saturating_add(count);
        }
        Ok(total)
    }

    /// Entries the root fields would resolve, after expansion (saturating).
    fn answers(
        &mut self,
        set: &'a Positioned<SelectionSet>,
        variables: &async_graphql::Variables,
        depth: usize,
    ) -> Result<u64, AppError> {
        self.answers_in(&set.node, variables, depth)
    }

    fn answers_in(
        &mut self,
        set: &'a SelectionSet,
        variables: &async_graphql::Variables,
        depth: usize,
    ) -> Result<u64, AppError> {
        let depth = self.enter(depth)?;
        let mut total: u64 = 0;
        for selection in &set.items {
            let count = match &selection.node {
                Selection::Field(field) => answers_of(&field.node, variables, self.typed),
                Selection::InlineFragment(inline) => {
                    self.answers_in(&inline.node.selection_set.node, variables, depth)?
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    match self.answers.get(name) {
                        Some(count) => *count,
                        None => match self.fragment(name)? {
                            None => 0,
                            Some(fragment) => {
                                let count = self.answers_in(fragment, variables, depth)?;
                                self.expanding.remove(name);
                                self.answers.insert(name, count);
                                count
                            }
                        },
                    }
                }
            };
            total = total.saturating_add(count);
        }
        Ok(total)
    }
}

/// Entries one root field resolves: a key per `contents` key, `first` per search.
fn answers_of(field: &Field, variables: &async_graphql::Variables, typed: bool) -> u64 {
    let argument = |wanted: &str| field.arguments.iter().find(|(n, _)| n.node == wanted);
    let resolved = |wanted: &str| -> Option<Result<&Value, &ConstValue>> {
        let (_, value) = argument(wanted)?;
        match &value.node {
            Value::Variable(name) => variables.get(name).map(Err),
            literal => Some(Ok(literal)),
        }
    };
    let first = |default: u64| match resolved("first") {
        Some(Ok(Value::Number(n))) | Some(Err(ConstValue::Number(n))) => {
            n.as_u64().unwrap_or(default)
        }
        _ => default,
    };
    let keys = || match resolved("keys") {
        Some(Ok(Value::List(keys))) => keys.len() as u64,
        Some(Err(ConstValue::List(keys))) => keys.len() as u64,
        _ => 1,
    };
    if typed {
        return match (argument("keys"), argument("key")) {
            (Some(_), _) => keys(),
            (None, Some(_)) => 1,
            (None, None) => 0,
        };
    }
    match field.name.node.as_str() {
        "content" | "preview" => 1,
        "contents" => keys(),
        "searchContent" => first(DEFAULT_SEARCH_CONTENT as u64),
        "search" => first(crate::content::search::DEFAULT_SEARCH_PAGE as u64),
        _ => 0,
    }
}

#[path = "admission/literals.rs"]
mod literals;

#[path = "admission/references.rs"]
mod references;
pub use references::check_typed_reference_depth;

#[cfg(test)]
#[path = "admission/tests.rs"]
mod tests;

#[cfg(test)]
#[path = "admission/fuzz.rs"]
mod fuzz;
