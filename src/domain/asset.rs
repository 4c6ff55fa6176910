//! An uploaded image as the catalogue knows it: its id (the SHA-256 of the original's bytes),
//! the brand it belongs to, what it looks like, and who uploaded it. The pixels themselves are
//! the `assets` module's business; this is only the record.

use chrono::{DateTime, Utc};

/// One asset of one brand.
#[derive(Debug, Clone, PartialEq)]
pub struct Asset {
    /// 64 lower-case hex digits: the SHA-256 of the original file.
    pub id: String,
    pub brand_id: String,
    /// Upright (EXIF orientation applied) size of the original, in pixels.
    pub width: u32,
    pub height: u32,
    /// `jpeg`, `png`, `webp` or `gif`, as sniffed from the bytes.
    pub format: String,
    pub bytes: u64,
    pub alt: Option<String>,
    /// Where the subject is, as fractions of width and height; crops keep it in frame.
    pub focal: Option<(f64, f64)>,
    /// `#rrggbb`.
    pub dominant_color: String,
    /// A BlurHash.
    pub placeholder: String,
    /// The uploader's email.
    pub uploaded_by: String,
    pub created_at: DateTime<Utc>,
}
