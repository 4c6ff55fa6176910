//! The admin UI, built from `admin-ui/` by `build.rs` and embedded in the binary. Unknown paths
//! under `/admin/` answer `index.html` so the single-page app can route them. Every answer
//! carries the UI's strict Content-Security-Policy (see `headers`).

use actix_web::{web, HttpResponse};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "admin-ui/dist/"]
struct AdminUi;

pub async fn redirect() -> HttpResponse {
    HttpResponse::Found()
        .insert_header(("Location", "/admin/"))
        .finish()
}

pub async fn asset(path: web::Path<String>) -> HttpResponse {
    let path = path.into_inner();
    let (file, name) = match AdminUi::get(&path) {
        Some(file) if !path.is_empty() => (file, path.as_str()),
        _ => match AdminUi::get("index.html") {
            Some(index) => (index, "index.html"),
            None => {
                return super::headers::admin(&mut HttpResponse::NotFound())
                    .body("the admin UI was not built into this binary")
            }
        },
    };
    let mime = mime_guess::from_path(name).first_or_octet_stream();
    // Vite fingerprints everything under assets/: cache it for good; never cache index.html.
    let cache = if name.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    super::headers::admin(&mut HttpResponse::Ok())
        .content_type(mime.as_ref())
        .insert_header(("Cache-Control", cache))
        .body(file.data.into_owned())
}
