//! The record layouts directly, whatever the sniffer would pick: boundaries and records of
//! delimited text (any delimiter), JSON streams, JSON trees, JSON Lines and plain text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use triage::analyze::Analyzer;
use triage::formats::csv::Columns;
use triage::formats::layout::Layout;
use triage::rules::Role;
use triage::summary::{FileStats, State, Stats};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&b, rest)) = data.split_first() else {
        return;
    };
    let layout = match b % 7 {
        0 => Layout::Delimited {
            delim: b',',
            columns: Columns {
                roles: vec![Role::Nik, Role::Phone, Role::BirthDate, Role::Sex],
                names: ["nik", "phone", "dob", "sex"].map(String::from).to_vec(),
            },
            named: true,
        },
        1 => Layout::Delimited {
            delim: [b'\t', b';', b'|', b'"'][(b as usize >> 3) & 3],
            columns: Columns::default(),
            named: false,
        },
        2 => Layout::JsonLines,
        3 => Layout::JsonStream { array: true },
        4 => Layout::JsonStream { array: false },
        5 => Layout::JsonTree,
        _ => Layout::Text,
    };
    let p = common::patterns();
    let mut stats = Stats::default();
    let file = FileStats::new(State::Scanned, "f", 0);
    let mut analyzer = Analyzer::new(p, &mut stats, file);
    // Cut like the scan does: at the last boundary of a buffer that grows by `step`, or
    // doubles after a search that found none.
    let step = 1 + (b as usize >> 2);
    let mut start = 0;
    let mut end = 0;
    let mut grow = false;
    while start < rest.len() {
        let more = if grow { (end - start).max(step) } else { step };
        end = (end + more).min(rest.len());
        grow = true;
        let buf = &rest[start..end];
        let cut = if end == rest.len() {
            buf.len()
        } else {
            match layout.boundary(buf) {
                Some(c) => c,
                None => continue,
            }
        };
        grow = false;
        assert!(cut <= buf.len());
        layout.read(&buf[..cut], p, &mut analyzer);
        start += cut;
        end = start.max(end);
    }
    let (file, _, _) = analyzer.into_parts();
    assert_eq!(file.records, stats.records.total);
});
