//! An XLSX workbook's shared-string table held within a memory budget. Every string goes into
//! one byte arena with its end offset in an index (no `String` per entry); once the arena or
//! the index would pass its budget, what follows goes to an unlinked temporary file (owner
//! only: it holds raw identifiers) and is read back by positioned reads through a small
//! window per reader ([`Lookup`]: the workers read the one table at once), so a workbook of
//! any size costs at most the budgets plus a window per reader.
//!
//! Strings are looked up by index as a sheet's cells name them. Workbooks written by Excel
//! and by libraries number strings in the order they first appear in the sheets, so reads of
//! the spilled part mostly move forward: one window read serves many cells.
//!
//! Imports nothing of the crate.

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};

/// Arena bytes kept in memory before the rest is spilled.
pub const ARENA_BUDGET: usize = 64 << 20;
/// Index bytes (8 per string) kept in memory before the rest is spilled: 2M strings.
pub const INDEX_BUDGET: usize = 16 << 20;
/// Bytes read at once from a spilled file.
const WINDOW: usize = 64 << 10;

/// An append-only byte store: the first `budget` bytes in memory, the rest in a file.
struct Store {
    mem: Vec<u8>,
    budget: usize,
    file: Option<Spilled>,
}

/// The part of a [`Store`] past its budget, written through a buffer.
struct Spilled {
    file: File,
    /// Bytes appended and not yet written to `file`.
    pending: Vec<u8>,
    /// Bytes in `file` (not counting `pending`).
    written: u64,
}

/// Bytes of a spilled file read at once, kept by each reader of the table (a worker's chunk)
/// so that reads that move forward cost one positioned read per [`WINDOW`].
#[derive(Default)]
pub struct Window {
    bytes: Vec<u8>,
    at: u64,
}

impl Store {
    fn new(budget: usize) -> Store {
        Store {
            mem: Vec::new(),
            budget,
            file: None,
        }
    }

    /// Every byte appended so far.
    fn len(&self) -> u64 {
        let spilled = self
            .file
            .as_ref()
            .map_or(0, |s| s.written + s.pending.len() as u64);
        self.mem.len() as u64 + spilled
    }

    fn push(&mut self, b: &[u8]) -> io::Result<()> {
        if self.file.is_none() && self.mem.len() + b.len() <= self.budget {
            if self.mem.capacity() - self.mem.len() < b.len() {
                // Grown by doubling, but never reserved past the budget.
                let want = (self.mem.capacity() * 2).max(4096).min(self.budget);
                self.mem
                    .reserve_exact(want.max(self.mem.len() + b.len()) - self.mem.len());
            }
            self.mem.extend_from_slice(b);
            return Ok(());
        }
        let s = match &mut self.file {
            Some(s) => s,
            None => self.file.insert(Spilled::new()?),
        };
        s.pending.extend_from_slice(b);
        if s.pending.len() >= WINDOW {
            s.flush()?;
        }
        Ok(())
    }

    /// Appends bytes `start..end` to `out`, the spilled ones through `win`.
    fn read(&self, start: u64, end: u64, out: &mut Vec<u8>, win: &mut Window) -> io::Result<()> {
        let in_mem = self.mem.len() as u64;
        if end <= in_mem {
            out.extend_from_slice(&self.mem[start as usize..end as usize]);
            return Ok(());
        }
        if start < in_mem {
            out.extend_from_slice(&self.mem[start as usize..]);
        }
        let s = self.file.as_ref().ok_or_else(past_end)?;
        s.read(start.max(in_mem) - in_mem, end - in_mem, out, win)
    }

    /// Ends appending: what is pending is written so it can be read.
    fn seal(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(s) => s.flush(),
            None => Ok(()),
        }
    }
}

fn past_end() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "past the end of the table")
}

impl Spilled {
    fn new() -> io::Result<Spilled> {
        Ok(Spilled {
            file: tempfile::tempfile()?,
            pending: Vec::new(),
            written: 0,
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.seek(SeekFrom::Start(self.written))?;
        self.file.write_all(&self.pending)?;
        self.written += self.pending.len() as u64;
        self.pending.clear();
        Ok(())
    }

    /// Appends file bytes `start..end` to `out`, through `win`: reads that move forward
    /// slide the window; a read behind it (a string named again, long after it was first)
    /// reads just its bytes, so that it neither costs a whole window nor throws away the one
    /// the forward reads still use.
    fn read(&self, start: u64, end: u64, out: &mut Vec<u8>, win: &mut Window) -> io::Result<()> {
        if end > self.written {
            return Err(past_end());
        }
        let win_end = win.at + win.bytes.len() as u64;
        if start < win.at && end - start < WINDOW as u64 {
            let from = out.len();
            out.resize(from + (end - start) as usize, 0);
            return read_at(&self.file, &mut out[from..], start);
        }
        if start < win.at || end > win_end {
            let len = ((end - start) as usize).max(WINDOW);
            let len = len.min((self.written - start) as usize);
            if win.bytes.capacity() > 2 * WINDOW && len <= WINDOW {
                win.bytes = Vec::new();
            }
            win.bytes.resize(len, 0);
            read_at(&self.file, &mut win.bytes, start)?;
            win.at = start;
        }
        let from = (start - win.at) as usize;
        out.extend_from_slice(&win.bytes[from..from + (end - start) as usize]);
        Ok(())
    }
}

/// Fills `buf` from `file` at `offset`, without moving a shared position: every worker reads
/// the one table.
#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, offset)? {
            0 => return Err(past_end()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

/// The shared-string table: strings by index, within [`ARENA_BUDGET`] and [`INDEX_BUDGET`].
pub struct SharedStrings {
    bytes: Store,
    /// Each string's end offset in `bytes`, 8 bytes little-endian.
    ends: Store,
    count: u64,
}

impl Default for SharedStrings {
    fn default() -> Self {
        SharedStrings::with_budgets(ARENA_BUDGET, INDEX_BUDGET)
    }
}

impl SharedStrings {
    /// A table that spills past the given budgets (small ones in tests).
    pub fn with_budgets(arena: usize, index: usize) -> SharedStrings {
        SharedStrings {
            bytes: Store::new(arena),
            ends: Store::new(index),
            count: 0,
        }
    }

    pub fn push(&mut self, s: &[u8]) -> io::Result<()> {
        self.bytes.push(s)?;
        self.ends.push(&self.bytes.len().to_le_bytes())?;
        self.count += 1;
        Ok(())
    }

    /// Ends the table: what was spilled can be read from now on.
    pub fn seal(&mut self) -> io::Result<()> {
        self.bytes.seal()?;
        self.ends.seal()
    }

    /// String `i` when both its ends and its bytes are in memory (the common case: a table
    /// within the budgets), read without the windows.
    fn in_memory(&self, i: usize) -> Option<&[u8]> {
        let (ends, bytes) = (&self.ends.mem, &self.bytes.mem);
        let end_at = |j: usize| -> Option<usize> {
            let b: [u8; 8] = ends.get(j * 8..j * 8 + 8)?.try_into().ok()?;
            usize::try_from(u64::from_le_bytes(b)).ok()
        };
        let start = match i {
            0 => 0,
            _ => end_at(i - 1)?,
        };
        bytes.get(start..end_at(i)?)
    }

    /// A reader of the sealed table, with its own windows.
    pub fn lookup(&self) -> Lookup<'_> {
        Lookup {
            table: self,
            bytes: Window::default(),
            ends: Window::default(),
            scratch: Vec::with_capacity(16),
        }
    }
}

/// Reads strings of a sealed [`SharedStrings`] by index; one per thread.
pub struct Lookup<'a> {
    table: &'a SharedStrings,
    bytes: Window,
    ends: Window,
    scratch: Vec<u8>,
}

impl Lookup<'_> {
    /// Appends string `i` to `out`; `false` when the table has no such string.
    pub fn get(&mut self, i: u64, out: &mut Vec<u8>) -> io::Result<bool> {
        if i >= self.table.count {
            return Ok(false);
        }
        if let Some(s) = self.table.in_memory(i as usize) {
            out.extend_from_slice(s);
            return Ok(true);
        }
        let (start, end) = self.bounds(i)?;
        self.table.bytes.read(start, end, out, &mut self.bytes)?;
        Ok(true)
    }

    /// Where string `i` starts and ends in the arena, from one read of the index.
    fn bounds(&mut self, i: u64) -> io::Result<(u64, u64)> {
        self.scratch.clear();
        let from = i.saturating_sub(1) * 8;
        let t = self.table;
        t.ends
            .read(from, i * 8 + 8, &mut self.scratch, &mut self.ends)?;
        let at = |k: usize| -> io::Result<u64> {
            let b: [u8; 8] = self.scratch[k..k + 8].try_into().map_err(|_| past_end())?;
            Ok(u64::from_le_bytes(b))
        };
        match i {
            0 => Ok((0, at(0)?)),
            _ => Ok((at(0)?, at(8)?)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(t: &SharedStrings, i: u64) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        t.lookup().get(i, &mut out).unwrap().then_some(out)
    }

    #[test]
    fn strings_come_back_by_index_in_memory_and_spilled() {
        for (arena, index) in [(1 << 20, 1 << 20), (10, 16), (0, 0)] {
            let mut t = SharedStrings::with_budgets(arena, index);
            let words: Vec<Vec<u8>> = (0..5000)
                .map(|i| format!("nilai-{i}-{}", "x".repeat(i % 7)).into_bytes())
                .collect();
            t.push(b"").unwrap();
            for w in &words {
                t.push(w).unwrap();
            }
            t.seal().unwrap();
            let spilled = t.bytes.file.is_some() && t.ends.file.is_some();
            assert_eq!(spilled, arena < 1 << 20, "{arena}");
            assert_eq!(t.count, 5001);
            assert_eq!(get(&t, 0), Some(Vec::new()));
            // Forward, backward and far jumps all read the same strings.
            let mut one = t.lookup();
            for i in (0..5000).chain((0..5000).rev()).chain([4999, 0, 2500]) {
                let mut out = Vec::new();
                assert!(one.get(i as u64 + 1, &mut out).unwrap());
                assert_eq!(out, words[i], "{i}");
            }
            assert_eq!(get(&t, 5001), None);
        }
    }

    #[test]
    fn a_string_longer_than_the_window_reads_whole() {
        let mut t = SharedStrings::with_budgets(4, 8);
        let long = vec![b'a'; 3 * WINDOW + 5];
        t.push(b"pendek").unwrap();
        t.push(&long).unwrap();
        t.push(b"akhir").unwrap();
        t.seal().unwrap();
        assert_eq!(get(&t, 1), Some(long));
        assert_eq!(get(&t, 2), Some(b"akhir".to_vec()));
        assert_eq!(get(&t, 0), Some(b"pendek".to_vec()));
    }
}
