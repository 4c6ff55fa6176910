//! Where asset bytes live: a small [`BlobStore`] trait and its filesystem implementation.
//!
//! Originals are content-addressed: an [`AssetId`] is the SHA-256 of the uploaded bytes, so the
//! same image uploaded twice is one file. Renditions live beside their original, named by their
//! [`RenditionKey`] (`<id>/mobile.webp`, `<id>/tv.jpg.16x9`). A key is built only from a
//! validated 64-hex-digit id and an enum-made file name, so no request can name a path outside
//! the store. Writes go to a temporary file in the target folder, are fsynced and renamed into
//! place: a crash leaves either the whole file or none. The trait is small enough for an object
//! store to implement without touching callers (see [`super::object_store`]); a store that
//! cannot be reached says so with [`StoreUnavailable`] inside the `io::Error`.

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sha2::{Digest, Sha256};

use super::RenditionKey;

/// The SHA-256 of an original's bytes, as 64 lower-case hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AssetId(String);

impl AssetId {
    /// The id of these bytes.
    pub fn of(bytes: &[u8]) -> AssetId {
        AssetId(hex::encode(Sha256::digest(bytes)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AssetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The text is not 64 lower-case hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an asset id")]
pub struct InvalidAssetId;

impl FromStr for AssetId {
    type Err = InvalidAssetId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
        if text.len() == 64 && text.bytes().all(hex) {
            Ok(AssetId(text.to_owned()))
        } else {
            Err(InvalidAssetId)
        }
    }
}

/// One stored blob: an original or one of its renditions.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BlobKey {
    Original(AssetId),
    Rendition(AssetId, RenditionKey),
    /// A rendition cropped to an aspect around a focal point (in basis points, see
    /// [`super::renditions::Focal::basis_points`]): `<id>/tv.jpg.16x9.f2500x7500`.
    Cropped(AssetId, RenditionKey, (u16, u16)),
}

impl BlobKey {
    /// The key's path relative to the store's root, made only of validated parts.
    pub fn relative_path(&self) -> PathBuf {
        match self {
            BlobKey::Original(id) => Path::new(id.as_str()).join("original"),
            BlobKey::Rendition(id, key) => Path::new(id.as_str()).join(key.to_string()),
            BlobKey::Cropped(id, key, (x, y)) => {
                Path::new(id.as_str()).join(format!("{key}.f{x}x{y}"))
            }
        }
    }

    /// The same path as a `/`-separated name (`<id>/original`, `<id>/mobile.webp`).
    pub fn name(&self) -> String {
        match self {
            BlobKey::Original(id) => format!("{id}/original"),
            BlobKey::Rendition(id, key) => format!("{id}/{key}"),
            BlobKey::Cropped(id, key, (x, y)) => format!("{id}/{key}.f{x}x{y}"),
        }
    }
}

/// Stores blobs by key. Implementations must make `put` atomic: a reader sees the whole blob or
/// none, whatever happens during the write.
pub trait BlobStore: Send + Sync + 'static {
    /// Stores `bytes` under `key` unless something is already there: the first write wins, so
    /// a blob never changes once stored (content-addressed keys never change meaning).
    fn put(&self, key: &BlobKey, bytes: &[u8]) -> io::Result<()>;
    /// The blob's bytes, or `None` when absent.
    fn get(&self, key: &BlobKey) -> io::Result<Option<Vec<u8>>>;
    fn exists(&self, key: &BlobKey) -> io::Result<bool>;
    /// Whether the store answered its last health probe (cheap: never waits on the store).
    fn healthy(&self) -> bool {
        true
    }
}

/// The store could not be reached or refused to answer (down, timed out, a server error); the
/// message is safe to log and names no secret.
#[derive(Debug, thiserror::Error)]
#[error("the asset store is unavailable: {0}")]
pub struct StoreUnavailable(pub String);

impl StoreUnavailable {
    /// An `io::Error` carrying this cause, for [`BlobStore`]'s results.
    pub fn io(cause: impl fmt::Display) -> io::Error {
        io::Error::other(StoreUnavailable(cause.to_string()))
    }

    /// Whether `error` says the store is unavailable.
    pub fn is(error: &io::Error) -> bool {
        error.get_ref().is_some_and(|e| e.is::<StoreUnavailable>())
    }
}

/// Blobs as files under a root folder.
#[derive(Debug, Clone)]
pub struct FsBlobStore {
    root: PathBuf,
}

impl FsBlobStore {
    /// A store rooted at `root`, created if missing.
    pub fn open(root: impl Into<PathBuf>) -> io::Result<FsBlobStore> {
        let root = root.into();
        fs::create_dir_all(&root)?;
        Ok(FsBlobStore { root })
    }

    fn path(&self, key: &BlobKey) -> PathBuf {
        self.root.join(key.relative_path())
    }
}

impl BlobStore for FsBlobStore {
    fn put(&self, key: &BlobKey, bytes: &[u8]) -> io::Result<()> {
        let path = self.path(key);
        if path.exists() {
            return Ok(());
        }
        let dir = path.parent().expect("a key has a folder");
        fs::create_dir_all(dir)?;
        let mut temp = tempfile::Builder::new()
            .prefix(".incoming-")
            .tempfile_in(dir)?;
        temp.write_all(bytes)?;
        temp.as_file().sync_all()?;
        // The first writer wins: a blob never changes once readers may have seen it.
        match temp.persist_noclobber(&path) {
            Ok(_) => sync_dir(dir),
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(e.error),
        }
    }

    fn get(&self, key: &BlobKey) -> io::Result<Option<Vec<u8>>> {
        match fs::read(self.path(key)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn exists(&self, key: &BlobKey) -> io::Result<bool> {
        self.path(key).try_exists()
    }
}

/// Makes the rename durable: on Unix a directory entry is only safe once its folder is synced.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    fs::File::open(dir)?.sync_all()?;
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assets::RenditionFormat;
    use crate::domain::device::Device;

    fn store() -> (tempfile::TempDir, FsBlobStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(dir.path().join("blobs")).unwrap();
        (dir, store)
    }

    #[test]
    fn put_then_get_round_trips() {
        let (_dir, store) = store();
        let id = AssetId::of(b"pixels");
        let key = BlobKey::Original(id.clone());
        assert!(!store.exists(&key).unwrap());
        store.put(&key, b"pixels").unwrap();
        assert_eq!(store.get(&key).unwrap().unwrap(), b"pixels");
        let rendition = BlobKey::Rendition(
            id,
            RenditionKey::new(Device::Tv, RenditionFormat::WebP, None),
        );
        assert_eq!(store.get(&rendition).unwrap(), None);
    }

    #[test]
    fn no_temporary_file_is_left_behind() {
        let (_dir, store) = store();
        let id = AssetId::of(b"x");
        store.put(&BlobKey::Original(id.clone()), b"x").unwrap();
        let names: Vec<_> = fs::read_dir(store.root.join(id.as_str()))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("original")]);
    }

    #[test]
    fn ids_are_validated_hex() {
        assert!("../../etc/passwd".parse::<AssetId>().is_err());
        assert!("A".repeat(64).parse::<AssetId>().is_err());
        assert!(format!("{}/", "a".repeat(63)).parse::<AssetId>().is_err());
        assert_eq!(
            AssetId::of(b"").as_str().parse::<AssetId>().unwrap(),
            AssetId::of(b"")
        );
    }

    #[test]
    fn rendition_paths_stay_in_the_asset_folder() {
        let id = AssetId::of(b"a");
        let key = RenditionKey::new(
            Device::Mobile,
            RenditionFormat::Jpeg,
            Some(crate::assets::Aspect::Wide),
        );
        let path = BlobKey::Rendition(id.clone(), key).relative_path();
        assert_eq!(path, Path::new(id.as_str()).join("mobile.jpg.16x9"));
    }
}
