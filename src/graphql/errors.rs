//! Mapping errors onto the contract's `extensions.code`, once, for every response.
//!
//! Errors from our operations arrive as [`AppError`] sources and keep their code and message.
//! Errors async-graphql raises itself (parse, validation, unknown fields) are `BAD_INPUT`, except
//! depth and complexity limits, which are `LIMIT_EXCEEDED`. Anything else is `INTERNAL`, with
//! its text replaced by a request id so nothing internal leaks.

use async_graphql::{ErrorExtensionValues, Response, ServerError, Value};

use crate::error::{AppError, ErrorCode};

fn is_limit_message(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("nested too deep")
        || m.contains("too complex")
        || m.contains("too many directives")
        || m.contains("recursion")
}

/// The contract's code for one error, rewriting its message when it must not be shown.
pub fn classify(error: &mut ServerError) -> ErrorCode {
    if let Some(app) = error.source::<AppError>() {
        return app.code;
    }
    if let Some(Value::String(code)) = error.extensions.as_ref().and_then(|e| e.get("code")) {
        if let Some(known) = known_code(code) {
            return known;
        }
    }
    if is_limit_message(&error.message) {
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

fn known_code(code: &str) -> Option<ErrorCode> {
    use ErrorCode::*;
    [
        Unauthenticated,
        Forbidden,
        NotFound,
        BadInput,
        Conflict,
        LimitExceeded,
        RateLimited,
        Unavailable,
        Internal,
    ]
    .into_iter()
    .find(|c| c.as_str() == code)
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
