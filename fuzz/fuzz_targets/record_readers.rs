//! Every record reader of `formats::records` (DBF, and each format added there) on any
//! bytes: the first byte picks the reader, the rest is its input, read from a stream (or a
//! temporary file, for a reader that needs one). Its packed chunks are read back into the
//! analyzer, as the scan's workers do. No panic, no hang, whatever the bytes.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use triage::analyze::Analyzer;
use triage::formats::packed::{read_packed, Budget, Packed, Packer};
use triage::formats::records::{Records, Source};
use triage::summary::{FileStats, State, Stats};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&b, rest)) = data.split_first() else {
        return;
    };
    let format = Records::ALL[usize::from(b) % Records::ALL.len()];
    let p = common::patterns();
    let mut stats = Stats::default();
    let mut analyzer = Analyzer::new(p, &mut stats, FileStats::new(State::Scanned, "f", 0));
    let mut send = |c: Packed| read_packed(&c.data, p, &mut analyzer);
    let mut packer = Packer::new(1 << 12, 64 << 10, &mut send);
    let budget = Budget {
        max_record: 64 << 10,
        max_bytes: 8 << 20,
    };
    let src = if format.needs_file() {
        let mut f = tempfile::tempfile().expect("a temporary file");
        f.write_all(rest).expect("written");
        Source::File(f)
    } else {
        Source::Stream(Box::new(rest))
    };
    let _ = format.read(src, &budget, &mut packer);
    packer.finish();
});
