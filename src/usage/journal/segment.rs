//! One journal segment on disk: a file allocated to its full length when it is created and
//! mapped into memory, records copied into it one after the other.
//!
//! Copying into a shared mapping puts the bytes in the kernel's page cache at once, so a killed
//! process loses nothing it copied, without a system call per append; and since the file never
//! grows, an append changes none of its metadata (a `write()` that lengthens a file makes the
//! file system journal its new size, every time). The space is allocated up front
//! (`posix_fallocate`), so a full disk is an error when a segment is created, never a fault
//! when a page is first written. Unused space is zeros, where a reader stops.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use memmap2::MmapMut;

/// A segment's number: segments are replayed in this order.
pub type Segment = u64;

pub fn segment_path(dir: &Path, segment: Segment) -> PathBuf {
    dir.join(format!("{segment:020}.journal"))
}

/// The numbered segments in `dir`, oldest first.
pub fn list_segments(dir: &Path) -> io::Result<Vec<(Segment, PathBuf)>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let number = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".journal"))
            .and_then(|n| n.parse::<Segment>().ok());
        if let Some(number) = number {
            found.push((number, path));
        }
    }
    found.sort();
    Ok(found)
}

/// A segment being appended to, or closed with events still to commit.
pub struct MappedSegment {
    pub number: Segment,
    file: File,
    map: MmapMut,
    /// Bytes of records written; the rest of the file is zeros.
    used: u64,
}

impl MappedSegment {
    /// Creates segment `number` in `dir`, `len` bytes long, allocated and mapped.
    pub fn create(dir: &Path, number: Segment, len: u64) -> io::Result<MappedSegment> {
        let path = segment_path(dir, number);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        let mapped = allocate(&file, len).and_then(|()| {
            // SAFETY: the file was just created by this process in a directory it holds the
            // journal's lock on, and it is never truncated while mapped: no one else changes
            // the mapped bytes, which this type only writes under `&mut self`.
            unsafe { MmapMut::map_mut(&file) }
        });
        match mapped {
            Ok(map) => Ok(MappedSegment {
                number,
                file,
                map,
                used: 0,
            }),
            Err(e) => {
                let _ = std::fs::remove_file(&path);
                Err(e)
            }
        }
    }

    /// Bytes that still fit in the mapping.
    pub fn room(&self) -> u64 {
        self.map.len() as u64 - self.used
    }

    /// Writes `bytes` after the last record: a copy into the mapping when they fit, else (only
    /// a cancel record added to a full, closed segment) a `pwrite` past its end.
    pub fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        let start = self.used as usize;
        if bytes.len() as u64 <= self.room() {
            self.map[start..start + bytes.len()].copy_from_slice(bytes);
        } else {
            self.file.write_all_at(bytes, self.used)?;
        }
        self.used += bytes.len() as u64;
        Ok(())
    }

    /// A handle on the file for syncing it outside the journal's lock.
    pub fn handle(&self) -> io::Result<File> {
        self.file.try_clone()
    }

    /// Makes what was written durable (`fdatasync` also writes pages dirtied through the map).
    pub fn sync(&self) -> io::Result<()> {
        self.file.sync_data()
    }
}

/// Allocates `len` bytes to `file` (zeros), so writing them can never run out of space.
fn allocate(file: &File, len: u64) -> io::Result<()> {
    let len = libc::off_t::try_from(len.max(1)).map_err(io::Error::other)?;
    // SAFETY: a plain system call on a file descriptor this function borrows.
    match unsafe { libc::posix_fallocate(file.as_raw_fd(), 0, len) } {
        0 => Ok(()),
        errno => Err(io::Error::from_raw_os_error(errno)),
    }
}
