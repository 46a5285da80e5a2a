//! SQL dumps: the statement cutter (carrying its state from chunk to chunk, forced cuts
//! included) and the records of each chunk, plus the sniffer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use triage::analyze::Analyzer;
use triage::formats::sql::cutter::SqlCutter;
use triage::formats::sql::{looks_like_sql, read};
use triage::summary::{FileStats, State, Stats};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&b, rest)) = data.split_first() else {
        return;
    };
    let p = common::patterns();
    let _ = looks_like_sql(rest, "sql", p);
    let mut cutter = SqlCutter::default();
    let step = 1 + (b as usize & 63) * 5;
    let max = 1 + (b as usize >> 6) * 200;
    let (mut start, mut end) = (0, 0);
    while start < rest.len() {
        end = (end + step).min(rest.len());
        let buf = &rest[start..end];
        let state = cutter.state.clone();
        let cut = if end == rest.len() {
            buf.len()
        } else {
            match cutter.cut(buf, p) {
                Some(c) => c,
                None if buf.len() < max => continue,
                None => cutter.force(buf.len()),
            }
        };
        assert!(cut <= buf.len(), "cut {cut} past {}", buf.len());
        let mut stats = Stats::default();
        let file = FileStats::new(State::Scanned, "sql", 0);
        let mut analyzer = Analyzer::new(p, &mut stats, file);
        read(&buf[..cut], &state, p, &mut analyzer);
        let (file, _, _) = analyzer.into_parts();
        assert_eq!(file.records, stats.records.total);
        start += cut;
        end = start.max(end);
    }
});
