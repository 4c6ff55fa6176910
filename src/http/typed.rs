//! `/delivery/{brand}/graphql` and `/delivery/{brand}/schema.graphql`: the brand's typed
//! delivery schema (see `graphql::typed`), admitted, authenticated and limited like `/graphql`.

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use async_graphql::Request;

use super::graphql::{admit, answer, app_error_answer, read_body};
use super::State;
use crate::auth::Action;
use crate::delivery::references::AnswerBudget;
use crate::error::{AppError, ErrorCode};
use crate::graphql::admission::{check_typed_answers, check_typed_reference_depth};
use crate::graphql::errors::{apply_codes, error_response};

/// Runs one typed operation for the brand in the path.
pub async fn post(
    state: State,
    req: HttpRequest,
    brand: web::Path<String>,
    payload: web::Payload,
) -> HttpResponse {
    let body = match read_body(payload, state.config.max_body_bytes).await {
        Ok(body) => body,
        Err(e) if e.code == ErrorCode::LimitExceeded => {
            return answer(
                StatusCode::PAYLOAD_TOO_LARGE,
                &error_response(e.code, &e.message),
            );
        }
        Err(e) => return app_error_answer(&e),
    };
    let Ok(mut request) = serde_json::from_slice::<Request>(&body) else {
        let refused = AppError::bad_input("not a GraphQL request");
        return answer(
            StatusCode::BAD_REQUEST,
            &error_response(refused.code, &refused.message),
        );
    };
    if let Err(refused) = admit(&state.documents, &mut request) {
        return answer(StatusCode::OK, &refused);
    }
    let limits = state.documents.limits();
    let (name, variables) = (request.operation_name.clone(), request.variables.clone());
    let admitted = match request.parsed_query() {
        Ok(doc) => check_typed_reference_depth(doc)
            .and_then(|()| check_typed_answers(doc, name.as_deref(), &variables, limits)),
        Err(_) => Ok(0), // execution reports the syntax error
    };
    match admitted {
        Ok(counted) => {
            let left = limits.max_answers.saturating_sub(counted);
            request.data.insert(AnswerBudget::new(left));
        }
        Err(e) => return answer(StatusCode::OK, &error_response(e.code, &e.message)),
    }
    // Who asks, once (a key's rate limit counts each request once), and before the brand's
    // schema is looked up: an unknown brand is not told apart from one the caller may not read.
    let who = match super::auth::authenticate(&req, &state)
        .and_then(|(who, _)| who.authorize(Action::Deliver, Some(&brand)).map(|()| who))
    {
        Ok(who) => who,
        Err(e) => return app_error_answer(&e),
    };
    let schema = match state.typed.schema(&brand) {
        Ok(schema) => schema,
        Err(e) => return app_error_answer(&e),
    };
    let request = request.data(who).data(super::auth::hints(&req, &state));
    answer(StatusCode::OK, &apply_codes(schema.execute(request).await))
}

/// The brand's typed schema as SDL, for code generation; for those who may read its delivery.
pub async fn sdl(state: State, req: HttpRequest, brand: web::Path<String>) -> HttpResponse {
    let allowed = super::auth::authenticate(&req, &state)
        .and_then(|(who, _)| who.authorize(Action::Deliver, Some(&brand)));
    if let Err(e) = allowed {
        return super::error_response(&e);
    }
    match state.typed.schema(&brand) {
        Ok(schema) => HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body(schema.sdl()),
        Err(e) => super::error_response(&e),
    }
}
