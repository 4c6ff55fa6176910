//! Browser hardening of the two HTML pages Vary serves: the admin UI (`/admin/`) and GraphiQL
//! (`GET /graphql` from a browser). Both answer with a Content-Security-Policy that forbids
//! framing (`frame-ancestors 'none'`, and `X-Frame-Options: DENY` for browsers that predate it),
//! `X-Content-Type-Options: nosniff`, and `Referrer-Policy: same-origin`.
//!
//! - The admin UI is Vite's build: one module script and one stylesheet under `/admin/assets/`,
//!   no inline script or style element, no `eval`; it talks to its own origin only and shows
//!   images from `/assets/` (and `blob:`/`data:` previews). Its policy allows exactly that.
//! - GraphiQL is async-graphql's page: React, ReactDOM and GraphiQL's script and stylesheet from
//!   `https://unpkg.com`, a favicon from `https://graphql.org`, one inline script (allowed by its
//!   SHA-256, computed from the page itself), fonts and images as `data:` URIs inside the
//!   stylesheet, and queries to its own origin. Its styles stay `'unsafe-inline'`: the page has
//!   an inline `<style>`, and GraphiQL's dialogs insert `<style>` elements at run time that no
//!   hash can name. Scripts get no such allowance.

use actix_web::HttpResponseBuilder;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The admin UI's policy.
pub const ADMIN_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Where GraphiQL's page loads its scripts and stylesheet from.
pub const GRAPHIQL_CDN: &str = "https://unpkg.com";
/// Where GraphiQL's page takes its favicon from.
pub const GRAPHIQL_ICON_ORIGIN: &str = "https://graphql.org";

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

/// Adds GraphiQL's headers for `page`, the HTML about to be sent.
pub fn graphiql<'a>(
    response: &'a mut HttpResponseBuilder,
    page: &str,
) -> &'a mut HttpResponseBuilder {
    common(response, &graphiql_csp(page));
    response
}

/// GraphiQL's policy: the CDN's scripts plus the page's own inline scripts, by hash.
pub fn graphiql_csp(page: &str) -> String {
    let hashes: String = inline_scripts(page)
        .map(|script| {
            let digest = Sha256::digest(script.as_bytes());
            format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    format!(
        "default-src 'none'; script-src {GRAPHIQL_CDN}{hashes}; \
         style-src {GRAPHIQL_CDN} 'unsafe-inline'; img-src 'self' data: {GRAPHIQL_ICON_ORIGIN}; \
         font-src data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    )
}

/// The text of every `<script>` element without a `src` in `page`, exactly as a browser
/// hashes it (script text is raw: no entities are decoded).
pub fn inline_scripts(page: &str) -> impl Iterator<Item = &str> {
    let mut rest = page;
    std::iter::from_fn(move || loop {
        let start = rest.find("<script")?;
        let after = &rest[start + "<script".len()..];
        let open_end = after.find('>')?;
        let attributes = &after[..open_end];
        let body = &after[open_end + 1..];
        let close = body.find("</script")?;
        rest = &body[close..];
        if !attributes.contains("src=") {
            return Some(&body[..close]);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_found_and_external_ones_skipped() {
        let page = "<script src=\"https://unpkg.com/a.js\"></script>\n<script>\n  one();\n</script><p>x</p><script type=\"module\">two()</script>";
        let found: Vec<&str> = inline_scripts(page).collect();
        assert_eq!(found, vec!["\n  one();\n", "two()"]);
    }

    #[test]
    fn graphiql_policy_hashes_its_inline_script_and_allows_no_inline_script_otherwise() {
        let csp = graphiql_csp("<script>alert(1)</script>");
        // echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert!(
            csp.contains("script-src https://unpkg.com 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"),
            "{csp}"
        );
        let scripts = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap();
        assert!(!scripts.contains("unsafe"), "{scripts}");
        assert!(csp.contains("frame-ancestors 'none'"));
    }

    #[test]
    fn the_admin_policy_is_strict() {
        assert!(!ADMIN_CSP.contains("unsafe"));
        assert!(ADMIN_CSP.contains("frame-ancestors 'none'"));
        assert!(ADMIN_CSP.starts_with("default-src 'self'"));
    }
}
