//! The sample's only source of randomness: splitmix64, so a seed means the same sample on
//! every platform and version. Imports nothing.

/// splitmix64: tiny, fast, and fixed forever, so a seed means the same sample everywhere.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Rng {
        // "triagesy": keeps seed 0 away from the all-zero state's first outputs.
        Rng(seed ^ 0x7472_6961_6765_7379)
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (multiply-shift; the bias is far below anything that matters here).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub(super) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// A draw in `0..1000`: the decoy tables of the field writers are in per mille.
    pub(super) fn mille(&mut self) -> u64 {
        self.below(1000)
    }

    pub(super) fn pick<T: Copy>(&mut self, s: &[T]) -> T {
        s[self.below(s.len() as u64) as usize]
    }
}
