//! Literal values and variables: how deeply they nest and what text they hold, walked
//! iteratively. A `login`'s own arguments are left to sign-in, which answers a malformed e-mail
//! `UNAUTHENTICATED` and audits it.

use async_graphql::parser::types::{
    Directive, ExecutableDocument, Field, OperationDefinition, OperationType, Selection,
    SelectionSet,
};
use async_graphql::Positioned;
use async_graphql_value::{ConstValue, Value};
use std::collections::HashSet;

use super::bad_input;
use crate::domain::input::{self, MAX_DEPTH};
use crate::error::AppError;

/// Variables that only a `login` takes: their text is judged by sign-in itself, which answers a
/// malformed e-mail `UNAUTHENTICATED` and audits the attempt.
pub(super) fn sign_in_variables(doc: &ExecutableDocument) -> HashSet<&str> {
    let mut names = HashSet::new();
    for (_, operation) in doc.operations.iter() {
        if operation.node.ty != OperationType::Mutation {
            continue;
        }
        for selection in &operation.node.selection_set.node.items {
            if let Selection::Field(field) = &selection.node {
                if field.node.name.node == "login" {
                    for (_, value) in &field.node.arguments {
                        if let Value::Variable(name) = &value.node {
                            names.insert(name.as_str());
                        }
                    }
                }
            }
        }
    }
    names
}

pub(super) fn check_operation_literals(operation: &OperationDefinition) -> Result<(), AppError> {
    for definition in &operation.variable_definitions {
        if let Some(default) = &definition.node.default_value {
            check_const_value(&default.node, definition.node.name.node.as_str(), false)?;
        }
    }
    check_directives(&operation.directives)?;
    let signs_in = operation.ty == OperationType::Mutation;
    check_selection_literals(&operation.selection_set.node, signs_in)
}

fn check_directives(directives: &[Positioned<Directive>]) -> Result<(), AppError> {
    for directive in directives {
        for (name, value) in &directive.node.arguments {
            check_value(&value.node, name.node.as_str())?;
        }
    }
    Ok(())
}

/// Every literal in a selection set, iteratively (nesting is bounded by [`super::check_nesting`], but
/// a wide document must not cost a frame per field either). `at_mutation_root` marks the one
/// level where a `login`'s arguments are left to sign-in.
pub(super) fn check_selection_literals(
    set: &SelectionSet,
    at_mutation_root: bool,
) -> Result<(), AppError> {
    let mut stack: Vec<(&SelectionSet, bool)> = vec![(set, at_mutation_root)];
    while let Some((set, root)) = stack.pop() {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    check_field_literals(&field.node, root)?;
                    stack.push((&field.node.selection_set.node, false));
                }
                Selection::InlineFragment(inline) => {
                    check_directives(&inline.node.directives)?;
                    stack.push((&inline.node.selection_set.node, root));
                }
                Selection::FragmentSpread(spread) => check_directives(&spread.node.directives)?,
            }
        }
    }
    Ok(())
}

fn check_field_literals(field: &Field, at_mutation_root: bool) -> Result<(), AppError> {
    check_directives(&field.directives)?;
    let signs_in = at_mutation_root && field.name.node == "login";
    for (name, value) in &field.arguments {
        if depth_of(&value.node, MAX_DEPTH) > MAX_DEPTH {
            return Err(too_deep(&deep_path(&value.node, name.node.as_str())));
        }
        if !signs_in {
            check_value(&value.node, name.node.as_str())?;
        }
    }
    Ok(())
}

fn too_deep(name: &str) -> AppError {
    bad_input(format!("`{name}` nests deeper than {MAX_DEPTH} levels"))
}

fn control_character(name: &str) -> AppError {
    bad_input(format!(
        "`{name}` holds a control character (only tab, line feed and carriage return are allowed in text)"
    ))
}

/// Where a too-deep literal goes too deep, as the object keys leading there (`input.fields.body`):
/// the first place past [`MAX_DEPTH`] found, named by at most a few keys. Only on the error path.
fn deep_path(value: &Value, name: &str) -> String {
    let mut stack: Vec<(&Value, usize, String)> = vec![(value, 0, name.to_string())];
    while let Some((value, level, path)) = stack.pop() {
        if level > MAX_DEPTH {
            return path;
        }
        match value {
            Value::List(items) => stack.extend(items.iter().map(|v| (v, level + 1, path.clone()))),
            Value::Object(map) => stack.extend(map.iter().map(|(key, v)| {
                let named = if path.matches('.').count() < 4 {
                    format!("{path}.{key}")
                } else {
                    path.clone()
                };
                (v, level + 1, named)
            })),
            _ => {}
        }
    }
    name.to_string()
}

/// A literal's depth, iteratively; stops counting past `limit`.
fn depth_of(value: &Value, limit: usize) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 0usize)];
    while let Some((value, level)) = stack.pop() {
        let inner = level + 1;
        match value {
            Value::List(items) => stack.extend(items.iter().map(|v| (v, inner))),
            Value::Object(map) => stack.extend(map.values().map(|v| (v, inner))),
            _ => continue,
        }
        deepest = deepest.max(inner);
        if deepest > limit {
            break;
        }
    }
    deepest
}

/// A literal's depth and text.
fn check_value(value: &Value, name: &str) -> Result<(), AppError> {
    if depth_of(value, MAX_DEPTH) > MAX_DEPTH {
        return Err(too_deep(&deep_path(value, name)));
    }
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::String(text) if input::has_control_character(text) => {
                return Err(control_character(name))
            }
            Value::List(items) => stack.extend(items.iter()),
            Value::Object(map) => {
                if map.keys().any(|k| input::has_control_character(k)) {
                    return Err(control_character(name));
                }
                stack.extend(map.values());
            }
            _ => {}
        }
    }
    Ok(())
}

/// A variable's (or default's) depth and, unless sign-in judges it, its text.
pub(super) fn check_const_value(
    value: &ConstValue,
    name: &str,
    signs_in: bool,
) -> Result<(), AppError> {
    let mut stack = vec![(value, 0usize)];
    while let Some((value, level)) = stack.pop() {
        if level > MAX_DEPTH {
            return Err(too_deep(name));
        }
        match value {
            ConstValue::String(text) if !signs_in && input::has_control_character(text) => {
                return Err(control_character(name))
            }
            ConstValue::List(items) => stack.extend(items.iter().map(|v| (v, level + 1))),
            ConstValue::Object(map) => {
                if !signs_in && map.keys().any(|k| input::has_control_character(k)) {
                    return Err(control_character(name));
                }
                stack.extend(map.values().map(|v| (v, level + 1)));
            }
            _ => {}
        }
    }
    Ok(())
}
