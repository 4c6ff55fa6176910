//! `Resolved.references` in GraphQL: how deep a query asks to follow references (read from its
//! selection), and the request's answer budget, handed to delivery as a [`Follow`].

use async_graphql::Context;

use crate::delivery::references::{AnswerBudget, Follow, MAX_REFERENCE_DEPTH};
use crate::error::{AppError, ErrorCode};

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
