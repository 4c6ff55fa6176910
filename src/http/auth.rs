//! Who a request acts as: from `Authorization: Bearer …` — a delivery key (checked against the
//! in-memory key ring) or a session JWT. No header is anonymous; a header that does not verify is
//! an error, never silently anonymous.

use actix_web::HttpRequest;

use crate::app::App;
use crate::auth::keyring::TOKEN_PREFIX;
use crate::auth::sessions::SessionRef;
use crate::auth::Principal;
use crate::delivery::RequestHints;
use crate::error::{AppError, AppResult};

pub fn principal(req: &HttpRequest, app: &App) -> AppResult<Principal> {
    authenticate(req, app).map(|(principal, _)| principal)
}

/// Who the request acts as and, for a user's session, which session it is (what `logout`
/// ends). A session is checked against the accounts this node holds (`auth::sessions`): a
/// disabled user, a reset password or a logout ends it, and the role and brands are the user's
/// current ones.
pub fn authenticate(req: &HttpRequest, app: &App) -> AppResult<(Principal, Option<SessionRef>)> {
    let Some(header) = req.headers().get(actix_web::http::header::AUTHORIZATION) else {
        return Ok((Principal::Anonymous, None));
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
            .find(token)
            .map(|key| (Principal::DeliveryKey(key), None))
            .ok_or_else(|| AppError::unauthenticated("unknown or revoked delivery key"));
    }
    let claims = app.content.tokens().verify(token)?;
    let user = app.content.accounts().check(&claims)?;
    Ok((Principal::User(user), Some(SessionRef::of(&claims))))
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
