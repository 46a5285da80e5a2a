//! Helpers for the unit tests of every module.

use std::sync::OnceLock;

use crate::rules::Patterns;

/// The next value of a xorshift generator: random test input, the same on every run.
pub(crate) fn xorshift(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

/// Cuts the file at `path` to `len` bytes, as another program truncating it while it is
/// read would.
#[cfg(target_os = "linux")]
pub(crate) fn cut_file(path: &std::path::Path, len: u64) {
    let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.set_len(len).unwrap();
}

/// The built-in patterns, parsed once for all the unit tests.
pub fn pats() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| Patterns::builtin().unwrap())
}

/// `data` gzip'd (fast level), as the tests of compressed streams need it.
pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}
