//! Asset routes: `POST /api/assets` (multipart upload) and `GET /assets/{id}/{rendition}`.
//!
//! The upload is authenticated before a byte of the body is read, then read within caps and cut
//! off as soon as one is passed: the `file` part is streamed to a temporary file and refused
//! with `413` past the byte limit; every other part (`brand`, `alt`, `focalX`, `focalY`, and
//! parts we do not use) is refused with `413` past [`MAX_TEXT_PART`] bytes, the body past
//! [`MAX_PARTS`] parts, and everything but the file's bytes (boundaries, part headers, text)
//! past [`ENVELOPE_BYTES`]. Text is UTF-8 without control characters (tab, line feed and
//! carriage return aside), else `400`. The file's bytes, never its name or declared type,
//! decide what it is (see `assets::sniff`). Renditions are immutable (content-addressed ids), so
//! they are served with a one-year `immutable` cache lifetime and a strong ETag over their
//! bytes; without an extension the format follows `Accept`.

use std::cell::{Cell, RefCell};
use std::io::Write;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_multipart::{Field, Multipart, MultipartError};
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::error::PayloadError;
use actix_web::http::header::{self, HeaderMap};
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::{Stream, StreamExt};
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
/// Largest part other than the file (`brand`, `alt`, `focalX`, `focalY`, or one we do not use).
const MAX_TEXT_PART: usize = 4096;
/// Most parts in one upload body.
const MAX_PARTS: usize = 16;
/// Most bytes of an upload body that are not the file's: boundaries, part headers and text
/// parts, with room for what the multipart reader buffers ahead. It also bounds a part header
/// that never ends, which actix-multipart would otherwise buffer (and rescan) without limit.
const ENVELOPE_BYTES: u64 = 256 * 1024;
/// Most bytes the multipart reader is offered at once (see [`envelope_capped`]).
const PIECE_BYTES: usize = 64 * 1024;

pub async fn upload(state: State, req: HttpRequest, payload: web::Payload) -> HttpResponse {
    let body = Rc::new(RefCell::new(payload));
    let reader = {
        let body = body.clone();
        futures_util::stream::poll_fn(move |cx| body.borrow_mut().poll_next_unpin(cx))
    };
    let response = match try_upload(&state, &req, reader).await {
        Ok(asset) => HttpResponse::Ok().json(asset_json(&asset)),
        Err(e) => error_response(&e),
    };
    // A refusal is answered before the body has been read to its end. Were the body dropped
    // here, actix-http would read a chunked body on to its end, however long, to keep the
    // connection open; held until the answer is written, the unread body makes it close the
    // connection instead (after a linger of a second, so that the client gets the answer).
    response.map_body(|_, inner| BoxBody::new(Holding { inner, _held: body }))
}

async fn try_upload(
    state: &State,
    req: &HttpRequest,
    body: impl Stream<Item = Result<Bytes, PayloadError>> + Unpin + 'static,
) -> AppResult<Asset> {
    let who = auth::principal(req, state)?;
    who.user()?; // anonymous → 401, a delivery key → 403, before reading the body
    let form = read_form(req.headers(), body, state.assets.limits().max_bytes).await?;
    let file = form
        .file
        .ok_or_else(|| AppError::bad_input("the multipart body has no `file` part"))?;
    let mut upload = form.upload;
    upload.bytes = web::block(move || std::fs::read(file.path()))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    state.assets.upload(&who, upload).await
}

/// An upload body once read: the text parts, and the file in a temporary file (removed when
/// dropped).
struct Form {
    upload: Upload,
    file: Option<tempfile::NamedTempFile>,
}

/// Reads a multipart upload body within the caps in the module doc.
async fn read_form(
    headers: &HeaderMap,
    body: impl Stream<Item = Result<Bytes, PayloadError>> + Unpin + 'static,
    max_bytes: u64,
) -> AppResult<Form> {
    let most = max_bytes.saturating_add(ENVELOPE_BYTES);
    if declared_length(headers).is_some_and(|len| len > most) {
        return Err(body_too_large(most));
    }
    let reading = Rc::new(Reading {
        most,
        file_bytes: Cell::new(0),
        ended: Cell::new(false),
    });
    let mut form = Multipart::new(headers, envelope_capped(body, reading.clone()));
    let (mut upload, mut file, mut parts) = (Upload::default(), None, 0);
    while let Some(field) = next(&mut form, &reading).await? {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(AppError::new(
                ErrorCode::LimitExceeded,
                format!("an upload body has at most {MAX_PARTS} parts"),
            ));
        }
        match field.name().unwrap_or_default() {
            "file" if file.is_some() => {
                return Err(AppError::bad_input(
                    "the body has more than one `file` part",
                ))
            }
            "file" => {
                upload.claim = claim_of(&field);
                file = Some(stream_to_temp_file(field, max_bytes, &reading).await?);
            }
            "brand" => upload.brand = Some(text(read_part(field, &reading).await?, "brand")?),
            "alt" => upload.alt = Some(text(read_part(field, &reading).await?, "alt")?),
            "focalX" => upload.focal_x = Some(number(read_part(field, &reading).await?, "focalX")?),
            "focalY" => upload.focal_y = Some(number(read_part(field, &reading).await?, "focalY")?),
            _ => drop(read_part(field, &reading).await?),
        }
    }
    Ok(Form { upload, file })
}

/// What the form reader and the body under it share.
struct Reading {
    /// The most bytes the body may have: the byte limit and [`ENVELOPE_BYTES`].
    most: u64,
    /// File bytes handed on so far.
    file_bytes: Cell<u64>,
    /// Whether the body has ended.
    ended: Cell<bool>,
}

/// The next field of the form, or chunk of a field. actix-multipart waits for more bytes, with
/// nothing left to wake it, when the body ends inside a part just after a CR; so waiting once
/// the body has ended is a body cut short, refused rather than left hanging.
async fn next<T>(
    stream: &mut (impl Stream<Item = Result<T, MultipartError>> + Unpin),
    reading: &Reading,
) -> AppResult<Option<T>> {
    futures_util::future::poll_fn(|cx| match stream.poll_next_unpin(cx) {
        Poll::Pending if reading.ended.get() => Poll::Ready(Err(AppError::bad_input(
            "the multipart body ends inside a part",
        ))),
        Poll::Pending => Poll::Pending,
        Poll::Ready(item) => Poll::Ready(
            item.transpose()
                .map_err(|e| multipart_error(e, reading.most)),
        ),
    })
    .await
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// `body`, offered one piece of at most [`PIECE_BYTES`] per poll, and cut off with `Overflow`
/// once more than [`ENVELOPE_BYTES`] of what was taken from it are not file bytes (as counted in
/// `reading` while the file part is read); its end is noted in `reading` too. actix-multipart
/// takes all a stream has on offer before it parses; offered a piece at a time, what it holds
/// unparsed stays under a piece, so bytes taken and not handed on as the file's are boundaries,
/// part headers and text.
fn envelope_capped(
    body: impl Stream<Item = Result<Bytes, PayloadError>> + Unpin + 'static,
    reading: Rc<Reading>,
) -> impl Stream<Item = Result<Bytes, PayloadError>> + 'static {
    let (mut body, mut rest, mut just_gave) = (body, Bytes::new(), false);
    let mut taken = 0u64;
    futures_util::stream::poll_fn(move |cx| {
        if just_gave {
            // Ends the reader's "take all on offer" loop; it is polled again at once.
            just_gave = false;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        if rest.is_empty() {
            match futures_util::ready!(body.poll_next_unpin(cx)) {
                Some(Ok(chunk)) => rest = chunk,
                None => {
                    reading.ended.set(true);
                    return Poll::Ready(None);
                }
                error => return Poll::Ready(error),
            }
        }
        let piece = rest.split_to(rest.len().min(PIECE_BYTES));
        taken += piece.len() as u64;
        if taken.saturating_sub(reading.file_bytes.get()) > ENVELOPE_BYTES {
            return Poll::Ready(Some(Err(PayloadError::Overflow)));
        }
        just_gave = true;
        Poll::Ready(Some(Ok(piece)))
    })
}

fn multipart_error(error: MultipartError, most: u64) -> AppError {
    match error {
        MultipartError::Payload(PayloadError::Overflow) => body_too_large(most),
        other => AppError::bad_input(format!("malformed multipart body: {other}")),
    }
}

fn body_too_large(most: u64) -> AppError {
    let file = most.saturating_sub(ENVELOPE_BYTES);
    AppError::new(
        ErrorCode::LimitExceeded,
        format!(
            "the upload body is too large: the file may have {file} bytes, and the other parts \
             with their headers {ENVELOPE_BYTES} bytes together"
        ),
    )
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

/// Streams the file part to a temporary file, refusing it past `max_bytes`.
async fn stream_to_temp_file(
    mut field: Field,
    max_bytes: u64,
    reading: &Reading,
) -> AppResult<tempfile::NamedTempFile> {
    let mut file = web::block(tempfile::NamedTempFile::new)
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    let (mut total, mut buffer) = (0u64, Vec::with_capacity(FLUSH_BYTES));
    while let Some(chunk) = next(&mut field, reading).await? {
        total += chunk.len() as u64;
        reading
            .file_bytes
            .set(reading.file_bytes.get() + chunk.len() as u64);
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

/// A part other than the file, whole, refused past [`MAX_TEXT_PART`] bytes.
async fn read_part(mut field: Field, reading: &Reading) -> AppResult<Vec<u8>> {
    let mut bytes = Vec::new();
    while let Some(chunk) = next(&mut field, reading).await? {
        if bytes.len() + chunk.len() > MAX_TEXT_PART {
            let name = match field.name() {
                Some(name @ ("brand" | "alt" | "focalX" | "focalY")) => format!("`{name}`"),
                _ => "a part".to_owned(),
            };
            return Err(AppError::new(
                ErrorCode::LimitExceeded,
                format!("{name} is over {MAX_TEXT_PART} bytes"),
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// A text part's value: UTF-8 without control characters other than tab, LF and CR.
fn text(bytes: Vec<u8>, name: &str) -> AppResult<String> {
    let text = String::from_utf8(bytes)
        .map_err(|_| AppError::bad_input(format!("`{name}` is not UTF-8 text")))?;
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(AppError::bad_input(format!(
            "`{name}` contains a control character"
        )));
    }
    Ok(text)
}

fn number(bytes: Vec<u8>, name: &str) -> AppResult<f64> {
    text(bytes, name)?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .ok_or_else(|| AppError::bad_input(format!("`{name}` is not a number")))
}

/// A response body that keeps something (the request body) alive until it has been written.
struct Holding<T> {
    inner: BoxBody,
    _held: T,
}

impl<T: Unpin> MessageBody for Holding<T> {
    type Error = <BoxBody as MessageBody>::Error;

    fn size(&self) -> BodySize {
        self.inner.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.get_mut().inner).poll_next(cx)
    }
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

#[cfg(test)]
mod tests;
