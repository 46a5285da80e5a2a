//! Tar archives (ustar, GNU, pax, v7) and what their members hold, behind small limits.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let cfg = common::config(4096);
    let s = triage::scan::scan_one(&mut &data[..], "f.tar", &cfg, common::patterns());
    assert!(!s.files.is_empty(), "every input is an entry");
});
