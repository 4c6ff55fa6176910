//! References on the delivery path: a variant's REFERENCE fields followed, from the snapshot,
//! for the same visitor context.
//!
//! Each referenced entry is resolved exactly as `content` resolves its key (through
//! [`Delivery::resolve_key`]): it is an answer of its own, with its own reason, its own
//! `servedId` and its own impression. [`Follow`] says how deep the query asks (at most
//! [`MAX_REFERENCE_DEPTH`]; admission refuses deeper queries before they run) and carries the
//! request's [`AnswerBudget`], which the references resolved draw from, so a request never
//! resolves more answers than `graphql_max_answers`. A reference back to an entry already on the
//! path (a cycle) is answered with a null variant and a reason, and not followed.
//!
//! The [`ReferenceIndex`] is built with each brand snapshot: the references of every published
//! revision, read through its content type's field definitions.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use super::snapshot::BrandSnapshot;
use super::{usage, Delivery, Resolved};
use crate::domain::content_type::{ContentType, ReferenceSlot};
use crate::domain::entry::Entry;
use crate::domain::resolution::ResolveContext;
use crate::domain::variant::PublishedVariant;
use crate::error::{AppError, AppResult, ErrorCode};

/// The deepest nesting of references a query may ask for (the root's references are level 1).
pub const MAX_REFERENCE_DEPTH: usize = 5;

/// The references of each published variant, by variant id, in field then list order.
pub type ReferenceIndex = rustc_hash::FxHashMap<String, Vec<ReferenceSlot>>;

/// One reference followed: the field and position it came from, and the entry resolved.
#[derive(Debug, Clone)]
pub struct ResolvedReference {
    pub field: String,
    pub index: u32,
    pub resolved: Resolved,
}

/// The answers a request may still resolve beyond what admission counted (its keys, aliases
/// and searches): references draw from it.
#[derive(Debug)]
pub struct AnswerBudget {
    remaining: AtomicU64,
}

impl AnswerBudget {
    pub fn new(remaining: u64) -> Self {
        AnswerBudget {
            remaining: AtomicU64::new(remaining),
        }
    }

    /// Takes `n` answers, or refuses (`LIMIT_EXCEEDED`) and takes nothing.
    pub fn take(&self, n: u64) -> AppResult<()> {
        if n == 0 {
            return Ok(());
        }
        self.remaining
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
                left.checked_sub(n)
            })
            .map(|_| ())
            .map_err(|left| {
                AppError::new(
                    ErrorCode::LimitExceeded,
                    format!(
                        "the request would resolve {n} more entries through references; \
                         only {left} remain of the request's limit"
                    ),
                )
            })
    }
}

/// How far to follow references, and the budget they draw from.
#[derive(Debug, Clone, Copy)]
pub struct Follow<'a> {
    pub depth: usize,
    pub budget: Option<&'a AnswerBudget>,
}

impl Follow<'_> {
    /// Resolve the keys alone, no references.
    pub const NONE: Follow<'static> = Follow {
        depth: 0,
        budget: None,
    };

    /// Refuses a depth over [`MAX_REFERENCE_DEPTH`] (`LIMIT_EXCEEDED`).
    pub fn check(&self) -> AppResult<()> {
        if self.depth > MAX_REFERENCE_DEPTH {
            return Err(AppError::new(
                ErrorCode::LimitExceeded,
                format!("references nest at most {MAX_REFERENCE_DEPTH} levels deep"),
            ));
        }
        Ok(())
    }
}

/// Indexes the references of a brand's published revisions through their content types.
pub fn index(
    content_types: &[ContentType],
    entries: &[Entry],
    published: &[PublishedVariant],
) -> ReferenceIndex {
    let types: HashMap<&str, &ContentType> = content_types
        .iter()
        .map(|ct| (ct.id.as_str(), ct))
        .collect();
    let entry_types: HashMap<&str, &ContentType> = entries
        .iter()
        .filter_map(|e| Some((e.id.as_str(), *types.get(e.content_type_id.as_str())?)))
        .collect();
    published
        .iter()
        .filter_map(|variant| {
            let ct = entry_types.get(variant.entry_id.as_str())?;
            let slots = ct.references(&variant.fields);
            (!slots.is_empty()).then(|| (variant.id.clone(), slots))
        })
        .collect()
}

/// The answers in `answers` reached through references, at every level.
pub fn count(answers: &[Resolved]) -> u64 {
    answers
        .iter()
        .map(|a| a.references.len() as u64 + count_refs(&a.references))
        .sum()
}

fn count_refs(references: &[ResolvedReference]) -> u64 {
    references
        .iter()
        .map(|r| r.resolved.references.len() as u64 + count_refs(&r.resolved.references))
        .sum()
}

impl Delivery {
    /// Resolves `key` as `content` does and, `depth` levels down, the entries its variant
    /// references; every answer that carries a `servedId` adds what its impression records to
    /// `served`.
    pub(super) fn resolve_tree(
        &self,
        bs: &BrandSnapshot,
        key: &str,
        ctx: &ResolveContext<'_>,
        user_key: Option<&str>,
        sign: bool,
        depth: usize,
        served: &mut Vec<usage::Served>,
    ) -> Resolved {
        let mut path = Vec::new();
        let visit = Visit {
            ctx,
            user_key,
            sign,
        };
        self.resolve_on_path(bs, key, &visit, depth, &mut path, served)
    }

    fn resolve_on_path<'k>(
        &self,
        bs: &'k BrandSnapshot,
        key: &'k str,
        visit: &Visit<'_>,
        depth: usize,
        path: &mut Vec<&'k str>,
        served: &mut Vec<usage::Served>,
    ) -> Resolved {
        let (mut answer, impression) =
            self.resolve_key(bs, key, visit.ctx, visit.user_key, visit.sign);
        served.extend(impression);
        let slots = match (&answer.variant, depth) {
            (Some(variant), 1..) => bs.references.get(&variant.id),
            _ => None,
        };
        let Some(slots) = slots else {
            return answer;
        };
        path.push(key);
        answer.references = slots
            .iter()
            .map(|slot| {
                let resolved = if path.contains(&slot.key.as_str()) {
                    cycle(&slot.key, path)
                } else {
                    self.resolve_on_path(bs, &slot.key, visit, depth - 1, path, served)
                };
                ResolvedReference {
                    field: slot.field.clone(),
                    index: slot.index,
                    resolved,
                }
            })
            .collect();
        path.pop();
        answer
    }
}

/// What every answer of one request shares: the visitor, the person (for experiments) and
/// whether answers are signed and recorded.
struct Visit<'a> {
    ctx: &'a ResolveContext<'a>,
    user_key: Option<&'a str>,
    sign: bool,
}

/// The answer for a reference back to an entry already on the path.
fn cycle(key: &str, path: &[&str]) -> Resolved {
    let trail: Vec<String> = path
        .iter()
        .chain(std::iter::once(&key))
        .map(|k| format!("`{k}`"))
        .collect();
    Resolved {
        key: key.to_string(),
        variant: None,
        served_id: None,
        reason: format!("reference cycle: {}; not followed", trail.join(" → ")),
        references: Vec::new(),
    }
}

#[cfg(test)]
#[path = "references/properties.rs"]
mod properties;
