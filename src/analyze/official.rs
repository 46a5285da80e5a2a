//! NPWP (tax number) and NIP (civil-servant number) candidates, SPEC §5: the forms written
//! anywhere — the dotted NPWP `XX.XXX.XXX.X-XXX.XXX`, the NIP as a run of 18 digits or in
//! groups 8-6-1-3 separated by single spaces — and the whole value of an NPWP or NIP field.
//!
//! The detector (`analyze::detect`) calls this first: NIP comes before every other kind in
//! SPEC §5's order, and the dotted NPWP before the card, phone and e-mail that could lie
//! inside it. It reads the detector's maximal digit runs, so a candidate here never touches
//! another digit.
//! Imports only the rules' [`Role`]: the detector turns an [`Official`] into its `Found`.

use crate::rules::{all_digits_8_to_16, digits8, Role};

/// One NPWP or NIP candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Official {
    /// An NPWP in its 16-digit form — a 15-digit one with a `0` before it, as the tax office
    /// renumbered them in 2024, which keeps its check digit — and how many digits it was
    /// written with (`len`, 15 or 16): one value for either writing of one NPWP.
    Npwp {
        digits: [u8; 16],
        len: u8,
        span: (usize, usize),
    },
    /// A NIP's 18 digits.
    Nip {
        digits: [u8; 18],
        span: (usize, usize),
    },
}

/// The whole value of an NPWP field without spaces, dots and hyphens when that leaves 15
/// or 16 digits, or of a NIP field without spaces when that leaves 18; `None` otherwise (the
/// value is then searched like any other). The span is the whole value, as a NIK field's.
pub fn whole_value(v: &[u8], role: Role) -> Option<Official> {
    let span = (0, v.len());
    match role {
        Role::Npwp => {
            if let Some((digits, len)) = npwp_layouts(v) {
                return Some(Official::Npwp { digits, len, span });
            }
            let (digits, len) = dotted_whole(v)
                .or_else(|| plain_npwp(v))
                .or_else(|| digits_without::<16>(v, b" .-"))?;
            (len >= 15).then_some(Official::Npwp {
                digits: sixteen(digits, len),
                len: len as u8,
                span,
            })
        }
        Role::Nip => match plain_nip(v).or_else(|| digits_without::<18>(v, b" "))? {
            (digits, 18) => Some(Official::Nip { digits, span }),
            _ => None,
        },
        _ => None,
    }
}

/// An NPWP field's usual values, the dotted form and 15 or 16 digits alone, in their
/// 16-digit form with the number of digits written: what [`dotted_whole`] and
/// [`plain_npwp`] read, without a branch on which one the value is (an NPWP column mixes
/// them, and the tests on lengths mispredicted: perf, `whole_value`'s time half again
/// its instructions' share). `None` for any other value, and without SSSE3.
#[inline]
fn npwp_layouts(v: &[u8]) -> Option<([u8; 16], u8)> {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("ssse3") {
        // SAFETY: the CPU has SSSE3, as just tested.
        return unsafe { npwp_layout_ssse3(v) };
    }
    let _ = v;
    None
}

/// Where an [`NPWP_LAYOUTS`] entry takes its bytes from, in two vectors of the value's
/// words (see [`npwp_layout_ssse3`]): its digits (0x80: none) with `fill` over them (the
/// `0` before 15 digits), its separators and what they must be.
#[cfg(target_arch = "x86_64")]
struct NpwpLayout {
    digits: [[u8; 16]; 2],
    fill: [u8; 16],
    seps: [[u8; 16]; 2],
    want: [u8; 16],
    len: u8,
}

/// [`NpwpLayout`]s by the value's length less 15: 15 digits, 16 digits, none for 17 to 19
/// bytes, and `XX.XXX.XXX.X-XXX.XXX`.
#[cfg(target_arch = "x86_64")]
const NPWP_LAYOUTS: [NpwpLayout; 6] = [
    npwp_layout(15, &[]),
    npwp_layout(16, &[]),
    npwp_layout(0, &[]),
    npwp_layout(0, &[]),
    npwp_layout(0, &[]),
    npwp_layout(
        20,
        &[(2, b'.'), (6, b'.'), (10, b'.'), (12, b'-'), (16, b'.')],
    ),
];

/// The layout of `n` bytes (15 to 20; 0 for none) with separators `seps` and digits
/// elsewhere: 15 or 16 of them.
#[cfg(target_arch = "x86_64")]
const fn npwp_layout(n: usize, seps: &[(usize, u8)]) -> NpwpLayout {
    let mut l = NpwpLayout {
        digits: [[0x80; 16]; 2],
        fill: [0; 16],
        seps: [[0x80; 16]; 2],
        want: [0; 16],
        len: 0,
    };
    if n == 0 {
        return l;
    }
    let len = n - seps.len();
    assert!(len == 15 || len == 16);
    l.len = len as u8;
    if len == 15 {
        l.fill[0] = b'0';
    }
    let (mut p, mut k, mut s) = (0, 16 - len, 0);
    while p < n {
        let (v, at) = npwp_place(n, p);
        if s < seps.len() && seps[s].0 == p {
            l.seps[v][s] = at;
            l.want[s] = seps[s].1;
            s += 1;
        } else {
            l.digits[v][k] = at;
            k += 1;
        }
        p += 1;
    }
    l
}

/// Where byte `p` of a value of `n` bytes (15 to 20) is in [`npwp_layout_ssse3`]'s two
/// vectors: the first holds the words at 0 and at `n / 2 - 4`, the second the word that
/// ends the value; together they hold every byte.
#[cfg(target_arch = "x86_64")]
const fn npwp_place(n: usize, p: usize) -> (usize, u8) {
    let mid = n / 2 - 4;
    if p < 8 {
        (0, p as u8)
    } else if p < mid + 8 {
        (0, (8 + p - mid) as u8)
    } else {
        (1, (p - (n - 8)) as u8)
    }
}

/// [`npwp_layouts`] with SSSE3: three words of the value in two vectors, the digits and
/// the separators gathered from them by shuffles the length chooses, checked by masks.
///
/// # Safety
/// The CPU has SSSE3.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "ssse3")]
unsafe fn npwp_layout_ssse3(v: &[u8]) -> Option<([u8; 16], u8)> {
    use std::arch::x86_64::*;
    let n = v.len();
    let l = NPWP_LAYOUTS.get(n.wrapping_sub(15))?;
    let at = |i: usize| word(&v[i..i + 8]) as i64;
    let x = [
        _mm_set_epi64x(at(n / 2 - 4), at(0)),
        _mm_set_epi64x(0, at(n - 8)),
    ];
    let table = |b: &[u8; 16]| _mm_loadu_si128(b.as_ptr() as *const __m128i);
    let pick = |from: &[[u8; 16]; 2]| {
        _mm_or_si128(
            _mm_shuffle_epi8(x[0], table(&from[0])),
            _mm_shuffle_epi8(x[1], table(&from[1])),
        )
    };
    let digits = _mm_or_si128(pick(&l.digits), table(&l.fill));
    let shifted = _mm_sub_epi8(digits, _mm_set1_epi8(b'0' as i8));
    let is_digit = _mm_cmpeq_epi8(_mm_min_epu8(shifted, _mm_set1_epi8(9)), shifted);
    let seps = _mm_cmpeq_epi8(pick(&l.seps), table(&l.want));
    let ok = _mm_movemask_epi8(_mm_and_si128(is_digit, seps)) == 0xFFFF;
    let mut out = [0u8; 16];
    _mm_storeu_si128(out.as_mut_ptr() as *mut __m128i, digits);
    ok.then_some((out, l.len))
}

/// An NPWP field's usual value, `XX.XXX.XXX.X-XXX.XXX` and nothing else, read at its fixed
/// places rather than byte by byte (an NPWP column holds one in every row): its 15 digits.
#[inline]
fn dotted_whole(v: &[u8]) -> Option<([u8; 16], usize)> {
    let v: &[u8; 20] = v.try_into().ok()?;
    if [v[2], v[6], v[10], v[12], v[16]] != *b"...-." {
        return None;
    }
    // The groups moved into place in registers from three loads: copied into an array a
    // group at a time, the digit test's word reads waited for those small stores (perf).
    let (a, b, c) = (word(&v[..8]), word(&v[8..16]), word(&v[12..]) >> 32);
    let lo = a & 0xFFFF | (a >> 24 & 0xFF_FFFF) << 16 | (a >> 56) << 40 | (b & 0xFFFF) << 48;
    let hi = (b >> 24 & 0xFF) | (b >> 40 & 0xFF_FFFF) << 8 | (c >> 8 & 0xFF_FFFF) << 32;
    // Byte 15 is a zero, not a digit: the test reads it as a `0`.
    let digits = digits8(lo) && digits8(hi | 0x30 << 56);
    digits.then_some(((u128::from(hi) << 64 | u128::from(lo)).to_le_bytes(), 15))
}

/// The eight bytes of `b` (eight of them) as a little-endian word.
#[inline]
fn word(b: &[u8]) -> u64 {
    u64::from_le_bytes(b.try_into().expect("8 bytes"))
}

/// An NPWP field's 15 or 16 digits alone (a third of its values): what
/// [`digits_without`] finds in them, by two word tests rather than a byte loop.
#[inline]
fn plain_npwp(v: &[u8]) -> Option<([u8; 16], usize)> {
    if !(15..=16).contains(&v.len()) || !all_digits_8_to_16(v) {
        return None;
    }
    // Two words, the second shifted over the byte the two share for 15 digits.
    let n = v.len();
    let (lo, hi) = (word(&v[..8]), word(&v[n - 8..]) >> (8 * (16 - n)));
    Some(((u128::from(hi) << 64 | u128::from(lo)).to_le_bytes(), n))
}

/// A NIP field's usual values, 18 digits alone or in groups of 8, 6, 1 and 3 between
/// single spaces: what [`digits_without`] finds in them, by word tests at their fixed
/// places rather than a byte loop. `None` for any other value (the loop decides then).
#[inline]
fn plain_nip(v: &[u8]) -> Option<([u8; 18], usize)> {
    let mut digits = [0u8; 18];
    match v.len() {
        18 => digits.copy_from_slice(v),
        21 if v[8] == b' ' && v[15] == b' ' && v[17] == b' ' => {
            digits[..8].copy_from_slice(&v[..8]);
            digits[8..14].copy_from_slice(&v[9..15]);
            digits[14] = v[16];
            digits[15..].copy_from_slice(&v[18..]);
        }
        _ => return None,
    }
    (all_digits_8_to_16(&digits[..16]) && all_digits_8_to_16(&digits[10..])).then_some((digits, 18))
}

/// The 16-digit form of an NPWP whose `len` digits (15 or 16) start `digits`.
fn sixteen(digits: [u8; 16], len: usize) -> [u8; 16] {
    if len != 15 {
        return digits;
    }
    // Shifted in a register: `copy_within` was a call to `memmove`, whose small stores
    // the validator's reads then waited for.
    (u128::from_le_bytes(digits) << 8 | u128::from(b'0')).to_le_bytes()
}

/// The digits of `v` when every other byte is one of `skip`: `None` for any other byte or
/// more than `N` digits.
fn digits_without<const N: usize>(v: &[u8], skip: &[u8]) -> Option<([u8; N], usize)> {
    let mut digits = [0u8; N];
    let mut n = 0;
    for &b in v {
        if b.is_ascii_digit() {
            *digits.get_mut(n)? = b;
            n += 1;
        } else if !skip.contains(&b) {
            return None;
        }
    }
    Some((digits, n))
}

/// The NIPs, then the dotted NPWPs, of `v`, given its maximal digit runs in order: each kind
/// comes out in order and without overlaps, as the detector's search for spans inside
/// earlier candidates needs.
pub fn candidates(v: &[u8], runs: &[(usize, usize)], mut push: impl FnMut(Official)) {
    // One look at each run's length: most values hold neither kind, and their runs are
    // passed over without a call. A dotted NPWP starts with a run of 2 and a dot.
    let mut npwp_from = None;
    for (r, &(s, e)) in runs.iter().enumerate() {
        match e - s {
            8 | 18 => {
                if let Some((digits, span)) = nip_at(v, &runs[r..]) {
                    push(Official::Nip { digits, span });
                }
            }
            2 if npwp_from.is_none() && v.get(e) == Some(&b'.') => npwp_from = Some(r),
            _ => {}
        }
    }
    let Some(from) = npwp_from else { return };
    for r in from..runs.len() {
        if let Some((digits, span)) = dotted_npwp_at(v, &runs[r..]) {
            push(Official::Npwp {
                digits: sixteen(digits, 15),
                len: 15,
                span,
            });
        }
    }
}

/// A NIP starting at the first of `runs`: 18 digits, or groups of 8, 6, 1 and 3 separated by
/// single spaces.
fn nip_at(v: &[u8], runs: &[(usize, usize)]) -> Option<([u8; 18], (usize, usize))> {
    let (s, e) = runs[0];
    let groups = match e - s {
        18 => &runs[..1],
        8 => runs.get(..4)?,
        _ => return None,
    };
    let digits = grouped::<18>(v, groups, &[8, 6, 1, 3], b"   ")?;
    Some((digits, (s, groups[groups.len() - 1].1)))
}

/// A dotted NPWP `XX.XXX.XXX.X-XXX.XXX` starting at the first of `runs`.
fn dotted_npwp_at(v: &[u8], runs: &[(usize, usize)]) -> Option<([u8; 16], (usize, usize))> {
    if runs[0].1 - runs[0].0 != 2 {
        return None;
    }
    let groups = runs.get(..6)?;
    let digits = grouped::<16>(v, groups, &[2, 3, 3, 1, 3, 3], b"...-.")?;
    Some((digits, (groups[0].0, groups[5].1)))
}

/// The digits of `groups` (consecutive digit runs of `v`) when they have the lengths `lens`
/// — or are one run as long as all of them — and are separated by the single bytes `seps`,
/// and the whole does not start right after, or end right before, a `-` or `.` joining it to
/// another digit (SPEC §5's boundaries).
fn grouped<const N: usize>(
    v: &[u8],
    groups: &[(usize, usize)],
    lens: &[usize],
    seps: &[u8],
) -> Option<[u8; N]> {
    let (s, e) = (groups[0].0, groups[groups.len() - 1].1);
    if groups.len() > 1 {
        for (k, w) in groups.windows(2).enumerate() {
            if w[1].0 != w[0].1 + 1 || v[w[0].1] != seps[k] {
                return None;
            }
        }
        for (&(gs, ge), &len) in groups.iter().zip(lens) {
            if ge - gs != len {
                return None;
            }
        }
    }
    if joined_before(v, s) || joined_after(v, e) {
        return None;
    }
    let mut digits = [0u8; N];
    let mut n = 0;
    for &(gs, ge) in groups {
        digits[n..n + ge - gs].copy_from_slice(&v[gs..ge]);
        n += ge - gs;
    }
    Some(digits)
}

/// Whether the digit at `s` follows a `-` or `.` that follows a digit.
fn joined_before(v: &[u8], s: usize) -> bool {
    s >= 2 && matches!(v[s - 1], b'-' | b'.') && v[s - 2].is_ascii_digit()
}

/// Whether the digit before `e` is followed by a `-` or `.` and a digit.
fn joined_after(v: &[u8], e: usize) -> bool {
    matches!(v.get(e), Some(b'-' | b'.')) && v.get(e + 1).is_some_and(u8::is_ascii_digit)
}

/// Whether the digits of a value (bit `k` set when byte `k` is a digit, as the detector's
/// shape filter reads them) could hold a NIP or a dotted NPWP: the digit positions their
/// groups need. False means [`candidates`] finds nothing there.
#[inline]
pub fn may_hold(d: u128) -> bool {
    // Both hold 15 digits or more: most values that reach the filter hold fewer.
    if d.count_ones() < 15 {
        return false;
    }
    let r2 = d & d >> 1;
    let r3 = r2 & d >> 2;
    let r4 = r2 & r2 >> 2;
    let r6 = r4 & r2 >> 4;
    let r8 = r4 & r4 >> 4;
    let nip = r8 & r8 >> 8 & r2 >> 16;
    let spaced_nip = r8 & r6 >> 9 & d >> 16 & r3 >> 18;
    let npwp = r2 & r3 >> 3 & r3 >> 7 & d >> 11 & r3 >> 13 & r3 >> 17;
    nip | spaced_nip | npwp != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::detect::Detector;
    use crate::testing::{pats, xorshift};

    /// Random digits, as many as one of `lens` (picked at random).
    fn random_digits(x: &mut u64, lens: &[usize]) -> Vec<u8> {
        let len = lens[xorshift(x) as usize % lens.len()];
        (0..len).map(|_| b'0' + (xorshift(x) % 10) as u8).collect()
    }

    #[test]
    fn plain_field_values_read_as_the_byte_loop_reads_them() {
        // Values of the plain shapes and near misses: whatever the word tests take, the
        // loop takes alike, and they take the plain shapes.
        let mut x = 0xC0FF_EE00_D15E_A5E5u64;
        let mut taken = 0;
        for _ in 0..50_000 {
            let mut v = random_digits(&mut x, &[14, 15, 16, 17, 18, 19, 20, 21, 22]);
            let len = v.len();
            if len == 21 && xorshift(&mut x).is_multiple_of(2) {
                for k in [8, 15, 17] {
                    v[k] = b' ';
                }
            }
            if xorshift(&mut x).is_multiple_of(4) {
                let k = xorshift(&mut x) as usize % len;
                v[k] = b" .-a/\xff0"[xorshift(&mut x) as usize % 7];
            }
            if let Some(got) = plain_npwp(&v) {
                taken += 1;
                assert_eq!(Some(got), digits_without::<16>(&v, b" .-"), "{v:?}");
            }
            if let Some(got) = plain_nip(&v) {
                taken += 1;
                assert_eq!(Some(got), digits_without::<18>(&v, b" "), "{v:?}");
            }
        }
        assert!(taken > 10_000, "{taken}");
        assert!(plain_nip(b"19850312 201001 1 002").is_some());
        assert!(plain_nip(b"19850312 201001 1 00a").is_none());
        assert!(plain_npwp(b"012345674123000").is_some());
    }

    #[test]
    fn npwp_layouts_read_as_the_general_reading_does() {
        // Values of 14 to 21 bytes, the dotted NPWP's joints put in now and then, a stray
        // byte now and then: whatever the layouts take, the forms they stand for take alike.
        let general = |v: &[u8]| {
            let (digits, len) = dotted_whole(v)
                .or_else(|| plain_npwp(v))
                .or_else(|| digits_without::<16>(v, b" .-"))?;
            (len >= 15).then(|| (sixteen(digits, len), len as u8))
        };
        let mut x = 0x0DDB_A11C_0FFE_E123u64;
        let mut taken = 0;
        for _ in 0..100_000 {
            let mut v = random_digits(&mut x, &[14, 15, 16, 17, 19, 20, 20, 20, 21]);
            let len = v.len();
            if len == 20 && !xorshift(&mut x).is_multiple_of(8) {
                for (k, &b) in [2, 6, 10, 12, 16].iter().zip(b"...-.") {
                    v[*k] = b;
                }
            }
            if xorshift(&mut x).is_multiple_of(4) {
                let k = xorshift(&mut x) as usize % len;
                v[k] = b" .-a/\xff0"[xorshift(&mut x) as usize % 7];
            }
            if let Some(got) = npwp_layouts(&v) {
                taken += 1;
                assert_eq!(Some(got), general(&v), "{v:?}");
            }
        }
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("ssse3") {
            assert!(taken > 30_000, "{taken}");
            assert!(npwp_layouts(b"01.234.567.4-123.000").is_some());
            assert!(npwp_layouts(b"01.234.567.4.123.000").is_none());
            assert!(npwp_layouts(b"012345674123000").is_some());
        }
    }

    /// Maximal digit runs, the obvious way.
    fn runs(v: &[u8]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = None;
        for (i, b) in v.iter().enumerate() {
            match (b.is_ascii_digit(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    out.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            out.push((s, v.len()));
        }
        out
    }

    /// Each candidate as (kind, the text of its span, its digits).
    fn found(v: &str) -> Vec<(&'static str, String, String)> {
        let mut out = Vec::new();
        candidates(v.as_bytes(), &runs(v.as_bytes()), |o| out.push(o));
        out.into_iter().map(|o| shown(v, o)).collect()
    }

    fn shown(v: &str, o: Official) -> (&'static str, String, String) {
        let text = |(s, e): (usize, usize)| v[s..e].to_string();
        match o {
            Official::Npwp { digits, len, span } => (
                "npwp",
                text(span),
                format!("{}{}", len, String::from_utf8_lossy(&digits)),
            ),
            Official::Nip { digits, span } => {
                ("nip", text(span), String::from_utf8_lossy(&digits).into())
            }
        }
    }

    fn mask_of(v: &[u8]) -> u128 {
        v.iter()
            .enumerate()
            .fold(0, |m, (k, b)| m | u128::from(b.is_ascii_digit()) << k)
    }

    #[test]
    fn nips_plain_and_spaced() {
        assert_eq!(
            found("NIP 198503122010011002."),
            [(
                "nip",
                "198503122010011002".into(),
                "198503122010011002".into()
            )]
        );
        assert_eq!(
            found("nip: 19850312 201001 1 002, gol III/a"),
            [(
                "nip",
                "19850312 201001 1 002".into(),
                "198503122010011002".into()
            )]
        );
        // Letters may touch it, as they may touch a NIK.
        assert_eq!(found("x198503122010011002y").len(), 1);
    }

    #[test]
    fn what_is_not_a_nip() {
        for v in [
            "1985031220100110021",     // 19 digits
            "19850312201001100",       // 17
            "19850312  201001 1 002",  // a double space
            "19850312 201001 11 002",  // groups 8-6-2-3
            "19850312-201001-1-002",   // hyphens are not the NIP's separator
            "1.198503122010011002",    // the fraction of a decimal number
            "198503122010011002.5",    // the integer part of one
            "4-198503122010011002",    // the tail of a joined run
            "19850312 201001 1 002-7", // its head
        ] {
            assert!(found(v).is_empty(), "{v}");
        }
    }

    #[test]
    fn dotted_npwps() {
        assert_eq!(
            found("NPWP 07.914.088.5-199.000 a.n. PT X"),
            [(
                "npwp",
                "07.914.088.5-199.000".into(),
                "150079140885199000".into()
            )]
        );
        // Two in one value, both found in order.
        let two = found("01.234.567.4-123.000/02.345.678.9-012.345");
        assert_eq!(two.len(), 2);
        assert_eq!(two[1].2, "150023456789012345");
        for v in [
            "07.914.088.5.199.000",   // a dot where the hyphen goes
            "07.914.088.5-199.0001",  // a longer last group
            "107.914.088.5-199.000",  // a longer first group
            "1.07.914.088.5-199.000", // joined to a digit before
            "07.914.088.5-199.000.1", // and after
            "07 914 088 5 199 000",   // spaced: only an NPWP field's whole value
            "079140885199000",        // plain: likewise
        ] {
            assert!(found(v).is_empty(), "{v}");
        }
        // After a joint that is not between two digits, it stands.
        assert_eq!(found("no.07.914.088.5-199.000").len(), 1);
    }

    #[test]
    fn field_values() {
        let npwp = |v: &str| whole_value(v.as_bytes(), Role::Npwp).map(|o| shown(v, o).2);
        assert_eq!(
            npwp("07.914.088.5-199.000").as_deref(),
            Some("150079140885199000")
        );
        assert_eq!(
            npwp("0 7914 0885 199 000").as_deref(),
            Some("150079140885199000")
        );
        assert_eq!(
            npwp("3171014101900001").as_deref(),
            Some("163171014101900001")
        );
        assert_eq!(
            npwp("0079-1408-8519-9000").as_deref(),
            Some("160079140885199000")
        );
        for bad in ["07914088519900", "30791408851990001", "07/914/088", "", "-"] {
            assert_eq!(npwp(bad), None, "{bad}");
        }
        let nip = |v: &str| whole_value(v.as_bytes(), Role::Nip).map(|o| shown(v, o).2);
        assert_eq!(
            nip(" 1985 0312 2010 0110 02 ").as_deref(),
            Some("198503122010011002")
        );
        assert_eq!(nip("19850312.201001.1.002"), None);
        assert_eq!(nip("1985031220100110"), None);
        assert_eq!(whole_value(b"198503122010011002", Role::Nik), None);
    }

    #[test]
    fn the_fixed_place_reading_agrees_with_the_byte_walk() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut read = 0;
        for _ in 0..50_000 {
            // A dotted NPWP with about one byte in ten changed.
            let mut v = *b"07.914.088.5-199.000";
            for b in v.iter_mut() {
                if xorshift(&mut x).is_multiple_of(10) {
                    *b = b"0123456789.- a"[(xorshift(&mut x) % 14) as usize];
                }
            }
            if let Some(fast) = dotted_whole(&v) {
                assert_eq!(Some(fast), digits_without::<16>(&v, b" .-"));
                read += 1;
            }
        }
        assert!(read > 5_000, "{read}");
        assert_eq!(dotted_whole(b"07.914.088.5-199.00"), None);
        assert_eq!(dotted_whole(b"07.914.088.5-199.0a0"), None);
    }

    /// What the whole detector finds in `v` in a field of `role`: (kind, span text).
    fn detected(v: &str, role: Role) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        Detector::new(pats()).detect(v.as_bytes(), role, &mut out);
        let text = |(s, e): (usize, usize)| v[s..e].to_string();
        out.iter()
            .filter_map(|f| Some((f.kind()?.name(), text(f.span()))))
            .collect()
    }

    #[test]
    fn the_detector_decides_spans_in_spec_order() {
        // An 18-digit NIP never yields a NIK or a phone; a dotted NPWP of type 08 no phone.
        assert_eq!(
            detected("NIP 198503122010011002 / 3171014101900001", Role::Unnamed),
            [
                ("nip", "198503122010011002".into()),
                ("nik", "3171014101900001".into())
            ]
        );
        assert_eq!(
            detected(
                "npwp 07.914.088.5-199.000, hp 0812 3456 7890",
                Role::Unnamed
            ),
            [
                ("npwp", "07.914.088.5-199.000".into()),
                ("phone", "0812 3456 7890".into())
            ]
        );
        assert_eq!(
            detected("08.123.456.7-890.123", Role::Other),
            [("npwp", "08.123.456.7-890.123".into())]
        );
        // Spaced, in any field; found in a long value as in a short one.
        let long = format!("{}19850312 201001 1 002", "x ".repeat(70));
        assert_eq!(detected(&long, Role::Other).len(), 1);
        assert_eq!(detected(&long[long.len() - 21..], Role::Other).len(), 1);
    }

    #[test]
    fn field_roles_take_the_whole_value() {
        // 16 digits in an NPWP field are an NPWP, not a NIK; in a NIP field, still a NIK.
        assert_eq!(
            detected("3171014101900001", Role::Npwp),
            [("npwp", "3171014101900001".into())]
        );
        assert_eq!(
            detected("3171014101900001", Role::Nip),
            [("nik", "3171014101900001".into())]
        );
        assert_eq!(
            detected("0 7914 0885 199 000", Role::Npwp),
            [("npwp", "0 7914 0885 199 000".into())]
        );
        assert!(!detected("0 7914 0885 199 000", Role::Other)
            .iter()
            .any(|(k, _)| *k == "npwp"));
        assert_eq!(
            detected("1985 0312 2010 0110 02", Role::Nip),
            [("nip", "1985 0312 2010 0110 02".into())]
        );
        // Not a whole value: searched as any other.
        assert_eq!(
            detected("lama 07.914.088.5-199.000", Role::Npwp),
            [("npwp", "07.914.088.5-199.000".into())]
        );
    }

    #[test]
    fn masked_like_a_nik() {
        let mut out = Vec::new();
        let v = b"NIP 19850312 201001 1 002, NPWP 07.914.088.5-199.000";
        Detector::new(pats()).detect(v, Role::Unnamed, &mut out);
        let masks: Vec<String> = out.iter().filter_map(|f| f.masked(v)).collect();
        assert_eq!(masks, ["1985************02", "0079**********00"]);
    }

    #[test]
    fn the_shape_test_keeps_every_candidate() {
        // Values of digits, spaces, dots and hyphens, where these shapes come up often: a
        // value the shape test turns away holds no candidate.
        let mut x = 0x5851_f42d_4c95_7f2du64;
        let mut held = 0;
        for _ in 0..100_000 {
            let len = 18 + (xorshift(&mut x) % 60) as usize;
            let v: Vec<u8> = (0..len)
                .map(|_| b"0123456789 .-7"[(xorshift(&mut x) % 14) as usize])
                .collect();
            let mut out = Vec::new();
            candidates(&v, &runs(&v), |o| out.push(o));
            if !may_hold(mask_of(&v)) {
                assert!(out.is_empty(), "{:?}", String::from_utf8_lossy(&v));
            }
            held += usize::from(!out.is_empty());
        }
        assert!(held > 0);
        for v in [
            "07.914.088.5-199.000",
            "19850312 201001 1 002",
            "198503122010011002",
        ] {
            for left in 0..=100 {
                let v = format!("{}{v}", " ".repeat(left));
                assert!(may_hold(mask_of(v.as_bytes())), "{v:?}");
            }
        }
    }
}
