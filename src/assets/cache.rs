//! A node's disk as a bounded cache in front of a remote blob store.
//!
//! [`CachedBlobStore`] writes to the remote store first and keeps a copy on disk only once the
//! remote holds it; reads are served from disk when they can, else fetched and kept. Blobs are
//! content-addressed and never change, so a cached copy is never stale. The cache holds at most
//! `limit` bytes: the least recently used blobs are deleted to make room (an `lru::LruCache`
//! keeps the order), and a blob larger than the whole cache is not kept. On start the folder is
//! scanned, oldest file first, so a restart keeps what it had. Files are written beside the
//! cache and renamed into place, and every change to the files happens under the one lock that
//! guards the bookkeeping, so the two always agree; a file that vanished anyway (someone emptied
//! the folder) is a miss, not an error.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use lru::LruCache;

use super::blob::{AssetId, BlobKey, BlobStore};

/// Prefix of the files being written; left over ones are deleted on start.
const INCOMING: &str = ".incoming-";

/// A remote store with a bounded disk cache in front.
pub struct CachedBlobStore<R> {
    remote: R,
    cache: DiskCache,
}

impl<R: BlobStore> CachedBlobStore<R> {
    /// `remote` behind a cache in `root` (created if missing) of at most `limit` bytes.
    pub fn open(remote: R, root: impl Into<PathBuf>, limit: u64) -> io::Result<Self> {
        Ok(CachedBlobStore {
            remote,
            cache: DiskCache::open(root.into(), limit)?,
        })
    }

    /// The bytes the cache holds now.
    pub fn cached_bytes(&self) -> u64 {
        self.cache.lock().bytes
    }

    /// Keeps a copy of a blob the remote store holds; a failure only costs a later fetch.
    fn keep(&self, name: &str, bytes: &[u8]) {
        if let Err(e) = self.cache.insert(name, bytes) {
            tracing::warn!(blob = name, error = %e, "cannot keep a blob in the asset cache");
        }
    }
}

impl<R: BlobStore> BlobStore for CachedBlobStore<R> {
    fn put(&self, key: &BlobKey, bytes: &[u8]) -> io::Result<()> {
        self.remote.put(key, bytes)?;
        self.keep(&key.name(), bytes);
        Ok(())
    }

    fn get(&self, key: &BlobKey) -> io::Result<Option<Vec<u8>>> {
        let name = key.name();
        if let Some(bytes) = self.cache.read(&name) {
            return Ok(Some(bytes));
        }
        let found = self.remote.get(key)?;
        if let Some(bytes) = &found {
            self.keep(&name, bytes);
        }
        Ok(found)
    }

    fn exists(&self, key: &BlobKey) -> io::Result<bool> {
        if self.cache.lock().lru.contains(&key.name()) {
            return Ok(true);
        }
        self.remote.exists(key)
    }

    fn healthy(&self) -> bool {
        self.remote.healthy()
    }
}

/// Cached files under `root`, named like the blobs (`<id>/original`), with their sizes in use
/// order.
struct DiskCache {
    root: PathBuf,
    limit: u64,
    entries: Mutex<Entries>,
}

struct Entries {
    lru: LruCache<String, u64>,
    bytes: u64,
}

impl DiskCache {
    fn open(root: PathBuf, limit: u64) -> io::Result<DiskCache> {
        fs::create_dir_all(&root)?;
        let mut found = scan(&root)?;
        found.sort_by_key(|(_, _, modified)| *modified);
        let mut entries = Entries {
            lru: LruCache::unbounded(),
            bytes: 0,
        };
        for (name, size, _) in found {
            entries.bytes += size;
            entries.lru.put(name, size);
        }
        let cache = DiskCache {
            root,
            limit,
            entries: Mutex::new(entries),
        };
        cache.make_room(&mut cache.lock(), 0);
        Ok(cache)
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        // The bookkeeping stays consistent across a panic: each change is one statement.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The cached bytes of `name`, marking it used; `None` when not cached.
    fn read(&self, name: &str) -> Option<Vec<u8>> {
        let mut file = {
            let mut entries = self.lock();
            entries.lru.get(name)?;
            match fs::File::open(self.root.join(name)) {
                Ok(file) => file,
                Err(_) => {
                    entries.forget(name);
                    return None;
                }
            }
        };
        // An open file stays readable even if it is evicted meanwhile.
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).ok()?;
        Some(bytes)
    }

    /// Keeps `bytes` as `name`, evicting the least recently used blobs to stay within the limit.
    fn insert(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let size = bytes.len() as u64;
        if size > self.limit || self.lock().lru.contains(name) {
            return Ok(());
        }
        // Someone may have emptied the folder (the files are only a cache).
        fs::create_dir_all(&self.root)?;
        let mut temp = tempfile::Builder::new()
            .prefix(INCOMING)
            .tempfile_in(&self.root)?;
        temp.write_all(bytes)?;
        let path = self.root.join(name);
        let mut entries = self.lock();
        if entries.lru.contains(name) {
            return Ok(());
        }
        self.make_room(&mut entries, size);
        fs::create_dir_all(path.parent().expect("a blob name has a folder"))?;
        temp.persist(&path).map_err(|e| e.error)?;
        entries.lru.put(name.to_owned(), size);
        entries.bytes += size;
        Ok(())
    }

    /// Deletes the least recently used files until `incoming` more bytes fit.
    fn make_room(&self, entries: &mut Entries, incoming: u64) {
        while entries.bytes + incoming > self.limit {
            let Some((name, size)) = entries.lru.pop_lru() else {
                break;
            };
            entries.bytes -= size;
            let path = self.root.join(&name);
            if let Err(e) = fs::remove_file(&path) {
                if e.kind() != io::ErrorKind::NotFound {
                    tracing::warn!(blob = %name, error = %e, "cannot delete an evicted cached blob");
                }
            }
            // Only succeeds once the asset's folder is empty.
            let _ = fs::remove_dir(path.parent().expect("a blob name has a folder"));
        }
    }
}

impl Entries {
    fn forget(&mut self, name: &str) {
        if let Some(size) = self.lru.pop(name) {
            self.bytes -= size;
        }
    }
}

/// The cached files under `root` (name, size, modification time); deletes half-written ones.
fn scan(root: &Path) -> io::Result<Vec<(String, u64, SystemTime)>> {
    let mut found = Vec::new();
    for dir in fs::read_dir(root)? {
        let dir = dir?;
        let dir_name = dir.file_name().to_string_lossy().into_owned();
        if dir_name.starts_with(INCOMING) {
            let _ = fs::remove_file(dir.path());
            continue;
        }
        if dir_name.parse::<AssetId>().is_err() || !dir.file_type()?.is_dir() {
            continue;
        }
        for file in fs::read_dir(dir.path())? {
            let file = file?;
            let meta = file.metadata()?;
            if !meta.is_file() {
                continue;
            }
            let name = file.file_name().to_string_lossy().into_owned();
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            found.push((format!("{dir_name}/{name}"), meta.len(), modified));
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assets::FsBlobStore;

    fn key(n: u8) -> BlobKey {
        BlobKey::Original(AssetId::of(&[n]))
    }

    fn cached(limit: u64) -> (tempfile::TempDir, CachedBlobStore<FsBlobStore>) {
        let dir = tempfile::tempdir().unwrap();
        let remote = FsBlobStore::open(dir.path().join("remote")).unwrap();
        let store = CachedBlobStore::open(remote, dir.path().join("cache"), limit).unwrap();
        (dir, store)
    }

    fn disk_bytes(root: &Path) -> u64 {
        scan(root).unwrap().iter().map(|(_, size, _)| size).sum()
    }

    #[test]
    fn the_least_recently_used_blob_is_evicted_within_the_limit() {
        let (dir, store) = cached(250);
        for n in 0..3 {
            store.put(&key(n), &[n; 100]).unwrap();
        }
        // The third does not fit beside the first two: the first (least recently used) goes.
        assert_eq!(store.cached_bytes(), 200);
        assert!(!store.cache.lock().lru.contains(&key(0).name()));
        store.get(&key(1)).unwrap();
        store.put(&key(3), &[3; 100]).unwrap();
        let entries = store.cache.lock();
        assert!(entries.lru.contains(&key(1).name()), "used, so kept");
        assert!(!entries.lru.contains(&key(2).name()));
        drop(entries);
        assert_eq!(disk_bytes(&dir.path().join("cache")), 200);
        // Evicted blobs are still served, from the remote store.
        assert_eq!(store.get(&key(0)).unwrap().unwrap(), vec![0; 100]);
        assert!(store.cached_bytes() <= 250);
    }

    #[test]
    fn a_blob_larger_than_the_cache_is_stored_but_not_kept() {
        let (_dir, store) = cached(10);
        store.put(&key(1), &[1; 11]).unwrap();
        assert_eq!(store.cached_bytes(), 0);
        assert_eq!(store.get(&key(1)).unwrap().unwrap().len(), 11);
        assert!(store.exists(&key(1)).unwrap());
    }

    #[test]
    fn a_reopened_cache_keeps_its_files_within_a_new_limit() {
        let (dir, store) = cached(1000);
        for n in 0..5 {
            store.put(&key(n), &[n; 100]).unwrap();
        }
        drop(store);
        let root = dir.path().join("cache");
        fs::write(root.join(".incoming-x"), b"half").unwrap();
        let remote = FsBlobStore::open(dir.path().join("remote")).unwrap();
        let store = CachedBlobStore::open(remote, &root, 300).unwrap();
        assert_eq!(store.cached_bytes(), 300);
        assert_eq!(disk_bytes(&root), 300);
        assert!(!root.join(".incoming-x").exists());
    }

    #[test]
    fn a_vanished_cache_file_is_a_miss() {
        let (dir, store) = cached(1000);
        store.put(&key(1), b"pixels").unwrap();
        fs::remove_dir_all(dir.path().join("cache")).unwrap();
        assert_eq!(store.get(&key(1)).unwrap().unwrap(), b"pixels");
        assert_eq!(store.cached_bytes(), 6);
        assert_eq!(store.cache.read(&key(1).name()).unwrap(), b"pixels");
    }
}
