//! The HTTP statuses of the contract's error codes, chosen here once for REST and `/graphql`
//! alike, and the REST error body.
//!
//! [`status`] is the whole mapping: a code's status, or the more precise one an
//! [`ErrorDetail`] asks for (415 for `BAD_INPUT` on an unsupported file type). `/graphql`
//! answers its own transport errors (a batch too long, a mutation by GET) with statuses of its
//! own, next to where it finds them.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use crate::error::{AppError, ErrorCode, ErrorDetail};

/// The status a code is answered with.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::BadInput => StatusCode::BAD_REQUEST,
        ErrorCode::Conflict => StatusCode::CONFLICT,
        ErrorCode::LimitExceeded => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The status `err` is answered with: its detail's, else its code's.
pub fn status(err: &AppError) -> StatusCode {
    match err.detail {
        Some(ErrorDetail::UnsupportedMediaType) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        None => status_of(err.code),
    }
}

/// A REST error: `{"error": {"code", "message"}}` with its status, and for `RATE_LIMITED` the
/// wait as `Retry-After`.
pub fn error_response(err: &AppError) -> HttpResponse {
    let mut response = HttpResponse::build(status(err));
    if let Some(wait) = err.retry_after {
        response.insert_header(("Retry-After", wait.to_string()));
    }
    response.json(serde_json::json!({"error": {"code": err.code.as_str(), "message": err.message}}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_code_has_its_status() {
        let statuses: Vec<u16> = ErrorCode::ALL
            .into_iter()
            .map(|code| status_of(code).as_u16())
            .collect();
        assert_eq!(statuses, [401, 403, 404, 400, 409, 413, 429, 503, 500]);
    }

    #[test]
    fn an_unsupported_file_type_is_bad_input_answered_415() {
        let err = AppError::unsupported_media_type("not an image");
        assert_eq!(err.code, ErrorCode::BadInput);
        assert_eq!(status(&err), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(status(&AppError::bad_input("no")), StatusCode::BAD_REQUEST);
    }
}
