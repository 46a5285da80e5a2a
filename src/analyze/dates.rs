//! Dates for corroboration (SPEC §6): the written forms a birth date takes in Indonesian
//! exports, parsed by hand because a birth-date field sits on nearly every row. Dates are
//! [`calendar::Date`](crate::calendar::Date)s; imports the calendar and the rules (month names).

use crate::bytes::trim_blank;
use crate::calendar::Date;
use crate::rules::Patterns;

/// A real date as written (its year has 2 or 4 digits; a two-digit year is read as it is,
/// which the Gregorian rule treats as SPEC §5 treats a NIK's year).
fn real(day: u32, month: u32, year: u32) -> Option<Date> {
    // Callers read at most two digits of day and month and four of the year: the casts
    // keep every value.
    Date::new(year as u16, month as u8, day as u8)
}

/// Up to two readings of one value (an 8-digit value may read either way), as the
/// [`Date::key`]s a record's dates are matched by: all the scan asks of a birth date. Six
/// bytes, returned in a register, where two `Option<Date>`s went through memory and each
/// date's key was computed again from its year.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Readings {
    /// The readings' keys; 0 for none (no real date's key is 0).
    pub keys: [u16; 2],
    /// The value is a date and nothing else (an ISO date may carry a clock time): it cannot
    /// hold an identifier candidate, which needs a run of 8 or more digits.
    pub plain: bool,
}

impl Readings {
    pub fn any(&self) -> bool {
        self.keys != [0, 0]
    }
    /// Whether a reading is `d` as a NIK writes dates (day, month, two-digit year).
    pub fn matches(&self, d: Date) -> bool {
        self.keys.iter().any(|&k| k != 0 && k == d.key())
    }
}

/// The key of a date read by the general reading ([`parse_at`]), 0 for none.
fn key(d: Option<Date>) -> u16 {
    d.map_or(0, |d| d.key())
}

#[inline]
fn digits(v: &[u8], i: usize, n: usize) -> Option<u32> {
    let s = v.get(i..i + n)?;
    if !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0u32, |a, &b| a * 10 + (b - b'0') as u32))
}

fn month_name(v: &[u8], i: usize, p: &Patterns) -> Option<(u32, usize)> {
    let mut j = i;
    while j < v.len() && v[j].is_ascii_alphabetic() && j - i < 12 {
        j += 1;
    }
    if j == i || v.get(j).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    p.month_of(&v[i..j]).map(|m| (m as u32, j))
}

/// Parses one date form starting at `i`; returns the date and where it ends.
pub fn parse_at(v: &[u8], i: usize, p: &Patterns) -> Option<(Date, usize)> {
    // The separators first: they tell the forms apart before any digit is read.
    // YYYY-MM-DD
    if v.get(i + 4) == Some(&b'-') && v.get(i + 7) == Some(&b'-') {
        if let (Some(y), Some(m), Some(d)) =
            (digits(v, i, 4), digits(v, i + 5, 2), digits(v, i + 8, 2))
        {
            return real(d, m, y).map(|x| (x, i + 10));
        }
    }
    // DD-MM-YYYY, DD/MM/YYYY, DD.MM.YYYY
    if let (Some(&s1), Some(&s2)) = (v.get(i + 2), v.get(i + 5)) {
        if s1 == s2 && matches!(s1, b'-' | b'/' | b'.') {
            if let (Some(d), Some(m), Some(y)) =
                (digits(v, i, 2), digits(v, i + 3, 2), digits(v, i + 6, 4))
            {
                return real(d, m, y).map(|x| (x, i + 10));
            }
        }
    }
    // DD-MON-YY, DD-MON-YYYY, D MON YYYY, DD MON YYYY
    // Two digits of day, or one; the one is read only when two are not there.
    let (d, after_day) = match digits(v, i, 2) {
        Some(d) => (d, i + 2),
        None => (digits(v, i, 1)?, i + 1),
    };
    let sep = *v.get(after_day)?;
    if sep != b'-' && sep != b' ' {
        return None;
    }
    let (m, after_month) = month_name(v, after_day + 1, p)?;
    if v.get(after_month) != Some(&sep) {
        return None;
    }
    let y0 = after_month + 1;
    if sep == b'-' {
        if after_day != i + 2 {
            return None;
        }
        if let Some(y) = digits(v, y0, 4) {
            return real(d, m, y).map(|x| (x, y0 + 4));
        }
        let y = digits(v, y0, 2)?;
        return real(d, m, y).map(|x| (x, y0 + 2));
    }
    let y = digits(v, y0, 4)?;
    real(d, m, y).map(|x| (x, y0 + 4))
}

/// Reads a birth-date field's whole value: one of the forms, an ISO date may carry a time, and
/// 8 digits read as DDMMYYYY or YYYYMMDD.
pub fn parse_field(v: &[u8], p: &Patterns) -> Readings {
    let v = trim_blank(v);
    numeric_field(v).unwrap_or_else(|| named_field(v, p))
}

/// [`parse_field`] of a trimmed value that is none of the numeric layouts: a month name
/// ([`month_field`]), or the general reading. Out of line: inlined, the month's lookup made
/// every call of [`parse_field`] save and restore registers the numeric layouts (four
/// values in five) do not need.
#[inline(never)]
fn named_field(v: &[u8], p: &Patterns) -> Readings {
    month_field(v, p).unwrap_or_else(|| any_field(v, p))
}

/// [`parse_field`] of a whole `DD MONTH YYYY`, `D MONTH YYYY`, `DD-MON-YYYY` or `DD-MON-YY`
/// (a fifth of the birth dates in a BPJS-style export): the year read from the end and the
/// day from the start, so that the month is the bytes between and is looked up once, where
/// the general reading tried every numeric form first and read each part a call at a time
/// (about 380 instructions a value). `None` for anything else, or a value whose month is
/// not a name: left to the general reading, which reads these forms alike.
#[inline]
fn month_field(v: &[u8], p: &Patterns) -> Option<Readings> {
    let n = v.len();
    // The shortest is `12-J-84`; the longest a 12-letter month between a 2-digit day and a
    // 4-digit year.
    if !(7..=19).contains(&n) {
        return None;
    }
    let d0 = u32::from(v[0].wrapping_sub(b'0'));
    let d1 = u32::from(v[1].wrapping_sub(b'0'));
    let (day, month_at) = match (d0, d1) {
        (0..=9, 0..=9) => (d0 * 10 + d1, 3),
        (0..=9, _) if v[1] == b' ' => (d0, 2),
        _ => return None,
    };
    let sep = v[month_at - 1];
    if sep != b' ' && sep != b'-' {
        return None;
    }
    let digit = |i: usize| u32::from(v[i].wrapping_sub(b'0'));
    let (y2, y3) = (digit(n - 2), digit(n - 1));
    if y2 > 9 || y3 > 9 {
        return None;
    }
    // The century's digits, 0 for a two-digit year (see `Date::key_of`).
    let (cc, month_end) = if v[n - 5] == sep && digit(n - 4) <= 9 && digit(n - 3) <= 9 {
        (digit(n - 4) * 10 + digit(n - 3), n - 5)
    } else if sep == b'-' && v[n - 3] == b'-' {
        (0, n - 3)
    } else {
        return None;
    };
    // At most 12 letters (`month_of` takes letters only), as the general reading's month.
    if month_end > month_at + 12 {
        return None;
    }
    let m = p.month_of(v.get(month_at..month_end)?)?;
    let mut r = Readings::default();
    r.keys[0] = Date::key_of(cc, y2 * 10 + y3, u32::from(m), day);
    r.plain = r.any();
    Some(r)
}

/// [`parse_field`] of a trimmed value, by the general reading: every form, one after the
/// other ([`numeric_field`] is its shortcut for the all-digit layouts). Not inlined: the
/// shortcut's callers keep few registers to save.
#[inline(never)]
fn any_field(v: &[u8], p: &Patterns) -> Readings {
    let mut r = Readings::default();
    if v.len() == 8 && v.iter().all(u8::is_ascii_digit) {
        let n = |i, k| digits(v, i, k).unwrap_or(0);
        r.keys[0] = key(real(n(0, 2), n(2, 2), n(4, 4)));
        r.keys[1] = key(real(n(6, 2), n(4, 2), n(0, 4)));
        r.plain = r.any();
        return r;
    }
    if let Some((d, end)) = parse_at(v, 0, p) {
        let rest = &v[end..];
        let iso_time = end == 10 && v[4] == b'-' && matches!(rest.first(), Some(b' ' | b'T'));
        if rest.is_empty() || iso_time {
            r.keys[0] = d.key();
            r.plain = rest.is_empty() || is_clock_time(&rest[1..]);
        }
    }
    r
}

/// Every byte of `x` an ASCII digit where `keep` has 0xFF (other bytes are not looked at).
#[inline(always)]
fn all_digits(x: u64, keep: u64) -> bool {
    // Bytes 0x30..=0x39 become 0..=9; a byte of 10 or more sets its top bit once 0x76 is
    // added (a carry out of a byte can only fail a byte that fails anyway).
    let t = (x ^ 0x3030_3030_3030_3030) & keep;
    ((t.wrapping_add(0x7676_7676_7676_7676) | t) & 0x8080_8080_8080_8080 & keep) == 0
}

/// For the digits of `x` that [`all_digits`] checked under `keep`: byte `i` of the result is
/// the two-digit number of bytes `i` and `i + 1` (every byte at most 99: no carries), so
/// each number of a fixed layout is a shift away.
#[inline(always)]
fn pairs(x: u64, keep: u64) -> u64 {
    let t = (x ^ 0x3030_3030_3030_3030) & keep;
    t * 10 + (t >> 8)
}

/// Byte `i` of `p` as a number.
#[inline(always)]
fn byte(p: u64, i: u32) -> u32 {
    (p >> (8 * i)) as u32 & 0xFF
}

/// [`parse_field`] of the all-digit layouts at fixed offsets, which nearly every birth-date
/// column writes: `YYYY-MM-DD` (a time may follow), `DD-MM-YYYY` with `-`, `/` or `.`, and
/// eight digits. The layout is told by its separators and its digits checked and read as
/// one word, where [`parse_at`] read them a slice at a time after trying each form (about
/// 250 instructions a value); anything else, or a layout whose digits are not all digits,
/// is `None`: left to the general reading, which reads these layouts alike.
#[inline]
fn numeric_field(v: &[u8]) -> Option<Readings> {
    let mut r = Readings::default();
    if let Ok(b) = <[u8; 8]>::try_from(v) {
        let x = u64::from_le_bytes(b);
        if !all_digits(x, u64::MAX) {
            return None;
        }
        let p = pairs(x, u64::MAX);
        // DDMMYYYY, then YYYYMMDD: the numbers at bytes 0, 2, 4 and 6.
        let (p0, p2, p4, p6) = (byte(p, 0), byte(p, 2), byte(p, 4), byte(p, 6));
        r.keys[0] = Date::key_of(p4, p6, p2, p0);
        r.keys[1] = Date::key_of(p0, p2, p4, p6);
        r.plain = r.any();
        return Some(r);
    }
    let (head, rest) = v.split_first_chunk::<10>()?;
    let x = u64::from_le_bytes(*head.first_chunk()?);
    let tail = u32::from(head[8].wrapping_sub(b'0'));
    let last = u32::from(head[9].wrapping_sub(b'0'));
    if tail > 9 || last > 9 {
        return None;
    }
    let tail = tail * 10 + last;
    // Bytes 4 and 7 the separators of YYYY-MM-DD; bytes 2 and 5 those of DD-MM-YYYY.
    const ISO: u64 = 0x00FF_FF00_FFFF_FFFF;
    const DMY: u64 = 0xFFFF_00FF_FF00_FFFF;
    if x & !ISO == 0x2D00_002D_0000_0000 {
        if !all_digits(x, ISO) {
            return None;
        }
        let p = pairs(x, ISO);
        let k = Date::key_of(byte(p, 0), byte(p, 2), byte(p, 5), tail);
        if k == 0 {
            return Some(r);
        }
        // A time may follow the date.
        if let [] | [b' ' | b'T', ..] = rest {
            r.keys[0] = k;
            r.plain = rest.is_empty() || is_clock_time(&rest[1..]);
        }
        return Some(r);
    }
    if head[2] == head[5] && matches!(head[2], b'-' | b'/' | b'.') {
        if !all_digits(x, DMY) {
            return None;
        }
        // Nothing may follow DD-MM-YYYY.
        if rest.is_empty() {
            let p = pairs(x, DMY);
            r.keys[0] = Date::key_of(byte(p, 6), tail, byte(p, 3), byte(p, 0));
            r.plain = r.any();
        }
        return Some(r);
    }
    None
}

/// `hh:mm[:ss[.fraction]]` and the like: digits, `:` and `.`, no run of more than 6 digits.
fn is_clock_time(t: &[u8]) -> bool {
    let mut run = 0;
    for &b in t {
        match b {
            b'0'..=b'9' => {
                run += 1;
                if run > 6 {
                    return false;
                }
            }
            b':' | b'.' => run = 0,
            _ => return false,
        }
    }
    true
}

/// Every date written anywhere in a text value (records without fields), not touching other
/// digits.
pub fn find_in_text(v: &[u8], p: &Patterns, out: &mut Vec<Date>) {
    any_in_text(v, p, |d| {
        out.push(d);
        false
    });
}

/// Whether `hit` holds for a date written in a text value, read as [`find_in_text`] reads
/// them; stops at the first. Nothing is collected, so a line of millions of dates costs one
/// pass and no memory (linear time on any record).
pub fn any_in_text(v: &[u8], p: &Patterns, mut hit: impl FnMut(Date) -> bool) -> bool {
    let mut i = 0;
    while i < v.len() {
        if v[i].is_ascii_digit() && (i == 0 || !v[i - 1].is_ascii_digit()) {
            if let Some((d, end)) = parse_at(v, i, p) {
                if !v.get(end).is_some_and(u8::is_ascii_digit) {
                    if hit(d) {
                        return true;
                    }
                    i = end;
                    continue;
                }
            }
        }
        i += 1;
    }
    false
}

/// The [`Date::key`]s of the dates one record holds (its valid NIKs' dates, its birth-date
/// fields' readings). A record usually holds one or two, looked up by a short scan; one
/// dense with identifiers may hold millions, of which at most 38,432 are distinct: the keys
/// are then kept sorted and deduplicated, so memory stays bounded and each lookup costs a
/// binary search instead of a pass over every date seen (linear time on any record).
pub struct DateSet {
    keys: Vec<u16>,
    /// Past this many keys, they are sorted and deduplicated ([`DateSet::compact`]).
    limit: usize,
}

/// Up to this many keys, a set is scanned rather than sorted.
const SCAN_KEYS: usize = 16;

impl Default for DateSet {
    fn default() -> Self {
        DateSet {
            keys: Vec::new(),
            limit: SCAN_KEYS,
        }
    }
}

impl DateSet {
    #[inline]
    pub fn clear(&mut self) {
        self.keys.clear();
        self.limit = SCAN_KEYS;
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    #[inline]
    pub fn insert(&mut self, key: u16) {
        self.keys.push(key);
        if self.keys.len() > self.limit {
            self.compact();
        }
    }

    /// Inserts every key of `other`.
    pub fn extend(&mut self, other: &DateSet) {
        for &k in &other.keys {
            self.insert(k);
        }
    }

    /// Sorts and deduplicates the keys; the next compaction waits until their number has
    /// doubled, so an insert costs amortized logarithmic time and the keys stay fewer than
    /// twice the distinct ones.
    #[cold]
    fn compact(&mut self) {
        self.keys.sort_unstable();
        self.keys.dedup();
        self.limit = (2 * self.keys.len()).max(SCAN_KEYS);
    }

    /// Makes the set ready for [`DateSet::contains`] after inserts.
    #[inline]
    pub fn seal(&mut self) {
        if self.keys.len() > SCAN_KEYS {
            self.compact();
        }
    }

    /// Whether `key` is in the set, sealed since the last insert.
    #[inline]
    pub fn contains(&self, key: u16) -> bool {
        if self.keys.len() <= SCAN_KEYS {
            self.keys.contains(&key)
        } else {
            debug_assert!(self.keys.is_sorted(), "sealed");
            self.keys.binary_search(&key).is_ok()
        }
    }

    /// Whether the two sets, both sealed, share a key.
    pub fn meets(&self, other: &DateSet) -> bool {
        let (small, large) = if self.keys.len() <= other.keys.len() {
            (self, other)
        } else {
            (other, self)
        };
        small.keys.iter().any(|&k| large.contains(k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::pats;

    /// The first reading's key (0: none).
    fn one(s: &str) -> u16 {
        parse_field(s.as_bytes(), pats()).keys[0]
    }

    /// The key of a date, by [`Date::key`].
    fn k(day: u8, month: u8, year: u16) -> u16 {
        Date { year, month, day }.key()
    }

    #[test]
    fn every_form() {
        let want = k(5, 3, 1990);
        for s in [
            "1990-03-05",
            "1990-03-05 00:00:00",
            "1990-03-05T10:00",
            "05-03-1990",
            "05/03/1990",
            "05.03.1990",
            "05-MAR-1990",
            "05-Maret-1990",
            "5 Maret 1990",
            "05 march 1990",
            "5 MAR 1990",
            " 05-Mar-1990 ",
        ] {
            assert_eq!(one(s), want, "{s}");
        }
        assert_eq!(one("05-Mar-90"), k(5, 3, 90));
        assert_eq!(one("17-Agt-1945"), k(17, 8, 1945));
        assert_eq!(one("1 Desember 2001"), k(1, 12, 2001));
        assert_eq!(one("01 Mei 2001"), k(1, 5, 2001));
        // 29 February of leap years only, century years by the Gregorian rule, in every
        // layout (a two-digit year 00 is a leap year, as a NIK's).
        for s in [
            "29-02-2000",
            "2000-02-29",
            "29/02/2000",
            "29 Feb 2000",
            "29-FEB-00",
        ] {
            assert_eq!(one(s), k(29, 2, 0), "{s}");
        }
        for s in [
            "29-02-2100",
            "2100-02-29",
            "29.02.1900",
            "29 Feb 1900",
            "29-FEB-2100",
        ] {
            assert_eq!(one(s), 0, "{s}");
        }
        let r = parse_field(b"29022000", pats());
        assert_eq!(r.keys, [k(29, 2, 0), 0]);
        assert_eq!(parse_field(b"21000229", pats()).keys, [0, 0]);
        assert_eq!(parse_field(b"24000229", pats()).keys, [0, k(29, 2, 0)]);
    }

    #[test]
    fn rejects() {
        for s in [
            "05-03/1990",
            "5-3-1990",
            "1990-3-5",
            "31-04-1990",
            "29-02-1990",
            "29-02-1900",
            "05 Mars 1990",
            "05-03-1990 x",
            "5-Mar-1990",
            "",
            "N/A",
        ] {
            assert_eq!(one(s), 0, "{s}");
        }
        assert_eq!(one("29-02-2000"), k(29, 2, 2000));
    }

    #[test]
    fn eight_digits_read_both_ways() {
        let r = parse_field(b"19900305", pats());
        assert_eq!(r.keys, [0, k(5, 3, 1990)]);
        let r = parse_field(b"05031990", pats());
        assert_eq!(r.keys, [k(5, 3, 1990), 0]);
        // 10122010: 10 Dec 2010, or 2010-12-10 read the other way? 1012 is a year too.
        let r = parse_field(b"10122010", pats());
        assert_eq!(r.keys, [k(10, 12, 2010), 0]);
        let nik_date = Date {
            year: 90,
            month: 3,
            day: 5,
        };
        assert!(parse_field(b"19900305", pats()).matches(nik_date));
        assert!(!parse_field(b"19900306", pats()).matches(nik_date));
    }

    /// Reads 200,000 values made from `shapes` by up to three random edits (a byte replaced,
    /// inserted or removed, from `alphabet`) by `fast`, a layout's own reading, and holds
    /// each it reads to the general reading; returns how many it read.
    fn near_misses(
        shapes: &[&[u8]],
        alphabet: &[u8],
        mut x: u64,
        fast: impl Fn(&[u8]) -> Option<Readings>,
    ) -> usize {
        let mut checked = 0;
        for round in 0..200_000 {
            let mut v = shapes[round % shapes.len()].to_vec();
            let edits = crate::testing::xorshift(&mut x) % 4;
            for _ in 0..edits {
                let r = crate::testing::xorshift(&mut x);
                let at = (r >> 8) as usize % (v.len() + 1);
                let c = alphabet[(r >> 32) as usize % alphabet.len()];
                match r % 4 {
                    0 | 1 if at < v.len() => v[at] = c,
                    2 => v.insert(at, c),
                    _ if at < v.len() => {
                        v.remove(at);
                    }
                    _ => v.push(c),
                }
            }
            if let Some(r) = fast(&v) {
                assert_eq!(
                    r,
                    any_field(&v, pats()),
                    "{:?}",
                    String::from_utf8_lossy(&v)
                );
                checked += 1;
            }
        }
        checked
    }

    #[test]
    fn numeric_layouts_read_as_the_general_reading_does() {
        // Values of the numeric layouts and their near misses: every separator, letters and
        // bytes past '9' in digit places, impossible dates, times and tails of every kind.
        let alphabet = b"0123456789012345678901234567890123456789-/. T:.:aZ\x00\xff";
        let shapes: [&[u8]; 6] = [
            b"1990-03-05",
            b"05-03-1990",
            b"05/03/1990",
            b"19900305",
            b"1990-03-05 10:00:00",
            b"2000-02-29T23:59:59.123",
        ];
        let checked = near_misses(&shapes, alphabet, 0x5eed_0da7_e5f0_0001, numeric_field);
        assert!(checked > 50_000, "{checked}");
    }

    #[test]
    fn month_layouts_read_as_the_general_reading_does() {
        // Month-name values and their near misses: other separators, digits and letters in
        // each other's places, short and long months, days of one and three digits, tails.
        let alphabet = b"0123456789012345 - -aZmMeEiI.x/\x00\xff";
        let shapes: [&[u8]; 7] = [
            b"05 Maret 1990",
            b"5 Mei 2001",
            b"17-AGT-1945",
            b"05-Mar-90",
            b"01 December 1999",
            b"1 Jan 1990",
            b"31-DES-00",
        ];
        let checked = near_misses(&shapes, alphabet, 0x5eed_0da7_e5f0_0002, |v| {
            month_field(v, pats())
        });
        assert!(checked > 50_000, "{checked}");
    }

    #[test]
    fn plain_dates_are_only_dates() {
        let plain = |s: &str| parse_field(s.as_bytes(), pats()).plain;
        assert!(plain("1990-03-05"));
        assert!(plain("1990-03-05 00:00:00"));
        assert!(plain("1990-03-05T10:00:00.123"));
        assert!(plain("05031990"));
        assert!(plain("5 Maret 1990"));
        assert!(!plain("1990-03-05 081234567890"));
        assert!(!plain("1990-03-05 hp 0812-3456-7890"));
        assert!(!plain("N/A"));
    }

    #[test]
    fn rule4_date_sets_answer_as_lists_would() {
        let mut x = 0x5eed_da7e_5e75_0001u64;
        for n in [0, 1, 5, 16, 17, 40, 1000, 100_000] {
            let (mut a, mut b) = (DateSet::default(), DateSet::default());
            let (mut la, mut lb) = (Vec::new(), Vec::new());
            // Few distinct keys in large sets, so that they repeat.
            let spread = 1 + n as u64 / 4;
            for _ in 0..n {
                let k = (crate::testing::xorshift(&mut x) % spread * 2) as u16;
                a.insert(k);
                la.push(k);
                let k = (crate::testing::xorshift(&mut x) % (spread * 50)) as u16;
                b.insert(k);
                lb.push(k);
            }
            a.seal();
            b.seal();
            // Bounded by the distinct keys, not by the inserts.
            assert!(
                a.keys.len() <= (2 * spread as usize).max(SCAN_KEYS + 1),
                "{n}"
            );
            for k in 0..2000u16 {
                assert_eq!(a.contains(k), la.contains(&k), "{n} {k}");
            }
            let meets = la.iter().any(|k| lb.contains(k));
            assert_eq!(a.meets(&b), meets, "{n}");
            assert_eq!(b.meets(&a), meets, "{n}");
        }
    }

    #[test]
    fn dates_in_text() {
        let mut out = Vec::new();
        find_in_text(
            b"lahir 05-03-1990, daftar 2021-05-20 10:00; x 12345-03-1990",
            pats(),
            &mut out,
        );
        let got: Vec<_> = out.iter().map(|d| (d.day, d.month, d.year)).collect();
        assert_eq!(got, vec![(5, 3, 1990), (20, 5, 2021)]);
    }
}
