//! Names and reasons made safe to show: no output of triage can drive a terminal, disguise a
//! name or start a spreadsheet formula; and the quoting of a CSV field triage writes. Used by
//! every exporter (text, HTML, CSV, `--records`) and by stderr messages; it depends on nothing.

use std::borrow::Cow;

/// Text for a terminal or a page: control characters and the bidirectional overrides that
/// reorder what is shown (`invoice\u{202E}fdp.exe`) are written as escapes (`\x1B`,
/// `\u{202E}`), so a name can neither drive the terminal nor disguise itself.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    fn escaped(c: char) -> bool {
        c.is_control()
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    }
    if !s.chars().any(escaped) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !escaped(c) {
            out.push(c);
        } else if (c as u32) < 0x100 {
            out.push_str(&format!("\\x{:02X}", c as u32));
        } else {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        }
    }
    Cow::Owned(out)
}

/// A CSV cell as written. Control characters are escaped as in the text summary (a CSV is
/// read on a terminal too), and a cell a spreadsheet would read as a formula (starting with
/// `=`, `+`, `-` or `@`) gets a leading `'`. No cell triage writes is a number that may be
/// negative (counts, record numbers and sizes are not), so only names and reasons change,
/// and they stay readable.
pub fn csv_cell(cell: &str) -> Cow<'_, str> {
    let cell = escape_controls(cell);
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@') => format!("'{cell}").into(),
        _ => cell,
    }
}

/// Appends one CSV field as a CSV reader reads it back: quoted, with `""` for `"`, when it
/// holds a comma, quote or line break. It quotes only; [`csv_cell`] makes the text safe first.
pub fn write_csv_field(v: &[u8], out: &mut Vec<u8>) {
    if v.iter().any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        for &b in v {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_overrides_are_escaped() {
        assert_eq!(
            escape_controls("a\x1b[2J\nb\u{202E}c\u{85}"),
            "a\\x1B[2J\\x0Ab\\u{202E}c\\x85"
        );
        assert!(matches!(escape_controls("plain é"), Cow::Borrowed(_)));
    }

    #[test]
    fn csv_cells_never_start_a_formula() {
        for (cell, out) in [
            ("=1+1", "'=1+1"),
            ("+62", "'+62"),
            ("-x", "'-x"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "\\x09x"),
            ("\r=x", "\\x0D=x"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(csv_cell(cell), out, "{cell:?}");
        }
    }

    #[test]
    fn csv_fields_are_quoted_when_they_must_be() {
        for (field, out) in [
            ("a", "a"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("", ""),
        ] {
            let mut v = Vec::new();
            write_csv_field(field.as_bytes(), &mut v);
            assert_eq!(String::from_utf8(v).unwrap(), out, "{field:?}");
        }
    }
}
