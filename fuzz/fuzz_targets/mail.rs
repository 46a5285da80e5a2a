//! E-mail messages and mboxes: MIME parts, boundaries, base64 and quoted-printable.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let cfg = common::config(4096);
    let s = triage::scan::scan_one(&mut &data[..], "f.eml", &cfg, common::patterns());
    assert!(!s.files.is_empty(), "every input is an entry");
});
