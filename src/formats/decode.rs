//! From bytes on disk to text a record parser can read: byte-order marks, UTF-16, binary
//! and format detection (SPEC §3, content first, extension second).
//!
//! Text that is not UTF-8 is kept byte for byte: every identifier is ASCII, so a Latin-1 or
//! Windows-1252 file is scanned as it is and no record is lost to a decoding error.

use std::io::{self, Read};

use crate::analyze::dates;
use crate::analyze::detect::Detector;
use crate::formats::csv::{field_counts, parse_csv_record};
use crate::formats::json::{json_record, KeyRoles};
use crate::formats::layout::Layout;
use crate::formats::magic::Magic;
use crate::rules::{Patterns, Role};

/// How far into a file the format is judged.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// Byte-order mark at the start of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bom {
    None,
    Utf8,
    Utf16Le,
    Utf16Be,
}

impl Bom {
    pub fn of(b: &[u8]) -> Bom {
        if b.starts_with(&[0xEF, 0xBB, 0xBF]) {
            Bom::Utf8
        } else if b.starts_with(&[0xFF, 0xFE]) {
            Bom::Utf16Le
        } else if b.starts_with(&[0xFE, 0xFF]) {
            Bom::Utf16Be
        } else {
            Bom::None
        }
    }

    /// The BOM's length in bytes.
    pub fn byte_len(self) -> usize {
        match self {
            Bom::None => 0,
            Bom::Utf8 => 3,
            Bom::Utf16Le | Bom::Utf16Be => 2,
        }
    }
}

/// Transcodes a UTF-16 stream (after its BOM) to UTF-8 with encoding_rs (SIMD, and the
/// WHATWG rules: an unpaired surrogate or an odd last byte becomes U+FFFD).
pub struct Utf16Reader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    raw: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
    done: bool,
}

impl<R: Read> Utf16Reader<R> {
    pub fn new(inner: R, big_endian: bool) -> Self {
        let encoding = if big_endian {
            encoding_rs::UTF_16BE
        } else {
            encoding_rs::UTF_16LE
        };
        Utf16Reader {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            raw: vec![0; 64 * 1024],
            out: Vec::new(),
            out_pos: 0,
            eof: false,
            done: false,
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.out_pos = 0;
        while self.out.is_empty() && !self.done {
            let n = self.inner.read(&mut self.raw)?;
            self.eof = n == 0;
            let src = &self.raw[..n];
            // Room for the worst case, so the decoder always takes all of `src`.
            let room = self.decoder.max_utf8_buffer_length(n).unwrap_or(3 * n + 16);
            self.out.resize(room, 0);
            let (_, _, written, _) = self.decoder.decode_to_utf8(src, &mut self.out, self.eof);
            self.out.truncate(written);
            self.done = self.eof;
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_pos >= self.out.len() {
            self.fill()?;
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// What to do with a file, judged from its first block.
#[derive(Debug)]
pub enum Sniff {
    /// Not data: the ledger says `skipped` with this reason.
    Skip(String),
    /// A format triage recognises but does not read: `failed`, so the scan is incomplete.
    Unsupported(String),
    /// A binary of no known format: read by the strings pass (`crate::formats::strings`).
    Strings,
    /// Read it with this layout; the first `header_len` bytes are the header row.
    Read {
        layout: Layout,
        header_len: usize,
        header: Vec<String>,
    },
}

/// Text of a name (a header cell, a key, a column): UTF-8 when it is, Windows-1252 when it is
/// not (the single-byte code page of Indonesian Windows exports), so no name turns into
/// replacement characters.
pub fn text(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(b)
            .0
            .into_owned(),
    }
}

/// A summary or truth file triage wrote itself: not data.
fn is_triage_output(b: &[u8]) -> bool {
    let t = b.trim_ascii_start();
    let Some(rest) = t.strip_prefix(b"{") else {
        return false;
    };
    let rest = rest.trim_ascii_start();
    let Some(rest) = rest.strip_prefix(b"\"schema\"") else {
        return false;
    };
    let rest = rest.trim_ascii_start();
    let Some(rest) = rest.strip_prefix(b":") else {
        return false;
    };
    rest.trim_ascii_start().starts_with(b"\"triage.")
}

/// Decides how to read a file from its first block (already decoded to UTF-8 or bytes, BOM
/// removed) and its extension (lower case, without the dot).
pub fn sniff(first: &[u8], ext: &str, p: &Patterns) -> Sniff {
    if first.is_empty() {
        return Sniff::Skip("empty".into());
    }
    match crate::formats::magic::classify(first, ext) {
        Some(Magic::NotData(name)) => return Sniff::Skip(format!("binary ({name})")),
        Some(Magic::NotRead(name)) => return Sniff::Unsupported(format!("{name}: not read yet")),
        None => {}
    }
    if memchr::memchr(0, first).is_some() {
        return Sniff::Strings;
    }
    if first.trim_ascii().is_empty() {
        return Sniff::Skip("empty (white space only)".into());
    }
    if is_triage_output(first) {
        return Sniff::Skip("triage output (summary or truth file)".into());
    }

    if crate::formats::sql::looks_like_sql(first, ext, p) {
        return Sniff::Read {
            layout: Layout::Sql,
            header_len: 0,
            header: Vec::new(),
        };
    }
    let t = first.trim_ascii_start();
    if t.starts_with(b"{") || t.starts_with(b"[") {
        if let Some(layout) = json_layout(t, p) {
            return Sniff::Read {
                layout,
                header_len: 0,
                header: Vec::new(),
            };
        }
    }
    if let Some((layout, header_len, header)) = delimited_layout(first, ext, p) {
        return Sniff::Read {
            layout,
            header_len,
            header,
        };
    }
    if matches!(ext, "json" | "jsonl" | "ndjson") {
        return Sniff::Read {
            layout: Layout::JsonLines,
            header_len: 0,
            header: Vec::new(),
        };
    }
    Sniff::Read {
        layout: Layout::Text,
        header_len: 0,
        header: Vec::new(),
    }
}

/// JSON by structure (SPEC §3): a first line that is a whole value with more after it is JSON
/// Lines, read line by line; any other first value that is well formed as far as the block
/// goes, however long, is read by its structure ([`Layout::JsonTree`]).
fn json_layout(t: &[u8], p: &Patterns) -> Option<Layout> {
    if !crate::formats::json::envelope::first_value_is_json(t) {
        return None;
    }
    if t.starts_with(b"[") {
        return Some(Layout::JsonStream { array: true });
    }
    let first_line = t.split(|&b| b == b'\n').next().unwrap_or(t);
    let mut keys = KeyRoles::default();
    let mut fields = Vec::new();
    match json_record(first_line, &mut keys, p, &mut fields) {
        Some(end)
            if first_line[end..].trim_ascii().is_empty()
                && !t[first_line.len()..].trim_ascii().is_empty() =>
        {
            Some(Layout::JsonLines)
        }
        // One value alone, a value longer than the block, or pretty-printed.
        _ => Some(Layout::JsonTree),
    }
}

/// SPEC §3: the header rule. Every non-empty cell holds a letter; no cell holds an identifier
/// candidate, a date, or only digits.
pub fn is_header(cells: &[Vec<u8>], p: &Patterns) -> bool {
    let mut detector = Detector::new(p);
    let mut found = Vec::new();
    let mut dates_found = Vec::new();
    let mut any = false;
    for c in cells {
        let c = c.trim_ascii();
        if c.is_empty() {
            continue;
        }
        any = true;
        if !c.iter().any(u8::is_ascii_alphabetic) || c.iter().all(u8::is_ascii_digit) {
            return false;
        }
        detector.detect(c, Role::Other, &mut found);
        if found.iter().any(|f| f.kind().is_some()) {
            return false;
        }
        dates_found.clear();
        dates::find_in_text(c, p, &mut dates_found);
        if !dates_found.is_empty() {
            return false;
        }
    }
    any
}

fn first_record_cells(buf: &[u8], delim: u8) -> (Vec<Vec<u8>>, usize) {
    let mut cells = Vec::new();
    let end = parse_csv_record(buf, 0, delim, |_, v| cells.push(v.into_owned()));
    (cells, end)
}

const DELIMITERS: [u8; 4] = [b'\t', b',', b';', b'|'];

fn delimited_layout(first: &[u8], ext: &str, p: &Patterns) -> Option<(Layout, usize, Vec<String>)> {
    // Leading blank lines are not part of the header question.
    let skip = first.len() - first.trim_ascii_start().len();
    let skip = first[..skip]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let body = &first[skip..];

    let mut best: Option<(u8, usize)> = None;
    for d in DELIMITERS {
        let counts = field_counts(body, d, 20);
        if let Some(&n) = counts.first() {
            if n >= 3 && counts.iter().all(|&c| c == n) && best.is_none_or(|(_, bn)| n > bn) {
                best = Some((d, n));
            }
        }
    }
    let ext_delim = match ext {
        "csv" => Some(b','),
        "tsv" | "tab" => Some(b'\t'),
        "psv" => Some(b'|'),
        _ => None,
    };
    let delim = match best {
        Some((d, _)) => d,
        None => {
            // No consistent split: delimited only if line 1 is a header. SPEC §3 says no
            // more; triage also wants most of the rows below to split like the header, so
            // that a note whose first line holds a comma stays plain text.
            let mut pick: Option<(u8, usize)> = None;
            for d in DELIMITERS {
                let (cells, _) = first_record_cells(body, d);
                let min = if Some(d) == ext_delim { 1 } else { 2 };
                let counts = field_counts(body, d, 20);
                let rows = &counts[counts.len().min(1)..];
                let alike = rows.iter().filter(|&&c| c == cells.len()).count();
                if cells.len() >= min
                    && alike * 5 >= rows.len() * 4
                    && pick.is_none_or(|(_, n)| cells.len() > n)
                    && is_header(&cells, p)
                {
                    pick = Some((d, cells.len()));
                }
            }
            pick?.0
        }
    };
    let (cells, end) = first_record_cells(body, delim);
    let named = is_header(&cells, p);
    let (columns, header_len, header) = if named {
        let header: Vec<String> = cells.iter().map(|c| text(c.trim_ascii())).collect();
        let columns = cells.iter().map(|c| p.role_of(c.trim_ascii())).collect();
        (columns, skip + end, header)
    } else {
        (Vec::new(), 0, Vec::new())
    };
    Some((
        Layout::Delimited {
            delim,
            columns,
            named,
        },
        header_len,
        header,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::pats;

    fn layout(s: &str, ext: &str) -> (String, usize, Vec<String>) {
        match sniff(s.as_bytes(), ext, pats()) {
            Sniff::Read {
                layout,
                header_len,
                header,
            } => {
                let name = match &layout {
                    Layout::Delimited { delim, named, .. } => {
                        format!("delim {} named {named}", *delim as char)
                    }
                    other => other.format_name().to_string(),
                };
                (name, header_len, header)
            }
            other => (format!("{other:?}"), 0, vec![]),
        }
    }

    #[test]
    fn delimited_with_header() {
        let (l, hl, h) = layout(
            "NIK;NAMA;TGL_LAHIR\n3171010101900001;Budi;1990-01-01\n",
            "txt",
        );
        assert_eq!(l, "delim ; named true");
        assert_eq!(hl, 19);
        assert_eq!(h, vec!["NIK", "NAMA", "TGL_LAHIR"]);
    }

    #[test]
    fn headerless_rows_and_header_rule() {
        let (l, hl, _) = layout(
            "3171010101900001,Budi,1990-01-01\n3171010101900002,Ani,1990-01-02\n",
            "csv",
        );
        assert_eq!((l.as_str(), hl), ("delim , named false", 0));
        // A cell that is a date, an identifier or only digits is not a header cell.
        assert!(!is_header(&[b"nama".to_vec(), b"2020".to_vec()], pats()));
        assert!(!is_header(&[b"nama".to_vec(), b"x@y.com".to_vec()], pats()));
        assert!(!is_header(
            &[b"nama".to_vec(), b"lahir 01-01-1990".to_vec()],
            pats()
        ));
        assert!(is_header(
            &[b"nama".to_vec(), b"".to_vec(), b"no hp".to_vec()],
            pats()
        ));
    }

    #[test]
    fn one_column_csv_by_extension_and_plain_text() {
        assert_eq!(
            layout("nik\n3171010101900001\n", "csv").0,
            "delim , named true"
        );
        assert_eq!(layout("nik\n3171010101900001\n", "txt").0, "text");
        assert_eq!(
            layout("halo apa kabar\nsemua baik\n", "csv").0,
            "delim , named true"
        );
        assert_eq!(layout("log line one\nlog, line two\n", "log").0, "text");
        // A header-like first line whose rows do not split like it is plain text.
        assert_eq!(
            layout(
                "Catatan petugas, Jakarta\nNIK 3171014101900001 lahir 01-01-1990\n",
                "txt"
            )
            .0,
            "text"
        );
        assert_eq!(
            layout("nama,hp\nBudi,08123456789\nAni,08129876543\n", "txt").0,
            "delim , named true"
        );
    }

    #[test]
    fn json_forms() {
        assert_eq!(
            layout("{\"nik\":\"1\"}\n{\"nik\":\"2\"}\n", "csv").0,
            "jsonl"
        );
        assert_eq!(layout("[\n {\"nik\":\"1\"}\n]", "txt").0, "json");
        assert_eq!(layout("{\n \"nik\": \"1\"\n}\n", "txt").0, "json");
        // By structure: one value alone, or a first line longer than the block.
        assert_eq!(
            layout("{\"status\":\"ok\",\"data\":[{\"nik\":\"1\"}]}\n", "jsonl").0,
            "json"
        );
        let long = format!("{{\"foto\":\"{}", "A".repeat(SNIFF_BYTES));
        assert!(matches!(
            sniff(&long.as_bytes()[..SNIFF_BYTES], "csv", pats()),
            Sniff::Read {
                layout: Layout::JsonTree,
                ..
            }
        ));
        // A bracket that opens no JSON is not JSON.
        assert_eq!(layout("[2024-01-01 10:00] INFO start\n", "log").0, "text");
    }

    #[test]
    fn skips_and_unsupported() {
        assert!(matches!(sniff(b"", "csv", pats()), Sniff::Skip(r) if r == "empty"));
        assert!(matches!(
            sniff(b"\x89PNG\r\n", "png", pats()),
            Sniff::Skip(_)
        ));
        assert!(matches!(sniff(b"abc\0def", "txt", pats()), Sniff::Strings));
        assert!(matches!(
            sniff(b"7z\xbc\xaf\x27\x1c....", "7z", pats()),
            Sniff::Unsupported(r) if r == "7-zip archive: not read yet"
        ));
        let mut tar = vec![b'a'; 512];
        tar[257..263].copy_from_slice(b"ustar\0");
        assert!(matches!(sniff(&tar, "tar", pats()), Sniff::Unsupported(_)));
        assert!(matches!(
            sniff(b"%PDF-1.4\n", "pdf", pats()),
            Sniff::Unsupported(r) if r == "PDF document: not read yet"
        ));
        assert_eq!(text(b"Tgl_L\xe1hir"), "Tgl_Láhir");
        assert!(matches!(
            sniff(b"{\n  \"schema\": \"triage.summary/1\"", "json", pats()),
            Sniff::Skip(_)
        ));
    }

    #[test]
    fn utf16_is_transcoded() {
        let text = "NIK,NAMA\n3171010101900001,Bü😀\n";
        for be in [false, true] {
            let mut raw = Vec::new();
            for u in text.encode_utf16() {
                raw.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
            }
            let mut out = String::new();
            Utf16Reader::new(&raw[..], be)
                .read_to_string(&mut out)
                .unwrap();
            assert_eq!(out, text);
            // One byte at a time: pairs and surrogate pairs split across reads.
            let mut out = String::new();
            Utf16Reader::new(OneByte(&raw), be)
                .read_to_string(&mut out)
                .unwrap();
            assert_eq!(out, text);
        }
        // An unpaired surrogate and an odd last byte become U+FFFD; nothing is dropped.
        let raw = [0x41, 0x00, 0x00, 0xD8, 0x42, 0x00, 0x43];
        let mut out = String::new();
        Utf16Reader::new(&raw[..], false)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "A\u{FFFD}B\u{FFFD}");
    }

    struct OneByte<'a>(&'a [u8]);

    impl Read for OneByte<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.0.len()).min(1);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
}
