//! `--records FILE`: one CSV row per record with any candidate (SPEC §2).
//!
//! Each chunk's worker formats its rows into its own buffer (no lock per record) and appends
//! the buffer to an unlinked, owner-only spill file once per chunk, keeping only an index entry
//! ([`RowChunk`]) in its summary. After the scan the chunks are put in (path, offset) order —
//! fixed by the bytes, never by the thread count — and copied to FILE with each row's record
//! number: so FILE is byte-identical for any `-j`, and memory does not grow with the findings.
//!
//! Columns: `path`, `record` (the record's number in its file, 1-based: the header and blank
//! rows are not records), `tier` (`confirmed`, `valid`: holds a valid identifier of any kind,
//! `candidate`), `kinds` (every kind with a candidate, `;`-separated), `valid` and `invalid`
//! (`kind:value` items separated by spaces, masked unless `--reveal`), `fingerprints`
//! (`kind:hex` HMAC-SHA256 of each valid value, only with `--key`).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context, Result};

use crate::rules::Kind;
use crate::summary::fingerprint::{push_hex, Key};

pub const HEADER: &str = "path,record,tier,kinds,valid,invalid,fingerprints\n";

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
    /// [`write_records`] to report (the scan itself goes on).
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

/// One finding of a record, its normalized value in [`RecordHits::arena`].
#[derive(Clone, Copy, Debug)]
struct Hit {
    kind: Kind,
    valid: bool,
    start: u32,
    end: u32,
}

/// The findings of the record being analyzed (scratch, reused).
#[derive(Default)]
pub struct RecordHits {
    arena: Vec<u8>,
    hits: Vec<Hit>,
}

impl RecordHits {
    pub fn clear(&mut self) {
        self.arena.clear();
        self.hits.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.hits.is_empty()
    }

    pub fn any_valid(&self) -> bool {
        self.hits.iter().any(|h| h.valid)
    }

    /// Adds a finding; `parts` are concatenated to its normalized value.
    pub fn push(&mut self, kind: Kind, valid: bool, parts: &[&[u8]]) {
        let start = self.arena.len() as u32;
        for p in parts {
            self.arena.extend_from_slice(p);
        }
        if kind == Kind::Email {
            self.arena[start as usize..].make_ascii_lowercase();
        }
        self.hits.push(Hit {
            kind,
            valid,
            start,
            end: self.arena.len() as u32,
        });
    }

    fn value(&self, h: &Hit) -> &[u8] {
        &self.arena[h.start as usize..h.end as usize]
    }
}

/// A record's tier in `--records`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    Confirmed,
    Valid,
    Candidate,
}

impl Tier {
    pub fn name(self) -> &'static str {
        match self {
            Tier::Confirmed => "confirmed",
            Tier::Valid => "valid",
            Tier::Candidate => "candidate",
        }
    }
}

/// Appends a masked value (SPEC §7) to `out`; values are ASCII.
pub fn push_mask(kind: Kind, v: &[u8], out: &mut Vec<u8>) {
    let stars = |s: &[u8], head: usize, tail: usize, out: &mut Vec<u8>| {
        if s.len() <= head + tail {
            out.extend(std::iter::repeat_n(b'*', s.len()));
            return;
        }
        out.extend_from_slice(&s[..head]);
        out.extend(std::iter::repeat_n(b'*', s.len() - head - tail));
        out.extend_from_slice(&s[s.len() - tail..]);
    };
    match kind {
        Kind::Nik | Kind::Kk | Kind::BpjsCard => stars(v, 4, 2, out),
        Kind::Phone => stars(v, 6, 3, out),
        Kind::Email => match v.iter().position(|&b| b == b'@') {
            Some(at) => {
                stars(&v[..at], 1, 0, out);
                out.extend_from_slice(&v[at..]);
            }
            None => stars(v, 1, 0, out),
        },
    }
}

/// One chunk's rows: each is `u32 record-in-chunk`, `u32 length`, then the row from `tier` on.
#[derive(Default)]
pub struct RowBuf {
    pub bytes: Vec<u8>,
    scratch: Vec<u8>,
}

impl RowBuf {
    /// Formats one record's row.
    pub fn push(
        &mut self,
        record_in_chunk: u64,
        tier: Tier,
        hits: &RecordHits,
        key: Option<&Key>,
        reveal: bool,
    ) {
        let s = &mut self.scratch;
        s.clear();
        s.extend_from_slice(tier.name().as_bytes());
        s.push(b',');
        let mut first = true;
        for k in Kind::ALL {
            if hits.hits.iter().any(|h| h.kind == k) {
                if !first {
                    s.push(b';');
                }
                first = false;
                s.extend_from_slice(k.name().as_bytes());
            }
        }
        for want_valid in [true, false] {
            s.push(b',');
            let mut field = Vec::new();
            for h in hits.hits.iter().filter(|h| h.valid == want_valid) {
                if !field.is_empty() {
                    field.push(b' ');
                }
                field.extend_from_slice(h.kind.name().as_bytes());
                field.push(b':');
                if reveal {
                    field.extend_from_slice(hits.value(h));
                } else {
                    push_mask(h.kind, hits.value(h), &mut field);
                }
            }
            crate::record::write_csv_field(&field, s);
        }
        s.push(b',');
        if let Some(key) = key {
            let mut first = true;
            for h in hits.hits.iter().filter(|h| h.valid) {
                if !first {
                    s.push(b' ');
                }
                first = false;
                s.extend_from_slice(h.kind.name().as_bytes());
                s.push(b':');
                push_hex(&key.fingerprint(hits.value(h)), s);
            }
        }
        s.push(b'\n');
        self.bytes
            .extend_from_slice(&(record_in_chunk as u32).to_le_bytes());
        self.bytes
            .extend_from_slice(&(s.len() as u32).to_le_bytes());
        self.bytes.extend_from_slice(s);
    }
}

/// Writes FILE (whole and owner-only, see [`crate::outputs::write`]) from the chunks' rows in
/// (path, offset) order, numbering records per file. `name` gives each entry's path as shown
/// (masked unless `--reveal`, SPEC §7).
pub fn write_records(
    path: &Path,
    spill: &RowSpill,
    mut chunks: Vec<RowChunk>,
    name: &mut dyn FnMut(&str) -> String,
) -> Result<()> {
    if let Some(e) = spill
        .error
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
    {
        anyhow::bail!(
            "writing the rows of {} to a temporary file: {e}",
            path.display()
        );
    }
    chunks.sort();
    let mut g = spill.file.lock().unwrap_or_else(|e| e.into_inner());
    let src = &mut g.0;
    crate::outputs::write(path, |out| copy_rows(src, &chunks, name, out))
}

fn copy_rows<R: Read + Seek>(
    src: &mut R,
    chunks: &[RowChunk],
    name: &mut dyn FnMut(&str) -> String,
    out: &mut dyn Write,
) -> io::Result<()> {
    out.write_all(HEADER.as_bytes())?;
    let mut buf = Vec::new();
    let mut path_field = Vec::new();
    let mut current: Option<&str> = None;
    let mut base = 0u64;
    for c in chunks {
        if current != Some(c.path.as_str()) {
            current = Some(c.path.as_str());
            base = 0;
            path_field.clear();
            let shown = name(&c.path);
            crate::record::write_csv_field(
                crate::escape::csv_cell(&shown).as_bytes(),
                &mut path_field,
            );
        }
        if c.spill_len > 0 {
            buf.resize(c.spill_len as usize, 0);
            src.seek(SeekFrom::Start(c.spill_at))?;
            src.read_exact(&mut buf)?;
            let mut i = 0;
            while i + 8 <= buf.len() {
                let rec = u32::from_le_bytes(buf[i..i + 4].try_into().expect("4 bytes")) as u64;
                let len = u32::from_le_bytes(buf[i + 4..i + 8].try_into().expect("4 bytes"));
                let end = (i + 8 + len as usize).min(buf.len());
                out.write_all(&path_field)?;
                write!(out, ",{},", base + rec)?;
                out.write_all(&buf[i + 8..end])?;
                i = end;
            }
        }
        base += c.records;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::mask;

    #[test]
    fn byte_masks_match_the_report_masks() {
        for (k, v) in [
            (Kind::Nik, "3171010101900001"),
            (Kind::BpjsCard, "0001234567890"),
            (Kind::Phone, "+6281234567890"),
            (Kind::Email, "budi@gmail.com"),
            (Kind::Email, "b@x.id"),
            (Kind::Phone, "+62"),
        ] {
            let mut out = Vec::new();
            push_mask(k, v.as_bytes(), &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), mask(k, v), "{v}");
        }
    }

    #[test]
    fn rows_are_numbered_per_file_in_offset_order() {
        let dir = tempfile::tempdir().unwrap();
        let spill = RowSpill::new_in(dir.path()).unwrap();
        let key = Key::new(b"k").unwrap();
        let mut hits = RecordHits::default();
        let mut chunk = |records: u64, rows: &[u64], path: &str, offset: u64| {
            let mut b = RowBuf::default();
            for &r in rows {
                hits.clear();
                hits.push(Kind::Nik, true, &[b"3171010101900001"]);
                hits.push(Kind::Email, false, &[b"A,B@x"]);
                b.push(r, Tier::Valid, &hits, Some(&key), false);
            }
            let (spill_at, spill_len) = spill.append(&b.bytes).unwrap();
            RowChunk {
                path: path.into(),
                offset,
                records,
                spill_at,
                spill_len,
            }
        };
        // Written out of order, as workers finish.
        let c2 = chunk(5, &[2], "a.csv", 100);
        let c1 = chunk(3, &[1, 3], "a.csv", 0);
        let c3 = chunk(1, &[1], "b,c.txt", 0);
        let out = dir.path().join("records.csv");
        write_records(&out, &spill, vec![c3, c2, c1], &mut |n| n.to_string()).unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], HEADER.trim_end());
        assert!(
            lines[1].starts_with("a.csv,1,valid,nik;email,nik:3171**********01,email:a**@x,nik:")
        );
        assert!(lines[2].starts_with("a.csv,3,"));
        assert!(
            lines[3].starts_with("a.csv,5,"),
            "3 records before, then the 2nd"
        );
        assert!(lines[4].starts_with("\"b,c.txt\",1,"));
        assert_eq!(lines.len(), 5);
        assert!(!text.contains("3171010101900001"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&out).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
