//! Errors that cross module boundaries.
//!
//! Every failure a caller can see carries an [`ErrorCode`] from the contract's list. The code is
//! transport-neutral: `http` maps it to a status and a JSON body, `graphql` to `extensions.code`,
//! each in one place. Internal causes (SQL, I/O) are logged with a request id when the error is
//! made and are never put into the message a caller sees.

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
    /// REST only: an upload of a type Vary does not take (415).
    RateLimited,
    Unavailable,
    Internal,
}

impl ErrorCode {
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

    /// The HTTP status the REST routes answer with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::Unauthenticated => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::BadInput => 400,
            ErrorCode::Conflict => 409,
            ErrorCode::LimitExceeded => 413,
            ErrorCode::RateLimited => 429,
            ErrorCode::Unavailable => 503,
            ErrorCode::Internal => 500,
        }
    }
}

/// An error a caller may see: a code and a message safe to show.
#[derive(Debug, Clone)]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// Seconds to wait, for `RATE_LIMITED`.
    pub retry_after: Option<u64>,
    /// A more precise REST status than the code's own (415 for an unsupported upload, which the
    /// contract codes `BAD_INPUT`).
    pub http_status: Option<u16>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError {
            code,
            message: message.into(),
            retry_after: None,
            http_status: None,
        }
    }
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadInput, message)
    }
    /// `BAD_INPUT` answered on REST with 415: a file type that is not accepted.
    pub fn unsupported_media_type(message: impl Into<String>) -> Self {
        AppError {
            http_status: Some(415),
            ..Self::bad_input(message)
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
            http_status: None,
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
