//! Names an upload's format from its bytes, never from its name or declared type.
//!
//! Besides the magic bytes, the container is walked far enough to see where the image ends:
//! a PNG must end with its `IEND` chunk, a JPEG with `EOI`, a WebP where its RIFF size says and a
//! GIF with its trailer. Bytes after the end (a ZIP, a script) make a polyglot, which is refused,
//! as is a file whose declared type names a different image format than its bytes.

use super::AssetError;

/// The image formats an upload may be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    Jpeg,
    Png,
    WebP,
    Gif,
}

impl SourceFormat {
    /// The lower-case name stored with the asset (`jpeg`, `png`, `webp`, `gif`).
    pub const fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Jpeg => "jpeg",
            SourceFormat::Png => "png",
            SourceFormat::WebP => "webp",
            SourceFormat::Gif => "gif",
        }
    }

    pub(crate) fn to_image(self) -> image::ImageFormat {
        match self {
            SourceFormat::Jpeg => image::ImageFormat::Jpeg,
            SourceFormat::Png => image::ImageFormat::Png,
            SourceFormat::WebP => image::ImageFormat::WebP,
            SourceFormat::Gif => image::ImageFormat::Gif,
        }
    }
}

/// What the uploader said the file is: its declared media type and file name. Only used to catch
/// a file that lies; the bytes decide the format.
#[derive(Debug, Clone, Default)]
pub struct Claim {
    pub content_type: Option<String>,
    pub file_name: Option<String>,
}

impl Claim {
    /// The image formats named by the declared type and by the name's extension.
    fn formats(&self) -> Vec<ClaimedKind> {
        let from_type = self.content_type.as_deref().and_then(|t| {
            let essence = t
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            kind_from_name(essence.strip_prefix("image/")?)
        });
        let from_name = self.file_name.as_deref().and_then(|name| {
            let (_, ext) = name.rsplit_once('.')?;
            kind_from_name(&ext.to_ascii_lowercase())
        });
        from_type.into_iter().chain(from_name).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClaimedKind {
    Image(SourceFormat),
    Other,
}

fn kind_from_name(name: &str) -> Option<ClaimedKind> {
    Some(match name {
        "jpeg" | "jpg" | "pjpeg" | "jpe" => ClaimedKind::Image(SourceFormat::Jpeg),
        "png" | "x-png" => ClaimedKind::Image(SourceFormat::Png),
        "webp" => ClaimedKind::Image(SourceFormat::WebP),
        "gif" => ClaimedKind::Image(SourceFormat::Gif),
        "svg" | "svg+xml" | "tiff" | "tif" | "bmp" | "avif" | "heic" | "heif" | "ico" => {
            ClaimedKind::Other
        }
        _ => return None,
    })
}

/// Names the format of `bytes` and checks that the file is exactly one well-formed container of
/// that format. `claim` only turns a mismatch into `Invalid` (400) instead of accepting it.
pub fn sniff(bytes: &[u8], claim: &Claim) -> Result<SourceFormat, AssetError> {
    let Some(format) = magic(bytes) else {
        return Err(refuse_unknown(bytes, claim));
    };
    for claimed in claim.formats() {
        if claimed != ClaimedKind::Image(format) {
            return Err(AssetError::Invalid(format!(
                "the file is declared as another type but its bytes are {}",
                format.as_str()
            )));
        }
    }
    check_structure(format, bytes)?;
    check_no_second_file(bytes)?;
    Ok(format)
}

fn magic(bytes: &[u8]) -> Option<SourceFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(SourceFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(SourceFormat::Png)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(SourceFormat::Gif)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(SourceFormat::WebP)
    } else {
        None
    }
}

/// Bytes that are none of our formats: unsupported (415), unless the uploader declared one of
/// our formats, in which case the file is a broken or lying image (400).
fn refuse_unknown(bytes: &[u8], claim: &Claim) -> AssetError {
    let claims_ours = claim
        .formats()
        .iter()
        .any(|c| matches!(c, ClaimedKind::Image(_)));
    if bytes.is_empty() {
        return AssetError::Invalid("the file is empty".into());
    }
    if claims_ours {
        return AssetError::Invalid("the file's bytes are not the image type it declares".into());
    }
    let what = if looks_like_markup(bytes) {
        "SVG or other markup"
    } else {
        "this file type"
    };
    AssetError::Unsupported(format!(
        "{what} is not accepted; upload a JPEG, PNG, WebP or GIF"
    ))
}

fn looks_like_markup(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(512)];
    let text = String::from_utf8_lossy(head)
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_ascii_lowercase();
    text.starts_with('<')
}

fn check_structure(format: SourceFormat, bytes: &[u8]) -> Result<(), AssetError> {
    let end = match format {
        SourceFormat::Png => png_end(bytes),
        SourceFormat::Jpeg => jpeg_end(bytes),
        SourceFormat::WebP => webp_end(bytes),
        SourceFormat::Gif => gif_end(bytes),
    }
    .ok_or_else(|| AssetError::Invalid(format!("truncated or corrupt {}", format.as_str())))?;
    let trailing = &bytes[end..];
    let allowed = trailing.iter().all(|&b| b == 0 || b == 0xFF)
        // Multi-Picture JPEGs (phones' depth maps, previews) append further JPEGs.
        || (format == SourceFormat::Jpeg && trailing.starts_with(&[0xFF, 0xD8, 0xFF]));
    if allowed {
        Ok(())
    } else {
        Err(AssetError::Invalid(format!(
            "{} bytes of foreign data after the end of the {} (a polyglot file?)",
            trailing.len(),
            format.as_str()
        )))
    }
}

/// Offset just past the `IEND` chunk, walking chunk lengths.
fn png_end(bytes: &[u8]) -> Option<usize> {
    let mut at = 8usize;
    loop {
        let len = u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
        let kind = bytes.get(at + 4..at + 8)?;
        let next = at.checked_add(12)?.checked_add(len)?;
        if next > bytes.len() {
            return None;
        }
        if kind == b"IEND" {
            return Some(next);
        }
        at = next;
    }
}

/// Offset just past `EOI`: marker segments by length, entropy-coded data scanned for markers.
fn jpeg_end(bytes: &[u8]) -> Option<usize> {
    let mut at = 2usize;
    loop {
        while *bytes.get(at)? == 0xFF && *bytes.get(at + 1)? == 0xFF {
            at += 1; // fill bytes
        }
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        match marker {
            0xD9 => return Some(at + 2),
            0x01 | 0xD0..=0xD7 => at += 2,
            _ => {
                let len = u16::from_be_bytes([*bytes.get(at + 2)?, *bytes.get(at + 3)?]) as usize;
                at = at + 2 + len;
                if at > bytes.len() {
                    return None;
                }
                if marker == 0xDA {
                    at = skip_entropy_data(bytes, at)?;
                }
            }
        }
    }
}

/// From the start of scan data to the next marker that is neither a stuffed `FF00` nor a restart.
fn skip_entropy_data(bytes: &[u8], mut at: usize) -> Option<usize> {
    loop {
        let rel = bytes.get(at..)?.iter().position(|&b| b == 0xFF)?;
        at += rel;
        match *bytes.get(at + 1)? {
            0x00 | 0xD0..=0xD7 | 0xFF => at += 1,
            _ => return Some(at),
        }
    }
}

/// A WebP ends where its RIFF header says, and each of its chunks (and each chunk of an
/// animation frame) must lie inside it: a decoder sizes its buffer from a chunk's length.
fn webp_end(bytes: &[u8]) -> Option<usize> {
    let size = u32::from_le_bytes(bytes.get(4..8)?.try_into().ok()?) as usize;
    let end = size.checked_add(8)?;
    (end <= bytes.len() && size >= 4 && riff_chunks_fit(bytes, 12, end, true)).then_some(end)
}

fn riff_chunks_fit(bytes: &[u8], mut at: usize, end: usize, top_level: bool) -> bool {
    while at < end {
        let Some(header) = bytes.get(at..at + 8).filter(|_| at + 8 <= end) else {
            return false;
        };
        let len = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let data = at + 8..at + 8 + len;
        // An animation frame (top level only): 16 bytes of frame header, then its own chunks.
        let frame = top_level && &header[..4] == b"ANMF";
        if data.end > end || (frame && !frame_fits(bytes, data.clone())) {
            return false;
        }
        at = (data.end + (len & 1)).min(end); // chunks are padded to an even length
    }
    true
}

fn frame_fits(bytes: &[u8], frame: std::ops::Range<usize>) -> bool {
    frame.len() >= 16 && riff_chunks_fit(bytes, frame.start + 16, frame.end, false)
}

/// A GIF ends with its `;` trailer; walking its blocks finds it.
fn gif_end(bytes: &[u8]) -> Option<usize> {
    let flags = *bytes.get(10)?;
    let mut at = 13 + color_table_len(flags);
    loop {
        match *bytes.get(at)? {
            0x3B => return Some(at + 1),
            0x21 => at = skip_sub_blocks(bytes, at + 2)?,
            0x2C => {
                let flags = *bytes.get(at + 9)?;
                at += 10 + color_table_len(flags) + 1; // descriptor, local table, LZW min size
                at = skip_sub_blocks(bytes, at)?;
            }
            _ => return None,
        }
    }
}

fn color_table_len(flags: u8) -> usize {
    if flags & 0x80 == 0 {
        0
    } else {
        3 * (1usize << ((flags & 0x07) + 1))
    }
}

fn skip_sub_blocks(bytes: &[u8], mut at: usize) -> Option<usize> {
    loop {
        let len = *bytes.get(at)? as usize;
        at += 1 + len;
        if len == 0 {
            return (at <= bytes.len()).then_some(at);
        }
    }
}

/// Refuses a file that carries a ZIP (read from its end, so it hides anywhere) or markup that a
/// browser or interpreter would run.
fn check_no_second_file(bytes: &[u8]) -> Result<(), AssetError> {
    let tail = &bytes[bytes.len().saturating_sub(65_557)..];
    if find(tail, b"PK\x05\x06").is_some() {
        return Err(AssetError::Invalid(
            "the file also contains a ZIP archive (a polyglot)".into(),
        ));
    }
    for needle in [&b"<script"[..], b"<html", b"<?php", b"<svg", b"<!doctype"] {
        if find_ignore_case(bytes, needle) {
            return Err(AssetError::Invalid(
                "the file also contains markup or script".into(),
            ));
        }
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    let mut at = 0;
    while let Some(rel) = haystack[at..].iter().position(|&b| b == b'<') {
        at += rel;
        let window = &haystack[at..haystack.len().min(at + needle.len())];
        if window.eq_ignore_ascii_case(needle) {
            return true;
        }
        at += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assets::testimages::{encode, gradient, webp_with_icc, with_zip_appended};
    use image::ImageFormat;

    fn no_claim() -> Claim {
        Claim::default()
    }

    #[test]
    fn every_accepted_format_is_named_from_its_bytes() {
        let img = gradient(40, 30);
        for (fmt, want) in [
            (ImageFormat::Jpeg, SourceFormat::Jpeg),
            (ImageFormat::Png, SourceFormat::Png),
            (ImageFormat::WebP, SourceFormat::WebP),
            (ImageFormat::Gif, SourceFormat::Gif),
        ] {
            let bytes = encode(&img, fmt);
            assert_eq!(sniff(&bytes, &no_claim()).unwrap(), want, "{fmt:?}");
        }
    }

    #[test]
    fn svg_is_unsupported() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        assert!(matches!(
            sniff(svg, &no_claim()),
            Err(AssetError::Unsupported(_))
        ));
    }

    #[test]
    fn a_jpeg_named_png_lies_about_its_type() {
        let bytes = encode(&gradient(20, 20), ImageFormat::Jpeg);
        let claim = Claim {
            content_type: Some("image/png".into()),
            file_name: Some("a.png".into()),
        };
        assert!(matches!(sniff(&bytes, &claim), Err(AssetError::Invalid(_))));
    }

    #[test]
    fn text_declared_as_png_is_invalid() {
        let claim = Claim {
            content_type: Some("image/png".into()),
            file_name: None,
        };
        assert!(matches!(
            sniff(b"hello world", &claim),
            Err(AssetError::Invalid(_))
        ));
    }

    #[test]
    fn truncated_files_are_invalid() {
        let img = gradient(64, 48);
        for fmt in [
            ImageFormat::Jpeg,
            ImageFormat::Png,
            ImageFormat::WebP,
            ImageFormat::Gif,
        ] {
            let bytes = encode(&img, fmt);
            let cut = &bytes[..bytes.len() * 2 / 3];
            assert!(
                matches!(sniff(cut, &no_claim()), Err(AssetError::Invalid(_))),
                "{fmt:?}"
            );
        }
    }

    #[test]
    fn a_jpeg_with_a_zip_appended_is_a_polyglot() {
        let bytes = with_zip_appended(encode(&gradient(32, 32), ImageFormat::Jpeg));
        assert!(matches!(
            sniff(&bytes, &no_claim()),
            Err(AssetError::Invalid(_))
        ));
    }

    #[test]
    fn a_png_with_html_appended_is_a_polyglot() {
        let mut bytes = encode(&gradient(32, 32), ImageFormat::Png);
        bytes.extend_from_slice(b"<html><script>alert(1)</script></html>");
        assert!(matches!(
            sniff(&bytes, &no_claim()),
            Err(AssetError::Invalid(_))
        ));
    }

    #[test]
    fn zero_padding_after_a_jpeg_is_tolerated() {
        let mut bytes = encode(&gradient(32, 32), ImageFormat::Jpeg);
        bytes.extend_from_slice(&[0; 16]);
        assert_eq!(sniff(&bytes, &no_claim()).unwrap(), SourceFormat::Jpeg);
    }

    #[test]
    fn a_webp_chunk_that_claims_more_than_the_file_is_invalid() {
        let mut bytes = webp_with_icc(&gradient(8, 8), b"a small profile");
        assert_eq!(sniff(&bytes, &no_claim()).unwrap(), SourceFormat::WebP);
        let at = find(&bytes, b"ICCP").unwrap();
        bytes[at + 4..at + 8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            sniff(&bytes, &no_claim()),
            Err(AssetError::Invalid(_))
        ));
    }
}
