//! Asset routes: `POST /api/assets` (multipart upload) and `GET /assets/{id}/{rendition}`.
//!
//! The upload is authenticated before a byte of the body is read, then streamed to a temporary
//! file and cut off with `413` as soon as it passes the byte limit; the file's bytes, never its
//! name or declared type, decide what it is (see `assets::sniff`). Renditions are immutable
//! (content-addressed ids), so they are served with a one-year `immutable` cache lifetime and a
//! strong ETag over their bytes; without an extension the format follows `Accept`.

use std::io::Write;

use actix_multipart::{Field, Multipart};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{auth, error_response, State};
use crate::assets::{Aspect, Claim, RenditionFormat, RenditionKey};
use crate::content::assets::{renditions_of, Upload};
use crate::domain::asset::Asset;
use crate::domain::device::Device;
use crate::error::{AppError, AppResult, ErrorCode};

/// Bytes gathered in memory before each write to the temporary file.
const FLUSH_BYTES: usize = 1 << 20;
/// Largest text field (`brand`, `alt`, `focalX`, `focalY`).
const MAX_TEXT_FIELD: usize = 4096;

pub async fn upload(state: State, req: HttpRequest, payload: web::Payload) -> HttpResponse {
    match try_upload(&state, &req, payload).await {
        Ok(asset) => HttpResponse::Ok().json(asset_json(&asset)),
        Err(e) => error_response(&e),
    }
}

async fn try_upload(state: &State, req: &HttpRequest, payload: web::Payload) -> AppResult<Asset> {
    let who = auth::principal(req, state)?;
    who.user()?; // anonymous → 401, a delivery key → 403, before reading the body
    let max_bytes = state.assets.limits().max_bytes;
    let mut form = Multipart::new(req.headers(), payload);
    let mut upload = Upload::default();
    let mut file = None;
    while let Some(field) = form.next().await {
        let field =
            field.map_err(|e| AppError::bad_input(format!("malformed multipart body: {e}")))?;
        match field.name().unwrap_or_default() {
            "file" => {
                upload.claim = claim_of(&field);
                file = Some(stream_to_temp_file(field, max_bytes).await?);
            }
            "brand" => upload.brand = Some(text_field(field).await?),
            "alt" => upload.alt = Some(text_field(field).await?),
            "focalX" => upload.focal_x = Some(number_field(field, "focalX").await?),
            "focalY" => upload.focal_y = Some(number_field(field, "focalY").await?),
            _ => drain(field).await?,
        }
    }
    let file = file.ok_or_else(|| AppError::bad_input("the multipart body has no `file` field"))?;
    upload.bytes = web::block(move || std::fs::read(file.path()))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    state.assets.upload(&who, upload).await
}

fn claim_of(field: &Field) -> Claim {
    Claim {
        content_type: field.content_type().map(|m| m.essence_str().to_owned()),
        file_name: field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned),
    }
}

/// Streams a field to a temporary file (removed when dropped), refusing it past `max_bytes`.
async fn stream_to_temp_file(
    mut field: Field,
    max_bytes: u64,
) -> AppResult<tempfile::NamedTempFile> {
    let mut file = web::block(tempfile::NamedTempFile::new)
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    let (mut total, mut buffer) = (0u64, Vec::with_capacity(FLUSH_BYTES));
    while let Some(chunk) = field.next().await {
        let chunk =
            chunk.map_err(|e| AppError::bad_input(format!("the upload was cut short: {e}")))?;
        total += chunk.len() as u64;
        if total > max_bytes {
            return Err(AppError::new(
                ErrorCode::LimitExceeded,
                format!("the file is over the limit of {max_bytes} bytes"),
            ));
        }
        buffer.extend_from_slice(&chunk);
        if buffer.len() >= FLUSH_BYTES {
            file = flush(file, std::mem::take(&mut buffer)).await?;
        }
    }
    flush(file, buffer).await
}

async fn flush(
    mut file: tempfile::NamedTempFile,
    bytes: Vec<u8>,
) -> AppResult<tempfile::NamedTempFile> {
    web::block(move || file.write_all(&bytes).map(|()| file))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)
}

async fn text_field(mut field: Field) -> AppResult<String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk =
            chunk.map_err(|e| AppError::bad_input(format!("malformed multipart body: {e}")))?;
        if bytes.len() + chunk.len() > MAX_TEXT_FIELD {
            return Err(AppError::bad_input(format!(
                "a text field is longer than {MAX_TEXT_FIELD} bytes"
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| AppError::bad_input("a text field is not UTF-8"))
}

async fn number_field(field: Field, name: &str) -> AppResult<f64> {
    let text = text_field(field).await?;
    text.trim()
        .parse()
        .map_err(|_| AppError::bad_input(format!("`{name}` is not a number")))
}

async fn drain(mut field: Field) -> AppResult<()> {
    while let Some(chunk) = field.next().await {
        chunk.map_err(|e| AppError::bad_input(format!("malformed multipart body: {e}")))?;
    }
    Ok(())
}

/// The contract's Asset JSON.
pub fn asset_json(asset: &Asset) -> serde_json::Value {
    let renditions: Vec<_> = renditions_of(asset, None)
        .into_iter()
        .map(|r| serde_json::json!({"device": r.device.as_str(), "format": r.format.as_str(), "width": r.width, "height": r.height, "url": r.url}))
        .collect();
    serde_json::json!({
        "id": asset.id, "width": asset.width, "height": asset.height, "format": asset.format,
        "bytes": asset.bytes, "alt": asset.alt, "focalX": asset.focal.map(|f| f.0),
        "focalY": asset.focal.map(|f| f.1), "dominantColor": asset.dominant_color,
        "placeholder": asset.placeholder, "uploadedBy": asset.uploaded_by,
        "createdAt": asset.created_at.to_rfc3339(), "renditions": renditions,
    })
}

#[derive(Debug, Deserialize)]
pub struct RenditionParams {
    aspect: Option<String>,
}

pub async fn rendition(
    state: State,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    query: web::Query<RenditionParams>,
) -> HttpResponse {
    let (id, file) = path.into_inner();
    match try_rendition(&state, &req, &id, &file, query.aspect.as_deref()).await {
        Ok(response) => response,
        Err(e) => error_response(&e),
    }
}

async fn try_rendition(
    state: &State,
    req: &HttpRequest,
    id: &str,
    file: &str,
    aspect: Option<&str>,
) -> AppResult<HttpResponse> {
    let missing = || AppError::not_found("no such rendition");
    let (device, extension) = match file.split_once('.') {
        Some((device, ext)) => (device, Some(ext)),
        None => (file, None),
    };
    if device.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(missing());
    }
    let device: Device = device.parse().map_err(|_| missing())?;
    let negotiated = extension.is_none();
    let format = match extension {
        Some(ext) => RenditionFormat::from_extension(ext).ok_or_else(missing)?,
        None => negotiate(req),
    };
    let aspect = aspect
        .map(|a| {
            a.parse::<Aspect>()
                .map_err(|e| AppError::bad_input(e.to_string()))
        })
        .transpose()?;
    let bytes = state
        .assets
        .rendition(id, RenditionKey::new(device, format, aspect))
        .await?;
    let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&bytes))[..32]);
    let mut response = if if_none_match(req, &etag) {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((header::ETAG, etag.clone()))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if negotiated {
        response.insert_header((header::VARY, "Accept"));
    }
    if if_none_match(req, &etag) {
        return Ok(response.finish());
    }
    Ok(response.content_type(format.media_type()).body(bytes))
}

/// WebP when the client accepts it (with a non-zero quality), JPEG otherwise.
fn negotiate(req: &HttpRequest) -> RenditionFormat {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let webp = accept.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let media = parts.next().unwrap_or("");
        let q = parts
            .find_map(|p| p.strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        media.eq_ignore_ascii_case("image/webp") && q > 0.0
    });
    if webp {
        RenditionFormat::WebP
    } else {
        RenditionFormat::Jpeg
    }
}

fn if_none_match(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| tag.trim() == etag || tag.trim() == "*")
}
