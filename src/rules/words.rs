//! Byte-word helpers of the compiled rules: short values lower-cased and packed into one
//! machine word, and [`WordTable`], the one-probe lookup of such words (sex values, month
//! names). Imports nothing from the crate.

use anyhow::Result;

/// The last 16 bytes of `d`, lower-cased, right-aligned and zero-padded, as two words.
#[inline]
pub(super) fn tail16(d: &[u8]) -> [u64; 2] {
    let n = d.len().min(16);
    // Shifted up to end at byte 15; nothing kept (an empty `d`) shifts everything out.
    let w = load_le(&d[d.len() - n..])
        .checked_shl(8 * (16 - n) as u32)
        .unwrap_or(0);
    [lower8(w as u64), lower8((w >> 64) as u64)]
}

/// 1 to 16 bytes, lower-cased and packed into one word (a length byte keeps `a` and `a\0`
/// apart); `None` when empty or longer.
pub(super) fn pack_lower(v: &[u8]) -> Option<u128> {
    if v.is_empty() || v.len() > 15 {
        return None;
    }
    let w = load_le(v) | (v.len() as u128) << 120;
    // The length byte (1 to 15) is not a letter: lower-casing leaves it alone.
    Some(u128::from(lower8(w as u64)) | u128::from(lower8((w >> 64) as u64)) << 64)
}

/// [`pack_lower`] of 1 to 15 ASCII letters; `None` when a byte is not a letter, so that a
/// caller who wants a word of letters tests them in the same few operations (a loop over a
/// month name's bytes cost as much as its lookup).
pub(super) fn pack_letters(v: &[u8]) -> Option<u128> {
    const ONES: u128 = u128::MAX / 0xFF;
    if v.is_empty() || v.len() > 15 {
        return None;
    }
    let w = load_le(v);
    let high = (ONES << 7) & ((1 << (8 * v.len())) - 1);
    // Per byte, below 0x80 so no carry crosses bytes: with the case bit set, the high bit
    // is set from `a` (0x61 + 0x1f) and from past `z` (0x7b + 0x05).
    let low7 = (w | (ONES * 0x20)) & (ONES * 0x7F);
    let letters = (low7 + ONES * 0x1F) & !(low7 + ONES * 0x05) & !w & high;
    (letters == high).then_some((w | high >> 2) | (v.len() as u128) << 120)
}

/// Up to 16 bytes as a little-endian word, zero above them. Two overlapping loads put the
/// shared bytes in the same places, so OR-ing them is exact; copying into a stack buffer
/// instead stalled the wide load that read it back (a third of `sex_of`'s time).
#[inline]
pub(crate) fn load_le(v: &[u8]) -> u128 {
    let n = v.len();
    let u = |x: &[u8]| u128::from(u64::from_le_bytes(x.try_into().expect("8 bytes")));
    let h = |x: &[u8]| u128::from(u32::from_le_bytes(x.try_into().expect("4 bytes")));
    match n {
        8..=16 => u(&v[..8]) | u(&v[n - 8..]) << (8 * (n - 8)),
        4..=7 => h(&v[..4]) | h(&v[n - 4..]) << (8 * (n - 4)),
        1..=3 => {
            u128::from(v[0])
                | u128::from(v[n / 2]) << (8 * (n / 2))
                | u128::from(v[n - 1]) << (8 * (n - 1))
        }
        0 => 0,
        _ => panic!("load_le takes at most 16 bytes"),
    }
}

/// The first three bytes of `d`, known to be digits, as a number `000`..`999`: the key of the
/// operator and digit tables.
#[inline]
pub(super) fn prefix3(d: &[u8]) -> usize {
    (d[0] - b'0') as usize * 100 + (d[1] - b'0') as usize * 10 + (d[2] - b'0') as usize
}

/// Whether `t` (8 to 16 bytes) is all ASCII digits: two overlapping 8-byte words, checked a
/// word at a time (high nibble 3, low nibble at most 9), instead of a loop over the bytes.
#[inline]
pub(crate) fn all_digits_8_to_16(t: &[u8]) -> bool {
    debug_assert!((8..=16).contains(&t.len()));
    let word = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("8 bytes"));
    digits8(word(&t[..8])) && digits8(word(&t[t.len() - 8..]))
}

/// Whether the eight bytes of `w` are all ASCII digits (high nibble 3, low nibble at most 9).
#[inline]
pub(crate) fn digits8(w: u64) -> bool {
    w & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030
        && (w & 0x0F0F_0F0F_0F0F_0F0F).wrapping_add(0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0
            == 0
}

/// Eight bytes with `A`-`Z` lower-cased and every other byte (non-ASCII too) unchanged.
#[inline]
pub fn lower8(x: u64) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let low7 = x & !HIGH;
    // Per byte, below 0x80 so no carry crosses bytes: the high bit is set from `A` (0x41
    // + 0x3f) and from past `Z` (0x5b + 0x25).
    let from_a = (low7 + 0x3f3f_3f3f_3f3f_3f3f) & HIGH;
    let past_z = (low7 + 0x2525_2525_2525_2525) & HIGH;
    let upper = from_a & !past_z & !x & HIGH;
    x | upper >> 2
}

/// Packed words ([`pack_lower`]) and what each stands for, found in one probe: the table's
/// size and multiplier are chosen when the patterns load so that no two words share a slot.
/// Sex values are read once a record; a binary search's mispredicted branches cost more.
pub(super) struct WordTable<T> {
    slots: Vec<(u128, T)>,
    mul: u64,
    shift: u32,
}

impl<T: Copy + Default> WordTable<T> {
    pub(super) fn new(words: &[(u128, T)]) -> Result<Self> {
        for bits in 4..=16u32 {
            if 1usize << bits < words.len() * 2 {
                continue;
            }
            for seed in 0..64u64 {
                let mut t = WordTable {
                    slots: vec![(0, T::default()); 1 << bits],
                    mul: 0x9E37_79B9_7F4A_7C15u64
                        .wrapping_add(seed.wrapping_mul(0x6A09_E667_F3BC_C909))
                        | 1,
                    shift: 64 - bits,
                };
                let mut clash = false;
                for &(w, v) in words {
                    let i = t.slot(w);
                    // A packed word is never 0 (its length byte is at least 1): 0 is empty.
                    if t.slots[i].0 != 0 {
                        clash = true;
                        break;
                    }
                    t.slots[i] = (w, v);
                }
                if !clash {
                    return Ok(t);
                }
            }
        }
        anyhow::bail!("no collision-free table for {} words", words.len())
    }

    #[inline]
    fn slot(&self, w: u128) -> usize {
        let x = (w as u64) ^ ((w >> 64) as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
        (x.wrapping_mul(self.mul) >> self.shift) as usize
    }

    #[inline]
    pub(super) fn get(&self, w: u128) -> Option<T> {
        let (k, v) = self.slots[self.slot(w)];
        (k == w).then_some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail16_right_aligns_and_lowers_the_last_16_bytes() {
        let src: Vec<u8> = b"Mail.Co.ID\xc3\x89Z@x-Y.GOV.id".to_vec();
        for n in 0..=src.len() {
            let d = &src[src.len() - n..];
            let k = n.min(16);
            let mut b = [0u8; 16];
            for (dst, s) in b[16 - k..].iter_mut().zip(&d[n - k..]) {
                *dst = s.to_ascii_lowercase();
            }
            let want = [
                u64::from_le_bytes(b[..8].try_into().unwrap()),
                u64::from_le_bytes(b[8..].try_into().unwrap()),
            ];
            assert_eq!(tail16(d), want, "{n}");
        }
    }

    #[test]
    fn load_le_reads_every_length_like_a_zero_padded_copy() {
        let src: Vec<u8> = (1..=16u8).map(|b| b.wrapping_mul(37) | 0x80).collect();
        for n in 0..=16 {
            let mut b = [0u8; 16];
            b[..n].copy_from_slice(&src[..n]);
            assert_eq!(load_le(&src[..n]), u128::from_le_bytes(b), "{n}");
        }
    }

    #[test]
    fn word_tables_find_every_word_and_nothing_else() {
        let words: Vec<String> = (0..300).map(|i| format!("w{i}x")).collect();
        let mut packed: Vec<(u128, u16)> = words
            .iter()
            .enumerate()
            .map(|(i, w)| (pack_lower(w.as_bytes()).unwrap(), i as u16))
            .collect();
        packed.sort_unstable();
        let t = WordTable::new(&packed).unwrap();
        for (i, w) in words.iter().enumerate() {
            assert_eq!(
                t.get(pack_lower(w.to_uppercase().as_bytes()).unwrap()),
                Some(i as u16)
            );
        }
        for absent in ["w300x", "w1", "x", "W0Y", "laki-laki"] {
            assert_eq!(
                t.get(pack_lower(absent.as_bytes()).unwrap()),
                None,
                "{absent}"
            );
        }
        assert!(WordTable::<u8>::new(&[]).is_ok());
    }

    #[test]
    fn pack_letters_packs_words_of_letters_as_pack_lower_does() {
        let letter_words = ["a", "Z", "mei", "SEPTEMBER", "aBcDeFgHiJkLmNo"];
        for w in letter_words {
            assert_eq!(pack_letters(w.as_bytes()), pack_lower(w.as_bytes()), "{w}");
        }
        assert_eq!(pack_letters(b""), None);
        assert_eq!(pack_letters(b"abcdefghijklmnop"), None);
        // Any byte that is not a letter, at any place of words of every length.
        for b in 0..=255u8 {
            for n in 1..=15 {
                for at in 0..n {
                    let mut w = vec![b'q'; n];
                    w[at] = b;
                    let want = b.is_ascii_alphabetic().then(|| pack_lower(&w).unwrap());
                    assert_eq!(pack_letters(&w), want, "{b:#x} at {at} of {n}");
                }
            }
        }
    }

    #[test]
    fn lower8_lowers_ascii_letters_only() {
        for b in 0..=255u8 {
            for pos in 0..8 {
                let x = u64::from(b) << (8 * pos) | 0x4040_4040_4040_4040 & !(0xFF << (8 * pos));
                let want = u64::from(b.to_ascii_lowercase()) << (8 * pos)
                    | 0x4040_4040_4040_4040 & !(0xFF << (8 * pos));
                assert_eq!(lower8(x), want, "byte {b:#x} at {pos}");
            }
        }
    }
}
