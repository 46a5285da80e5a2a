//! dBase III/IV/V, FoxPro and Visual FoxPro tables (`.dbf`), as old hospital and civil
//! registry systems keep them: a header, 32-byte field descriptors ending in `0x0D`, then
//! fixed-width records, each a deletion flag and its fields. One record per row, fields named
//! by the descriptors (SPEC §3, §4); a row marked deleted is still a row of the leak, so it is
//! read too. Streamed: one row in memory at a time.
//!
//! Character and numeric fields are handed over as written, trimmed; dates (`D`, `YYYYMMDD`)
//! as written, which the birth-date rule reads (SPEC §6); binary integers (`I`) as decimal
//! text; memo pointers and other binary types hold no text and are left out. Imports the
//! packer.

use crate::bytes::read_up_to;
use std::io::Read;

use crate::formats::packed::{Budget, Packer, Stop};

/// The largest header a DBF can declare (its length is 16 bits).
const MAX_HEADER: usize = u16::MAX as usize;

/// One field descriptor: its name, type and width.
#[derive(Debug, PartialEq, Eq)]
struct Column {
    name: Vec<u8>,
    kind: u8,
    len: usize,
}

/// The table's shape, from its header.
#[derive(Debug)]
struct Table {
    rows: u64,
    header_len: usize,
    record_len: usize,
    columns: Vec<Column>,
}

/// Reads every row of a DBF table from `r` into `out`.
pub fn read(r: &mut dyn Read, _budget: &Budget, out: &mut Packer) -> Result<(), Stop> {
    let mut head = [0u8; 32];
    read_all(r, &mut head, "header")?;
    let header_len = usize::from(u16::from_le_bytes([head[8], head[9]]));
    if !(33..=MAX_HEADER).contains(&header_len) {
        return Err(Stop::Damaged(format!("header length {header_len}")));
    }
    let mut descriptors = vec![0u8; header_len - 32];
    read_all(r, &mut descriptors, "field descriptors")?;
    let table = Table {
        rows: u64::from(u32::from_le_bytes([head[4], head[5], head[6], head[7]])),
        header_len,
        record_len: usize::from(u16::from_le_bytes([head[10], head[11]])),
        columns: columns(&descriptors)?,
    };
    rows(r, &table, out)
}

/// The field descriptors, up to their `0x0D` terminator; their widths must add up (with the
/// deletion flag) to the record length.
fn columns(d: &[u8]) -> Result<Vec<Column>, Stop> {
    let mut cols = Vec::new();
    let mut at = 0;
    while at < d.len() && d[at] != 0x0d {
        let Some(c) = d.get(at..at + 32) else {
            return Err(Stop::Damaged("field descriptor cut short".into()));
        };
        let name_len = c[..11].iter().position(|&b| b == 0).unwrap_or(11);
        // Clipper and FoxPro keep a long character field's high length byte in the
        // decimal-count byte.
        let len = match c[11] {
            b'C' => usize::from(c[16]) | usize::from(c[17]) << 8,
            _ => usize::from(c[16]),
        };
        cols.push(Column {
            name: c[..name_len].to_vec(),
            kind: c[11],
            len,
        });
        at += 32;
    }
    if cols.is_empty() || at >= d.len() {
        return Err(Stop::Damaged("no field descriptor terminator".into()));
    }
    Ok(cols)
}

/// The rows after the header: as many as the header declares, or to the end-of-file mark.
fn rows(r: &mut dyn Read, t: &Table, out: &mut Packer) -> Result<(), Stop> {
    let width: usize = 1 + t.columns.iter().map(|c| c.len).sum::<usize>();
    if width != t.record_len {
        return Err(Stop::Damaged(format!(
            "fields add up to {width} bytes, the header says {}",
            t.record_len
        )));
    }
    let mut row = vec![0u8; t.record_len];
    let mut text = Vec::new();
    for n in 0..t.rows {
        match read_up_to(r, &mut row) {
            Ok(got) if got == row.len() => {}
            // The end-of-file mark before the declared count: some writers count wrong.
            Ok(got) if got > 0 && row[0] == 0x1a => return Ok(()),
            Ok(_) => return Err(cut_short(n, t)),
            Err(e) => return Err(Stop::Damaged(format!("read error after {n} rows: {e}"))),
        }
        out.begin(true);
        let mut at = 1;
        for c in &t.columns {
            let raw = &row[at..at + c.len];
            at += c.len;
            if let Some(v) = value(c.kind, raw, &mut text) {
                out.field(&c.name, v);
            }
        }
        out.end();
    }
    Ok(())
}

fn cut_short(n: u64, t: &Table) -> Stop {
    Stop::Damaged(format!(
        "cut short: {n} of {} rows (header {} bytes, rows {} bytes)",
        t.rows, t.header_len, t.record_len
    ))
}

/// A field's value as text, or `None` for a type that holds none.
fn value<'v>(kind: u8, raw: &'v [u8], text: &'v mut Vec<u8>) -> Option<&'v [u8]> {
    match kind {
        b'C' | b'N' | b'F' | b'D' | b'L' | b'V' => Some(raw.trim_ascii()),
        b'I' if raw.len() == 4 => {
            text.clear();
            let n = i32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]);
            text.extend_from_slice(n.to_string().as_bytes());
            Some(text)
        }
        // Memo block numbers, binary numbers, dates-with-times and null flags.
        _ => None,
    }
}

fn read_all(r: &mut dyn Read, buf: &mut [u8], what: &str) -> Result<(), Stop> {
    r.read_exact(buf)
        .map_err(|e| Stop::Damaged(format!("{what} cut short: {e}")))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::formats::packed::testing::{run, unpack};

    /// A dBase III table of character fields: `(name, width)` columns and rows of values
    /// (padded with spaces); `deleted` marks the first row deleted.
    pub(crate) fn table(cols: &[(&str, u8)], rows: &[&[&str]], deleted: bool) -> Vec<u8> {
        let header_len = 32 + 32 * cols.len() + 1;
        let record_len = 1 + cols.iter().map(|c| usize::from(c.1)).sum::<usize>();
        let mut b = vec![0x03, 126, 1, 1];
        b.extend_from_slice(&(rows.len() as u32).to_le_bytes());
        b.extend_from_slice(&(header_len as u16).to_le_bytes());
        b.extend_from_slice(&(record_len as u16).to_le_bytes());
        b.resize(32, 0);
        for (name, width) in cols {
            let mut d = [0u8; 32];
            d[..name.len()].copy_from_slice(name.as_bytes());
            d[11] = b'C';
            d[16] = *width;
            b.extend_from_slice(&d);
        }
        b.push(0x0d);
        for (i, row) in rows.iter().enumerate() {
            b.push(if deleted && i == 0 { b'*' } else { b' ' });
            for ((_, width), v) in cols.iter().zip(row.iter()) {
                let mut cell = v.as_bytes().to_vec();
                cell.resize(usize::from(*width), b' ');
                b.extend_from_slice(&cell);
            }
        }
        b.push(0x1a);
        b
    }

    fn read_table(b: &[u8]) -> (Vec<Vec<String>>, Result<(), Stop>) {
        let (chunks, result) = run(1 << 30, |budget, p| read(&mut &b[..], budget, p));
        (unpack(&chunks), result)
    }

    const COLS: &[(&str, u8)] = &[("NIK", 16), ("NAMA", 10), ("TGL_LHR", 8)];

    #[test]
    fn rows_are_records_named_by_their_descriptors() {
        let b = table(
            COLS,
            &[
                &["3171010101900001", "Budi", "19900101"],
                &["3171014101900002", "Ani", "19900101"],
            ],
            true,
        );
        let (rows, result) = read_table(&b);
        assert_eq!(result, Ok(()));
        assert_eq!(rows.len(), 2, "a deleted row is still read");
        assert_eq!(rows[0][0], "NIK=3171010101900001");
        assert_eq!(rows[1][1], "NAMA=Ani");
    }

    #[test]
    fn a_cut_table_says_how_far_it_got() {
        let row: &[&str] = &["3171010101900001", "Budi", "19900101"];
        let b = table(COLS, &[row; 3], false);
        let (rows, result) = read_table(&b[..b.len() - 20]);
        assert_eq!(rows.len(), 2);
        match result {
            Err(Stop::Damaged(why)) => assert!(why.starts_with("cut short: 2 of 3 rows"), "{why}"),
            other => panic!("{other:?}"),
        }
        // Every cut of the header or the rows ends in a reason or the rows before it.
        for cut in 0..b.len() {
            let _ = read_table(&b[..cut]);
        }
    }

    #[test]
    fn descriptors_that_do_not_add_up_are_damage() {
        let mut b = table(COLS, &[&["1", "2", "3"]], false);
        b[10] = 99;
        let (rows, result) = read_table(&b);
        assert!(rows.is_empty());
        assert!(matches!(result, Err(Stop::Damaged(w)) if w.contains("add up")));
    }
}
