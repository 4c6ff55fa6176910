//! The admin UI, built from `admin-ui/` by `build.rs` and embedded in the binary. Unknown paths
//! under `/admin/` answer `index.html` so the single-page app can route them. Every answer
//! carries the UI's strict Content-Security-Policy (see `headers`). `HEAD` answers like `GET`
//! without the body.
//!
//! The build precompresses every text asset (`admin-ui/scripts/compress.mjs`: `NAME.br`, brotli,
//! and `NAME.gz`, gzip, beside `NAME`); a request that accepts one gets it as is, with
//! `Content-Encoding`, and every answer that has such a twin says `Vary: Accept-Encoding`.

use actix_web::http::header::{self, HeaderMap};
use actix_web::{web, HttpRequest, HttpResponse};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "admin-ui/dist/"]
struct AdminUi;

pub async fn redirect() -> HttpResponse {
    HttpResponse::Found()
        .insert_header(("Location", "/admin/"))
        .finish()
}

/// GraphiQL's page (`admin-ui/graphiql.html`, built with the admin UI; its scripts, styles,
/// fonts and workers are under `/admin/assets/`), served at `GET /graphql` to browsers.
pub fn graphiql_page() -> Option<Vec<u8>> {
    AdminUi::get("graphiql.html").map(|f| f.data.into_owned())
}

/// The encodings served precompressed, most preferred first: (token, file suffix).
const ENCODINGS: [(&str, &str); 2] = [("br", ".br"), ("gzip", ".gz")];

pub async fn asset(req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    let path = path.into_inner();
    let name = match AdminUi::get(&path) {
        Some(_) if !path.is_empty() => path,
        _ if AdminUi::get("index.html").is_some() => "index.html".to_string(),
        _ => {
            return super::headers::admin(&mut HttpResponse::NotFound())
                .body("the admin UI was not built into this binary")
        }
    };
    let mime = mime_guess::from_path(&name).first_or_octet_stream();
    // Vite fingerprints everything under assets/: cache it for good; never cache index.html.
    let cache = if name.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = HttpResponse::Ok();
    super::headers::admin(&mut response)
        .content_type(mime.as_ref())
        .insert_header(("Cache-Control", cache));
    let twins: Vec<(&str, &str)> = ENCODINGS
        .into_iter()
        .filter(|(_, suffix)| AdminUi::get(&format!("{name}{suffix}")).is_some())
        .collect();
    if !twins.is_empty() {
        response.insert_header((header::VARY, "Accept-Encoding"));
    }
    let chosen = twins
        .into_iter()
        .find(|(token, _)| accepts(req.headers(), token));
    let file = match chosen {
        Some((token, suffix)) => {
            response.insert_header((header::CONTENT_ENCODING, token));
            AdminUi::get(&format!("{name}{suffix}"))
        }
        None => AdminUi::get(&name),
    };
    match file {
        Some(file) => response.body(file.data.into_owned()),
        None => HttpResponse::NotFound().finish(),
    }
}

/// Whether `Accept-Encoding` accepts `token` (not with `q=0`).
fn accepts(headers: &HeaderMap, token: &str) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            name.eq_ignore_ascii_case(token) && !refused
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    fn with(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        h
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        assert!(accepts(&with("gzip, deflate, br, zstd"), "br"));
        assert!(accepts(&with("gzip;q=0.8"), "gzip"));
        assert!(!accepts(&with("gzip, br;q=0"), "br"));
        assert!(!accepts(&with("identity"), "gzip"));
        assert!(!accepts(&HeaderMap::new(), "gzip"));
    }
}
