//! `--format json`: the summary of SPEC §7 as pretty JSON, written straight from the typed
//! [`Report`] (its field order is the text's), the rows of `files` made as they are written.
//!
//! The sections go through serde_json, each at the report's indent; the rows of `files` (one
//! per entry, the bulk of a dump of small files, written on one core after the scan) are
//! written here by hand in the very text serde_json's pretty printer gives: through serde a
//! row cost three times the rest of a small file's scan, a call per token.

use std::io::{self, BufWriter, Write};

use serde::Serialize;

use crate::report::model::FileRow;
use crate::report::{Exporter, Report};
use crate::rules::Kind;

pub struct Json;

impl Exporter for Json {
    fn export(&self, r: &Report, w: &mut dyn Write) -> io::Result<()> {
        // A buffer over the writer takes the text in 64 KiB blocks, memory bounded however
        // many rows `files` holds.
        let mut b = BufWriter::with_capacity(BATCH, w);
        b.write_all(b"{")?;
        section(&mut b, "schema", &r.schema, true)?;
        section(&mut b, "ledger", &r.ledger, false)?;
        section(&mut b, "records", &r.records, false)?;
        section(&mut b, "identifiers", &r.identifiers, false)?;
        section(&mut b, "attribution", &r.attribution, false)?;
        section(&mut b, "verdict", &r.verdict, false)?;
        section(&mut b, "impact", &r.impact, false)?;
        section(&mut b, "sensitive", &r.sensitive, false)?;
        section(&mut b, "reference", &r.reference, false)?;
        section(&mut b, "custody", &r.custody, false)?;
        b.write_all(b",\n  \"files\": [")?;
        let kinds = kind_keys()?;
        // Rows are made in blocks on the scan's thread count, and written in order.
        let make = |rows: &mut dyn Iterator<Item = FileRow>, first: usize| {
            // Room for the rows at once: a small file's row is about 370 bytes.
            let mut text = Vec::with_capacity(rows.size_hint().0.saturating_mul(400));
            for (i, f) in rows.enumerate() {
                file_row(&mut text, &f, &kinds, first + i == 0)?;
            }
            Ok(text)
        };
        let put = |text: io::Result<Vec<u8>>| b.write_all(&text?);
        r.files.in_blocks(r.run.threads, make, put)?;
        b.write_all(if r.files.is_empty() { b"]" } else { b"\n  ]" })?;
        section(&mut b, "run", &r.run, false)?;
        b.write_all(b"\n}\n")?;
        b.into_inner().map_err(|e| e.into_error())?;
        Ok(())
    }
}

/// Bytes gathered before they go to the exporter's writer.
const BATCH: usize = 64 << 10;

/// One member of the report's object: its key, and its value as serde_json writes it one
/// level in (a raw line break in pretty JSON is only ever between tokens, so indenting each
/// line moves the whole value in).
fn section<T: Serialize>(w: &mut impl Write, key: &str, v: &T, first: bool) -> io::Result<()> {
    w.write_all(if first { b"\n  " } else { b",\n  " })?;
    serde_json::to_writer(&mut *w, key)?;
    w.write_all(b": ")?;
    let text = serde_json::to_vec_pretty(v)?;
    let mut at = 0;
    for nl in memchr::memchr_iter(b'\n', &text) {
        w.write_all(&text[at..=nl])?;
        w.write_all(b"  ")?;
        at = nl + 1;
    }
    w.write_all(&text[at..])
}

/// What goes before each count of a row's `valid`: the kind's key, at its depth.
fn kind_keys() -> io::Result<Vec<Vec<u8>>> {
    let mut keys = Vec::new();
    for (i, k) in Kind::ALL.into_iter().enumerate() {
        let mut key = if i == 0 {
            b"\n        ".to_vec()
        } else {
            b",\n        ".to_vec()
        };
        string(&mut key, k.name())?;
        key.extend_from_slice(b": ");
        keys.push(key);
    }
    Ok(keys)
}

/// One row of `files`, as serde_json's pretty printer writes it at its depth; `kinds` from
/// [`kind_keys`].
fn file_row(out: &mut Vec<u8>, f: &FileRow, kinds: &[Vec<u8>], first: bool) -> io::Result<()> {
    out.extend_from_slice(if first { b"\n    {" } else { b",\n    {" });
    out.extend_from_slice(b"\n      \"path\": ");
    string(out, &f.path)?;
    out.extend_from_slice(b",\n      \"format\": ");
    string(out, f.format)?;
    out.extend_from_slice(b",\n      \"state\": ");
    string(out, f.state)?;
    out.extend_from_slice(b",\n      \"bytes\": ");
    number(out, f.bytes);
    out.extend_from_slice(b",\n      \"records\": ");
    number(out, f.records);
    out.extend_from_slice(b",\n      \"confirmed\": ");
    number(out, f.confirmed);
    out.extend_from_slice(b",\n      \"valid\": {");
    for (key, k) in kinds.iter().zip(Kind::ALL) {
        out.extend_from_slice(key);
        number(out, f.valid.get(k));
    }
    out.extend_from_slice(b"\n      },\n      \"sha256\": ");
    match &f.sha256 {
        Some(h) => {
            // Hex digits: nothing to escape.
            out.push(b'"');
            out.extend_from_slice(h.as_bytes());
            out.push(b'"');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b"\n    }");
    Ok(())
}

/// `s` as a JSON string. serde_json escapes only control characters, `"` and `\\`: a string
/// without them (a name or a format nearly always) is itself between quotes.
fn string(out: &mut Vec<u8>, s: &str) -> io::Result<()> {
    if !needs_escape(s.as_bytes()) {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        return Ok(());
    }
    Ok(serde_json::to_writer(out, s)?)
}

/// Whether `b` holds a byte JSON escapes: a control character, `"` or `\\`. Eight bytes at a
/// time (a byte at a time was a fifth of a small file's row); the last few are padded with a
/// byte that needs none.
fn needs_escape(b: &[u8]) -> bool {
    let mut words = b.chunks_exact(8);
    if words
        .by_ref()
        .any(|w| escapes_in(u64::from_le_bytes(w.try_into().unwrap_or([b'a'; 8]))))
    {
        return true;
    }
    let mut last = [b'a'; 8];
    last[..words.remainder().len()].copy_from_slice(words.remainder());
    escapes_in(u64::from_le_bytes(last))
}

/// Whether one of the eight bytes of `w` is below 0x20, `"` or `\\`: each test sets a byte's
/// high bit when the byte is one (exact as a yes or no: a borrow only ever spreads above a
/// byte that is).
fn escapes_in(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES << 7;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x;
    let control = w.wrapping_sub(ONES * 0x20) & !w;
    let quote = zero_byte(w ^ (ONES * u64::from(b'"')));
    let backslash = zero_byte(w ^ (ONES * u64::from(b'\\')));
    (control | quote | backslash) & HIGH != 0
}

/// `n` in decimal digits.
fn number(out: &mut Vec<u8>, n: u64) {
    // Most counts of a row are 0 (a small file's every `valid`).
    if n == 0 {
        out.push(b'0');
        return;
    }
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::{report_of, sample};
    use crate::summary::Summary;

    #[test]
    fn needs_escape_is_exact_at_every_length_and_place() {
        let slow = |b: &[u8]| b.iter().any(|&c| c < 0x20 || c == b'"' || c == b'\\');
        for len in 0..20 {
            for at in 0..len {
                for c in 0..=255u8 {
                    // Neighbours that sit just above and below the classes.
                    for fill in [b'a', b' ', b'!', b'#', b'[', b']', 0x80, 0xff] {
                        let mut b = vec![fill; len];
                        b[at] = c;
                        assert_eq!(needs_escape(&b), slow(&b), "{b:?}");
                    }
                }
            }
        }
        assert!(!needs_escape(b""));
    }

    #[test]
    fn writes_every_section_in_order() {
        let s = sample();
        let r = report_of(&s, crate::testing::pats());
        let mut out = Vec::new();
        Json.export(&r, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "schema",
                "ledger",
                "records",
                "identifiers",
                "attribution",
                "verdict",
                "impact",
                "sensitive",
                "reference",
                "custody",
                "files",
                "run"
            ]
        );
        assert_eq!(v["files"][0]["path"], "a.csv");
        assert_eq!(v["files"][0]["valid"]["nik"], 0);
        assert_eq!(v["files"][0]["sha256"], serde_json::Value::Null);
        assert_eq!(v["files"][1]["sha256"], "ab".repeat(32));
        assert_eq!(v["custody"]["started"], "2026-12-06T12:05:07Z");
        assert_eq!(v["custody"]["roots"], serde_json::json!(["dump/", "x.csv"]));
        assert_eq!(v["custody"]["case"], "CASE-7");
        assert_eq!(v["custody"]["sampled"], serde_json::Value::Null);
        assert!(text.ends_with("}\n"));
    }

    #[test]
    fn rows_written_by_hand_are_serde_jsons_pretty_text() {
        let mut odd = sample();
        let mut row = odd.files.values().next().unwrap().clone();
        (row.bytes, row.records, row.confirmed) = (10_000_000_000_000_000_000, 0, 10);
        odd.files
            .insert("q\"uote\\back\u{1}\u{7f}é/x.csv".into(), row);
        for s in [Summary::default(), sample(), odd] {
            let r = report_of(&s, crate::testing::pats());
            let mut want = serde_json::to_vec_pretty(&r).unwrap();
            want.push(b'\n');
            let mut out = Vec::new();
            Json.export(&r, &mut out).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(want).unwrap()
            );
        }
    }

    #[test]
    fn a_long_summary_reaches_the_writer_whole_in_blocks() {
        /// Counts the writes it is handed.
        struct Counting(Vec<u8>, usize);
        impl Write for Counting {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                self.0.extend_from_slice(b);
                self.1 += 1;
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut s = sample();
        let row = s.files.values().next().unwrap().clone();
        for i in 0..2_000 {
            s.files.insert(format!("dump/f{i:05}.csv"), row.clone());
        }
        let r = report_of(&s, crate::testing::pats());
        let mut whole = Vec::new();
        serde_json::to_writer_pretty(&mut whole, &r).unwrap();
        whole.push(b'\n');
        let mut out = Counting(Vec::new(), 0);
        Json.export(&r, &mut out).unwrap();
        assert_eq!(out.0, whole);
        assert!(
            whole.len() > 2 * BATCH && out.1 <= whole.len() / BATCH + 1,
            "{}",
            out.1
        );
    }
}
