//! Helpers for the unit tests of every module.

/// The next value of a xorshift generator: random test input, the same on every run.
pub(crate) fn xorshift(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}
