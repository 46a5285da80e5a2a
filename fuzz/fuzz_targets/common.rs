#![allow(dead_code)] // Each target uses some of these.
//! Shared by the fuzz targets: the built-in patterns (parsed once) and a scan
//! configuration with small limits, so one input stays fast.

use std::sync::OnceLock;

use triage::rules::Patterns;
use triage::scan::ScanConfig;

pub fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| Patterns::builtin().expect("built-in patterns"))
}

/// Small chunks and records (so inputs of a few KiB cross many chunk boundaries) and
/// small decompression limits (so a bomb costs little).
pub fn config(chunk: usize) -> ScanConfig {
    let mut cfg = ScanConfig::new(Vec::new());
    cfg.threads = 1;
    cfg.chunk_size = chunk.max(1);
    cfg.max_record = 64 << 10;
    cfg.limits.max_entry_bytes = 8 << 20;
    cfg.limits.ratio_floor = 1 << 20;
    cfg.limits.max_depth = 3;
    cfg
}

/// The scan must account for the entry: exactly one ledger row, named as given.
pub fn check_ledger(s: &triage::summary::Summary, name: &str) {
    assert_eq!(s.files.len(), 1, "one ledger entry: {:?}", s.files.keys());
    assert!(
        s.files.keys().all(|k| k.starts_with(name)),
        "{:?}",
        s.files.keys()
    );
}
