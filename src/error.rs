//! Errors that cross module boundaries.
//!
//! Every failure a caller can see carries an [`ErrorCode`] from the contract's list. The code is
//! transport-neutral and carries no status: `http::errors` maps it to a status and a JSON body,
//! `graphql::errors` to `extensions.code`, each in one place; an [`ErrorDetail`] says what a
//! code alone cannot (an unsupported file type) for the edge that can answer it. Internal causes
//! (SQL, I/O) are logged with a request id when the error is made and are never put into the
//! message a caller sees. Domain checks refuse with small error enums of their own, whose text is
//! the message; `content` turns them into `BAD_INPUT` with [`AppError::bad_input`].

use std::fmt;

/// The contract's error codes, shared by GraphQL and REST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    NotFound,
    BadInput,
    Conflict,
    LimitExceeded,
    RateLimited,
    Unavailable,
    Internal,
}

impl ErrorCode {
    /// Every code, in the contract's order.
    pub const ALL: [ErrorCode; 9] = [
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::BadInput,
        ErrorCode::Conflict,
        ErrorCode::LimitExceeded,
        ErrorCode::RateLimited,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::BadInput => "BAD_INPUT",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::LimitExceeded => "LIMIT_EXCEEDED",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::Unavailable => "UNAVAILABLE",
            ErrorCode::Internal => "INTERNAL",
        }
    }

    /// The code spelled `text` (`"NOT_FOUND"`), if it is one.
    pub fn parse(text: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// What a code alone does not say, for an edge that can answer more precisely (REST turns
/// [`ErrorDetail::UnsupportedMediaType`] into 415). GraphQL has no use for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorDetail {
    /// `BAD_INPUT` because a file is of a type Vary does not take.
    UnsupportedMediaType,
}

/// An error a caller may see: a code and a message safe to show.
#[derive(Debug, Clone)]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// Seconds to wait, for `RATE_LIMITED`.
    pub retry_after: Option<u64>,
    /// More than the code says, when there is more (see [`ErrorDetail`]).
    pub detail: Option<ErrorDetail>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError {
            code,
            message: message.into(),
            retry_after: None,
            detail: None,
        }
    }
    /// `BAD_INPUT` saying what is wrong: a message, or a domain check's typed refusal (whose
    /// text is the message).
    pub fn bad_input(message: impl fmt::Display) -> Self {
        Self::new(ErrorCode::BadInput, message.to_string())
    }
    /// `BAD_INPUT` for a file of a type that is not accepted.
    pub fn unsupported_media_type(message: impl Into<String>) -> Self {
        AppError {
            detail: Some(ErrorDetail::UnsupportedMediaType),
            ..Self::new(ErrorCode::BadInput, message)
        }
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthenticated, message)
    }
    pub fn rate_limited(retry_after: u64) -> Self {
        AppError {
            code: ErrorCode::RateLimited,
            message: format!("too many attempts; retry in {retry_after} s"),
            retry_after: Some(retry_after),
            detail: None,
        }
    }

    /// Logs `cause` with a fresh request id and returns an `INTERNAL` error naming only that id.
    pub fn internal(cause: impl fmt::Display) -> Self {
        let request_id = crate::ids::random_token(8);
        tracing::error!(request_id = %request_id, cause = %cause, "internal error");
        Self::new(
            ErrorCode::Internal,
            format!("internal error (request id {request_id})"),
        )
    }

    /// `UNAVAILABLE` saying what is wrong (`what`, safe to show), with the cause logged.
    pub fn unavailable_because(what: &str, cause: impl fmt::Display) -> Self {
        tracing::warn!(cause = %cause, "service unavailable: {what}");
        Self::new(ErrorCode::Unavailable, what)
    }

    pub fn unavailable(cause: impl fmt::Display) -> Self {
        tracing::warn!(cause = %cause, "service unavailable");
        Self::new(
            ErrorCode::Unavailable,
            "the service is unavailable; try again shortly",
        )
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_from_its_spelling() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::parse("not_found"), None);
    }
}
