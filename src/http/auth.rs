//! Who a request acts as: from `Authorization: Bearer …` — a delivery key (checked against the
//! in-memory key ring: revoked, expired and over its rate are refused there) or a session JWT. No header is anonymous; a header that does not verify is
//! an error, never silently anonymous.

use actix_web::http::header::AUTHORIZATION;
use actix_web::HttpRequest;

use crate::app::App;
use crate::auth::keyring::TOKEN_PREFIX;
use crate::auth::sessions::SessionRef;
use crate::auth::Principal;
use crate::delivery::RequestHints;
use crate::error::{AppError, AppResult};

/// The token of an `Authorization: Bearer TOKEN` header, if there is one and it reads.
pub fn bearer(headers: &actix_web::http::header::HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
}

pub fn principal(req: &HttpRequest, app: &App) -> AppResult<Principal> {
    authenticate(req, app).map(|(principal, _)| principal)
}

/// Who the request acts as and, for a user's session, which session it is (what `logout`
/// ends). A session is checked against the accounts this node holds (`auth::sessions`): a
/// disabled user, a reset password or a logout ends it, and the role and brands are the user's
/// current ones.
pub fn authenticate(req: &HttpRequest, app: &App) -> AppResult<(Principal, Option<SessionRef>)> {
    let Some(header) = req.headers().get(AUTHORIZATION) else {
        return Ok((Principal::Anonymous, None));
    };
    if header.to_str().is_err() {
        return Err(AppError::unauthenticated("malformed Authorization header"));
    }
    let token = bearer(req.headers())
        .ok_or_else(|| AppError::unauthenticated("expected Authorization: Bearer TOKEN"))?;
    if token.starts_with(TOKEN_PREFIX) {
        return app
            .content
            .keyring()
            .admit(token)
            .map(|key| (Principal::DeliveryKey(key), None));
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

pub fn hints(req: &HttpRequest, app: &App) -> RequestHints {
    let proxies = &app.config.trusted_proxies;
    let client_address = req.peer_addr().map(|peer| {
        if !proxies.contains(peer.ip()) {
            return peer.ip().to_string();
        }
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>();
        super::client::client_address(peer.ip(), forwarded.into_iter(), proxies).to_string()
    });
    RequestHints {
        user_agent: header(req, "user-agent"),
        ch_ua_mobile: header(req, "sec-ch-ua-mobile"),
        accept_language: header(req, "accept-language"),
        client_address,
    }
}
