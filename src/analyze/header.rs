//! SPEC §3's header rule, which needs detection: a row is a header when every non-empty cell
//! holds a letter and none holds an identifier candidate, a date, or only digits. Sniffing
//! (`formats::sniff`) and the sheet reader are handed it; they do not import detection.

use crate::analyze::dates;
use crate::analyze::detect::Detector;
use crate::rules::{Patterns, Role};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::pats;

    #[test]
    fn a_value_in_any_cell_makes_no_header() {
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
        // Empty cells alone are no header either.
        assert!(!is_header(&[b" ".to_vec()], pats()));
    }
}
