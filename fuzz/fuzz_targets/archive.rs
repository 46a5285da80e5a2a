//! Compressed streams and archives: gzip, bzip2, xz, zstd and zip (nested, damaged,
//! bombs), behind the size, ratio and depth limits.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let cfg = common::config(4096);
    let s = triage::scan::scan_one(&mut &data[..], "f.zip", &cfg, common::patterns());
    assert!(!s.files.is_empty(), "every input is an entry");
});
