//! `Resolved.references` in GraphQL: how deep a query asks to follow references (read from its
//! selection), and the request's answer budget, handed to delivery as a [`Follow`].

use async_graphql::{Context, SimpleObject};

use super::query::Resolved;
use crate::delivery::references::{AnswerBudget, Follow, MAX_REFERENCE_DEPTH};
use crate::error::{AppError, ErrorCode};

/// An entry a delivered variant references, resolved for the same context.
#[derive(SimpleObject)]
pub struct ResolvedReference {
    /// The REFERENCE field.
    pub field: String,
    /// The position in a list field; 0 for a single reference.
    pub index: i32,
    pub resolved: Resolved,
}

/// How deep the current field's selection nests `references { resolved { … } }`, up to one
/// level past the limit (enough to refuse it).
pub fn requested_depth(ctx: &Context<'_>) -> usize {
    let mut look = ctx.look_ahead();
    let mut depth = 0;
    while depth <= MAX_REFERENCE_DEPTH {
        let next = look.field("references");
        if !next.exists() {
            break;
        }
        depth += 1;
        look = next.field("resolved");
    }
    depth
}

/// The [`Follow`] for the current field: its requested depth (`LIMIT_EXCEEDED` past the limit)
/// and the request's budget.
pub fn follow<'a>(ctx: &'a Context<'_>) -> Result<Follow<'a>, AppError> {
    let depth = requested_depth(ctx);
    if depth > MAX_REFERENCE_DEPTH {
        return Err(AppError::new(
            ErrorCode::LimitExceeded,
            format!("references nest at most {MAX_REFERENCE_DEPTH} levels deep"),
        ));
    }
    Ok(Follow {
        depth,
        budget: ctx.data_opt::<AnswerBudget>(),
    })
}

pub(crate) fn to_reference(r: crate::delivery::references::ResolvedReference) -> ResolvedReference {
    ResolvedReference {
        field: r.field,
        index: r.index as i32,
        resolved: super::query::to_resolved(r.resolved),
    }
}
