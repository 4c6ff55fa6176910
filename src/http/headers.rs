//! Browser hardening of the two HTML pages Vary serves: the admin UI (`/admin/`) and GraphiQL
//! (`GET /graphql` from a browser). Both answer with a Content-Security-Policy that forbids
//! framing (`frame-ancestors 'none'`, and `X-Frame-Options: DENY` for browsers that predate it),
//! `X-Content-Type-Options: nosniff`, and `Referrer-Policy: same-origin`.
//!
//! - The admin UI is Vite's build: one module script and one stylesheet under `/admin/assets/`,
//!   no inline script or style element, no `eval`; it talks to its own origin only and shows
//!   images from `/assets/` (and `blob:`/`data:` previews). Its policy allows exactly that.
//! - GraphiQL is built with the admin UI (`admin-ui/graphiql.html`, nothing from a CDN): its
//!   module scripts, stylesheets, fonts and its editor's module workers all come from
//!   `/admin/assets/`. Its styles stay `'unsafe-inline'`: the editor (Monaco) and GraphiQL's
//!   dialogs insert `<style>` elements and style attributes at run time that no hash can name.
//!   Scripts get no such allowance.

use actix_web::HttpResponseBuilder;

/// The admin UI's policy.
pub const ADMIN_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The headers every HTML page (and its assets) gets, whatever its policy.
fn common(response: &mut HttpResponseBuilder, csp: &str) {
    response
        .insert_header(("Content-Security-Policy", csp))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("X-Frame-Options", "DENY"))
        .insert_header(("Referrer-Policy", "same-origin"));
}

/// Adds the admin UI's headers.
pub fn admin(response: &mut HttpResponseBuilder) -> &mut HttpResponseBuilder {
    common(response, ADMIN_CSP);
    response
}

/// GraphiQL's policy: everything from this origin, inline styles for its editor, no inline script.
pub const GRAPHIQL_CSP: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// Adds GraphiQL's headers.
pub fn graphiql(response: &mut HttpResponseBuilder) -> &mut HttpResponseBuilder {
    common(response, GRAPHIQL_CSP);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphiql_policy_loads_nothing_from_elsewhere_and_allows_no_inline_script() {
        assert!(!GRAPHIQL_CSP.contains("http"), "{GRAPHIQL_CSP}");
        let scripts = GRAPHIQL_CSP
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap();
        assert_eq!(scripts.trim(), "script-src 'self'");
        assert!(GRAPHIQL_CSP.contains("frame-ancestors 'none'"));
    }

    #[test]
    fn the_admin_policy_is_strict() {
        assert!(!ADMIN_CSP.contains("unsafe"));
        assert!(ADMIN_CSP.contains("frame-ancestors 'none'"));
        assert!(ADMIN_CSP.starts_with("default-src 'self'"));
    }
}
