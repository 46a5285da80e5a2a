//! `--shard I/N`: which of the walked entries shard I of N scans (SPEC §2 "State files and
//! shards"). Every shard walks the whole tree (metadata only) and computes the same assignment
//! of every entry on its own, from names and sizes alone, so N workers on a shared file system
//! need no coordinator and cover every entry exactly once: the union of their ledgers is the
//! ledger of one scan. An archive is one walked entry, so its members are never split.
//!
//! The rule, for N shards:
//!
//! 1. Each entry's name (its ledger name, relative to the root as given) is hashed (FNV-1a 64,
//!    then the splitmix64 finalizer); shard `i`'s score for it is `mix(hash ^ mix(i))`, and the
//!    shards rank by score (rendezvous hashing), ties to the lower index.
//! 2. Standard input (`-`) and a root that is a stream (a FIFO) belong to shard 0: only one
//!    worker can read a stream, and its size is not known up front.
//! 3. An entry of 0 bytes (an empty file, a folder that cannot be read) goes to its
//!    best-ranked shard. It costs nothing to read, and it never moves when files are added.
//! 4. Balance by bytes. The *level* `L` is the share of bytes per shard once the *giants* —
//!    entries larger than the level of the rest — each take a shard of their own (at most N−1
//!    of them, largest first, each to its best-ranked shard no larger giant took).
//! 5. Every other entry goes to its best-ranked shard (not a giant's) where it fits under
//!    `L + L/10`; when it fits nowhere, to the least loaded one. Entries larger than `L/4`
//!    are placed first, largest first; then the rest, in hash order.
//!
//! Bound: no shard holds more bytes than the largest of (the largest entry, `L + L/10`,
//! `L` + the largest entry that is not a giant); `L` is at most what the most loaded shard of
//! any assignment must hold, so with many entries small next to `L` every shard is within 10%
//! of the best possible. Stability: adding files changes `L` a little; an entry moves only when
//! that changes where it fits, so most stay where they were (the tests measure both). The cost
//! is one score per entry and shard, so N is at most [`MAX_SHARDS`].
//!
//! All workers must walk the same tree named the same way (the same roots, in the same order),
//! and the tree must not change while the shards run.

use crate::input::walk::{Entry, EntryKind};

/// The most shards `--shard` accepts: the assignment costs one score per entry and shard.
pub const MAX_SHARDS: u32 = 1024;

/// Shard `index` (0-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

/// What one shard took of the walk: entries and bytes, of all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Share {
    pub entries: usize,
    pub bytes: u64,
    pub all_entries: usize,
    pub all_bytes: u64,
}

/// Keeps the entries of `shard`, in their walked order.
pub fn select(entries: Vec<Entry>, shard: Shard) -> (Vec<Entry>, Share) {
    let items: Vec<Item> = entries.iter().map(Item::of).collect();
    let owner = assign(&items, shard.count);
    let mut share = Share {
        all_entries: entries.len(),
        all_bytes: entries.iter().filter_map(|e| e.size).sum(),
        ..Share::default()
    };
    let mine: Vec<Entry> = entries
        .into_iter()
        .zip(owner)
        .filter(|(_, o)| *o == shard.index)
        .map(|(e, _)| e)
        .collect();
    share.entries = mine.len();
    share.bytes = mine.iter().filter_map(|e| e.size).sum();
    (mine, share)
}

/// What the assignment knows of an entry.
#[derive(Clone, Copy, Debug)]
pub struct Item<'a> {
    pub name: &'a str,
    pub bytes: u64,
    /// Standard input or a stream root: shard 0.
    pub stream: bool,
}

impl<'a> Item<'a> {
    fn of(e: &'a Entry) -> Item<'a> {
        Item {
            name: &e.name,
            // Measured before the share is taken (`scan`); one that could not be is gone.
            bytes: e.size.unwrap_or(0),
            stream: matches!(e.kind, EntryKind::Stdin | EntryKind::Stream),
        }
    }
}

/// The shard of each item, in the items' order (the rule in the module doc).
pub fn assign(items: &[Item], count: u32) -> Vec<u32> {
    let ranks = Ranks::new(count.max(1));
    let hashes: Vec<u64> = items.iter().map(|i| name_hash(i.name)).collect();
    let mut owner = vec![0u32; items.len()];
    let mut sized = Vec::new();
    for (j, item) in items.iter().enumerate() {
        match (item.stream, item.bytes) {
            (true, _) => owner[j] = 0,
            (false, 0) => owner[j] = ranks.best(hashes[j], |_| true),
            _ => sized.push(j),
        }
    }
    let by_key = |j: &usize| (hashes[*j], items[*j].name);
    sized.sort_by(|a, b| {
        items[*b]
            .bytes
            .cmp(&items[*a].bytes)
            .then_with(|| by_key(a).cmp(&by_key(b)))
    });
    let (giants, level) = giants(&sized, items, count.max(1));
    let mut load = Loads::new(count.max(1), level);
    for &j in &sized[..giants] {
        let s = ranks.best(hashes[j], |i| !load.giant[i as usize]);
        load.take_giant(s, items[j].bytes);
        owner[j] = s;
    }
    // Large entries (over a quarter of the level) first, largest first, so that the last
    // ones placed are small when shards fill up; the rest in hash order, which adding files
    // does not reorder.
    let rest = &sized[giants..];
    let large = rest.partition_point(|j| items[*j].bytes > level / 4);
    let mut small = rest[large..].to_vec();
    small.sort_by_key(by_key);
    for &j in rest[..large].iter().chain(&small) {
        owner[j] = load.place(&ranks, hashes[j], items[j].bytes);
    }
    owner
}

/// How many of `sized` (largest first) are giants, and the level of the rest: giants are
/// larger than the bytes per shard of what is left once they each take a shard.
fn giants(sized: &[usize], items: &[Item], count: u32) -> (usize, u64) {
    let mut rest: u128 = sized.iter().map(|j| u128::from(items[*j].bytes)).sum();
    let mut k = 0usize;
    while k + 1 < count as usize && k < sized.len() {
        let b = u128::from(items[sized[k]].bytes);
        if b * (count as usize - k) as u128 <= rest {
            break;
        }
        rest -= b;
        k += 1;
    }
    let level = rest.div_ceil((count as usize - k) as u128);
    (k, u64::try_from(level).unwrap_or(u64::MAX))
}

/// The bytes each shard holds so far, the cap, and the shards a giant took.
struct Loads {
    bytes: Vec<u64>,
    giant: Vec<bool>,
    cap: u64,
}

impl Loads {
    fn new(count: u32, level: u64) -> Loads {
        Loads {
            bytes: vec![0; count as usize],
            giant: vec![false; count as usize],
            cap: level.saturating_add(level / 10),
        }
    }

    fn take_giant(&mut self, shard: u32, bytes: u64) {
        self.giant[shard as usize] = true;
        self.bytes[shard as usize] = bytes;
    }

    /// The best-ranked shard (not a giant's) where `bytes` fit under the cap, or else the
    /// least loaded one (the lowest index among equals); adds the bytes to it.
    fn place(&mut self, ranks: &Ranks, hash: u64, bytes: u64) -> u32 {
        let fits = |i: u32| {
            !self.giant[i as usize] && self.bytes[i as usize].saturating_add(bytes) <= self.cap
        };
        let s = if (0..ranks.count()).any(fits) {
            ranks.best(hash, fits)
        } else {
            (0..ranks.count())
                .filter(|i| !self.giant[*i as usize])
                .min_by_key(|i| (self.bytes[*i as usize], *i))
                .unwrap_or(0)
        };
        self.bytes[s as usize] = self.bytes[s as usize].saturating_add(bytes);
        s
    }
}

/// Rendezvous ranking: each shard's score for a name's hash.
struct Ranks {
    salts: Vec<u64>,
}

impl Ranks {
    fn new(count: u32) -> Ranks {
        Ranks {
            salts: (0..u64::from(count)).map(mix).collect(),
        }
    }

    fn count(&self) -> u32 {
        self.salts.len() as u32
    }

    /// The highest-scoring shard among those `allowed` (0 when none is).
    fn best(&self, hash: u64, allowed: impl Fn(u32) -> bool) -> u32 {
        let mut best: Option<(u64, u32)> = None;
        for (i, salt) in self.salts.iter().enumerate() {
            let i = i as u32;
            let score = mix(hash ^ salt);
            if allowed(i) && best.is_none_or(|(b, _)| score > b) {
                best = Some((score, i));
            }
        }
        best.map_or(0, |(_, i)| i)
    }
}

/// FNV-1a 64 of the name's bytes, finalized: fixed forever, so every worker and every version
/// ranks a name alike.
fn name_hash(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    mix(h)
}

/// The splitmix64 finalizer: every input bit moves every output bit.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A skewed tree: sizes from a Pareto law (shape 1.1, as leaks are: a few huge tables, many
    /// small files), made by a fixed generator.
    fn skewed(n: usize, seed: u64, prefix: &str) -> Vec<(String, u64)> {
        (0..n as u64)
            .map(|k| {
                let u = (mix(seed ^ mix(k)) >> 11) as f64 / (1u64 << 53) as f64;
                let size = 1000.0 / (1.0 - u).max(1e-9).powf(1.0 / 1.1);
                (format!("{prefix}/d{}/f{k}.csv", k % 17), size as u64)
            })
            .collect()
    }

    fn items(t: &[(String, u64)]) -> Vec<Item<'_>> {
        t.iter()
            .map(|(n, b)| Item {
                name: n,
                bytes: *b,
                stream: false,
            })
            .collect()
    }

    fn loads(t: &[(String, u64)], owner: &[u32], count: u32) -> Vec<u64> {
        let mut l = vec![0u64; count as usize];
        for ((_, b), o) in t.iter().zip(owner) {
            l[*o as usize] += b;
        }
        l
    }

    #[test]
    fn every_entry_has_exactly_one_shard_below_n() {
        let t = skewed(500, 1, "a");
        for n in [1, 2, 3, 8, 1024] {
            let owner = assign(&items(&t), n);
            assert_eq!(owner.len(), t.len());
            assert!(owner.iter().all(|o| *o < n));
            assert_eq!(loads(&t, &owner, n).iter().sum::<u64>(), {
                t.iter().map(|(_, b)| b).sum::<u64>()
            });
        }
        assert!(assign(&items(&t), 1).iter().all(|o| *o == 0));
    }

    /// The bound of the module doc, on skewed trees; and with many entries, within 10% of the
    /// least any assignment can do (the largest of the mean and the largest entry).
    #[test]
    fn bytes_stay_within_the_stated_bound() {
        for seed in 1..=6 {
            let t = skewed(2000, seed, "b");
            for n in [2, 3, 8, 16] {
                let owner = assign(&items(&t), n);
                let l = loads(&t, &owner, n);
                let mut sizes: Vec<u64> = t.iter().map(|(_, b)| *b).collect();
                sizes.sort_unstable_by(|a, b| b.cmp(a));
                let idx: Vec<usize> = (0..sizes.len()).collect();
                let its: Vec<Item> = sizes
                    .iter()
                    .map(|b| Item {
                        name: "",
                        bytes: *b,
                        stream: false,
                    })
                    .collect();
                let (k, level) = giants(&idx, &its, n);
                let small = sizes.get(k).copied().unwrap_or(0);
                let bound = sizes[0].max(level + level / 10).max(level + small);
                let max = *l.iter().max().unwrap();
                assert!(max <= bound, "seed {seed} n {n}: {max} > {bound}");
                let total: u64 = sizes.iter().sum();
                let least = sizes[0].max(total.div_ceil(u64::from(n)));
                assert!(
                    max as f64 <= least as f64 * 1.10,
                    "seed {seed} n {n}: {max} vs {least}"
                );
            }
        }
    }

    /// Adding 5% more files (of the usual sizes) moves at most 5% of the existing ones (1.7% at
    /// worst over these seeds).
    #[test]
    fn adding_files_moves_few_existing_ones() {
        for seed in 1..=6 {
            let base = skewed(2000, seed, "c");
            let mut grown = base.clone();
            grown.extend(
                (0..100u64).map(|k| (format!("new/g{k}.json"), 500 + mix(seed + k) % 4500)),
            );
            for n in [2, 3, 8, 16] {
                let before = assign(&items(&base), n);
                let after = assign(&items(&grown), n);
                let moved = before.iter().zip(&after).filter(|(a, b)| a != b).count();
                assert!(moved * 20 <= base.len(), "seed {seed} n {n}: {moved} moved");
            }
        }
    }

    #[test]
    fn streams_go_to_shard_0_and_empty_entries_never_move() {
        let mut t = skewed(300, 9, "d");
        t.push(("-".into(), 0));
        t.push(("empty.csv".into(), 0));
        let mut its = items(&t);
        its[300].stream = true;
        let owner = assign(&its, 8);
        assert_eq!(owner[300], 0);
        let alone = assign(&its[301..], 8);
        assert_eq!(owner[301], alone[0]);
    }

    #[test]
    fn giants_take_a_shard_each() {
        let t: Vec<(String, u64)> = vec![
            ("huge.sql".into(), 1_000_000),
            ("big.csv".into(), 600_000),
            ("s1".into(), 100),
            ("s2".into(), 100),
            ("s3".into(), 100),
        ];
        let owner = assign(&items(&t), 3);
        assert_ne!(owner[0], owner[1]);
        for o in &owner[2..] {
            assert!(*o != owner[0] && *o != owner[1], "{owner:?}");
        }
    }

    #[test]
    fn the_hash_is_fixed() {
        // The same names must rank alike on every worker and in every version: FNV-1a 64 of
        // "a" is the published 0xaf63dc4c8601ec8c, and a small tree keeps its assignment.
        assert_eq!(name_hash("a"), mix(0xaf63_dc4c_8601_ec8c));
        let owner = assign(&items(&skewed(12, 3, "e")), 4);
        assert_eq!(owner, [3, 3, 0, 2, 0, 0, 2, 2, 0, 3, 1, 1]);
    }
}
