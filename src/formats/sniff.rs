//! Sniffing: what a file is, judged from its first block and its extension (SPEC §3, content
//! first, extension second): not data, a format triage knows but does not read, an unknown
//! binary for the strings pass, or text to read with a [`Layout`].
//!
//! The header rule needs the analyzer (a cell that holds an identifier candidate or a date is
//! no name): the scan passes it in as a [`HeaderRule`], so sniffing imports only the formats
//! it tells apart and the rules.

use crate::bytes::text;
use crate::formats::csv::{field_counts, parse_csv_record, Columns};
use crate::formats::json::{json_record, KeyRoles};
use crate::formats::layout::Layout;
use crate::formats::magic::Magic;
use crate::formats::records::Records;
use crate::rules::Patterns;

/// How far into a file the format is judged.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// SPEC §3's header rule: whether a row's cells are names (see `analyze::header`).
pub type HeaderRule<'a> = &'a dyn Fn(&[Vec<u8>]) -> bool;

/// Why a file is not data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotData {
    Empty,
    WhiteSpaceOnly,
    /// A summary or truth file triage wrote itself.
    TriageOutput,
    /// Media or an executable: its format's name.
    Binary(&'static str),
}

/// What to do with a file, judged from its first block.
#[derive(Debug)]
pub enum Sniff {
    /// Not data: the ledger says `skipped`, and why.
    Skip(NotData),
    /// A format triage recognises but does not read (its name): `failed`, so the scan is
    /// incomplete.
    Unsupported(&'static str),
    /// A format with a record reader of its own (`formats::records`).
    Records(Records),
    /// A binary of no known format: read by the strings pass (`crate::formats::strings`).
    Strings,
    /// Read it with this layout; the first `header_len` bytes are the header row.
    Read {
        layout: Layout,
        header_len: usize,
        header: Vec<String>,
    },
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
pub fn sniff(first: &[u8], ext: &str, p: &Patterns, is_header: HeaderRule) -> Sniff {
    if first.is_empty() {
        return Sniff::Skip(NotData::Empty);
    }
    match crate::formats::magic::classify(first, ext) {
        Some(Magic::NotData(name)) => return Sniff::Skip(NotData::Binary(name)),
        Some(Magic::NotRead(name)) => return Sniff::Unsupported(name),
        Some(Magic::Records(f)) => return Sniff::Records(f),
        None => {}
    }
    if memchr::memchr(0, first).is_some() {
        return Sniff::Strings;
    }
    if first.trim_ascii().is_empty() {
        return Sniff::Skip(NotData::WhiteSpaceOnly);
    }
    if is_triage_output(first) {
        return Sniff::Skip(NotData::TriageOutput);
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
    if let Some((layout, header_len, header)) = delimited_layout(first, ext, p, is_header) {
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

fn first_record_cells(buf: &[u8], delim: u8) -> (Vec<Vec<u8>>, usize) {
    let mut cells = Vec::new();
    let end = parse_csv_record(buf, 0, delim, |_, v| cells.push(v.into_owned()));
    (cells, end)
}

const DELIMITERS: [u8; 4] = [b'\t', b',', b';', b'|'];

/// Which of [`DELIMITERS`] `body` holds. A block of a small file is read once, a byte at a
/// time: four searches, each with its own setup, cost it more than reading it.
fn held_delimiters(body: &[u8]) -> [bool; 4] {
    if body.len() > 256 {
        return DELIMITERS.map(|d| memchr::memchr(d, body).is_some());
    }
    // Bit i for DELIMITERS[i].
    const BIT: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut i = 0;
        while i < DELIMITERS.len() {
            t[DELIMITERS[i] as usize] = 1 << i;
            i += 1;
        }
        t
    };
    let seen = body.iter().fold(0u8, |seen, &b| seen | BIT[usize::from(b)]);
    std::array::from_fn(|i| seen & (1 << i) != 0)
}

fn delimited_layout(
    first: &[u8],
    ext: &str,
    p: &Patterns,
    is_header: HeaderRule,
) -> Option<(Layout, usize, Vec<String>)> {
    // Leading blank lines are not part of the header question.
    let skip = first.len() - first.trim_ascii_start().len();
    let skip = first[..skip]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let body = &first[skip..];

    // A delimiter the block does not hold splits nothing: every record is one field, which
    // neither loop below picks (but under the extension's own delimiter), so it is not
    // counted (most of a small file's sniffing).
    let held = held_delimiters(body);
    let mut best: Option<(u8, usize)> = None;
    for d in DELIMITERS
        .into_iter()
        .zip(held)
        .filter_map(|(d, h)| h.then_some(d))
    {
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
            for (d, held) in DELIMITERS.into_iter().zip(held) {
                let min = if Some(d) == ext_delim { 1 } else { 2 };
                if !held && min > 1 {
                    continue;
                }
                let (cells, _) = first_record_cells(body, d);
                let counts = field_counts(body, d, 20);
                let rows = &counts[counts.len().min(1)..];
                let alike = rows.iter().filter(|&&c| c == cells.len()).count();
                if cells.len() >= min
                    && alike * 5 >= rows.len() * 4
                    && pick.is_none_or(|(_, n)| cells.len() > n)
                    && is_header(&cells)
                {
                    pick = Some((d, cells.len()));
                }
            }
            pick?.0
        }
    };
    let (cells, end) = first_record_cells(body, delim);
    let named = is_header(&cells);
    let (columns, header_len, header) = if named {
        let header: Vec<String> = cells.iter().map(|c| text(c.trim_ascii())).collect();
        let columns = Columns {
            roles: cells.iter().map(|c| p.role_of(c.trim_ascii())).collect(),
            names: header.clone(),
        };
        (columns, skip + end, header)
    } else {
        (Columns::default(), 0, Vec::new())
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

    /// Sniffs with the analyzer's header rule, as the scan does.
    fn sniffed(first: &[u8], ext: &str) -> Sniff {
        sniff(first, ext, pats(), &|cells| {
            crate::analyze::header::is_header(cells, pats())
        })
    }

    fn layout(s: &str, ext: &str) -> (String, usize, Vec<String>) {
        match sniffed(s.as_bytes(), ext) {
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
    fn held_delimiters_read_bytewise_match_the_searches() {
        let mut bytes: Vec<u8> = b"a\tb,c;d|e".to_vec();
        // Short blocks, read a byte at a time, and long ones, searched.
        for len in [0, 1, 5, 30, 256, 257, 600] {
            for lead in 0..bytes.len() {
                let body: Vec<u8> = bytes.iter().cycle().skip(lead).take(len).copied().collect();
                for cut in 0..body.len().min(12) {
                    let b = &body[cut..];
                    let want = DELIMITERS.map(|d| b.contains(&d));
                    assert_eq!(held_delimiters(b), want, "{len} {lead} {cut}");
                }
            }
            bytes.push(b'x');
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
    fn headerless_rows() {
        let (l, hl, _) = layout(
            "3171010101900001,Budi,1990-01-01\n3171010101900002,Ani,1990-01-02\n",
            "csv",
        );
        assert_eq!((l.as_str(), hl), ("delim , named false", 0));
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
            sniffed(&long.as_bytes()[..SNIFF_BYTES], "csv"),
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
        assert!(matches!(sniffed(b"", "csv"), Sniff::Skip(NotData::Empty)));
        assert!(matches!(
            sniffed(b"\x89PNG\r\n", "png"),
            Sniff::Skip(NotData::Binary(_))
        ));
        assert!(matches!(sniffed(b"abc\0def", "txt"), Sniff::Strings));
        assert!(matches!(
            sniffed(b"MSCF\0\0\0\0....", "cab"),
            Sniff::Unsupported("Microsoft Cabinet archive")
        ));
        assert!(matches!(
            sniffed(b"%PDF-1.4\n", "pdf"),
            Sniff::Records(crate::formats::records::Records::Pdf)
        ));
        assert!(matches!(
            sniffed(b"{\n  \"schema\": \"triage.summary/1\"", "json"),
            Sniff::Skip(NotData::TriageOutput)
        ));
    }
}
