//! Cross-origin grants for browsers, with `actix-cors`, on `/graphql`, `/delivery/…` and
//! `/assets/…` only (the admin UI and the REST reports stay same-origin).
//!
//! `cors_origins` says which origins are granted; a request carrying a delivery key whose
//! `allowedOrigins` does not name its origin is granted nothing, so a page on another site
//! cannot read answers made with that key even when it holds the token. A preflight carries no
//! `Authorization` header, so it is answered by `cors_origins` alone; the real request is then
//! judged with its key. A granted answer echoes the origin in `Access-Control-Allow-Origin` and
//! every answer on these routes says `Vary: Origin` (so caches keep answers per origin); answers
//! to other origins carry no CORS header at all, and are not refused: the browser withholds
//! them. No credentials (cookies) are ever allowed: tokens travel in `Authorization`. No
//! response headers are exposed beyond the safelisted ones (`actix-cors` would send
//! `Access-Control-Expose-Headers` to every origin); a `RATE_LIMITED` answer's wait is in its
//! body (`extensions.retryAfter`).
//!
//! With no `cors_origins` the middleware is not installed and costs nothing.

use actix_cors::Cors;
use actix_web::dev::RequestHead;
use actix_web::http::header::HeaderValue;
use actix_web::middleware::Condition;
use std::sync::Arc;

use crate::app::App;
use crate::auth::keyring::{KeyRing, TOKEN_PREFIX};
use crate::config::network::CorsOrigins;

/// How long a browser may keep a preflight's answer, in seconds.
const PREFLIGHT_MAX_AGE: usize = 600;

/// The CORS middleware for one route (a no-op without `cors_origins`).
pub fn layer(app: &App) -> Condition<Cors> {
    let origins = app.config.cors_origins.clone();
    let enabled = origins != CorsOrigins::Nobody;
    let keyring = app.content.keyring_handle();
    let cors = Cors::default()
        .allowed_origin_fn(move |origin, head| grants(&origins, &keyring, origin, head))
        .allowed_methods(["GET", "POST"])
        .allow_any_header()
        .max_age(PREFLIGHT_MAX_AGE)
        .block_on_origin_mismatch(false);
    Condition::new(enabled, cors)
}

/// Whether a browser at `origin` may read the answer to this request.
fn grants(
    origins: &CorsOrigins,
    keyring: &Arc<KeyRing>,
    origin: &HeaderValue,
    head: &RequestHead,
) -> bool {
    if !origins.allows(origin.as_bytes()) {
        return false;
    }
    match super::auth::bearer(&head.headers) {
        Some(token) if token.starts_with(TOKEN_PREFIX) => keyring
            .grants_origin(token, origin.as_bytes())
            .unwrap_or(true),
        _ => true,
    }
}
