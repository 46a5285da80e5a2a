//! Mergeable statistics. Every worker fills its own [`Summary`]; summaries add up with `+=`
//! in any order to the same result, which is what makes the output independent of the thread
//! count.
//!
//! Here: the counts by kind and record, the distinct-value sets, the per-file rows. Beside
//! them: [`ledger`] (every entry's state and its typed [`Reason`]), [`impact`] (people by
//! region, sex and age against the population), [`attribution`] (source profiles scored on
//! the summary's field names and value shapes), [`fingerprint`] (keyed HMAC fingerprints,
//! the `--reference` set), [`rows`] (the `--records` spill, chunk by chunk) and [`verdict`]
//! (genuine or not, from the merged counts). Imports only the rules and the loose `calendar`.

pub mod attribution;
pub mod custody;
pub mod fingerprint;
pub mod impact;
pub mod ledger;
pub mod rows;
pub mod state;
pub mod verdict;

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::AddAssign;

use crate::rules::{load_le, lower8, InvalidReason, Kind};
use crate::summary::impact::{Impact, ImpactCounter};
pub use crate::summary::ledger::{FileStats, Reason, State};

/// Distinct normalized values, each reduced to a `u64` (a NIK fits; e-mails are hashed).
///
/// Values are appended to a buffer; a full buffer is sorted, deduplicated and stored as a
/// delta-encoded [`Run`]. Runs are merged when there are too many, or by
/// [`DistinctSet::compact`]; the end of a scan only counts across them
/// ([`DistinctSet::count`], [`DistinctSet::count_each`]) in one pass over batches of disjoint
/// value ranges, each counted in a hash table that stays in cache; what is still buffered is
/// counted unsorted, beside the runs ([`count_union_each`]) or alone ([`count_unsorted`]). The hot path only pushes;
/// memory is 4 to 6 bytes per distinct value for NIKs, cards and phones (sorted values differ
/// little); the result does not depend on the order in which workers' sets are added.
#[derive(Clone, Debug, Default)]
pub struct DistinctSet {
    pending: Vec<u64>,
    runs: Vec<Run>,
    /// The number of distinct values once [`DistinctSet::count`] has walked them, and the
    /// length `pending` had then: a set counted as its unsorted buffer keeps the buffer, and
    /// inserts only lengthen it, so an equal length means nothing came in since. Cleared
    /// whenever a run is added.
    counted: Option<(usize, usize)>,
}

/// Values buffered unsorted before they become a run.
const PENDING_MAX: usize = 1 << 18;

/// More runs than this are merged into one as soon as they appear, which bounds both the
/// k of the final merge and the overhead of many small runs.
const MAX_RUNS: usize = 64;

impl DistinctSet {
    #[inline]
    pub fn insert(&mut self, v: u64) {
        // The same value twice in a row (a card in two columns, a family's KK on consecutive
        // rows) is common in leaks: one compare spares it the sort.
        if self.pending.last() == Some(&v) {
            return;
        }
        let len = self.pending.len();
        // Room for the value, and the buffer not full with it: a store. The rest is out of
        // line, so the callers that inline this keep few registers to save (an insert
        // was a call of about 25 instructions).
        if len + 1 < PENDING_MAX && len < self.pending.capacity() {
            self.pending.push(v);
        } else {
            self.insert_slow(v);
        }
    }

    /// [`DistinctSet::insert`] into a buffer without room, or that it fills.
    #[cold]
    #[inline(never)]
    fn insert_slow(&mut self, v: u64) {
        if self.pending.capacity() == 0 {
            // Once, at full size: doubling its way up copied 4 MB per set and worker (1.5%
            // of a scan's time in memmove); pages not written are not resident.
            self.pending.reserve_exact(PENDING_MAX);
        }
        self.pending.push(v);
        if self.pending.len() >= PENDING_MAX {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut w = RunWriter::for_values(self.pending.len());
        // Each bucket is encoded as soon as it is sorted, while it is in L1; repeats are
        // dropped while encoding: a separate dedup pass moved every value again.
        SCRATCH.with_borrow_mut(|scratch| {
            sort_in_buckets(&mut self.pending, scratch, |sorted| w.extend_sorted(sorted))
        });
        self.runs.push(w.finish());
        self.counted = None;
        self.pending.clear();
        if self.runs.len() > MAX_RUNS {
            self.merge_runs();
        }
    }

    /// All runs into one: a k-way merge, written straight into the new run.
    fn merge_runs(&mut self) {
        if self.runs.len() > 1 {
            let runs = std::mem::take(&mut self.runs);
            let mut out = RunWriter::default();
            union(&runs, |v| out.push(v));
            self.runs.push(out.finish());
        }
    }

    /// Sorts what is buffered and merges everything into one run.
    pub fn compact(&mut self) {
        self.flush();
        self.merge_runs();
        // The buffer's capacity is not needed again.
        self.pending = Vec::new();
    }

    /// Counts the distinct values (see [`DistinctSet::len`]) without merging the runs into
    /// one: the end of a scan needs the counts, not a merged copy, whose encoding was about
    /// two fifths of the merge.
    pub fn count(&mut self) -> usize {
        if let ([run], true) = (self.runs.as_slice(), self.pending.is_empty()) {
            // One run holds distinct values already: its length is the count.
            let n = run.len;
            self.counted = Some((n, 0));
            return n;
        }
        self.count_each(|_| {})
    }

    /// [`DistinctSet::count`], handing every distinct value to `each` once, in no particular
    /// order. What is buffered is counted as it is, unsorted, alone or beside the runs.
    pub fn count_each(&mut self, mut each: impl FnMut(u64)) -> usize {
        let buffer = &self.pending;
        let n = match self.runs.as_slice() {
            // Only the buffer (a scan of fewer values than it holds).
            [] => SCRATCH.with_borrow_mut(|scratch| count_unsorted(buffer, scratch, &mut each)),
            [run] if buffer.is_empty() => {
                run.iter().for_each(each);
                run.len
            }
            runs => SCRATCH.with_borrow_mut(|scratch| {
                count_union_each(runs, buffer, COUNT_BATCH, scratch, &mut each)
            }),
        };
        self.counted = Some((n, self.pending.len()));
        n
    }

    /// The number of distinct values (exact).
    pub fn len(&self) -> usize {
        if let Some((n, pending)) = self.counted {
            if pending == self.pending.len() {
                return n;
            }
        }
        if self.pending.is_empty() && self.runs.len() <= 1 {
            return self.runs.first().map_or(0, |r| r.len);
        }
        self.clone().count()
    }

    /// Values held, duplicates included: the work a compaction has ahead of it.
    fn buffered(&self) -> usize {
        self.pending.len() + self.runs.iter().map(|r| r.len).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values in ascending order, once [`DistinctSet::compact`] has run (`None` before).
    pub fn sorted(&self) -> Option<RunIter<'_>> {
        match (self.pending.is_empty(), self.runs.len()) {
            (true, 0) => Some(RunIter::default()),
            (true, 1) => Some(self.runs[0].iter()),
            _ => None,
        }
    }

    pub fn contains(&self, v: u64) -> bool {
        self.pending.contains(&v) || self.runs.iter().any(|r| r.iter().any(|x| x == v))
    }
}

/// Bits of the leading digit [`sort_in_buckets`] splits on: 8,192 buckets, about 32 values
/// each in a full buffer, so that most buckets fit a sorting network ([`network::MOST`]);
/// with 4,096 the flush of a 1M-row CSV took 2% more time (perf, two runs each).
const DIGIT_BITS: usize = 13;
const BUCKETS: usize = 1 << DIGIT_BITS;

thread_local! {
    /// [`sort_in_buckets`]'s second buffer, one per thread and kept: a fresh one per flush
    /// was zeroed (or faulted in) every time.
    static SCRATCH: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Hands `each` the values of `v` in ascending order, a sorted slice at a time (`v` and
/// `scratch` are overwritten): one pass scatters the values by their 13 highest bits that
/// differ from value to value into `scratch`, then each of those 8,192 buckets is sorted
/// on its own ([`sort_bucket`]) and handed on while it is in L1.
///
/// Measured on 256 Ki values (NIK-like, phone-like, hashes; callgrind and the best of 40
/// runs): `sort_unstable` 163 instructions a value; an LSD radix sort on 11-bit digits
/// (constant digits skipped) 102, but 20–100% slower than `sort_unstable`, every pass
/// scattering to 2,048 places across 2 MB; the buckets, each sorted by `sort_unstable`, 89,
/// and as fast as `sort_unstable` or faster.
fn sort_in_buckets(v: &mut [u64], scratch: &mut Vec<u64>, each: impl FnMut(&[u64])) {
    sort_in_buckets_by(v, scratch, network::available(), each);
}

/// [`sort_in_buckets`], each bucket sorted by the networks ([`sort_bucket`]) or by
/// `sort_unstable` (a parameter so that tests can hold both ways to the standard sort).
fn sort_in_buckets_by(
    v: &mut [u64],
    scratch: &mut Vec<u64>,
    network: bool,
    mut each: impl FnMut(&[u64]),
) {
    let n = v.len();
    if n < BUCKETS {
        // Too few values for the buckets to pay for their pass.
        v.sort_unstable();
        each(v);
        return;
    }
    // Every bit from `top` up is the same in every value: no bucket would tell them apart.
    let top = differing_bits(v);
    if top == 0 {
        // All equal: sorted.
        each(v);
        return;
    }
    let shift = top.saturating_sub(DIGIT_BITS);
    let mut count = [0u32; BUCKETS];
    for &x in v.iter() {
        count[digit(x, shift)] += 1;
    }
    if scratch.len() < n {
        scratch.resize(n, 0);
    }
    let scratch = &mut scratch[..n];
    scatter(v, scratch, &count, shift);
    // Each bucket's place in `v` is free now: its sort's second buffer.
    let mut ends = Vec::new();
    let mut start = 0;
    for &c in &count {
        let end = start + c as usize;
        let (bucket, spare) = (&mut scratch[start..end], &mut v[start..end]);
        if !network {
            bucket.sort_unstable();
            each(bucket);
        } else if sort_bucket(bucket, spare, &mut ends) {
            each(spare);
        } else {
            each(bucket);
        }
        start = end;
    }
}

/// Sorts `b` with a sorting network ([`network::sort`]) if it is short enough, else splits
/// it by its highest bits that differ from value to value into `spare` (as long as `b`,
/// overwritten), about 32 values to a part, and sorts each part the same way (`ends`, whose
/// length is kept, holds the parts' ends meanwhile); returns whether the sorted values are
/// in `spare` (else in `b`). Numbers of a region share their leading digits: a buffer of a
/// CSV's NIKs filled a quarter of 4,096 buckets, up to 6,000 values each; of its phone
/// numbers, 38 buckets, up to 100,000 each. Each split takes at least one bit from the
/// bits that differ, so a bucket is split at most 64 times: linear time on any input.
///
/// Only where [`network::available`].
fn sort_bucket(b: &mut [u64], spare: &mut [u64], ends: &mut Vec<u32>) -> bool {
    let n = b.len();
    if n <= network::MOST {
        network::sort(b);
        return false;
    }
    let top = differing_bits(b);
    if top == 0 {
        // All equal.
        return false;
    }
    // Parts of about 32 values: 2^bits <= n / 32.
    let bits = ((usize::BITS - (n >> 5).leading_zeros()) as usize).clamp(1, top);
    let low = top - bits;
    let part = |x: u64| (x >> low) as usize & ((1 << bits) - 1);
    let base = ends.len();
    ends.resize(base + (1 << bits), 0);
    let next = &mut ends[base..];
    for &x in b.iter() {
        next[part(x)] += 1;
    }
    let mut sum = 0;
    for o in next.iter_mut() {
        (*o, sum) = (sum, sum + *o);
    }
    for &x in b.iter() {
        let p = part(x);
        spare[next[p] as usize] = x;
        next[p] += 1;
    }
    // `ends[base..]` holds each part's end now.
    let mut start = 0;
    for i in base..base + (1 << bits) {
        let end = ends[i] as usize;
        let (p, q) = (&mut spare[start..end], &mut b[start..end]);
        // Sorted in the bucket's own place: back into `spare` with the rest.
        if sort_bucket(p, q, ends) {
            p.copy_from_slice(q);
        }
        start = end;
    }
    ends.truncate(base);
    true
}

/// A sorting network for up to [`network::MOST`] values, eight to an AVX-512 vector: a
/// bucket of 64 values sorted by `sort_unstable` took about 90 instructions a value, with
/// no vector instruction, and a third of a flush's time; the network, about ten, all
/// of them vector instructions but the loads (the flush of a 1M-row CSV's values: 20% less
/// time, the best of 9 interleaved runs).
mod network {
    /// Values the largest network sorts: sixteen vectors, half of the 32 registers.
    pub const MOST: usize = 128;

    /// Whether [`sort`] may be called: the CPU has AVX-512F.
    pub fn available() -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            std::is_x86_feature_detected!("avx512f")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    }

    /// Sorts `v`, at most [`MOST`] values, in the smallest network that holds them.
    /// Panics unless [`available`].
    pub fn sort(v: &mut [u64]) {
        #[cfg(target_arch = "x86_64")]
        {
            assert!(available(), "AVX-512F");
            // SAFETY: the CPU has AVX-512F (checked above: a cached load and test).
            unsafe {
                match v.len() {
                    0..=1 => {}
                    2..=8 => x86::sort::<1>(v),
                    9..=16 => x86::sort::<2>(v),
                    17..=32 => x86::sort::<4>(v),
                    33..=64 => x86::sort::<8>(v),
                    _ => x86::sort::<16>(v),
                }
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            unreachable!("no network without AVX-512F: {}", v.len())
        }
    }

    #[cfg(target_arch = "x86_64")]
    mod x86 {
        use std::arch::x86_64::*;

        /// Sorts `v` (at most `8 * R` values) with a bitonic network over `R` vectors of
        /// eight lanes, the lanes past `v` filled with `u64::MAX` (sorted to the end, where
        /// they are not stored).
        #[target_feature(enable = "avx512f")]
        pub fn sort<const R: usize>(v: &mut [u64]) {
            let n = v.len();
            assert!(n <= 8 * R, "{n} values for {R} vectors");
            let mut r = [_mm512_set1_epi64(-1); R];
            for (i, reg) in r.iter_mut().enumerate().take(n.div_ceil(8)) {
                // SAFETY: the lanes of `lanes` are `v[8 * i..]`, at most to its end (`i`
                // below n / 8 rounded up); the others are not read.
                *reg = unsafe {
                    _mm512_mask_loadu_epi64(*reg, lanes(n - 8 * i), v.as_ptr().add(8 * i).cast())
                };
            }
            bitonic(&mut r);
            for (i, reg) in r.iter().enumerate().take(n.div_ceil(8)) {
                // SAFETY: as for the load.
                unsafe {
                    _mm512_mask_storeu_epi64(
                        v.as_mut_ptr().add(8 * i).cast(),
                        lanes(n - 8 * i),
                        *reg,
                    )
                };
            }
        }

        /// The first `left` lanes, at most all eight.
        #[inline(always)]
        fn lanes(left: usize) -> __mmask8 {
            (u16::MAX >> (16 - left.min(8))) as u8
        }

        /// Lane `i` of vector `a` takes the larger of its pair in layer `(k, j)` when it is
        /// the upper lane of the pair in a stretch that ascends, or the lower one in a
        /// stretch that descends (vectors at most 16).
        const fn takes_larger(k: usize, j: usize) -> [u8; 16] {
            let mut out = [0u8; 16];
            let mut a = 0;
            while a < 16 {
                let mut i = 0;
                while i < 8 {
                    if (i & j != 0) != ((a * 8 + i) & k != 0) {
                        out[a] |= 1 << i;
                    }
                    i += 1;
                }
                a += 1;
            }
            out
        }

        /// One layer of the network: every value compared with the one `J` places away, in
        /// stretches of `K` values that ascend and descend in turn. `J` of 8 or more pairs
        /// whole vectors; less, lanes of one vector (a permutation).
        #[inline]
        #[target_feature(enable = "avx512f")]
        fn layer<const R: usize, const K: usize, const J: usize>(r: &mut [__m512i; R]) {
            if J >= 8 {
                for a in 0..R {
                    let b = a ^ (J / 8);
                    if b > a {
                        let (lo, hi) = (_mm512_min_epu64(r[a], r[b]), _mm512_max_epu64(r[a], r[b]));
                        (r[a], r[b]) = if (a * 8) & K == 0 { (lo, hi) } else { (hi, lo) };
                    }
                }
            } else {
                let partner = match J {
                    1 => _mm512_set_epi64(6, 7, 4, 5, 2, 3, 0, 1),
                    2 => _mm512_set_epi64(5, 4, 7, 6, 1, 0, 3, 2),
                    _ => _mm512_set_epi64(3, 2, 1, 0, 7, 6, 5, 4),
                };
                let larger = const { takes_larger(K, J) };
                for (reg, &larger) in r.iter_mut().zip(&larger) {
                    let p = _mm512_permutexvar_epi64(partner, *reg);
                    let (lo, hi) = (_mm512_min_epu64(*reg, p), _mm512_max_epu64(*reg, p));
                    *reg = _mm512_mask_blend_epi64(larger, lo, hi);
                }
            }
        }

        /// Sorts the `8 * R` lanes of `r` ascending (`R` a power of two up to 16): stretches
        /// of 2, 4, ... values sorted, each pair of them ascending and descending, merged.
        #[inline]
        #[target_feature(enable = "avx512f")]
        fn bitonic<const R: usize>(r: &mut [__m512i; R]) {
            layer::<R, 2, 1>(r);
            layer::<R, 4, 2>(r);
            layer::<R, 4, 1>(r);
            layer::<R, 8, 4>(r);
            layer::<R, 8, 2>(r);
            layer::<R, 8, 1>(r);
            if R >= 2 {
                layer::<R, 16, 8>(r);
                layer::<R, 16, 4>(r);
                layer::<R, 16, 2>(r);
                layer::<R, 16, 1>(r);
            }
            if R >= 4 {
                layer::<R, 32, 16>(r);
                layer::<R, 32, 8>(r);
                layer::<R, 32, 4>(r);
                layer::<R, 32, 2>(r);
                layer::<R, 32, 1>(r);
            }
            if R >= 8 {
                layer::<R, 64, 32>(r);
                layer::<R, 64, 16>(r);
                layer::<R, 64, 8>(r);
                layer::<R, 64, 4>(r);
                layer::<R, 64, 2>(r);
                layer::<R, 64, 1>(r);
            }
            if R >= 16 {
                layer::<R, 128, 64>(r);
                layer::<R, 128, 32>(r);
                layer::<R, 128, 16>(r);
                layer::<R, 128, 8>(r);
                layer::<R, 128, 4>(r);
                layer::<R, 128, 2>(r);
                layer::<R, 128, 1>(r);
            }
        }
    }
}

/// How many of the low bits differ between some of `v`'s values: every bit from there up
/// is the same in every value (0 when all are equal; 64 for no values).
#[inline]
fn differing_bits(v: &[u64]) -> usize {
    let (or, and) = v.iter().fold((0, u64::MAX), |(o, a), &x| (o | x, a & x));
    64 - (or ^ and).leading_zeros() as usize
}

#[inline]
fn digit(x: u64, shift: usize) -> usize {
    (x >> shift) as usize & (BUCKETS - 1)
}

/// `src` into `dst` by the digit at `shift`, whose counts are `count`: bucket by bucket, in
/// ascending order of the digit.
fn scatter(src: &[u64], dst: &mut [u64], count: &[u32; BUCKETS], shift: usize) {
    let mut next = [0u32; BUCKETS];
    let mut sum = 0;
    for (o, &c) in next.iter_mut().zip(count) {
        *o = sum;
        sum += c;
    }
    for &x in src {
        let b = digit(x, shift);
        dst[next[b] as usize] = x;
        next[b] += 1;
    }
}

/// Sorted, distinct values as the gaps between them (the first from 0), in blocks of
/// [`GAPS`]: a byte, the width in bits of the block's widest gap, then every gap of the block
/// in that many bits ([`pack`]). A gap is read from its place in its block, so a block's
/// values decode with no chain but the sum of the gaps ([`unpack`]): prefix varints, each
/// read from where the one before ended (a load, the length from the loaded byte, the next
/// load), took 60% of the end-of-scan count's time. And smaller than those varints: a
/// 1M-row CSV's runs took 3.61 bytes a value, not 3.90.
#[derive(Clone, Debug, Default)]
pub struct Run {
    bytes: Vec<u8>,
    len: usize,
}

impl Run {
    /// From sorted values, repeats dropped.
    #[cfg(test)]
    fn encode(sorted: &[u64]) -> Run {
        let mut w = RunWriter::for_values(sorted.len());
        w.extend_sorted(sorted);
        w.finish()
    }

    pub fn iter(&self) -> RunIter<'_> {
        RunIter {
            bytes: &self.bytes,
            left: self.len,
            ..RunIter::default()
        }
    }
}

/// Gaps to a block of a [`Run`]: sixteen gaps of `w` bits are `2 * w` bytes, with no bits
/// over; small enough that a block's width is near its gaps' (3.61 bytes a value where
/// blocks of 64 took 3.75).
const GAPS: usize = 16;

/// The widest gap [`pack`] shifts within a word: a gap of up to 56 bits, starting anywhere
/// in its first byte, is inside the eight bytes read from there. Wider blocks are written
/// 64 bits a gap, whole bytes.
const SHIFTED_MAX: u32 = 56;

/// The bits a block of `gaps` takes a gap: its widest, at least one (a block of zeros, the
/// first value of a run being 0), and 64 past [`SHIFTED_MAX`].
fn width(gaps: &[u64; GAPS]) -> u32 {
    let bits = 64 - (gaps.iter().fold(1, |o, &g| o | g)).leading_zeros();
    if bits > SHIFTED_MAX {
        64
    } else {
        bits
    }
}

/// Appends a block of `gaps` to `out`: its width ([`width`]), then the gaps in that many
/// bits each, the first in the lowest bits.
fn pack(gaps: &[u64; GAPS], out: &mut Vec<u8>) {
    let w = width(gaps);
    // Eight gaps of `w` bits are `w` bytes: the two halves are packed apart, in one loop,
    // two chains of shifts side by side (one chain took a quarter more of a flush's time).
    let (low, high) = gaps.split_at(GAPS / 2);
    let mut halves = [[0u8; 8 * (GAPS / 2 + 1)]; 2];
    let (mut acc, mut fill, mut at) = ([0u128; 2], 0, 0);
    for (&x, &y) in low.iter().zip(high) {
        // Branch-free: whether a word is full depends on the width and the gap's place.
        acc[0] |= u128::from(x) << fill;
        acc[1] |= u128::from(y) << fill;
        fill += w;
        halves[0][at..at + 8].copy_from_slice(&(acc[0] as u64).to_le_bytes());
        halves[1][at..at + 8].copy_from_slice(&(acc[1] as u64).to_le_bytes());
        let full = fill >= 64;
        at += if full { 8 } else { 0 };
        acc = if full { acc.map(|a| a >> 64) } else { acc };
        fill -= if full { 64 } else { 0 };
    }
    for (half, acc) in halves.iter_mut().zip(acc) {
        half[at..at + 8].copy_from_slice(&(acc as u64).to_le_bytes());
    }
    out.push(w as u8);
    out.extend_from_slice(&halves[0][..w as usize]);
    out.extend_from_slice(&halves[1][..w as usize]);
}

/// The block at the start of `bytes`: `n` (at most [`GAPS`]) values into `out`, the first
/// `prev` plus its gap; returns the block's length in bytes. A block cut short reads as
/// zeros past the end, which no [`RunWriter`] writes.
#[inline]
fn unpack(bytes: &[u8], prev: u64, n: usize, out: &mut [u64; GAPS]) -> usize {
    let w = bytes.first().map_or(1, |&w| u32::from(w).clamp(1, 64));
    let data = bytes.get(1..).unwrap_or_default();
    let mask = u64::MAX >> (64 - w);
    let mut v = prev;
    for (k, o) in out.iter_mut().enumerate().take(n) {
        let bit = k * w as usize;
        let gap = (word_at(data, bit / 8) >> (bit % 8)) & mask;
        v = v.wrapping_add(gap);
        *o = v;
    }
    1 + 2 * w as usize
}

/// The eight bytes of `data` from `i` as a little-endian word, zeros past the end (only
/// the last gaps of a run, so the copy is rare).
#[inline]
fn word_at(data: &[u8], i: usize) -> u64 {
    match data.get(i..).and_then(|d| d.first_chunk::<8>()) {
        Some(w) => u64::from_le_bytes(*w),
        None => {
            let rest = data.get(i..).unwrap_or_default();
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            u64::from_le_bytes(w)
        }
    }
}

/// Appends increasing values to a [`Run`], a block at a time.
#[derive(Default)]
struct RunWriter {
    run: Run,
    prev: u64,
    /// Gaps not yet packed: `gaps[..fill]`.
    gaps: [u64; GAPS],
    fill: usize,
}

impl RunWriter {
    /// A writer with room for the encoding of about `n` values.
    fn for_values(n: usize) -> Self {
        let mut w = RunWriter::default();
        // About 4 bytes a value for NIK-sized numbers in a 256 Ki buffer.
        w.run.bytes.reserve(n * 4 + 8 * GAPS + 1);
        w
    }

    /// Pushes the values of `sorted` that are not pushed yet (`sorted` starts at or above
    /// the last value pushed): repeats are dropped.
    fn extend_sorted(&mut self, sorted: &[u64]) {
        match sorted.split_first() {
            // The first value is pushed even if zero, which `extend_distinct` would take
            // for a repeat of the start.
            Some((&first, rest)) if self.run.len == 0 && self.fill == 0 => {
                self.push(first);
                self.extend_distinct(rest);
            }
            _ => self.extend_distinct(sorted),
        }
    }

    #[inline]
    fn push(&mut self, v: u64) {
        debug_assert!(
            self.run.len + self.fill == 0 || v > self.prev,
            "values must increase"
        );
        self.gaps[self.fill] = v - self.prev;
        self.prev = v;
        self.fill += 1;
        if self.fill == GAPS {
            self.pack();
        }
    }

    /// Pushes the values of `sorted` that are above the last one pushed: repeats are
    /// dropped. A repeat's gap (zero) is written but not kept: the fill does not move
    /// past it. A branch on the repeat mispredicted where repeats are common (a quarter of
    /// KKs, half of the e-mails of a 1M-row CSV).
    fn extend_distinct(&mut self, sorted: &[u64]) {
        let (mut prev, mut fill) = (self.prev, self.fill);
        for &v in sorted {
            self.gaps[fill] = v - prev;
            fill += usize::from(v != prev);
            prev = v;
            if fill == GAPS {
                self.fill = fill;
                self.pack();
                fill = 0;
            }
        }
        (self.prev, self.fill) = (prev, fill);
    }

    /// The full block of gaps into the run.
    fn pack(&mut self) {
        pack(&self.gaps, &mut self.run.bytes);
        self.run.len += GAPS;
        self.fill = 0;
    }

    fn finish(mut self) -> Run {
        if self.fill > 0 {
            // The last block, short: the gaps past its values read as zeros.
            let n = self.fill;
            self.gaps[n..].fill(0);
            self.pack();
            self.run.len -= GAPS - n;
        }
        self.run.bytes.shrink_to_fit();
        self.run
    }
}

/// The values of a [`Run`], ascending.
#[derive(Clone)]
pub struct RunIter<'a> {
    /// The blocks not yet decoded.
    bytes: &'a [u8],
    /// The last value decoded.
    prev: u64,
    /// Values not yet decoded.
    left: usize,
    /// The last block decoded; `block[pos..end]` not yet handed on.
    block: [u64; GAPS],
    pos: usize,
    end: usize,
}

impl Default for RunIter<'_> {
    fn default() -> Self {
        RunIter {
            bytes: &[],
            prev: 0,
            left: 0,
            block: [0; GAPS],
            pos: 0,
            end: 0,
        }
    }
}

impl RunIter<'_> {
    /// Whether values are left to hand on.
    fn decoding(&self) -> bool {
        self.left > 0 || self.pos < self.end
    }

    /// The next block into `self.block`.
    fn next_block(&mut self) {
        let n = self.left.min(GAPS);
        let used = unpack(self.bytes, self.prev, n, &mut self.block);
        self.bytes = self.bytes.get(used..).unwrap_or_default();
        self.prev = self.block[n - 1];
        self.left -= n;
        (self.pos, self.end) = (0, n);
    }

    /// Appends up to `max` of the next values to `out`, whole blocks straight into it.
    fn take_into(&mut self, out: &mut Vec<u64>, max: usize) {
        let mut want = max;
        loop {
            let held = &self.block[self.pos..self.end];
            let n = held.len().min(want);
            out.extend_from_slice(&held[..n]);
            self.pos += n;
            want -= n;
            if want == 0 || self.left == 0 {
                return;
            }
            while want >= GAPS && self.left >= GAPS {
                let mut block = [0; GAPS];
                let used = unpack(self.bytes, self.prev, GAPS, &mut block);
                self.bytes = self.bytes.get(used..).unwrap_or_default();
                self.prev = block[GAPS - 1];
                self.left -= GAPS;
                out.extend_from_slice(&block);
                want -= GAPS;
            }
            if want == 0 || self.left == 0 {
                return;
            }
            self.next_block();
        }
    }
}

impl Iterator for RunIter<'_> {
    type Item = u64;

    #[inline]
    fn next(&mut self) -> Option<u64> {
        if self.pos == self.end {
            if self.left == 0 {
                return None;
            }
            self.next_block();
        }
        self.pos += 1;
        Some(self.block[self.pos - 1])
    }
}

/// Every value of the union of `runs`, once each, ascending.
fn union(runs: &[Run], out: impl FnMut(u64)) {
    union_in_batches(runs, UNION_BATCH, out);
}

/// Values a batch of [`union`] holds at most: with the runs' buffers, 512 KiB, which stays
/// in a core's cache.
const UNION_BATCH: usize = 1 << 15;

/// Values a batch of [`count_union_each`] holds at most: its table (256 KiB) stays in a
/// core's L2 beside the runs' buffers; batches of 32 Ki values took 10% more time.
const COUNT_BATCH: usize = 1 << 14;

/// [`union`] in batches of at most about `batch_max` values ([`for_each_batch`]): each
/// batch's ascending slices are merged ([`merge_slices`]) and handed on without repeats.
///
/// A tournament tree over the runs' heads took one value at a time, each a chain of
/// dependent loads and compares a tree level deep: 28 ns a value over 40 runs of NIK-like
/// values, against 17 ns with the batch sorted, where every step streams over a batch that
/// stays in cache; merging the batch's slices instead of sorting it took a further 4% off a
/// 1M-row scan's instructions.
fn union_in_batches(runs: &[Run], batch_max: usize, mut out: impl FnMut(u64)) {
    if let [run] = runs {
        run.iter().for_each(out);
        return;
    }
    let (mut batch, mut ends) = (Vec::new(), Vec::new());
    let (mut scratch, mut merged_ends) = (Vec::new(), Vec::new());
    let mut last = None;
    for_each_batch(runs, batch_max, |parts, _| {
        batch.clear();
        ends.clear();
        for part in parts {
            batch.extend_from_slice(part);
            ends.push(batch.len());
        }
        merge_slices(&mut batch, &mut ends, &mut scratch, &mut merged_ends);
        for &v in batch.iter() {
            if last != Some(v) {
                out(v);
                last = Some(v);
            }
        }
    });
}

/// The number of distinct values across `runs`, in the batches of [`for_each_batch`]:
/// batches hold disjoint ranges of values, so their distinct counts add up, and a batch's
/// count needs no order, only a hash table that stays in cache. Merging the batch's
/// slices instead moved every value once per level, log2 of the run count: at ten million
/// rows (about 60 runs a kind) that merge was 8.5% of a -j2 scan's CPU time.
///
/// Each distinct value also goes to `each` once, in no particular order.
fn count_union_each(
    runs: &[Run],
    buffer: &[u64],
    batch_max: usize,
    scratch: &mut Vec<u64>,
    each: &mut impl FnMut(u64),
) -> usize {
    let mut table = CountTable::default();
    let mut rest = Ranges::new(buffer, scratch);
    let (mut n, mut batch) = (0, Vec::new());
    for_each_batch(runs, batch_max, |parts, bound| {
        // The runs' slices are counted where they lie: copying them into one batch moved
        // every value once more.
        batch.clear();
        rest.take_upto(bound, &mut batch);
        let mut parts = parts.to_vec();
        parts.push(&batch);
        n += table.count_parts(&parts, each)
    });
    // What the buffer holds above every run's values.
    batch.clear();
    rest.take_upto(u64::MAX, &mut batch);
    n + table.count_distinct(&batch, each)
}

/// An unsorted buffer split by ranges of values, as a flush's first pass splits it
/// ([`histogram`], [`scatter`]), handed on range by range in ascending order: a batch of
/// [`count_union_each`] needs the values up to its bound, in any order.
struct Ranges<'a> {
    /// The values, range after range; `values[..at]` handed on.
    values: &'a mut [u64],
    /// Each range's end in `values`.
    ends: Vec<usize>,
    /// The range `values[at..]` starts in; whether its rest is sorted.
    range: usize,
    at: usize,
    sorted: bool,
    /// [`sort_in_place`]'s second buffer, kept from range to range.
    spare: Vec<u64>,
}

/// Sorts `v` in place: split and sorted by the networks ([`sort_bucket`], through `spare`)
/// where they are available: linear time on the few wide ranges of a buffer of phone
/// numbers (up to 100,000 values each), where `sort_unstable` took 4.5 ms of the 75 ms of
/// CPU time after a 1M-row CSV's scan (-j2), the networks 2.3 ms.
fn sort_in_place(v: &mut [u64], spare: &mut Vec<u64>) {
    if !network::available() {
        v.sort_unstable();
        return;
    }
    if spare.len() < v.len() {
        spare.resize(v.len(), 0);
    }
    let spare = &mut spare[..v.len()];
    if sort_bucket(v, spare, &mut Vec::new()) {
        v.copy_from_slice(spare);
    }
}

/// A range of more values than this that a bound cuts is sorted once, then cut by a
/// binary search; a smaller one is split around each bound (linear time: at most this
/// many values looked at per batch).
const SPLIT_MAX: usize = 256;

impl<'a> Ranges<'a> {
    fn new(buffer: &[u64], scratch: &'a mut Vec<u64>) -> Self {
        let n = buffer.len();
        if scratch.len() < n {
            scratch.resize(n, 0);
        }
        let values = &mut scratch[..n];
        let shift = differing_bits(buffer).saturating_sub(DIGIT_BITS);
        let mut count = [0u32; BUCKETS];
        for &x in buffer {
            count[digit(x, shift)] += 1;
        }
        scatter(buffer, values, &count, shift);
        let ends = count
            .iter()
            .scan(0, |end, &c| {
                *end += c as usize;
                Some(*end)
            })
            .collect();
        Ranges {
            values,
            ends,
            range: 0,
            at: 0,
            sorted: false,
            spare: Vec::new(),
        }
    }

    /// Appends to `out` the values not handed on yet that are at most `bound`. Every range
    /// is above the ones before it, so the first range not taken whole ends the batch.
    fn take_upto(&mut self, bound: u64, out: &mut Vec<u64>) {
        while let Some(&end) = self.ends.get(self.range) {
            let rest = &mut self.values[self.at..end];
            if rest.len() > SPLIT_MAX && !self.sorted {
                sort_in_place(rest, &mut self.spare);
                self.sorted = true;
            }
            let k = if self.sorted {
                rest.partition_point(|&v| v <= bound)
            } else {
                let mut k = 0;
                for i in 0..rest.len() {
                    if rest[i] <= bound {
                        rest.swap(k, i);
                        k += 1;
                    }
                }
                k
            };
            out.extend_from_slice(&rest[..k]);
            self.at += k;
            if self.at < end {
                return;
            }
            self.range += 1;
            self.sorted = false;
        }
    }
}

/// An open-addressing table that counts distinct values batch by batch, for batches that
/// ascend: every value of a batch above every value of the batches before it (as
/// [`for_each_batch`] and [`count_unsorted`] cut them). A slot below `floor`, one more than
/// the largest value counted so far, holds nothing of the current batch, so it is free:
/// the table is zeroed once, when allocated, where clearing it for every batch (a memset of
/// up to 512 KiB) cost more than counting the batch's values.
///
/// With AVX-512 ([`lines`]) a value is looked for in a line of eight slots at once: its
/// home line, then the next while a line is full. One slot at a time, the probe's branch
/// (taken or not by whether a slot was free, at random) mispredicted: the scalar probe
/// was 40% of the end-of-scan count's time.
struct CountTable {
    slots: Vec<u64>,
    floor: u64,
    /// Whether to probe a line of eight slots at a time ([`lines`]); fixed for the
    /// table's life, since a value's place depends on it.
    lines: bool,
}

impl Default for CountTable {
    fn default() -> Self {
        CountTable::probing(lines::available())
    }
}

impl CountTable {
    /// A table that probes eight slots at a time or one (a parameter so that tests can hold
    /// both ways to each other).
    fn probing(lines: bool) -> Self {
        CountTable {
            slots: Vec::new(),
            floor: 0,
            lines,
        }
    }

    /// The distinct values of `values` (all at least the floor: see the type), each handed
    /// to `each` when first seen. Zero counts apart, in the first batch, where it is the
    /// free slots' mark.
    fn count_distinct(&mut self, values: &[u64], each: &mut impl FnMut(u64)) -> usize {
        self.count_parts(&[values], each)
    }

    /// [`CountTable::count_distinct`] of the values of all `parts`, one batch.
    fn count_parts(&mut self, parts: &[&[u64]], each: &mut impl FnMut(u64)) -> usize {
        let bits = table_bits(parts.iter().map(|p| p.len()).sum());
        let size = 1usize << bits;
        if self.slots.len() < size {
            // Fresh zeros: below any floor.
            self.slots = vec![0; size];
        }
        let floor = self.floor.max(1);
        let slots = &mut self.slots[..size];
        let found = if self.lines {
            lines::count(slots, bits, floor, parts, each)
        } else {
            count_slots(slots, bits, floor, parts, each)
        };
        self.floor = self.floor.max(found.top.saturating_add(1));
        found.new + usize::from(found.zero)
    }
}

/// What one batch of a [`CountTable`] found: values new to it, whether zero was among them
/// (below every floor, so counted apart), and the largest value stored.
#[derive(Default)]
struct Found {
    new: usize,
    zero: bool,
    top: u64,
}

impl Found {
    /// A value below the floor: only zero, in the first batch, if the batches ascend;
    /// handed on once.
    #[inline(always)]
    fn below_floor(&mut self, v: u64, floor: u64, each: &mut impl FnMut(u64)) {
        debug_assert!(v == 0 && floor == 1, "batches ascend");
        if !self.zero {
            each(v);
        }
        self.zero = true;
    }

    /// A value stored in a free slot: new to the table.
    #[inline(always)]
    fn stored(&mut self, v: u64, each: &mut impl FnMut(u64)) {
        self.new += 1;
        self.top = self.top.max(v);
        each(v);
    }
}

/// [`CountTable::count_parts`] one slot at a time: a table of `2^bits` slots, those below
/// `floor` free.
fn count_slots(
    slots: &mut [u64],
    bits: u32,
    floor: u64,
    parts: &[&[u64]],
    each: &mut impl FnMut(u64),
) -> Found {
    let mask = slots.len() - 1;
    let mut f = Found::default();
    for &v in parts.iter().copied().flatten() {
        if v < floor {
            f.below_floor(v, floor, each);
            continue;
        }
        let mut i = home(v, bits);
        loop {
            match slots[i] {
                t if t == v => break,
                t if t < floor => {
                    slots[i] = v;
                    f.stored(v, each);
                    break;
                }
                _ => i = (i + 1) & mask,
            }
        }
    }
    f
}

/// [`CountTable`]'s probe a line of eight slots at a time, with AVX-512: one compare finds
/// the value in its line, a second the line's free slots; the next line only when a line
/// is full, which a table at most half full rarely has.
mod lines {
    use super::Found;

    /// Whether [`count`] may probe by lines: the CPU has AVX-512F.
    pub fn available() -> bool {
        super::network::available()
    }

    /// [`super::count_slots`] by lines of eight slots (`slots`, `2^bits` of them, at least
    /// 16). Panics unless [`available`].
    pub fn count(
        slots: &mut [u64],
        bits: u32,
        floor: u64,
        parts: &[&[u64]],
        each: &mut impl FnMut(u64),
    ) -> Found {
        assert!(available(), "AVX-512F");
        assert!(slots.len() == 1 << bits && bits >= 4, "{bits} bits");
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: the CPU has AVX-512F (checked above).
            unsafe { x86::count(slots, bits, floor, parts, each) }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            unreachable!("no lines without AVX-512F")
        }
    }

    #[cfg(target_arch = "x86_64")]
    mod x86 {
        use super::Found;
        use std::arch::x86_64::*;

        #[target_feature(enable = "avx512f")]
        pub fn count(
            slots: &mut [u64],
            bits: u32,
            floor: u64,
            parts: &[&[u64]],
            each: &mut impl FnMut(u64),
        ) -> Found {
            let line_bits = bits - 3;
            let mask = (1usize << line_bits) - 1;
            let below = _mm512_set1_epi64(floor as i64);
            let mut f = Found::default();
            for &v in parts.iter().copied().flatten() {
                if v < floor {
                    f.below_floor(v, floor, each);
                    continue;
                }
                let want = _mm512_set1_epi64(v as i64);
                let home = super::super::home(v, line_bits);
                // SAFETY: `home` is below 2^(bits - 3), so its eight slots are inside
                // `slots` (2^bits of them, asserted by the caller).
                let at = unsafe { slots.as_mut_ptr().add(8 * home) };
                let held = unsafe { _mm512_loadu_si512(at.cast()) };
                let seen = _mm512_cmpeq_epu64_mask(held, want);
                let free = _mm512_cmplt_epu64_mask(held, below);
                if seen | free == 0 {
                    // The home line full without the value: rare in a table at most half
                    // full.
                    probe_on(slots, home, mask, below, want, v, &mut f, each);
                    continue;
                }
                // Seen or not is a coin toss where repeats are common: no branch on it. A
                // value seen stores nothing (an empty mask); a new one goes to the line's
                // first free slot.
                let new = seen == 0;
                let put = free & free.wrapping_neg() & u8::from(new).wrapping_neg();
                // SAFETY: as for the load.
                unsafe { _mm512_mask_storeu_epi64(at.cast(), put, want) };
                f.new += usize::from(new);
                f.top = f.top.max(if new { v } else { 0 });
                if new {
                    each(v);
                }
            }
            f
        }

        /// The lines after `home`, which is full without `v`, until one holds `v` or a
        /// free slot (stored there).
        #[allow(clippy::too_many_arguments)]
        #[cold]
        #[inline(never)]
        #[target_feature(enable = "avx512f")]
        fn probe_on(
            slots: &mut [u64],
            home: usize,
            mask: usize,
            below: __m512i,
            want: __m512i,
            v: u64,
            f: &mut Found,
            each: &mut impl FnMut(u64),
        ) {
            let mut line = (home + 1) & mask;
            loop {
                // SAFETY: `line` is at most `mask`, below 2^(bits - 3): its eight slots are
                // inside `slots` (2^bits of them, asserted by the caller).
                let held = unsafe { _mm512_loadu_si512(slots.as_ptr().add(8 * line).cast()) };
                if _mm512_cmpeq_epu64_mask(held, want) != 0 {
                    return;
                }
                let free = _mm512_cmplt_epu64_mask(held, below);
                if free != 0 {
                    slots[8 * line + free.trailing_zeros() as usize] = v;
                    f.stored(v, each);
                    return;
                }
                line = (line + 1) & mask;
            }
        }
    }
}

/// Bits of the index of a [`CountTable`] for `n` values: at most half full, short probes.
fn table_bits(n: usize) -> u32 {
    (2 * n).next_power_of_two().trailing_zeros().max(4)
}

/// The slot a value is first looked for in a table of `bits` bits. Fibonacci hashing: the
/// top bits of the product mix every bit of the value.
#[inline]
fn home(v: u64, bits: u32) -> usize {
    (v.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
}

/// A table that counts the distinct values of one set after another, in any order, and is
/// kept between them: a slot is free unless its tag is the current set's, so a new set
/// starts on the old contents without zeroing them. A new table per set was zeroed by
/// calloc (a memset of up to 2 MiB: 50 instructions a record of a 100k-row scan); zeroing
/// the used slots by walking the values again cost 80.
#[derive(Default)]
struct KeptTable {
    slots: Vec<u64>,
    /// The set each slot was written for (its tag); `tag` is the current set's.
    tags: Vec<u8>,
    tag: u8,
}

impl KeptTable {
    /// The distinct values of `values`, each handed to `each` when first seen.
    fn count_distinct(&mut self, values: &[u64], each: &mut impl FnMut(u64)) -> usize {
        let bits = table_bits(values.len());
        let size = 1usize << bits;
        if self.slots.len() < size {
            self.slots = vec![0; size];
            self.tags = vec![0; size];
            self.tag = 0;
        }
        // Tags of the 255 sets before this one may be left in the slots; after those the
        // tags start over from zeros.
        self.tag = self.tag.wrapping_add(1);
        if self.tag == 0 {
            self.tags.fill(0);
            self.tag = 1;
        }
        let (slots, tags, tag) = (&mut self.slots[..size], &mut self.tags[..size], self.tag);
        let mask = size - 1;
        let mut n = 0;
        for &v in values {
            let mut i = home(v, bits);
            loop {
                if tags[i] != tag {
                    (tags[i], slots[i]) = (tag, v);
                    n += 1;
                    each(v);
                    break;
                }
                if slots[i] == v {
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        n
    }
}

thread_local! {
    /// [`count_unsorted`]'s table, one per thread, kept from set to set.
    static KEPT: std::cell::RefCell<KeptTable> = std::cell::RefCell::new(KeptTable::default());
}

/// Values [`count_unsorted`] counts in one table, unpartitioned: a table of at most 2 MiB
/// (a quarter to half full), which stays in a core's L2 or the L3. The partition pass it
/// spares (the leading bits, their histogram and the scatter into a second buffer, which
/// was zeroed first) cost about 20 instructions a value, as much as the counting.
const ONE_TABLE: usize = 1 << 17;

/// The distinct values of `values` in no order, counted without sorting them: a set still
/// in its buffer at the end of a scan (fewer values than the buffer holds: every set of a
/// scan of up to about 250,000 records) was sorted and encoded as a run only to be counted,
/// 96 and 25 instructions a value (callgrind, 100k-row CSV). Up to [`ONE_TABLE`] values
/// are counted in one table; more are first scattered by their leading bits into value
/// ranges ([`scatter`], `scratch` holding them), and consecutive ranges are counted a batch
/// of at most [`UNION_BATCH`] at a time: the ranges are disjoint, so their counts add up.
fn count_unsorted(values: &[u64], scratch: &mut Vec<u64>, each: &mut impl FnMut(u64)) -> usize {
    count_unsorted_in(values, ONE_TABLE, scratch, each)
}

/// [`count_unsorted`] with up to `one_table` values counted unpartitioned (a parameter so
/// that tests can hold both ways to each other).
fn count_unsorted_in(
    values: &[u64],
    one_table: usize,
    scratch: &mut Vec<u64>,
    each: &mut impl FnMut(u64),
) -> usize {
    let n = values.len();
    if n <= one_table.max(UNION_BATCH) {
        return KEPT.with_borrow_mut(|table| table.count_distinct(values, each));
    }
    let mut table = CountTable::default();
    let shift = differing_bits(values).saturating_sub(DIGIT_BITS);
    let mut count = [0u32; BUCKETS];
    for &x in values {
        count[digit(x, shift)] += 1;
    }
    if scratch.len() < n {
        scratch.resize(n, 0);
    }
    let sorted = &mut scratch[..n];
    scatter(values, sorted, &count, shift);
    let (mut distinct, mut start, mut end) = (0, 0, 0);
    for &c in &count {
        let c = c as usize;
        if end > start && end - start + c > UNION_BATCH {
            distinct += table.count_distinct(&sorted[start..end], each);
            start = end;
        }
        end += c;
    }
    distinct + table.count_distinct(&sorted[start..end], each)
}

/// Hands `each` every value of `runs`, batch by batch: a batch is at most
/// about `batch_max` values, given as one ascending slice per run (none empty), where the
/// run's decoded values lie. Every value of a batch is above every value of the batches
/// before it.
///
/// Every run decodes up to `batch_max / k` values ahead into a buffer of its own. No run
/// that still has values to decode can hold anything below its last decoded value, so the
/// smallest of those values bounds a batch: the batch takes what every buffer holds up to
/// the bound. The run that set the bound is emptied, so every batch makes progress. The
/// bound goes to `each` too (`u64::MAX` once no run has values left to decode): every value
/// of later batches is above it.
///
/// A buffer is topped up once half of it or less is left, its rest moved to the front (at
/// most one move a value taken since the last top-up: linear). Refilled only when empty, the
/// other runs' short rests set the next bounds: batches of at most 16 Ki values held 416 on
/// average (a 10M-row CSV's 45.6M values), each paying the loops over all runs.
fn for_each_batch(runs: &[Run], batch_max: usize, mut each: impl FnMut(&[&[u64]], u64)) {
    let per = (batch_max / runs.len().max(1)).max(1);
    // Once `iter` has nothing left to decode, all that remains of the run is `buf[pos..]`.
    struct Ahead<'a> {
        iter: RunIter<'a>,
        buf: Vec<u64>,
        pos: usize,
    }
    let mut ahead: Vec<Ahead> = runs
        .iter()
        .map(|r| Ahead {
            iter: r.iter(),
            buf: Vec::with_capacity(per),
            pos: 0,
        })
        .collect();
    let mut taken = Vec::with_capacity(runs.len());
    loop {
        // `u64::MAX` bounds nothing: every value is at most that.
        let mut bound = u64::MAX;
        let mut live = false;
        for a in &mut ahead {
            if a.buf.len() - a.pos <= per / 2 && a.iter.decoding() {
                a.buf.drain(..a.pos);
                a.pos = 0;
                let room = per - a.buf.len();
                a.iter.take_into(&mut a.buf, room);
            }
            if let Some(&top) = a.buf[a.pos..].last() {
                live = true;
                if a.iter.decoding() {
                    bound = bound.min(top);
                }
            }
        }
        if !live {
            return;
        }
        taken.clear();
        for (i, a) in ahead.iter_mut().enumerate() {
            let n = a.buf[a.pos..].partition_point(|&v| v <= bound);
            if n > 0 {
                taken.push((i, a.pos..a.pos + n));
            }
            a.pos += n;
        }
        let parts: Vec<&[u64]> = taken
            .iter()
            .map(|(i, r)| &ahead[*i].buf[r.clone()])
            .collect();
        each(&parts, bound);
    }
}

/// Sorts `v`, made of ascending slices that end at `ends`, by merging neighbouring slices in
/// pairs until one is left: each value is moved once per level, log2 of the slice count,
/// where sorting the batch went log2 of its length levels deep.
fn merge_slices(
    v: &mut Vec<u64>,
    ends: &mut Vec<usize>,
    scratch: &mut Vec<u64>,
    merged_ends: &mut Vec<usize>,
) {
    while ends.len() > 1 {
        scratch.clear();
        merged_ends.clear();
        let mut start = 0;
        for pair in ends.chunks(2) {
            match *pair {
                [mid, end] => {
                    merge2(&v[start..mid], &v[mid..end], scratch);
                    start = end;
                }
                [end] => {
                    scratch.extend_from_slice(&v[start..end]);
                    start = end;
                }
                _ => unreachable!("chunks of two"),
            }
            merged_ends.push(scratch.len());
        }
        std::mem::swap(v, scratch);
        std::mem::swap(ends, merged_ends);
    }
}

/// `a` and `b`, both ascending, appended to `out` in ascending order. The smaller head is
/// chosen without a branch: which run it comes from is random, a branch would mispredict.
fn merge2(a: &[u64], b: &[u64], out: &mut Vec<u64>) {
    out.reserve(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        let take_a = x <= y;
        out.push(if take_a { x } else { y });
        i += usize::from(take_a);
        j += usize::from(!take_a);
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
}

impl AddAssign for DistinctSet {
    fn add_assign(&mut self, o: Self) {
        self.counted = None;
        // A chunk's set is mostly an unsorted buffer: append it, sort once it is large.
        if self.pending.is_empty() {
            self.pending = o.pending;
        } else {
            self.pending.extend_from_slice(&o.pending);
        }
        if self.pending.len() >= PENDING_MAX {
            self.flush();
        }
        // Runs are only collected here; the scan counts across them at the end
        // (`Summary::settle`), every kind in parallel.
        self.runs.extend(o.runs);
        if self.runs.len() > MAX_RUNS {
            self.merge_runs();
        }
    }
}

/// Runs `f` on every set in parallel, the largest first, so no thread is left alone with a
/// big one at the end (rayon's even split of the five kinds gave one thread the two largest).
fn largest_first(mut sets: Vec<&mut DistinctSet>, f: fn(&mut DistinctSet)) {
    use rayon::prelude::*;
    sets.sort_by_key(|s| std::cmp::Reverse(s.buffered()));
    sets.into_par_iter().with_max_len(1).for_each(f);
}

/// A 64-bit hash of an e-mail address, lower-cased on the fly: eight bytes a step (ASCII
/// letters lower-cased in the word, other bytes kept), then a final avalanche. Byte-at-a-time
/// FNV-1a cost about 1% of a CSV scan.
pub fn hash_lower(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = K ^ bytes.len() as u64;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let x = lower8(u64::from_le_bytes(w.try_into().expect("8 bytes")));
        h = (h ^ x).wrapping_mul(K).rotate_left(29);
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        // Read in registers: a copy into a zeroed buffer stalls the load that reads it back.
        h = (h ^ lower8(load_le(rest) as u64))
            .wrapping_mul(K)
            .rotate_left(29);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

#[derive(Clone, Debug, Default)]
pub struct KindStats {
    pub candidates: u64,
    pub valid: u64,
    /// By reason, in the slots of `InvalidReason::slot`.
    pub invalid: [u64; InvalidReason::MOST],
    pub unique: DistinctSet,
}

impl AddAssign for KindStats {
    fn add_assign(&mut self, o: Self) {
        self.candidates += o.candidates;
        self.valid += o.valid;
        for (a, b) in self.invalid.iter_mut().zip(o.invalid) {
            *a += b;
        }
        self.unique += o.unique;
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RecordStats {
    pub total: u64,
    pub with_candidates: u64,
    pub with_valid_nik: u64,
    pub confirmed: u64,
    pub by_birth_date: u64,
    pub by_bpjs_card: u64,
    pub by_reference: u64,
    pub by_nip: u64,
    pub reference_matched: u64,
}

impl AddAssign for RecordStats {
    fn add_assign(&mut self, o: Self) {
        self.total += o.total;
        self.with_candidates += o.with_candidates;
        self.with_valid_nik += o.with_valid_nik;
        self.confirmed += o.confirmed;
        self.by_birth_date += o.by_birth_date;
        self.by_bpjs_card += o.by_bpjs_card;
        self.by_reference += o.by_reference;
        self.by_nip += o.by_nip;
        self.reference_matched += o.reference_matched;
    }
}

/// Counts over all identifiers and records.
#[derive(Clone, Debug)]
pub struct Stats {
    pub records: RecordStats,
    pub kinds: [KindStats; Kind::COUNT],
    pub nik_damaged: u64,
    pub nik_female: u64,
    pub nik_male: u64,
    pub provinces: [u64; 100],
    pub birth_date_agree: u64,
    pub birth_date_disagree: u64,
    pub sex_agree: u64,
    pub sex_disagree: u64,
    pub card_restored: u64,
    /// Phones of a phone field that had lost their leading 0 (SPEC §5).
    pub phone_restored: u64,
    /// Valid phones per operator index (`Patterns::operator_names`).
    pub operators: Vec<u64>,
    /// Valid e-mails per class index (`Patterns::domain_class_names`).
    pub domain_classes: Vec<u64>,
    /// Distinct valid NIKs found in the `--reference` set.
    pub reference_people: DistinctSet,
    /// Records per sensitive-data category (`sensitive::CATEGORIES`).
    pub sensitive: [u64; 6],
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            records: RecordStats::default(),
            kinds: Default::default(),
            nik_damaged: 0,
            nik_female: 0,
            nik_male: 0,
            provinces: [0; 100],
            birth_date_agree: 0,
            birth_date_disagree: 0,
            sex_agree: 0,
            sex_disagree: 0,
            card_restored: 0,
            phone_restored: 0,
            operators: Vec::new(),
            domain_classes: Vec::new(),
            reference_people: DistinctSet::default(),
            sensitive: [0; 6],
        }
    }
}

fn add_vec(a: &mut Vec<u64>, b: Vec<u64>) {
    if a.len() < b.len() {
        a.resize(b.len(), 0);
    }
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

impl AddAssign for Stats {
    fn add_assign(&mut self, o: Self) {
        self.records += o.records;
        for (a, b) in self.kinds.iter_mut().zip(o.kinds) {
            *a += b;
        }
        self.nik_damaged += o.nik_damaged;
        self.nik_female += o.nik_female;
        self.nik_male += o.nik_male;
        for (a, b) in self.provinces.iter_mut().zip(o.provinces) {
            *a += b;
        }
        self.birth_date_agree += o.birth_date_agree;
        self.birth_date_disagree += o.birth_date_disagree;
        self.sex_agree += o.sex_agree;
        self.sex_disagree += o.sex_disagree;
        self.card_restored += o.card_restored;
        self.phone_restored += o.phone_restored;
        add_vec(&mut self.operators, o.operators);
        add_vec(&mut self.domain_classes, o.domain_classes);
        self.reference_people += o.reference_people;
        for (a, b) in self.sensitive.iter_mut().zip(o.sensitive) {
            *a += b;
        }
    }
}

/// Everything a scan learned, before it is rendered.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub stats: Stats,
    /// Ledger entries by path. On a worker's summary during a scan, its newest entries may
    /// still be in `tail`: read it after [`Summary::flush_tail`] (or [`Summary::take_files`]).
    pub files: BTreeMap<String, FileStats>,
    /// Field names seen in headers and keys: normalized name → names as written.
    pub fields: BTreeMap<String, BTreeSet<String>>,
    /// `--records`: where each chunk's rows are (order is restored when they are written).
    pub rows: Vec<crate::summary::rows::RowChunk>,
    /// Attribution value shapes: (source, field rule index) → [values checked, matched].
    pub shapes: BTreeMap<(String, usize), [u64; 2]>,
    /// The date ages are computed on: `--as-of` or today, set by the scan before it settles
    /// (not merged).
    pub as_of: Option<crate::calendar::Date>,
    /// Distinct usable entries of `--reference`, when given (set after the scan).
    pub reference: Option<u64>,
    /// The distinct people of the NIK set, counted by [`Summary::settle`] on `as_of`; a sum
    /// of summaries drops it, since its sets have changed.
    pub impact: Option<Impact>,
    /// Distinct counts settled without the sets (a merge of states, which holds none):
    /// when set, reports read them instead of the sets.
    pub settled: Option<Settled>,
    /// The ledger as a state holds it (`state::seal`): masked names, keyed by (masked
    /// path, keyed fingerprint of the raw path). When set, it replaces `files`, which is
    /// then empty, and reports list it in that order.
    pub sealed: Option<BTreeMap<(String, u64), FileStats>>,
    /// Chain of custody: start, roots, case (set by the command line after the scan).
    pub custody: crate::summary::custody::Custody,
    /// `--sample N`: only the first N records of each entry were read. A sampled scan is
    /// never complete (exit 3), and a verdict on it speaks for the sample only.
    pub sampled: Option<u64>,
    /// `--shard I/N`: what this shard took of the walk, for stderr (not merged, not rendered).
    pub shard_note: Option<String>,
    /// A worker's newest ledger entries (see [`Summary::add_entry`]); empty but while a scan
    /// adds to a worker's summary.
    pub tail: Tail,
}

/// Ledger entries in increasing name order, every name after those in the summary's `files`.
/// Public only so that a summary can be written out field by field (`..Default::default()`).
#[derive(Clone, Debug, Default)]
pub struct Tail(Vec<(String, FileStats)>);

/// The distinct counts of a summary whose sets are elsewhere (see [`Summary::settled`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settled {
    /// Distinct valid values per kind, in [`Kind::ALL`] order.
    pub unique: [u64; Kind::COUNT],
    /// Distinct valid NIKs found in the `--reference` set.
    pub reference_people: u64,
}

impl AddAssign for Summary {
    fn add_assign(&mut self, mut o: Self) {
        self.flush_tail();
        o.flush_tail();
        self.impact = None;
        self.custody += o.custody;
        self.sampled = self.sampled.max(o.sampled);
        self.stats += o.stats;
        add_files(&mut self.files, o.files);
        for (k, v) in o.fields {
            self.fields.entry(k).or_default().extend(v);
        }
        self.rows.extend(o.rows);
        for (k, [c, m]) in o.shapes {
            let e = self.shapes.entry(k).or_default();
            e[0] += c;
            e[1] += m;
        }
    }
}

/// Adds the ledger entries `o` to `mine`. A few are inserted one by one. As many as a
/// fraction of `mine` are first added into the entries `mine` has, then the rest joins in
/// one ordered pass ([`BTreeMap::append`]) that leaves the tree's nodes full: a tree built
/// by inserting keys in order, as a worker's ledger is, leaves them half empty, and
/// collecting a merge into a new tree held it twice, once in a vector to sort.
fn add_files(mine: &mut BTreeMap<String, FileStats>, mut o: BTreeMap<String, FileStats>) {
    if o.len() < mine.len() / 8 {
        for (path, f) in o {
            match mine.entry(path) {
                Entry::Occupied(e) => *e.into_mut() += f,
                Entry::Vacant(e) => {
                    e.insert(f);
                }
            }
        }
        return;
    }
    if !mine.is_empty() {
        o.retain(|path, f| match mine.get_mut(path) {
            Some(m) => {
                *m += std::mem::replace(f, FileStats::new(State::Scanned, "", 0));
                false
            }
            None => true,
        });
    }
    mine.append(&mut o);
}

/// Adds one ledger entry (or a chunk's share of one) to `files`.
pub fn add_file(files: &mut BTreeMap<String, FileStats>, path: &str, f: FileStats) {
    match files.get_mut(path) {
        Some(mine) => *mine += f,
        None => {
            files.insert(path.to_string(), f);
        }
    }
}

impl Summary {
    /// Adds the ledger row `f` (or a chunk's share of it) of the entry `name`. A worker
    /// gets its entries mostly in increasing name order (a rayon split walks its names in
    /// order): such an entry is appended to `tail` after one comparison, where a search of
    /// `files` (some 34 comparisons of long names) cost a small file a twelfth of its scan.
    /// Any other name is looked for in `files`, once `tail` has joined it.
    pub fn add_entry(&mut self, name: &str, f: FileStats) {
        let new = match self.tail.0.last_mut() {
            Some((last, mine)) => match name.cmp(last.as_str()) {
                std::cmp::Ordering::Greater => true,
                std::cmp::Ordering::Equal => {
                    *mine += f;
                    return;
                }
                std::cmp::Ordering::Less => false,
            },
            None => self
                .files
                .last_key_value()
                .is_none_or(|(last, _)| name > last.as_str()),
        };
        if new {
            self.tail.0.push((name.to_string(), f));
        } else {
            self.flush_tail();
            add_file(&mut self.files, name, f);
        }
    }

    /// Moves `tail` into `files`, where the ledger's readers look. Every entry moves once,
    /// so the ledger costs no more than with a search of `files` for each: one insertion
    /// each for a few, one ordered pass over both for many ([`BTreeMap::append`]).
    pub fn flush_tail(&mut self) {
        if self.tail.0.is_empty() {
            return;
        }
        if self.tail.0.len() < self.files.len() / 8 {
            // Names after every name in `files`: new ones.
            for (name, f) in self.tail.0.drain(..) {
                add_file(&mut self.files, &name, f);
            }
        } else {
            // Collected where the entries lie, not copied out first (a drain is).
            let mut tail: BTreeMap<String, FileStats> =
                std::mem::take(&mut self.tail.0).into_iter().collect();
            // Every name of the tail after every one of `files`: none is overwritten.
            debug_assert!(self.files.keys().next_back() < tail.keys().next());
            self.files.append(&mut tail);
        }
    }

    /// The whole ledger (`tail` too), taken out of the summary.
    pub fn take_files(&mut self) -> BTreeMap<String, FileStats> {
        self.flush_tail();
        std::mem::take(&mut self.files)
    }

    /// Every ledger entry, from `files` or, once sealed, from `sealed`.
    pub fn entries(&self) -> impl Iterator<Item = &FileStats> {
        self.files
            .values()
            .chain(self.sealed.iter().flat_map(|m| m.values()))
    }

    /// The number of ledger entries.
    pub fn entry_count(&self) -> usize {
        self.files.len() + self.sealed.as_ref().map_or(0, BTreeMap::len)
    }

    /// SPEC §2 exit code 3: some entry is partial or failed.
    pub fn incomplete(&self) -> bool {
        self.entries()
            .any(|f| matches!(f.state, State::Partial | State::Failed))
    }

    /// Every distinct set of the summary, for sealing them side by side.
    pub fn sets(&mut self) -> impl Iterator<Item = &mut DistinctSet> {
        let s = &mut self.stats;
        s.kinds
            .iter_mut()
            .map(|k| &mut k.unique)
            .chain(std::iter::once(&mut s.reference_people))
    }

    /// Settles every distinct set once the scan is done, in parallel on the current rayon
    /// pool: counts its distinct values ([`DistinctSet::count`], no merged copy), and counts
    /// [`Summary::impact`] from the NIKs while they stream past in order. The NIKs go first,
    /// on one thread, while the other kinds are counted on the others.
    pub fn settle(&mut self) {
        let as_of = self.as_of;
        // `sets` yields the kinds' sets in kind order, then the reference matches.
        let mut others: Vec<&mut DistinctSet> = self.sets().collect();
        let nik = others.remove(Kind::Nik.index());
        let (impact, ()) = rayon::join(
            || {
                let mut c = ImpactCounter::new(as_of);
                nik.count_each(|v| c.add(v));
                c.finish()
            },
            || {
                largest_first(others, |s| {
                    s.count();
                })
            },
        );
        self.impact = Some(impact);
    }

    /// The ledger's bytes and its entries by state, in one pass: a dump of small files has an
    /// entry per file, and a pass for each figure was a tenth of the serial end of its scan.
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for f in self.entries() {
            // Saturating: a `sum` that overflows panics in a debug build and wraps in a release.
            t.bytes = t.bytes.saturating_add(f.bytes);
            *match f.state {
                State::Scanned => &mut t.scanned,
                State::Partial => &mut t.partial,
                State::Skipped => &mut t.skipped,
                State::Failed => &mut t.failed,
            } += 1;
        }
        t
    }
}

/// What [`Summary::totals`] counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub bytes: u64,
    pub scanned: u64,
    pub partial: u64,
    pub skipped: u64,
    pub failed: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::xorshift;

    #[test]
    fn the_total_of_bytes_saturates() {
        let mut s = Summary::default();
        for name in ["a", "b"] {
            add_file(
                &mut s.files,
                name,
                FileStats::new(State::Scanned, "csv", u64::MAX),
            );
        }
        assert_eq!(s.totals().bytes, u64::MAX);
    }

    #[test]
    fn blocks_of_every_width_read_back() {
        // Gaps of every bit width, alone in their block and beside narrower ones; widths
        // 57 to 63 (written 64 bits a gap), 56 (the widest shifted in a word); blocks cut
        // short at every length; values late in the run (read from a copy).
        let mut x = 0x0bad_5eed_1234_5678u64;
        for bits in 1..=64u32 {
            for len in [1, 2, GAPS - 1, GAPS, GAPS + 1, 3 * GAPS + 5] {
                for spread in [0, 1, 2] {
                    let mut values = Vec::new();
                    let mut v = 0u64;
                    for i in 0..len {
                        let wide = u64::MAX >> (64 - bits);
                        let g = match (spread, i % 3) {
                            (0, _) | (_, 0) => wide,
                            (1, _) => 1,
                            _ => xorshift(&mut x) & wide,
                        };
                        match v.checked_add(g.max(1)) {
                            Some(n) => v = n,
                            None => break,
                        }
                        values.push(v);
                    }
                    let r = Run::encode(&values);
                    assert_eq!(r.len, values.len());
                    assert_eq!(r.iter().collect::<Vec<_>>(), values, "{bits} {len}");
                }
            }
        }
        // A block is its width's byte and two bytes a bit: 300 is nine bits.
        assert_eq!(
            Run::encode(&[300]).bytes,
            [9, 0x2c, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(Run::encode(&[0]).bytes, [1, 0, 0]);
        assert_eq!(Run::encode(&[1 << 55]).bytes.len(), 1 + 2 * 56);
        assert_eq!(Run::encode(&[1 << 56]).bytes.len(), 1 + 2 * 64);
        assert_eq!(
            Run::encode(&[u64::MAX]).iter().collect::<Vec<_>>(),
            [u64::MAX]
        );
        // Blocks cut short (not written by a writer) read as zeros, and do not panic.
        let mut out = [0; GAPS];
        assert_eq!(unpack(&[], 5, GAPS, &mut out), 3);
        assert_eq!(out, [5; GAPS]);
        unpack(&[64, 1], 0, GAPS, &mut out);
        assert_eq!(out, [1; GAPS]);
    }

    #[test]
    fn values_are_taken_from_runs_in_pieces_of_any_size() {
        let values: Vec<u64> = (0..5 * GAPS as u64 + 3).map(|i| i * i * 1000 + 7).collect();
        let r = Run::encode(&values);
        for first in 0..=2 * GAPS + 1 {
            for then in [1, 2, GAPS - 1, GAPS, GAPS + 1, 2 * GAPS + 3, usize::MAX] {
                let mut it = r.iter();
                let mut got: Vec<u64> = it.by_ref().take(first).collect();
                while it.decoding() {
                    let before = got.len();
                    it.take_into(&mut got, then);
                    assert!(got.len() > before, "{first} {then}: progress");
                    assert!(got.len() - before <= then);
                }
                assert_eq!(got, values, "{first} then {then}");
                assert_eq!(it.next(), None);
            }
        }
    }

    #[test]
    fn sorting_in_buckets_matches_the_standard_sort() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut rand = |mask: u64| {
            xorshift(&mut x);
            x & mask
        };
        // Enough values for the buckets (fewer go straight to the standard sort).
        let n = 3 * BUCKETS;
        let cases: Vec<Vec<u64>> = vec![
            vec![],
            vec![7],
            vec![u64::MAX, 0, 5],
            // Every value the same: nothing to sort.
            vec![0; n],
            vec![u64::MAX; n],
            // Fewer differing bits than a digit has, and values in one bucket but two.
            (0..n).map(|_| rand(0x3FF) | 5 << 40).collect(),
            (0..n)
                .map(|i| 9 << 50 | (i as u64 % 2) << 40 | rand(7))
                .collect(),
            // NIK-like values, with zero and u64::MAX among them (every bit differs).
            (0..n)
                .map(|i| match i % 11 {
                    0 => 0,
                    1 => u64::MAX,
                    _ => 3_171_014_101_900_000 + rand((1 << 50) - 1),
                })
                .collect(),
            (0..n)
                .map(|_| 3_171_014_101_900_000 + rand((1 << 50) - 1))
                .collect(),
            (0..n)
                .map(|_| 6_281_200_000_000 + rand((1 << 40) - 1))
                .collect(),
            (0..n).map(|_| rand(u64::MAX)).collect(),
            (0..n).map(|_| rand(u64::MAX) % 1000).collect(),
            // Around the size that takes the buckets.
            (0..BUCKETS - 1).map(|_| rand(u64::MAX)).collect(),
            (0..BUCKETS).map(|_| rand(u64::MAX)).collect(),
            (0..BUCKETS + 1).map(|_| rand(u64::MAX)).collect(),
            // A full buffer of NIK-like values, and one of NIK-like values that repeat.
            (0..PENDING_MAX)
                .map(|_| 3_171_014_101_900_000 + rand((1 << 50) - 1))
                .collect(),
            (0..PENDING_MAX)
                .map(|_| 3_171_014_101_900_000 + rand((1 << 50) - 1) % 5000)
                .collect(),
            // Two buckets only, of equal values in a few places each, and of values that
            // differ only in their lowest bits.
            (0..n)
                .map(|i| (i as u64 % 2) << 60 | rand(3) << 40)
                .collect(),
            (0..n).map(|i| (i as u64 % 2) << 60 | rand(0xFF)).collect(),
        ];
        // A scratch buffer longer than the values, left over from a larger sort.
        let mut scratch = vec![9; 4 * BUCKETS];
        // The networks where the CPU has them; `sort_unstable` on every CPU.
        let ways = [network::available(), false];
        for c in cases {
            let mut want = c.clone();
            want.sort_unstable();
            let mut distinct = want.clone();
            distinct.dedup();
            for network in ways {
                let mut sorted = Vec::new();
                let each = |s: &[u64]| sorted.extend_from_slice(s);
                sort_in_buckets_by(&mut c.clone(), &mut scratch, network, each);
                assert!(sorted == want, "{} values, network {network}", c.len());
                // And encoded on the way, repeats dropped.
                let mut w = RunWriter::default();
                let each = |s: &[u64]| w.extend_sorted(s);
                sort_in_buckets_by(&mut c.clone(), &mut scratch, network, each);
                assert!(w.finish().iter().eq(distinct.iter().copied()));
            }
        }
    }

    #[test]
    fn a_range_is_sorted_in_its_place() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut rand = |mask: u64| {
            xorshift(&mut x);
            x & mask
        };
        let cases: Vec<Vec<u64>> = vec![
            vec![],
            vec![5],
            (0..network::MOST as u64).rev().collect(),
            (0..network::MOST as u64 + 1).rev().collect(),
            // Phone numbers of a few operators: a few wide clumps, as a buffer's ranges.
            (0..100_000)
                .map(|i| [62_812, 62_857, 62_896][i % 3] * 100_000_000 + rand((1 << 26) - 1))
                .collect(),
            (0..5_000).map(|_| rand(u64::MAX)).collect(),
            (0..5_000).map(|_| rand(7)).collect(),
            vec![42; 3_000],
        ];
        // A second buffer longer than the values, left over from a larger range.
        let mut spare = vec![9; 200_000];
        for c in cases {
            let mut want = c.clone();
            want.sort_unstable();
            let mut got = c.clone();
            sort_in_place(&mut got, &mut spare);
            assert!(got == want, "{} values", c.len());
        }
    }

    #[test]
    fn the_networks_sort_every_length() {
        if !network::available() {
            eprintln!("no AVX-512F: the networks are not used here");
            return;
        }
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for n in 0..=network::MOST {
            // Repeats, zero and u64::MAX (the padding's value) among the values.
            for mask in [0, 1, 0xFF, u64::MAX] {
                let v: Vec<u64> = (0..n)
                    .map(|i| {
                        xorshift(&mut x);
                        match i % 9 {
                            0 => 0,
                            1 => u64::MAX,
                            _ => x & mask,
                        }
                    })
                    .collect();
                let mut want = v.clone();
                want.sort_unstable();
                // Values past the slice must be left as they are.
                let mut got = v.clone();
                got.extend([7, 7, 7]);
                network::sort(&mut got[..n]);
                assert_eq!(got[..n], want, "{n} values under {mask:#x}");
                assert_eq!(got[n..], [7, 7, 7]);
                // Sorted and reversed input.
                let mut rev = want.clone();
                rev.reverse();
                network::sort(&mut rev);
                assert_eq!(rev, want);
            }
        }
    }

    #[test]
    fn runs_drop_repeats_of_sorted_values() {
        let r = Run::encode(&[0, 0, 0, 5, 5, 9, u64::MAX, u64::MAX]);
        assert_eq!(r.len, 4);
        assert_eq!(r.iter().collect::<Vec<_>>(), [0, 5, 9, u64::MAX]);
        assert_eq!(Run::encode(&[0, 0]).iter().collect::<Vec<_>>(), [0]);
        // Repeats across the writer's blocks, and gaps past 56 bits inside them.
        let sorted: Vec<u64> = (0..3 * GAPS as u64 * 64 + 7)
            .map(|i| (i / 3) << (i % 61))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .flat_map(|v| [v, v, v])
            .collect();
        let mut want = sorted.clone();
        want.dedup();
        let r = Run::encode(&sorted);
        assert_eq!(r.len, want.len());
        assert_eq!(r.iter().collect::<Vec<_>>(), want);
    }

    #[test]
    fn runs_round_trip_and_union() {
        let cases: [&[u64]; 5] = [
            &[],
            &[0],
            &[1, 2, 3],
            &[5, 300, 70_000, 1 << 40, u64::MAX - 1, u64::MAX],
            &[
                3_171_014_101_900_001,
                3_171_014_101_900_002,
                9_471_014_101_990_001,
            ],
        ];
        for c in cases {
            let r = Run::encode(c);
            assert_eq!(r.len, c.len());
            assert_eq!(r.iter().collect::<Vec<_>>(), c, "{c:?}");
        }
        let runs: Vec<Run> = cases.iter().map(|c| Run::encode(c)).collect();
        let mut got = Vec::new();
        union(&runs, |v| got.push(v));
        let mut want: Vec<u64> = cases.iter().flat_map(|c| c.iter().copied()).collect();
        want.sort_unstable();
        want.dedup();
        assert_eq!(got, want);
    }

    #[test]
    fn counting_across_runs_matches_compacting() {
        let mut a = DistinctSet::default();
        for r in 0..5u64 {
            for v in 0..1000u64 {
                a.insert(v * 7 + r % 3);
            }
            a.flush();
        }
        let mut b = a.clone();
        b.compact();
        let mut seen = Vec::new();
        assert_eq!(a.count_each(|v| seen.push(v)), b.len());
        assert_eq!(a.len(), b.len());
        seen.sort_unstable();
        assert_eq!(seen, b.sorted().unwrap().collect::<Vec<_>>());
        // A value added after counting is not lost by the cached count.
        a.insert(1 << 40);
        assert_eq!(a.len(), b.len() + 1);
        a.flush();
        assert_eq!(a.len(), b.len() + 1);
        a += DistinctSet::default();
        assert_eq!(a.count(), b.len() + 1);
    }

    /// The values [`count_union_each`] hands on, sorted, after checking it counted each once.
    fn counted(runs: &[Run], batch: usize) -> Vec<u64> {
        let mut got = Vec::new();
        let n = count_union_each(runs, &[], batch, &mut Vec::new(), &mut |v| got.push(v));
        assert_eq!(n, got.len());
        got.sort_unstable();
        got
    }

    #[test]
    fn union_of_any_number_of_runs() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for k in 0..20 {
            let sets: Vec<Vec<u64>> = (0..k)
                .map(|i| {
                    let mut v: Vec<u64> = (0..(i * 37) % 200)
                        .map(|_| {
                            xorshift(&mut x);
                            // Small values collide across runs; u64::MAX must survive.
                            if x.is_multiple_of(5) {
                                u64::MAX
                            } else {
                                x % 1000
                            }
                        })
                        .collect();
                    v.sort_unstable();
                    v.dedup();
                    v
                })
                .collect();
            let runs: Vec<Run> = sets.iter().map(|c| Run::encode(c)).collect();
            let mut want: Vec<u64> = sets.concat();
            want.sort_unstable();
            want.dedup();
            for batch in [1, 2, 3, 7, 64, UNION_BATCH] {
                let mut got = Vec::new();
                union_in_batches(&runs, batch, |v| got.push(v));
                assert_eq!(got, want, "{k} runs, batches of {batch}");
                assert_eq!(counted(&runs, batch), want, "{k} runs, {batch}");
            }
        }
    }

    #[test]
    fn a_buffer_counts_beside_runs_as_one_more_run() {
        // The buffer unsorted beside runs, at every batch size: values below, inside and
        // above the runs' ranges, repeats of the runs' values, zero and u64::MAX, a range
        // of more values than a bound splits in place (sorted), and all values alike.
        let mut x = 0x0ddb_a11c_afe0_0001u64;
        let runs: Vec<Run> = (0..3)
            .map(|i| {
                let v: BTreeSet<u64> = (0..400)
                    .map(|_| 1000 + i + xorshift(&mut x) % 50_000)
                    .collect();
                Run::encode(&v.into_iter().collect::<Vec<_>>())
            })
            .collect();
        let from_runs: Vec<u64> = runs.iter().flat_map(|r| r.iter()).collect();
        let buffers: Vec<Vec<u64>> = vec![
            vec![],
            vec![0],
            vec![u64::MAX, 0, 5],
            (0..3000).map(|_| xorshift(&mut x) % 60_000).collect(),
            from_runs
                .iter()
                .rev()
                .copied()
                .chain([7, 7, u64::MAX])
                .collect(),
            // One range holds nearly all: bounds split it again and again.
            (0..5000)
                .map(|i| {
                    if i == 0 {
                        u64::MAX
                    } else {
                        900 + xorshift(&mut x) % 52_000
                    }
                })
                .collect(),
            vec![42; 1000],
        ];
        for buffer in &buffers {
            let want: BTreeSet<u64> = from_runs.iter().chain(buffer).copied().collect();
            for batch in [1, 2, 7, 64, 1000, COUNT_BATCH] {
                for k in 1..=runs.len() {
                    let want: BTreeSet<u64> = runs[..k]
                        .iter()
                        .flat_map(|r| r.iter())
                        .chain(buffer.iter().copied())
                        .collect();
                    let mut got = Vec::new();
                    let n =
                        count_union_each(&runs[..k], buffer, batch, &mut Vec::new(), &mut |v| {
                            got.push(v)
                        });
                    assert_eq!(n, got.len(), "{k} runs, batch {batch}");
                    got.sort_unstable();
                    assert_eq!(
                        got,
                        want.iter().copied().collect::<Vec<_>>(),
                        "{k} runs, batch {batch}"
                    );
                }
            }
            // Through a set: runs, then the buffer; added, counted twice.
            let mut set = DistinctSet::default();
            for r in &runs {
                set.pending.extend(r.iter());
                set.flush();
            }
            buffer.iter().for_each(|&v| set.insert(v));
            let mut sum = DistinctSet::default();
            sum += set;
            assert_eq!(sum.count(), want.len());
            assert_eq!(sum.len(), want.len());
            let mut seen = Vec::new();
            assert_eq!(sum.count_each(|v| seen.push(v)), want.len());
            assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), want);
        }
    }

    #[test]
    fn batches_of_interleaved_runs_stay_near_their_most() {
        // Forty runs of random values over one range, as a scan's flushes leave them: each
        // batch empties only the run that set its bound, and the others' rests, refilled
        // only once empty, set bounds ever lower (batches of 4,096 held about a tenth of
        // that). Every value once, in batches that ascend, a quarter of the most or more.
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let sets: Vec<Vec<u64>> = (0..40)
            .map(|_| {
                let mut s: Vec<u64> = (0..5_000).map(|_| xorshift(&mut x) >> 8).collect();
                s.sort_unstable();
                s
            })
            .collect();
        let runs: Vec<Run> = sets.iter().map(|c| Run::encode(c)).collect();
        let total: usize = runs.iter().map(|r| r.len).sum();
        let (mut batches, mut seen, mut last) = (0, 0, None);
        for_each_batch(&runs, 4_096, |parts, bound| {
            let batch = parts.concat();
            batches += 1;
            seen += batch.len();
            assert!(batch.len() <= 4_096, "{} values", batch.len());
            assert!(batch.iter().all(|&v| last < Some(v) && v <= bound));
            last = batch.iter().copied().max().or(last);
        });
        assert_eq!(seen, total);
        assert!(
            batches <= total / 1_024,
            "{batches} batches for {total} values"
        );
    }

    #[test]
    fn batched_union_of_disjoint_nested_and_equal_runs() {
        // Runs whose ranges do not overlap (a leak sorted by region), one inside another,
        // runs ending on the same value, and runs of one value: a batch bound must never
        // cut a run short or hand a value on twice.
        let sets: Vec<Vec<u64>> = vec![
            (1000..1100).collect(),
            (0..100).collect(),
            (2000..2003).collect(),
            (0..3000).step_by(7).collect(),
            vec![1099],
            vec![2002, u64::MAX],
            vec![u64::MAX],
            (500..600).map(|v| v * 2).collect(),
        ];
        for k in 2..=sets.len() {
            let runs: Vec<Run> = sets[..k].iter().map(|c| Run::encode(c)).collect();
            let mut want: Vec<u64> = sets[..k].concat();
            want.sort_unstable();
            want.dedup();
            for batch in 1..40 {
                let mut got = Vec::new();
                union_in_batches(&runs, batch, |v| got.push(v));
                assert_eq!(got, want, "{k} runs, batches of {batch}");
                assert_eq!(counted(&runs, batch), want, "{k} runs, {batch}");
            }
        }
    }

    /// Checks a counter's count `n` and the values it reported (`seen`, any order) against
    /// the sorted distinct values of `v`, and returns those.
    fn check_count(v: &[u64], n: usize, mut seen: Vec<u64>, label: &str) -> Vec<u64> {
        let mut want = v.to_vec();
        want.sort_unstable();
        want.dedup();
        assert_eq!(n, want.len(), "{label}");
        seen.sort_unstable();
        assert_eq!(seen, want, "{label}");
        want
    }

    #[test]
    fn hashed_counts_match_sorted_counts() {
        // Zero (the empty slot's mark), u64::MAX, values that share their hash's top bits
        // (multiples of a large power of two), long probe chains, repeats.
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for len in [0, 1, 2, 3, 15, 16, 17, 100, 1000, 5000] {
            for spread in [1u64, 3, 1 << 20, u64::MAX] {
                let v: Vec<u64> = (0..len)
                    .map(|i| {
                        xorshift(&mut x);
                        match i % 7 {
                            0 => 0,
                            1 => u64::MAX,
                            2 => (x % 64) << 58,
                            _ => (x % spread.saturating_add(1)).wrapping_mul(spread),
                        }
                    })
                    .collect();
                for lines in probings() {
                    let mut seen = Vec::new();
                    let mut table = CountTable::probing(lines);
                    let n = table.count_distinct(&v, &mut |v| seen.push(v));
                    check_count(&v, n, seen, &format!("{len} {spread} {lines}"));
                }
            }
        }
    }

    /// The ways a [`CountTable`] may probe here: a slot at a time, and by lines where the
    /// CPU can.
    fn probings() -> Vec<bool> {
        let mut p = vec![false];
        if lines::available() {
            p.push(true);
        }
        p
    }

    #[test]
    fn full_lines_send_values_on_to_the_next() {
        // Values that all have one home (their hashes' top bits alike: multiples of the
        // inverse of the hash's factor), the first slot or the last, so that lines fill
        // and values go on to the next, from the last line to the first; every value in
        // two parts of the batch.
        let mut inverse = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..6 {
            inverse = inverse
                .wrapping_mul(2u64.wrapping_sub(0x9E37_79B9_7F4A_7C15u64.wrapping_mul(inverse)));
        }
        assert_eq!(inverse.wrapping_mul(0x9E37_79B9_7F4A_7C15), 1);
        for top in [0, u64::MAX << 40] {
            let v: Vec<u64> = (1..300u64)
                .map(|j| (top | j << 30).wrapping_mul(inverse))
                .collect();
            assert!(v.iter().all(|&x| home(x, 10) == home(v[0], 10)));
            for lines in probings() {
                let mut seen = Vec::new();
                let (a, b) = v.split_at(77);
                let n = CountTable::probing(lines).count_parts(&[a, &v, b], &mut |v| seen.push(v));
                check_count(&v, n, seen, &format!("{top} {lines}"));
            }
        }
    }

    #[test]
    fn one_table_counts_ascending_batches_of_any_size() {
        // Large batches then small ones and back: what a batch leaves in the table, anywhere
        // in it, is below the next batch's values and must read as free. Repeats inside a
        // batch and values up to u64::MAX; zero only in the first batch.
        let mut x = 0x0123_4567_89ab_cdefu64;
        let mut values: Vec<u64> = (0..40_000).map(|_| xorshift(&mut x) >> 3).collect();
        values.extend([0, 1, u64::MAX - 1, u64::MAX]);
        values.sort_unstable();
        values.dedup();
        for lines in probings() {
            let mut table = CountTable::probing(lines);
            let (mut n, mut start, mut seen) = (0, 0usize, Vec::new());
            for len in [5_000, 3, 700, 1, 20_000, 0, 17, usize::MAX] {
                let end = start.saturating_add(len).min(values.len());
                let mut batch: Vec<u64> = values[start..end].iter().flat_map(|&v| [v, v]).collect();
                batch.reverse();
                n += table.count_distinct(&batch, &mut |v| seen.push(v));
                start = end;
            }
            assert_eq!(check_count(&values, n, seen, "ascending batches"), values);
        }
    }

    #[test]
    fn unsorted_buffers_count_as_sorted_ones() {
        // Around one batch and past it; values spread wide, packed in one leading-bit range
        // (phone-like: few buckets, each larger than a batch), all equal, and zero.
        let mut x = 0x5eed_0bad_cafe_0001u64;
        let mut scratch = Vec::new();
        let lens = [
            UNION_BATCH - 1,
            UNION_BATCH + 1,
            3 * UNION_BATCH + 7,
            ONE_TABLE + 1,
        ];
        for len in lens {
            for shape in 0..4 {
                let v: Vec<u64> = (0..len)
                    .map(|_| match shape {
                        0 => xorshift(&mut x) % (len as u64 / 2),
                        1 => 18_000_000_000 + xorshift(&mut x) % 2_000_000,
                        2 => 7,
                        _ => xorshift(&mut x) % 3 * (u64::MAX / 2),
                    })
                    .collect();
                let mut seen = Vec::new();
                let n = count_unsorted(&v, &mut scratch, &mut |v| seen.push(v));
                let want = check_count(&v, n, seen, &format!("{len} {shape}"));
                // The partitioned count, the only one past ONE_TABLE, alike below it.
                let mut seen = Vec::new();
                let n = count_unsorted_in(&v, 0, &mut scratch, &mut |v| seen.push(v));
                assert_eq!(
                    check_count(&v, n, seen, "partitioned"),
                    want,
                    "{len} {shape}"
                );
                // Through a set: counted once, remembered until something is inserted.
                let mut set = DistinctSet::default();
                v.iter().for_each(|&v| set.insert(v));
                assert_eq!(set.count(), want.len());
                assert_eq!(set.len(), want.len());
                set.insert(u64::MAX);
                assert_eq!(set.len(), want.len() + 1, "{len} {shape}");
            }
        }
    }

    #[test]
    fn a_kept_table_counts_set_after_set_exactly() {
        // Sets counted one after the other in one table, past the 255 tags before they start
        // over: values of the sets before (the same, their neighbours) must not count as
        // seen, whatever the values (long runs of occupied slots, zero, the largest) and
        // the sizes (the table grows, and is used in part).
        let mut x = 0x7ab1_e5e7_0000_0005u64;
        let mut table = KeptTable::default();
        let mut last = Vec::new();
        for round in 0..600 {
            let len = [1, 5, 17, 300, 2_000, 9][round % 6];
            let mut v: Vec<u64> = (0..len)
                .map(|i| match round % 4 {
                    // Neighbours of a few homes: long runs of occupied slots.
                    0 => ((xorshift(&mut x) % 64) << 40) | (i as u64 % 3),
                    1 => xorshift(&mut x) % (len as u64 + 1),
                    2 => [0, 1, u64::MAX][i % 3],
                    _ => xorshift(&mut x),
                })
                .collect();
            // A third of the time, the set before's values again.
            if round % 3 == 1 {
                v.extend_from_slice(&last);
            }
            let mut seen = Vec::new();
            let n = table.count_distinct(&v, &mut |v| seen.push(v));
            check_count(&v, n, seen, &format!("round {round}"));
            last = v;
        }
    }

    #[test]
    fn many_runs_merge_early_and_count_exactly() {
        let mut a = DistinctSet::default();
        for r in 0..(MAX_RUNS as u64 + 5) {
            a.insert(r);
            a.insert(1_000_000 + r % 3);
            a.flush();
        }
        assert!(a.runs.len() <= MAX_RUNS);
        assert_eq!(a.len(), MAX_RUNS + 5 + 3);
        a.compact();
        let v: Vec<u64> = a.sorted().unwrap().collect();
        assert_eq!(v.len(), MAX_RUNS + 5 + 3);
        assert!(v.windows(2).all(|w| w[0] < w[1]));
    }

    fn sample(seed: u64) -> Summary {
        let mut s = Summary::default();
        s.stats.records.total = seed;
        s.stats.kinds[0].candidates = seed * 2;
        s.stats.kinds[0].unique.insert(seed);
        s.stats.kinds[0].unique.insert(7);
        s.stats.operators = vec![seed; (seed % 3) as usize + 1];
        let mut f = FileStats::new(State::Scanned, "csv", 10);
        f.records = seed;
        if seed == 2 {
            f = f.clone();
            f.state = State::Partial;
            f.reason = Some(Box::new(Reason::ReadError("truncated".into())));
        }
        s.files.insert("a.csv".into(), f);
        s.fields
            .entry("nik".into())
            .or_default()
            .insert(format!("NIK{seed}"));
        s
    }

    fn key(s: &Summary) -> String {
        let mut set = s.stats.kinds[0].unique.clone();
        set.compact();
        let u: Vec<u64> = set.sorted().expect("compacted").collect();
        format!(
            "{:?} {:?} {:?} {:?} {:?}",
            s.stats.records, u, s.stats.operators, s.files, s.fields
        )
    }

    #[test]
    fn entries_added_through_the_tail_add_up_as_in_the_ledger() {
        // Runs in order with jumps back, repeats of the last name and of older ones, reads
        // of `files` between, as a worker's entries come.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for jumps in [0u64, 1, 5, 40] {
            let (mut s, mut want) = (Summary::default(), BTreeMap::new());
            let mut at = 0u64;
            for i in 0..2_000u64 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                at = match x % 100 {
                    n if n < jumps => x % 3_000,
                    n if n < jumps + 10 => at,
                    _ => at + 1 + x % 3,
                };
                let name = format!("d/{at:05}");
                let mut f = FileStats::new(
                    [State::Scanned, State::Partial][(x >> 20) as usize % 2],
                    ["", "csv"][(x >> 21) as usize % 2],
                    i,
                );
                f.records = x >> 40;
                if (x >> 22).is_multiple_of(4) {
                    f.reason = Some(Box::new(Reason::Sampled(i)));
                }
                s.add_entry(&name, f.clone());
                add_file(&mut want, &name, f);
                if x.is_multiple_of(97) {
                    s.flush_tail();
                    assert_eq!(s.files, want, "{jumps} jumps, {i}");
                }
            }
            let mut sum = Summary::default();
            sum += s.clone();
            assert_eq!(sum.files, want, "{jumps} jumps, added");
            assert_eq!(s.take_files(), want, "{jumps} jumps");
        }
    }

    #[test]
    fn rule7_a_ledger_entry_stays_small() {
        // An entry in a worker's ledger: its path and its counts, the format name shared.
        // Before: 144 bytes in the tree and a string of its own for the format; then 136,
        // and 8 more for the boxed SHA-256 (1.6 MB over 200,000 entries).
        assert!(std::mem::size_of::<(String, FileStats)>() <= 144);
        let (a, b) = (
            FileStats::new(State::Scanned, &format!("gzip {}", "csv"), 1),
            FileStats::new(State::Partial, "gzip csv", 2),
        );
        assert!(
            std::ptr::eq(a.format, b.format),
            "one copy of a format name"
        );
        assert_eq!(FileStats::new(State::Scanned, "", 0).format, "");
    }

    #[test]
    fn rule7_large_ledgers_merge_as_entries_added_one_by_one() {
        // The one-pass merge (a ledger as large as a fraction of the other) adds up the
        // entries both hold exactly as inserting them one by one did, mine first.
        let ledger = |from: u64, to: u64, step: usize, state: State| {
            let mut m = BTreeMap::new();
            for k in (from..to).step_by(step) {
                let mut f = FileStats::new(state, "csv", k);
                f.records = 1;
                if state != State::Scanned {
                    f.reason = Some(Box::new(Reason::ReadError(format!("r{k}"))));
                }
                m.insert(format!("{k:06}"), f);
            }
            m
        };
        for (mine, other) in [
            (
                ledger(0, 1000, 1, State::Scanned),
                ledger(0, 1000, 3, State::Partial),
            ),
            (
                ledger(0, 1000, 3, State::Partial),
                ledger(500, 2000, 2, State::Scanned),
            ),
            (
                ledger(0, 1000, 1, State::Scanned),
                ledger(0, 50, 7, State::Failed),
            ),
            (BTreeMap::new(), ledger(0, 10, 1, State::Scanned)),
            (ledger(0, 10, 1, State::Scanned), BTreeMap::new()),
        ] {
            let mut want = mine.clone();
            for (k, f) in other.clone() {
                match want.get_mut(&k) {
                    Some(m) => *m += f,
                    None => {
                        want.insert(k, f);
                    }
                }
            }
            let mut got = mine;
            add_files(&mut got, other);
            assert_eq!(got, want);
        }
    }

    #[test]
    fn merge_order_does_not_matter() {
        let mut a = sample(1);
        a += sample(2);
        a += sample(3);
        let mut b = sample(3);
        b += sample(1);
        b += sample(2);
        assert_eq!(key(&a), key(&b));
        assert_eq!(a.stats.kinds[0].unique.len(), 4);
        assert_eq!(a.files["a.csv"].state, State::Partial);
        assert_eq!(a.files["a.csv"].records, 6);
        assert!(a.incomplete());
    }

    #[test]
    fn distinct_set_counts_exactly_across_runs() {
        let mut a = DistinctSet::default();
        let mut b = DistinctSet::default();
        for i in 0..200_000u64 {
            a.insert(i % 150_000);
            b.insert(100_000 + i % 90_000);
        }
        assert_eq!(a.len(), 150_000);
        a += b;
        assert_eq!(a.len(), 190_000);
        assert!(a.contains(189_999) && !a.contains(190_000));
        assert_eq!(hash_lower(b"A@B.com"), hash_lower(b"a@b.COM"));
        assert_ne!(hash_lower(b"a@b.com"), hash_lower(b"a@b.co"));
        assert_ne!(hash_lower(b"a@b.com\0"), hash_lower(b"a@b.com"));
    }
}
