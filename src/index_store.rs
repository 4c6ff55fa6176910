//! Where the derived indexes (search, usage) live on disk, and what happens when one is broken.
//!
//! An index is derived from the database, so a broken one is never a reason not to serve:
//! truncated or garbage segment files, a file where the directory should be, anything that makes
//! opening fail except another process holding its lock, gets the index moved aside (kept for a
//! post-mortem as `<dir>.broken-<time>`) and a new, empty one created in its place, which the
//! caller then rebuilds from the database.

use std::fmt::Display;
use std::path::{Path, PathBuf};

/// Opens the index in `dir` with `open`; when that fails for any reason but `is_locked`, moves
/// the directory aside and opens again (creating the index empty). The second attempt's outcome
/// is final.
pub fn open_or_set_aside<T, E: Display>(
    dir: &Path,
    what: &str,
    open: impl Fn(&Path) -> Result<T, E>,
    is_locked: impl Fn(&E) -> bool,
) -> Result<T, E> {
    match open(dir) {
        Err(error) if !is_locked(&error) => {
            match set_aside(dir) {
                Ok(moved) => tracing::warn!(
                    index = what,
                    error = %error,
                    moved_to = %moved.display(),
                    "the index cannot be opened; moved it aside and rebuilding it from the database"
                ),
                Err(io) => tracing::warn!(
                    index = what,
                    error = %error,
                    cause = %io,
                    "the index cannot be opened nor moved aside; trying to create it again"
                ),
            }
            open(dir)
        }
        other => other,
    }
}

/// Renames `dir` (a directory or a file) to `<dir>.broken-<UTC time>`; returns the new path.
pub fn set_aside(dir: &Path) -> std::io::Result<PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ");
    let mut name = dir.as_os_str().to_owned();
    name.push(format!(".broken-{stamp}"));
    let moved = PathBuf::from(name);
    std::fs::rename(dir, &moved)?;
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_index_is_moved_aside_and_opened_again() {
        let data = tempfile::tempdir().unwrap();
        let dir = data.path().join("search");
        std::fs::write(&dir, b"not a directory").unwrap();
        let opened = open_or_set_aside(
            &dir,
            "test",
            |d| {
                std::fs::create_dir(d)
                    .map(|_| "created")
                    .map_err(|e| e.to_string())
            },
            |_| false,
        );
        assert_eq!(opened, Ok("created"));
        let moved: Vec<_> = std::fs::read_dir(data.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with("search.broken-"))
            .collect();
        assert_eq!(moved.len(), 1, "the broken file is kept aside");
    }

    #[test]
    fn a_locked_index_is_left_alone() {
        let data = tempfile::tempdir().unwrap();
        let dir = data.path().join("search");
        std::fs::create_dir(&dir).unwrap();
        let opened: Result<(), String> = open_or_set_aside(
            &dir,
            "test",
            |_| Err("locked".to_string()),
            |e| e == "locked",
        );
        assert_eq!(opened, Err("locked".to_string()));
        assert!(dir.is_dir(), "nothing was moved");
    }
}
