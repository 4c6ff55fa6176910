//! How deep an operation nests `references` (in the typed schema: `variant`), after fragment expansion: a query asking for more
//! than [`MAX_REFERENCE_DEPTH`] levels is refused (`LIMIT_EXCEEDED`) before it runs. Each
//! fragment is measured once; cycles were refused by the selection walk that runs first.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql_value::Name;
use std::collections::HashMap;

use super::{limit_exceeded, MAX_WALK_DEPTH};
use crate::delivery::references::MAX_REFERENCE_DEPTH;
use crate::error::AppError;

/// Refuses an operation of `doc` whose `references` fields nest deeper than the limit.
pub(super) fn check_reference_depth(doc: &ExecutableDocument) -> Result<(), AppError> {
    check_nesting_of(doc, "references", 0)
}

/// The typed delivery schema's version: there a reference is a field of a `variant`, whose own
/// `variant` is the next level, so `variant` may nest one level more than references may.
pub fn check_typed_reference_depth(doc: &ExecutableDocument) -> Result<(), AppError> {
    check_nesting_of(doc, "variant", 1)
}

/// Refuses an operation in which fields named `field` nest more than the limit plus `extra`.
fn check_nesting_of(doc: &ExecutableDocument, field: &str, extra: usize) -> Result<(), AppError> {
    let mut walk = Walk {
        doc,
        field,
        fragments: HashMap::new(),
    };
    for (_, operation) in doc.operations.iter() {
        let depth = walk
            .depth(&operation.node.selection_set.node, 0)
            .saturating_sub(extra);
        if depth > MAX_REFERENCE_DEPTH {
            return Err(limit_exceeded(format!(
                "the query nests `references` {depth} levels deep; at most \
                 {MAX_REFERENCE_DEPTH} are allowed"
            )));
        }
    }
    Ok(())
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    field: &'a str,
    fragments: HashMap<&'a Name, usize>,
}

impl<'a> Walk<'a> {
    /// The most `references` fields on one path down `set`.
    fn depth(&mut self, set: &'a SelectionSet, level: usize) -> usize {
        if level >= MAX_WALK_DEPTH {
            return 0; // the selection walk has refused such a document already
        }
        let mut deepest = 0;
        for selection in &set.items {
            let depth = match &selection.node {
                Selection::Field(field) => {
                    let own = usize::from(field.node.name.node == self.field);
                    own + self.depth(&field.node.selection_set.node, level + 1)
                }
                Selection::InlineFragment(inline) => {
                    self.depth(&inline.node.selection_set.node, level + 1)
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    match self.fragments.get(name) {
                        Some(depth) => *depth,
                        None => {
                            // Marked first, so a cycle (refused elsewhere) cannot recurse here.
                            self.fragments.insert(name, 0);
                            let depth = match self.doc.fragments.get(name) {
                                Some(f) => self.depth(&f.node.selection_set.node, level + 1),
                                None => 0,
                            };
                            self.fragments.insert(name, depth);
                            depth
                        }
                    }
                }
            };
            deepest = deepest.max(depth);
        }
        deepest
    }
}
