//! `--records FILE`: one CSV row per record with any candidate (SPEC §2), written after the
//! scan from the rows the workers spilled (`summary::rows`).
//!
//! The chunks are put in (path, offset) order — fixed by the bytes, never by the thread count
//! — and copied to FILE with each row's record number: so FILE is byte-identical for any `-j`.
//!
//! Columns: `path`, `record` (the record's number in its file, 1-based: the header and blank
//! rows are not records), `tier` (`confirmed`, `valid`: holds a valid identifier of any kind,
//! `candidate`), `kinds` (every kind with a candidate, `;`-separated), `valid` and `invalid`
//! (`kind:value` items separated by spaces, masked unless `--reveal`), `fingerprints`
//! (`kind:hex` HMAC-SHA256 of each valid value, only with `--key`). The row from `tier` on is
//! made per record by `analyze::hits::RowBuf`.

use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use anyhow::Result;

use crate::escape::{csv_cell, write_csv_field};
use crate::summary::rows::{RowChunk, RowSpill};

pub const HEADER: &str = "path,record,tier,kinds,valid,invalid,fingerprints\n";

/// Writes FILE (whole and owner-only, see [`crate::outputs::write`]) from the chunks' rows in
/// (path, offset) order, numbering records per file. `name` gives each entry's path as shown
/// (masked unless `--reveal`, SPEC §7).
pub fn write_records(
    path: &Path,
    spill: &RowSpill,
    mut chunks: Vec<RowChunk>,
    name: &mut dyn FnMut(&str) -> String,
) -> Result<()> {
    if let Some(e) = spill.error() {
        anyhow::bail!(
            "writing the rows of {} to a temporary file: {e}",
            path.display()
        );
    }
    chunks.sort();
    spill.read(|src| crate::outputs::write(path, |out| copy_rows(src, &chunks, name, out)))
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
            write_csv_field(csv_cell(&name(&c.path)).as_bytes(), &mut path_field);
        }
        if c.spill_len > 0 {
            buf.resize(c.spill_len as usize, 0);
            src.seek(SeekFrom::Start(c.spill_at))?;
            src.read_exact(&mut buf)?;
            copy_chunk(&buf, &path_field, base, out)?;
        }
        base += c.records;
    }
    Ok(())
}

/// One chunk's rows, each `u32 record-in-chunk`, `u32 length`, then the row from `tier` on.
fn copy_chunk(buf: &[u8], path_field: &[u8], base: u64, out: &mut dyn Write) -> io::Result<()> {
    let mut i = 0;
    while i + 8 <= buf.len() {
        let rec = u32::from_le_bytes(buf[i..i + 4].try_into().expect("4 bytes")) as u64;
        let len = u32::from_le_bytes(buf[i + 4..i + 8].try_into().expect("4 bytes"));
        let end = (i + 8 + len as usize).min(buf.len());
        out.write_all(path_field)?;
        write!(out, ",{},", base + rec)?;
        out.write_all(&buf[i + 8..end])?;
        i = end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::hits::{RecordHits, RowBuf, Tier};
    use crate::rules::Kind;
    use crate::summary::fingerprint::Key;

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
            spill.chunk(path, offset, records, &b.bytes)
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

    #[test]
    fn rows_copy_into_memory_with_names_as_shown() {
        // Two chunks of one file in the spill's layout: record 2 of the first, 1 of the second.
        let rows = [(2u32, "valid,nik,,,\n"), (1, "candidate,email,,,\n")];
        let mut spill = Vec::new();
        for (rec, row) in rows {
            spill.extend_from_slice(&rec.to_le_bytes());
            spill.extend_from_slice(&(row.len() as u32).to_le_bytes());
            spill.extend_from_slice(row.as_bytes());
        }
        let first = 8 + rows[0].1.len();
        let chunk = |offset, records, spill_at, spill_len| RowChunk {
            path: "=a.csv".into(),
            offset,
            records,
            spill_at,
            spill_len,
        };
        let chunks = [
            chunk(0, 4, 0, first as u64),
            chunk(9, 1, first as u64, (spill.len() - first) as u64),
        ];
        let mut out = Vec::new();
        let mut upper = |n: &str| n.to_uppercase();
        copy_rows(&mut io::Cursor::new(spill), &chunks, &mut upper, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("{HEADER}'=A.CSV,2,valid,nik,,,\n'=A.CSV,5,candidate,email,,,\n")
        );
    }
}
