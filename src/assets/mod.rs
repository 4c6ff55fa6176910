//! Image assets: upload validation, the content-addressed blob store and device renditions.
//!
//! An upload goes through four steps, each in its own module:
//! 1. [`sniff`] names the format from the magic bytes alone and refuses anything that is not a
//!    JPEG, PNG, WebP or GIF, that lies about its type, is truncated or carries a second file;
//! 2. [`decode`] reads the header first (so a decompression bomb is refused before it allocates),
//!    then decodes under `image::Limits`, applies the EXIF orientation and ends in 8-bit sRGB
//!    ([`colour`] converts pixels tagged with an ICC profile; [`metadata`] reads the profile and
//!    the orientation under caps, so a compressed chunk cannot inflate into a bomb);
//! 3. [`analyse`] computes the dominant colour and a BlurHash placeholder;
//! 4. [`blob`] stores the original under the SHA-256 of its bytes, atomically.
//!
//! Blobs live in the data dir by default, or in an S3-compatible store ([`object_store`]) with
//! a bounded disk cache in front ([`cache`]), so that every node serves every asset.
//! [`renditions`] makes the WebP and JPEG files for every device (and the allowed aspect crops);
//! [`service`] ties it together on the blocking pool with bounded concurrency. Nothing here knows
//! about HTTP, GraphQL or the database: callers keep the metadata row and map [`AssetError`].

pub mod analyse;
pub mod blob;
pub mod cache;
pub mod colour;
pub mod decode;
pub mod metadata;
pub mod object_store;
pub mod renditions;
pub mod service;
pub mod sniff;
pub mod urls;

#[cfg(test)]
mod fuzz;
#[cfg(test)]
pub(crate) mod peak;
#[cfg(test)]
pub(crate) mod testimages;

use std::path::Path;
use std::sync::Arc;

pub use self::cache::CachedBlobStore;
pub use self::object_store::{S3BlobStore, S3Location, S3Settings};
pub use blob::{AssetId, BlobKey, BlobStore, FsBlobStore, StoreUnavailable};
pub use renditions::{Aspect, Focal, RenditionFormat, RenditionKey};
pub use service::{Assets, Ingested};
pub use sniff::{Claim, SourceFormat};

/// Where blobs live: `<data_dir>/assets` when `s3` is `None`; else the object store, with a
/// disk cache of at most `cache_bytes` in `<data_dir>/asset-cache`.
pub fn open_store(
    s3: Option<&S3Settings>,
    data_dir: &Path,
    cache_bytes: u64,
) -> anyhow::Result<Arc<dyn BlobStore>> {
    let cannot = |root: &Path, e| anyhow::anyhow!("cannot create {}: {e}", root.display());
    let Some(s3) = s3 else {
        let root = data_dir.join("assets");
        return Ok(Arc::new(
            FsBlobStore::open(&root).map_err(|e| cannot(&root, e))?,
        ));
    };
    let remote = S3BlobStore::connect(s3).map_err(anyhow::Error::msg)?;
    let root = data_dir.join("asset-cache");
    let cached = CachedBlobStore::open(remote, &root, cache_bytes).map_err(|e| cannot(&root, e))?;
    Ok(Arc::new(cached))
}

/// Why an upload or a rendition could not be made. Each variant maps to one HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum AssetError {
    /// Not an image type we take (SVG, TIFF, PDF, …): 415.
    #[error("unsupported media type: {0}")]
    Unsupported(String),
    /// Corrupt, truncated, lying about its type or carrying a second file: 400.
    #[error("invalid image: {0}")]
    Invalid(String),
    /// Over the byte, dimension or pixel limits: 413.
    #[error("image too large: {0}")]
    TooLarge(String),
    /// The asset or rendition does not exist: 404.
    #[error("not found")]
    NotFound,
    /// The object store is down, timed out or failed; nothing was half-stored: 503.
    #[error("{0}")]
    Unavailable(String),
    /// The disk is full (`ENOSPC`); nothing was half-stored: 503 "storage full".
    #[error("storage full: {0}")]
    StorageFull(String),
    /// Disk or encoder failure; the cause is logged, never shown: 500.
    #[error("internal asset error: {0}")]
    Internal(String),
}

impl From<std::io::Error> for AssetError {
    fn from(error: std::io::Error) -> Self {
        if StoreUnavailable::is(&error) {
            AssetError::Unavailable(error.to_string())
        } else if error.kind() == std::io::ErrorKind::StorageFull {
            AssetError::StorageFull(error.to_string())
        } else {
            AssetError::Internal(error.to_string())
        }
    }
}

/// How large an upload may be. Checked on the bytes, on the header's dimensions before
/// decoding, and by the decoder's allocation limit while decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssetLimits {
    /// Largest accepted file, in bytes (default 25 MiB).
    pub max_bytes: u64,
    /// Largest accepted width × height (default 50 megapixels).
    pub max_pixels: u64,
    /// Largest accepted width or height on its own (default 50 000).
    pub max_side: u32,
}

impl Default for AssetLimits {
    fn default() -> Self {
        AssetLimits {
            max_bytes: 25 * 1024 * 1024,
            max_pixels: 50_000_000,
            max_side: 50_000,
        }
    }
}
