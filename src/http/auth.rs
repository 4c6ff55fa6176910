//! Who a request acts as: from `Authorization: Bearer …` — a delivery key (checked against the
//! in-memory key ring: revoked, expired and over its rate are refused there) or a session JWT. No header is anonymous; a header that does not verify is
//! an error, never silently anonymous.

use actix_web::HttpRequest;

use crate::app::App;
use crate::auth::keyring::TOKEN_PREFIX;
use crate::auth::Principal;
use crate::delivery::RequestHints;
use crate::error::{AppError, AppResult};

pub fn principal(req: &HttpRequest, app: &App) -> AppResult<Principal> {
    let Some(header) = req.headers().get(actix_web::http::header::AUTHORIZATION) else {
        return Ok(Principal::Anonymous);
    };
    let value = header
        .to_str()
        .map_err(|_| AppError::unauthenticated("malformed Authorization header"))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .ok_or_else(|| AppError::unauthenticated("expected Authorization: Bearer TOKEN"))?;
    if token.starts_with(TOKEN_PREFIX) {
        return app
            .content
            .keyring()
            .admit(token)
            .map(Principal::DeliveryKey);
    }
    let claims = app.content.tokens().verify(token)?;
    Ok(Principal::User(claims.user()))
}

fn header(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

pub fn hints(req: &HttpRequest) -> RequestHints {
    RequestHints {
        user_agent: header(req, "user-agent"),
        ch_ua_mobile: header(req, "sec-ch-ua-mobile"),
        accept_language: header(req, "accept-language"),
        client_address: req.peer_addr().map(|a| a.ip().to_string()),
    }
}
