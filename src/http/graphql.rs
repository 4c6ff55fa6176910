//! `/graphql`: POST (single or batched JSON), GET (queries only; GraphiQL for browsers).
//!
//! The body, or a GET's query string, is read under a size cap (413 `LIMIT_EXCEEDED`), parsed (400 `BAD_INPUT` when it is
//! not a GraphQL request), and a batch may hold at most `graphql_max_batch` operations, each
//! limited like a single request. Every error in the answer gets its contract code.

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use async_graphql::{BatchRequest, BatchResponse, Request, Response};
use futures_util::StreamExt;
use std::collections::HashMap;

use super::{auth, State};
use crate::delivery::references::AnswerBudget;
use crate::error::{AppError, ErrorCode};
use crate::graphql::errors::{apply_codes, error_response};
use crate::graphql::loaders::Loaders;

pub(super) fn answer(status: StatusCode, body: &impl serde::Serialize) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/json")
        .json(body)
}

fn error_answer(status: StatusCode, code: ErrorCode, message: &str) -> HttpResponse {
    answer(status, &error_response(code, message))
}

/// An error met before the operation ran (who is asking, the body): its code's status, and for
/// `RATE_LIMITED` the wait as `Retry-After` and `extensions.retryAfter`.
pub(super) fn app_error_answer(err: &AppError) -> HttpResponse {
    let status = super::errors::status(err);
    let Some(wait) = err.retry_after else {
        return error_answer(status, err.code, &err.message);
    };
    let mut response = error_response(err.code, &err.message);
    if let Some(ext) = response.errors[0].extensions.as_mut() {
        ext.set("retryAfter", wait as i64);
    }
    HttpResponse::build(status)
        .insert_header(("Retry-After", wait.to_string()))
        .json(response)
}

/// Adds the per-request data: who is asking, their headers, fresh loaders.
pub(super) fn prepare(
    state: &State,
    req: &HttpRequest,
    request: Request,
) -> Result<Request, AppError> {
    let (principal, session) = auth::authenticate(req, state)?;
    Ok(request
        .data(principal)
        .data(session)
        .data(auth::hints(req, state))
        .data(Loaders::new(state.content.clone())))
}

/// Admits one operation (see `graphql::admission`) and gives it its parsed document and the
/// answers it may still resolve through references; a refused operation is answered with its
/// error and never parsed further or executed.
pub(super) fn admit(
    documents: &crate::graphql::parse_cache::DocumentCache,
    request: &mut Request,
) -> Result<(), Response> {
    let counted = documents
        .prepare(request)
        .map_err(|refused| error_response(refused.code, &refused.message))?;
    let left = documents.limits().max_answers.saturating_sub(counted);
    request.data.insert(AnswerBudget::new(left));
    Ok(())
}

/// Admits and runs one operation.
async fn execute(
    state: &State,
    req: &HttpRequest,
    mut request: Request,
) -> Result<Response, AppError> {
    let response = match admit(&state.documents, &mut request) {
        Ok(()) => run(state, req, request).await?,
        Err(refused) => refused,
    };
    count_errors(state, &response);
    Ok(response)
}

/// Runs one admitted operation.
async fn run(state: &State, req: &HttpRequest, request: Request) -> Result<Response, AppError> {
    let request = prepare(state, req, request)?;
    Ok(apply_codes(state.schema.execute(request).await))
}

fn count_errors(state: &State, response: &Response) {
    for error in &response.errors {
        if let Some(async_graphql::Value::String(code)) =
            error.extensions.as_ref().and_then(|e| e.get("code"))
        {
            state
                .metrics
                .graphql_errors
                .with_label_values(&[code.as_str()])
                .inc();
        }
    }
}

pub(super) async fn read_body(
    mut payload: web::Payload,
    limit: usize,
) -> Result<web::BytesMut, AppError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| AppError::bad_input("the request body could not be read"))?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::new(
                ErrorCode::LimitExceeded,
                format!("the request body is over {limit} bytes"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A single operation or a list of them, told apart by the first byte rather than by serde's
/// untagged-enum buffering (which copies the whole body into an intermediate tree first), and
/// answering with the error of the shape the body has.
fn parse_batch(body: &[u8]) -> serde_json::Result<BatchRequest> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => serde_json::from_slice(body).map(BatchRequest::Batch),
        _ => serde_json::from_slice(body).map(BatchRequest::Single),
    }
}

pub async fn post(state: State, req: HttpRequest, payload: web::Payload) -> HttpResponse {
    let body = match read_body(payload, state.config.max_body_bytes).await {
        Ok(body) => body,
        Err(e) => return app_error_answer(&e),
    };
    let batch = match parse_batch(&body) {
        Ok(batch) => batch,
        Err(e) => {
            return error_answer(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadInput,
                &format!("not a GraphQL request: {e}"),
            );
        }
    };
    match batch {
        BatchRequest::Single(request) => match execute(&state, &req, request).await {
            Ok(response) => answer(StatusCode::OK, &response),
            Err(e) => app_error_answer(&e),
        },
        BatchRequest::Batch(requests) => {
            if requests.len() > state.config.graphql_max_batch {
                let message = format!(
                    "a batch may hold at most {} operations",
                    state.config.graphql_max_batch
                );
                return error_answer(StatusCode::BAD_REQUEST, ErrorCode::LimitExceeded, &message);
            }
            let mut responses = Vec::with_capacity(requests.len());
            for request in requests {
                match execute(&state, &req, request).await {
                    Ok(response) => responses.push(response),
                    Err(e) => return app_error_answer(&e),
                }
            }
            answer(StatusCode::OK, &BatchResponse::Batch(responses))
        }
    }
}

fn wants_html(req: &HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// Whether the document's chosen operation is a query (GET must not change anything).
fn is_query(request: &mut Request) -> bool {
    use async_graphql::parser::types::OperationType;
    let operation_name = request.operation_name.clone();
    let Ok(doc) = request.parsed_query() else {
        return true; // let execution report the syntax error as BAD_INPUT
    };
    doc.operations.iter().all(|(name, op)| {
        let chosen = match (&operation_name, name) {
            (Some(wanted), Some(name)) => wanted.as_str() == name.as_str(),
            _ => true,
        };
        !chosen || op.node.ty == OperationType::Query
    })
}

/// The longest query string `GET /graphql` takes: past it, 413 `LIMIT_EXCEEDED` (longer
/// operations go by POST). The HTTP layer itself refuses a URL over 64 KiB (400) and a request
/// head over 128 KiB (431) before any of this runs.
const MAX_GET_QUERY_BYTES: usize = 32 * 1024;

pub async fn get(
    state: State,
    req: HttpRequest,
    params: web::Query<HashMap<String, String>>,
) -> HttpResponse {
    if req.query_string().len() > MAX_GET_QUERY_BYTES {
        let message = format!(
            "a GET query string may be at most {MAX_GET_QUERY_BYTES} bytes; send longer operations by POST"
        );
        return error_answer(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::LimitExceeded,
            &message,
        );
    }
    let Some(query) = params.get("query") else {
        if wants_html(&req) {
            let Some(page) = super::admin::graphiql_page() else {
                return super::headers::graphiql(&mut HttpResponse::NotFound())
                    .content_type("text/plain; charset=utf-8")
                    .body("GraphiQL was not built into this binary (built without the admin UI)");
            };
            return super::headers::graphiql(&mut HttpResponse::Ok())
                .content_type("text/html; charset=utf-8")
                .insert_header(("Cache-Control", "no-cache"))
                .body(page);
        }
        return error_answer(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadInput,
            "GET /graphql needs a `query` parameter",
        );
    };
    let mut request = Request::new(query.clone());
    if let Some(name) = params.get("operationName") {
        request = request.operation_name(name.clone());
    }
    if let Some(variables) = params.get("variables") {
        match serde_json::from_str::<serde_json::Value>(variables) {
            Ok(value) => request = request.variables(async_graphql::Variables::from_json(value)),
            Err(_) => {
                return error_answer(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::BadInput,
                    "`variables` is not JSON",
                )
            }
        }
    }
    if let Err(refused) = admit(&state.documents, &mut request) {
        count_errors(&state, &refused);
        return answer(StatusCode::OK, &refused);
    }
    if !is_query(&mut request) {
        return error_answer(
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::BadInput,
            "mutations need POST",
        );
    }
    let response = match run(&state, &req, request).await {
        Ok(response) => response,
        Err(e) => return app_error_answer(&e),
    };
    count_errors(&state, &response);
    answer(StatusCode::OK, &response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_one_operation_or_a_list_of_them() {
        let single = parse_batch(br#" {"query": "{ me { id } }"}"#).unwrap();
        assert!(matches!(single, BatchRequest::Single(r) if r.query == "{ me { id } }"));
        let batch = parse_batch(b"\n [{\"query\": \"{ a }\"}, {\"query\": \"{ b }\"}]").unwrap();
        assert!(matches!(batch, BatchRequest::Batch(list) if list.len() == 2));
        for broken in [
            &b""[..],
            b"   ",
            b"null",
            b"42",
            b"[1]",
            b"{\"query\": 7}",
            b"[{\"query\": \"{ a }\"}",
        ] {
            assert!(
                parse_batch(broken).is_err(),
                "{:?}",
                String::from_utf8_lossy(broken)
            );
        }
    }
}
