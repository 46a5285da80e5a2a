//! The `--records` spill: while the scan runs, each chunk's worker appends its formatted rows
//! (see `analyze::hits::RowBuf`) to one unlinked, owner-only file, once per chunk, and keeps
//! only an index entry ([`RowChunk`]) in its summary; the entries merge with the summaries.
//! Memory does not grow with the findings. `report::records` writes FILE from it after the
//! scan. Uses nothing of the other stages.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context, Result};

/// The spill file the workers append their chunks' rows to.
pub struct RowSpill {
    file: Mutex<(File, u64)>,
    /// The first write error, reported when FILE is written.
    error: Mutex<Option<String>>,
}

impl RowSpill {
    /// An anonymous temporary file in `dir` (removed when closed, owner-only while it lives).
    pub fn new_in(dir: &Path) -> Result<RowSpill> {
        let f = tempfile::tempfile_in(dir)
            .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
        Ok(RowSpill {
            file: Mutex::new((f, 0)),
            error: Mutex::new(None),
        })
    }

    /// Appends one chunk's rows and returns its index entry; a write error is kept for
    /// [`RowSpill::error`] (the scan itself goes on, and FILE is refused at the end).
    pub fn chunk(&self, path: &str, offset: u64, records: u64, bytes: &[u8]) -> RowChunk {
        let (spill_at, spill_len) = if bytes.is_empty() {
            (0, 0)
        } else {
            match self.append(bytes) {
                Ok(at) => at,
                Err(e) => {
                    let mut err = self.error.lock().unwrap_or_else(|e| e.into_inner());
                    err.get_or_insert_with(|| e.to_string());
                    (0, 0)
                }
            }
        };
        RowChunk {
            path: path.to_string(),
            offset,
            records,
            spill_at,
            spill_len,
        }
    }

    /// Appends one chunk's rows; returns where they went.
    pub fn append(&self, bytes: &[u8]) -> io::Result<(u64, u64)> {
        let mut g = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let at = g.1;
        g.0.write_all(bytes)?;
        g.1 += bytes.len() as u64;
        Ok((at, bytes.len() as u64))
    }

    /// The first error an append met, if any: the spill then lacks rows.
    pub fn error(&self) -> Option<String> {
        self.error.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Runs `read` on the spill file, which is locked meanwhile (reading seeks it).
    pub fn read<T>(&self, read: impl FnOnce(&mut File) -> T) -> T {
        let mut g = self.file.lock().unwrap_or_else(|e| e.into_inner());
        read(&mut g.0)
    }
}

/// One chunk's part of `--records`: where its rows are in the spill, and how many records the
/// chunk held (for the record numbers of the chunks after it).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RowChunk {
    pub path: String,
    /// The chunk's position in the file's (decoded) bytes.
    pub offset: u64,
    pub records: u64,
    pub spill_at: u64,
    pub spill_len: u64,
}
