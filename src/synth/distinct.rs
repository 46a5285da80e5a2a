//! Distinct-value counting for the truth's `unique` counts: a fast hasher for the sets and
//! maps, and sort-and-count for numeric kinds. Imports nothing.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A fast hasher for the distinct-value sets: only their sizes reach the output, so the
/// hash function cannot change a byte of it. (SipHash was a third of the run time.)
#[derive(Default, Clone, Copy)]
pub(super) struct FastHash(u64);

impl Hasher for FastHash {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(w));
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x517C_C1B7_2722_0A95);
    }
    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

pub(super) type FastSet<T> = HashSet<T, BuildHasherDefault<FastHash>>;

/// How many distinct values: numeric kinds keep every valid occurrence and count at the end,
/// much faster than a hash set at a million rows (8 bytes an occurrence).
pub(super) fn distinct(values: &[u64]) -> u64 {
    let mut v = values.to_vec();
    v.sort_unstable();
    v.dedup();
    v.len() as u64
}
pub(super) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHash>>;
