//! Every text reader behind one scan: sniffing, BOM / UTF-16, delimited, JSON, JSON Lines,
//! SQL and plain text, chunked at a size the first byte picks.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

const NAMES: [&str; 8] = [
    "f.csv", "f.tsv", "f.json", "f.jsonl", "f.sql", "f.txt", "f.log", "f",
];

fuzz_target!(|data: &[u8]| {
    let Some((&b, rest)) = data.split_first() else {
        return;
    };
    let name = NAMES[(b & 7) as usize];
    let cfg = common::config(1 + ((b >> 3) as usize) * 97);
    let s = triage::scan::scan_one(&mut &rest[..], name, &cfg, common::patterns());
    // Containers may add `!member` entries; plain text is exactly one entry.
    if triage::input::archive::Container::of(rest).is_none() {
        common::check_ledger(&s, name);
    }
});
