//! Names and messages as outputs show them without `--reveal` (SPEC §7: names are outputs
//! too): the identifiers in an entry's path or a reason are found by the data's own detector
//! and masked by [`crate::mask`]. Used by the report, `--records` and stderr messages.

use std::borrow::Cow;

use crate::analyze::detect::{Detector, Found};
use crate::escape::escape_controls;
use crate::rules::{Patterns, Role};

/// Masks the identifiers in names and messages: the data's own detector finds them, so any
/// candidate of any kind, valid or not, is masked as a value is (SPEC §7); a run of 13 or
/// more digits it does not take for a candidate (a card without its keyword, an NPWP, a
/// NIP) keeps only its first 4 and last 2 digits, as a card does.
pub struct NameMasker<'p> {
    detector: Detector<'p>,
    found: Vec<Found>,
}

/// The fewest digits of a run masked although the detector found no candidate in it.
const LONG_DIGITS: usize = 13;

impl<'p> NameMasker<'p> {
    pub fn new(p: &'p Patterns) -> Self {
        NameMasker {
            detector: Detector::new(p),
            found: Vec::new(),
        }
    }

    pub fn mask<'a>(&mut self, name: &'a str) -> Cow<'a, str> {
        let b = name.as_bytes();
        self.detector.detect(b, Role::Unnamed, &mut self.found);
        // Nearly every name: nothing to mask, and no copy of it made to find that out (the
        // copy, byte by byte, was half a report row's cost in a dump of small files).
        if self.found.is_empty() && !has_long_digits(b) {
            return Cow::Borrowed(name);
        }
        let mut spans: Vec<(usize, usize, String)> = self
            .found
            .iter()
            .filter_map(|f| {
                let (s, e) = f.span();
                Some((s, e, f.masked(b)?))
            })
            .collect();
        spans.sort();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        for (s, e, m) in spans {
            if s < i || e > b.len() {
                continue;
            }
            mask_long_digits(&b[i..s], &mut out);
            out.extend_from_slice(m.as_bytes());
            i = e;
        }
        mask_long_digits(&b[i..], &mut out);
        if out == b {
            Cow::Borrowed(name)
        } else {
            Cow::Owned(String::from_utf8_lossy(&out).into_owned())
        }
    }
}

/// A name or message as stderr shows it: identifiers masked unless `reveal` (or the patterns
/// could not be loaded), control characters escaped.
pub fn shown(text: &str, reveal: bool, p: Option<&Patterns>) -> String {
    let masked = match (reveal, p) {
        (false, Some(p)) => NameMasker::new(p).mask(text).into_owned(),
        _ => text.to_string(),
    };
    escape_controls(&masked).into_owned()
}

/// The first run of digits in `b` at or after `from` (single `.`, `-` or ` ` between two
/// digits, as an NPWP is written): its start, its end (after its last digit) and its digits.
fn digit_run(b: &[u8], from: usize) -> Option<(usize, usize, usize)> {
    let start = from + b.get(from..)?.iter().position(u8::is_ascii_digit)?;
    let (mut end, mut digits, mut j) = (start, 0, start);
    while j < b.len() {
        if b[j].is_ascii_digit() {
            digits += 1;
            j += 1;
            end = j;
        } else if matches!(b[j], b'.' | b'-' | b' ') && b.get(j + 1).is_some_and(u8::is_ascii_digit)
        {
            j += 1;
        } else {
            break;
        }
    }
    Some((start, end, digits))
}

/// Whether `b` holds a run of [`LONG_DIGITS`] or more digits ([`mask_long_digits`] masks it).
fn has_long_digits(b: &[u8]) -> bool {
    // Most names hold fewer digits than one such run: counted at once, without the runs.
    if b.iter().filter(|c| c.is_ascii_digit()).count() < LONG_DIGITS {
        return false;
    }
    let mut i = 0;
    while let Some((_, end, digits)) = digit_run(b, i) {
        if digits >= LONG_DIGITS {
            return true;
        }
        i = end;
    }
    false
}

/// Copies `b` to `out`, masking each run of [`LONG_DIGITS`] or more digits to its first 4
/// and last 2 digits.
fn mask_long_digits(b: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while let Some((start, end, digits)) = digit_run(b, i) {
        out.extend_from_slice(&b[i..start]);
        if digits < LONG_DIGITS {
            out.extend_from_slice(&b[start..end]);
        } else {
            let mut k = 0;
            for &c in &b[start..end] {
                if c.is_ascii_digit() {
                    out.push(if k < 4 || k + 2 >= digits { c } else { b'*' });
                    k += 1;
                } else {
                    out.push(c);
                }
            }
        }
        i = end;
    }
    out.extend_from_slice(&b[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_masked_by_the_data_detector() {
        let p = crate::testing::pats();
        let mut m = NameMasker::new(p);
        for (name, masked) in [
            ("ktp_3171014101900002.csv", "ktp_3171**********02.csv"),
            ("scan_of_081298765432.pdf", "scan_of_+62812*****432.pdf"),
            ("budi@gmail.com.csv", "b***@gmail.com.csv"),
            (
                "a.zip!KK 3171011234567890.csv",
                "a.zip!KK 3171**********90.csv",
            ),
            // A dotted NPWP is a candidate, masked as its digits are; a card without its
            // keyword is not one, but as long as one.
            ("npwp_01.234.567.8-901.000.pdf", "npwp_0012**********00.pdf"),
            ("0001234567890.csv", "0001*******90.csv"),
        ] {
            assert_eq!(m.mask(name), masked, "{name}");
        }
        for plain in [
            "export_20240101.csv",
            "dump 2023-01-01 12:00.sql",
            "a/b.zip!c.csv",
            "é.txt",
        ] {
            assert!(matches!(m.mask(plain), Cow::Borrowed(_)), "{plain}");
        }
    }

    /// The quick look says a name needs masking exactly when the masking changes it.
    #[test]
    fn long_digit_runs_are_found_as_they_are_masked() {
        for name in [
            "",
            "123456789012.csv",
            "1234567890123.csv",
            "x1234567.890-12 3y",
            "x1234567.890-12 y3",
            "12..34567890123456",
            "a-1234567890123-",
            "99999999999999",
            "p0001/exam3/r0000123.txt",
            // Thirteen digits or more, in runs too short, or in one run with separators.
            "a12345678b12345678",
            "1234-5678-9012-3",
            "1234-5678-9012",
        ] {
            let mut out = Vec::new();
            mask_long_digits(name.as_bytes(), &mut out);
            assert_eq!(
                has_long_digits(name.as_bytes()),
                out != name.as_bytes(),
                "{name}"
            );
            assert_eq!(out.len(), name.len(), "{name}");
        }
    }
}
