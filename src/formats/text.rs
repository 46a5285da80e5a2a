//! Plain text: one record per line, its one field without a name. Imports the sink's
//! vocabulary and the rules' roles.

use memchr::memchr;

use crate::record::{Field, RecordSink};
use crate::rules::Role;

/// Reads the lines of one chunk into `sink`, each a record.
pub fn read<S: RecordSink>(chunk: &[u8], sink: &mut S) {
    for line in lines(chunk) {
        sink.record(&[Field::borrowed(Role::Unnamed, line)], false);
    }
}

/// Lines without their `\n` / `\r\n`. Found with `memchr`: a byte-by-byte split was a
/// tenth of a JSON Lines scan.
pub fn lines(chunk: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = chunk;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let line = match memchr(b'\n', rest) {
            Some(i) => {
                let l = &rest[..i];
                rest = &rest[i + 1..];
                l
            }
            None => std::mem::take(&mut rest),
        };
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_strip_endings() {
        let l: Vec<&[u8]> = lines(b"a\r\nb\n\nc").collect();
        assert_eq!(l, vec![&b"a"[..], b"b", b"", b"c"]);
        assert_eq!(lines(b"").count(), 0);
    }
}
