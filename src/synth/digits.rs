//! Numbers written as digits: zero-padded decimals, the 16-digit NIK/KK layout and its
//! written forms. Pure functions, no randomness. Imports nothing.

/// The parts of a NIK or KK, `PPRRDD DDMMYY SSSS`, kept apart so a decoy can bend one.
#[derive(Clone, Copy)]
pub(super) struct Parts {
    pub(super) district: u32,
    pub(super) dd: u32,
    pub(super) mm: u32,
    pub(super) yy: u32,
    pub(super) serial: u32,
}

impl Parts {
    /// The 16 digits as a number.
    pub(super) fn value(self) -> u64 {
        self.district as u64 * 10_000_000_000
            + self.dd as u64 * 100_000_000
            + self.mm as u64 * 1_000_000
            + self.yy as u64 * 10_000
            + self.serial as u64
    }
}

pub(super) fn digits16(v: u64) -> [u8; 16] {
    let mut d = [0u8; 16];
    digits_n(v, 16, &mut d);
    d
}

/// Writes `v` as `n` zero-padded digits into `out[..n]`.
pub(super) fn digits_n(mut v: u64, n: usize, out: &mut [u8]) -> &[u8] {
    for i in (0..n).rev() {
        out[i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    &out[..n]
}

/// `v` in decimal, zero-padded to at least `width` digits.
pub(super) fn push_num(buf: &mut Vec<u8>, v: u64, width: usize) {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(v).as_bytes();
    for _ in digits.len()..width {
        buf.push(b'0');
    }
    buf.extend_from_slice(digits);
}

fn grouped(buf: &mut Vec<u8>, d: &[u8], groups: &[usize], sep: u8) {
    let mut i = 0;
    for (k, &g) in groups.iter().enumerate() {
        if k > 0 {
            buf.push(sep);
        }
        buf.extend_from_slice(&d[i..i + g]);
        i += g;
    }
}

/// The forms of a 16-digit number in a NIK field; each leaves 16 digits once spaces, dots,
/// hyphens and one leading `'` are removed.
pub(super) fn push_sixteen(buf: &mut Vec<u8>, d: &[u8; 16], form: usize) {
    const FOUR: &[usize] = &[4, 4, 4, 4];
    match form {
        0 => buf.extend_from_slice(d),
        1 => {
            buf.push(b'\'');
            buf.extend_from_slice(d);
        }
        2 => grouped(buf, d, FOUR, b' '),
        3 => grouped(buf, d, FOUR, b'.'),
        4 => grouped(buf, d, FOUR, b'-'),
        5 => {
            buf.push(b'\'');
            grouped(buf, d, FOUR, b'-');
        }
        6 => {
            buf.push(b'\'');
            grouped(buf, d, FOUR, b' ');
        }
        // The official layout PP.RR.DD.DDMMYY.SSSS.
        7 => grouped(buf, d, &[2, 2, 2, 6, 4], b'.'),
        _ => grouped(buf, d, &[6, 6, 4], b'-'),
    }
}
