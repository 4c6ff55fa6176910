//! Mapping errors onto the contract's `extensions.code`, once, for every response.
//!
//! Errors from our operations arrive as [`AppError`] sources and keep their code and message.
//! Errors async-graphql raises itself (parse, validation, unknown fields) are `BAD_INPUT`, except
//! its limits (depth, complexity, recursion, directives), which are `LIMIT_EXCEEDED`: those are
//! told apart by their wording, kept in one table ([`LIMIT_MESSAGES`]) whose every row a test
//! triggers against a real schema, so an async-graphql upgrade that rewords one fails there
//! rather than turning it into `BAD_INPUT`. Anything else is `INTERNAL`, with its text replaced by
//! a request id so nothing internal leaks.

use async_graphql::{ErrorExtensionValues, Response, ServerError, Value};

use crate::error::{AppError, ErrorCode};

/// A limit async-graphql enforces on every request (see `graphql::schema`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Limit {
    /// `limit_depth`.
    Depth,
    /// `limit_complexity`.
    Complexity,
    /// `limit_recursive_depth`.
    RecursiveDepth,
    /// `limit_directives`, per field.
    Directives,
    /// The parser's own bound on nested selection sets (64).
    ParserNesting,
}

/// How async-graphql words a limit's error: the whole message, or how it starts (the rest
/// names the field or the configured bound).
enum Wording {
    Exactly(&'static str),
    StartsWith(&'static str),
}

/// async-graphql's limit errors as it words them (7.2); each is `LIMIT_EXCEEDED`.
const LIMIT_MESSAGES: [(Limit, Wording); 5] = [
    (Limit::Depth, Wording::Exactly("Query is nested too deep.")),
    (Limit::Complexity, Wording::Exactly("Query is too complex.")),
    (
        Limit::RecursiveDepth,
        Wording::StartsWith("The recursion depth of the query cannot be greater than `"),
    ),
    (
        Limit::Directives,
        Wording::StartsWith("The number of directives on the field `"),
    ),
    (
        Limit::ParserNesting,
        Wording::Exactly("recursion limit exceeded."),
    ),
];

/// The limit `message` says was exceeded, if it is one of async-graphql's.
fn limit_of(message: &str) -> Option<Limit> {
    LIMIT_MESSAGES.iter().find_map(|(limit, wording)| {
        let matches = match wording {
            Wording::Exactly(text) => message == *text,
            Wording::StartsWith(start) => message.starts_with(start),
        };
        matches.then_some(*limit)
    })
}

/// The contract's code for one error, rewriting its message when it must not be shown.
pub fn classify(error: &mut ServerError) -> ErrorCode {
    if let Some(app) = error.source::<AppError>() {
        return app.code;
    }
    if let Some(Value::String(code)) = error.extensions.as_ref().and_then(|e| e.get("code")) {
        if let Some(known) = ErrorCode::parse(code) {
            return known;
        }
    }
    if limit_of(&error.message).is_some() {
        return ErrorCode::LimitExceeded;
    }
    if error.source.is_none() {
        // Raised by async-graphql while parsing or validating the request.
        return ErrorCode::BadInput;
    }
    let internal = AppError::internal(&error.message);
    error.message = internal.message;
    ErrorCode::Internal
}

/// Sets `extensions.code` on every error of a response.
pub fn apply_codes(mut response: Response) -> Response {
    for error in &mut response.errors {
        let code = classify(error);
        let retry_after = error.source::<AppError>().and_then(|e| e.retry_after);
        let extensions = error
            .extensions
            .get_or_insert_with(ErrorExtensionValues::default);
        extensions.set("code", code.as_str());
        if let Some(retry) = retry_after {
            extensions.set("retryAfter", retry as i64);
        }
    }
    response
}

/// A response holding one error with the given code.
pub fn error_response(code: ErrorCode, message: &str) -> Response {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code.as_str());
    error.extensions = Some(extensions);
    Response::from_errors(vec![error])
}

#[cfg(test)]
mod tests;
