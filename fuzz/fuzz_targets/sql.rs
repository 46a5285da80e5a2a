//! SQL dumps: the statement cutter (carrying its state from chunk to chunk, forced cuts
//! included) and the records of each chunk, plus the sniffer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use triage::analyze::extras::Extras;
use triage::formats::sql::{analyze_chunk, looks_like_sql, SqlCutter};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&b, rest)) = data.split_first() else {
        return;
    };
    let p = common::patterns();
    let _ = looks_like_sql(rest, "sql", p);
    let x = Extras::default();
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
        let mut s = triage::summary::Summary::default();
        analyze_chunk(&mut s, &state, &buf[..cut], "f.sql", "sql", p, &x, start as u64);
        assert!(s.files.len() == 1);
        start += cut;
        end = start.max(end);
    }
});
