//! Delimited text (CSV, TSV, `;`, `|`; SPEC §4): where a chunk may end, one record's
//! fields, and a chunk's rows pushed into a [`RecordSink`] (named by the header's columns, or
//! without names). Imports the sink's vocabulary, the rules' roles and `bytes`.

use std::borrow::Cow;

use memchr::memrchr;

use crate::bytes::{find2, find_any};
use crate::record::{Field, RecordSink};
use crate::rules::Role;

/// A delimited file's header: each column's role, and its name as written (for a sink that
/// wants names, [`RecordSink::WANTS_NAMES`]). Empty without a header.
#[derive(Clone, Debug, Default)]
pub struct Columns {
    pub roles: Vec<Role>,
    pub names: Vec<String>,
}

/// Reads the rows of one chunk into `sink`: under a header (`named`), each field with its
/// column's role; without one, as fields without names.
pub fn read<S: RecordSink>(chunk: &[u8], delim: u8, columns: &Columns, named: bool, sink: &mut S) {
    if named {
        named_rows(chunk, delim, columns, sink)
    } else {
        unnamed_rows(chunk, delim, sink)
    }
}

/// The rows of a delimited chunk under a header: each field goes to the sink as it is cut,
/// with its column's role, without the record being collected.
fn named_rows<S: RecordSink>(chunk: &[u8], delim: u8, columns: &Columns, sink: &mut S) {
    let mut pos = 0;
    while pos < chunk.len() && !sink.full() {
        sink.begin();
        pos = parse_csv_record(chunk, pos, delim, |col, v| {
            if S::WANTS_NAMES {
                if let Some(name) = columns.names.get(col) {
                    sink.named_value(name.as_bytes(), &v);
                }
            }
            let role = columns.roles.get(col).copied().unwrap_or(Role::Other);
            sink.field(role, &v, true)
        });
        sink.end(&[], true);
    }
}

/// Fields of a row without field names held for the sink's [`RecordSink::end`]; the ones
/// before go to [`RecordSink::unheld`].
const HELD_FIELDS: usize = 4096;

/// The rows of a delimited chunk without a header, holding at most [`HELD_FIELDS`] fields
/// of a row: a row of millions of fields (64 MB of commas) needs no memory in proportion to
/// them (linear time on any record).
fn unnamed_rows<S: RecordSink>(chunk: &[u8], delim: u8, sink: &mut S) {
    let mut fields: Vec<Field> = Vec::new();
    let mut pos = 0;
    while pos < chunk.len() {
        fields.clear();
        sink.begin();
        pos = parse_csv_record(chunk, pos, delim, |_, value| {
            sink.field(Role::Unnamed, &value, false);
            if fields.len() == HELD_FIELDS {
                sink.unheld(&fields);
                fields.clear();
            }
            fields.push(Field {
                role: Role::Unnamed,
                value,
            });
        });
        sink.end(&fields, false);
    }
}

/// The last `\n` outside double quotes. Quote parity from the chunk start is exact for RFC
/// 4180 data, where `""` inside a quoted field toggles twice.
pub fn csv_boundary(buf: &[u8]) -> Option<usize> {
    let total = memchr::memchr_iter(b'"', buf).count();
    let mut quotes_after = 0;
    let mut end = buf.len();
    while let Some(nl) = memrchr(b'\n', &buf[..end]) {
        quotes_after += memchr::memchr_iter(b'"', &buf[nl..end]).count();
        if (total - quotes_after).is_multiple_of(2) {
            return Some(nl + 1);
        }
        end = nl;
    }
    None
}

/// Parses one delimited record from `pos`; calls `field(column, value)` for each field and
/// returns the position after the record.
pub fn parse_csv_record<'a>(
    chunk: &'a [u8],
    mut pos: usize,
    delim: u8,
    mut field: impl FnMut(usize, Cow<'a, [u8]>),
) -> usize {
    let mut col = 0;
    loop {
        if chunk.get(pos) == Some(&b'"') {
            let (value, next, ends) = quoted_field(chunk, pos, delim);
            field(col, value);
            if ends {
                return next;
            }
            pos = next;
            col += 1;
            continue;
        }
        let rest = &chunk[pos..];
        match find2(delim, b'\n', rest) {
            Some((k, is_delim)) => {
                debug_assert!(k < rest.len());
                // SAFETY: `find2` finds a byte of `rest`. (The bounds check cost a compare and
                // a branch on every field.)
                let v = unsafe { rest.get_unchecked(..k) };
                if is_delim {
                    field(col, Cow::Borrowed(v));
                    pos += k + 1;
                    col += 1;
                } else {
                    field(col, Cow::Borrowed(v.strip_suffix(b"\r").unwrap_or(v)));
                    return pos + k + 1;
                }
            }
            None => {
                let v = &chunk[pos..];
                field(col, Cow::Borrowed(v.strip_suffix(b"\r").unwrap_or(v)));
                return chunk.len();
            }
        }
    }
}

/// The quoted field that opens at `pos`: its value (up to the closing quote, `""` standing
/// for one quote), where the next field or record starts, and whether the record ends
/// there. Anything between the closing quote and the delimiter is dropped from the value
/// but not from the record's boundaries; an unterminated field runs to the chunk's end.
///
/// A quoted value is short (an address): its closing quote is searched inline, not through
/// `memchr`'s set-up, and the delimiter or line end is nearly always the next byte.
fn quoted_field(chunk: &[u8], pos: usize, delim: u8) -> (Cow<'_, [u8]>, usize, bool) {
    let mut i = pos + 1;
    let mut owned: Option<Vec<u8>> = None;
    loop {
        let Some(q) = find_any([b'"'], &chunk[i..]) else {
            return (join(owned, &chunk[i..]), chunk.len(), true);
        };
        let q = i + q;
        if chunk.get(q + 1) == Some(&b'"') {
            owned
                .get_or_insert_with(Vec::new)
                .extend_from_slice(&chunk[i..=q]);
            i = q + 2;
            continue;
        }
        let value = join(owned, &chunk[i..q]);
        let after = q + 1;
        return match chunk.get(after) {
            Some(&b) if b == delim => (value, after + 1, false),
            Some(b'\n') => (value, after + 1, true),
            _ => match find2(delim, b'\n', &chunk[after..]) {
                Some((k, is_delim)) => (value, after + k + 1, !is_delim),
                None => (value, chunk.len(), true),
            },
        };
    }
}

fn join(owned: Option<Vec<u8>>, rest: &[u8]) -> Cow<'_, [u8]> {
    match owned {
        Some(mut o) => {
            o.extend_from_slice(rest);
            Cow::Owned(o)
        }
        None => Cow::Borrowed(rest),
    }
}

/// Counts fields per record for the first `max` non-blank records (delimiter sniffing).
pub fn field_counts(buf: &[u8], delim: u8, max: usize) -> Vec<usize> {
    let mut counts = Vec::new();
    let mut pos = 0;
    // The last line of a sniffed block may be cut short.
    let end = csv_boundary(buf).unwrap_or(buf.len());
    let buf = &buf[..end];
    while pos < buf.len() && counts.len() < max {
        let mut n = 0;
        let mut blank = true;
        pos = parse_csv_record(buf, pos, delim, |_, v| {
            n += 1;
            if !v.trim_ascii().is_empty() {
                blank = false;
            }
        });
        if !blank {
            counts.push(n);
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_rows(s: &str, delim: u8) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        let mut pos = 0;
        let b = s.as_bytes();
        while pos < b.len() {
            let mut row = Vec::new();
            pos = parse_csv_record(b, pos, delim, |_, v| {
                row.push(String::from_utf8_lossy(&v).into_owned())
            });
            rows.push(row);
        }
        rows
    }

    #[test]
    fn csv_quotes_delimiters_and_newlines() {
        let rows = csv_rows("a,\"b,c\",d\r\n\"x\"\"y\",\"multi\nline\",z\n", b',');
        assert_eq!(rows[0], vec!["a", "b,c", "d"]);
        assert_eq!(rows[1], vec!["x\"y", "multi\nline", "z"]);
        assert_eq!(rows.len(), 2);
        let rows = csv_rows("1;2;3\n", b';');
        assert_eq!(rows[0], vec!["1", "2", "3"]);
        let rows = csv_rows("a,,\n", b',');
        assert_eq!(rows[0], vec!["a", "", ""]);
        // Junk after a closing quote is dropped; the field still ends at the delimiter.
        assert_eq!(csv_rows("\"a\"b,c\n", b',')[0], vec!["a", "c"]);
    }

    #[test]
    fn a_quoted_field_ends_at_the_delimiter_or_line_end_after_its_quote() {
        // Right after the closing quote, after a `\r`, at the chunk's end, and past a quote
        // 16 bytes and more into the value (the inline search's second step).
        assert_eq!(csv_rows("\"q\"\r\nx\n", b','), vec![vec!["q"], vec!["x"]]);
        assert_eq!(
            csv_rows("\"q\";\"r\"\n\"s\"", b';'),
            vec![vec!["q", "r"], vec!["s"]]
        );
        let long = "a quoted address, longer than sixteen bytes";
        assert_eq!(
            csv_rows(&format!("\"{long}\",z\n"), b','),
            vec![vec![long, "z"]]
        );
    }

    #[test]
    fn an_unterminated_quote_runs_to_the_end_once() {
        // The text before an escaped quote used to be repeated in the value.
        assert_eq!(
            csv_rows("x,\"ab\"\"cd,e", b','),
            vec![vec!["x", "ab\"cd,e"]]
        );
        assert_eq!(csv_rows("\"abc", b','), vec![vec!["abc"]]);
    }

    #[test]
    fn csv_boundary_skips_newlines_in_quotes() {
        let s = b"a,b\n\"x\ny\",z\n\"open\nstill";
        assert_eq!(csv_boundary(s), Some(12));
        assert_eq!(csv_boundary(b"\"no end\n"), None);
    }
}
