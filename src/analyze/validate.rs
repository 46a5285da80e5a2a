//! The rules of SPEC §5 that decide whether a candidate is a real identifier. Each check
//! returns a [`Verdict`]: an invalid identifier is an ordinary outcome to count, not an error,
//! and the reason is an [`InvalidReason`]. Imports the rules and the calendar only.

use crate::calendar::Date;
use crate::rules::checksum::npwp_check_digit;
use crate::rules::{all_digits_8_to_16, digits8, load_le, InvalidReason, Patterns, RuleState};

/// The outcome of validating one candidate: what it decodes to, or the first rule it fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict<T> {
    Valid(T),
    Invalid(InvalidReason),
}

impl<T> Verdict<T> {
    pub fn is_valid(&self) -> bool {
        matches!(self, Verdict::Valid(_))
    }
    pub fn reason(&self) -> Option<InvalidReason> {
        match self {
            Verdict::Valid(_) => None,
            Verdict::Invalid(r) => Some(*r),
        }
    }
}

/// What a valid NIK or KK encodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// `PPRRDD`.
    pub district: u32,
    /// Birth date (NIK, day already minus 40 for women) or issue date (KK), its year the
    /// two digits the number carries: the century is not encoded.
    pub date: Date,
    pub female: bool,
    /// The 16 digits as a number: compact for distinct-value sets.
    pub value: u64,
}

fn two(d: &[u8], i: usize) -> u32 {
    (d[i] - b'0') as u32 * 10 + (d[i + 1] - b'0') as u32
}

/// Validates 16 digits as a NIK (`female_days`) or a KK.
///
/// The two-digit fields (`PP RR DD dd mm yy`, the serial) are read 8 digits at a time as
/// four pairs per word ([`pairs8`]), and the same words finish into the value: two
/// NIK-shaped numbers a record, one pass each, instead of a multiply-add per digit pair.
/// Inlined into [`nik`] and [`kk`], so that each is compiled for its own dates.
#[inline(always)]
fn sixteen(digits: &[u8; 16], p: &Patterns, female_days: bool) -> Verdict<Decoded> {
    let (head, tail) = digits.split_at(8);
    let a = pairs8(head.try_into().expect("8 digits"));
    let b = pairs8(tail.try_into().expect("8 digits"));
    let pair = |w: u64, k: u32| (w >> (16 * k) & 0xFF) as u32;
    let district = (pair(a, 0) * 100 + pair(a, 1)) * 100 + pair(a, 2);
    // A valid region in one lookup; the levels one by one only to tell which one fails.
    if !p.regions.has_whole_district(district) {
        return Verdict::Invalid(region_reason(p, district));
    }
    let mut day = pair(a, 3) as u8;
    let month = pair(b, 0) as u8;
    let year = pair(b, 1) as u8;
    let mut female = false;
    if female_days && (41..=71).contains(&day) {
        day -= 40;
        female = true;
    }
    let Some(date) = Date::new_yy(year, month, day) else {
        return Verdict::Invalid(if female_days {
            InvalidReason::BirthDate
        } else {
            InvalidReason::IssueDate
        });
    };
    // The serial's two pairs are zero only when its four digits are.
    if b >> 32 == 0 {
        return Verdict::Invalid(InvalidReason::Serial);
    }
    Verdict::Valid(Decoded {
        district,
        date,
        female,
        value: finish8(a) * 100_000_000 + finish8(b),
    })
}
/// The first level of `pprrdd` the region table does not list, province first.
#[cold]
fn region_reason(p: &Patterns, pprrdd: u32) -> InvalidReason {
    if !p.regions.has_province(pprrdd / 10_000) {
        InvalidReason::Province
    } else if !p.regions.has_regency(pprrdd / 100) {
        InvalidReason::Regency
    } else {
        InvalidReason::District
    }
}

/// NIK: region in the union table, birth date (women +40), serial not `0000`.
pub fn nik(digits: &[u8; 16], p: &Patterns) -> Verdict<Decoded> {
    sixteen(digits, p, true)
}

/// KK: region as for NIK, a real issue date (no +40), serial not `0000`.
pub fn kk(digits: &[u8; 16], p: &Patterns) -> Verdict<Decoded> {
    sixteen(digits, p, false)
}

/// BPJS Kesehatan card: 13 digits (already restored), not all zeros.
pub fn bpjs_card(digits: &[u8; 13]) -> Verdict<u64> {
    bpjs_card_number(card_number(digits))
}

/// The value of a card's 13 ASCII digits, read where they are: the first eight at once
/// less their last three, then the last eight.
#[inline]
pub fn card_number(d: &[u8; 13]) -> u64 {
    let (head, tail) = (d.first_chunk::<8>(), d.last_chunk::<8>());
    let (Some(head), Some(tail)) = (head, tail) else {
        unreachable!("13 bytes hold 8 twice")
    };
    parse8(head) / 1000 * 100_000_000 + parse8(tail)
}

/// [`bpjs_card`] for the value of the 13 digits.
#[inline]
pub fn bpjs_card_number(n: u64) -> Verdict<u64> {
    match n {
        0 => Verdict::Invalid(InvalidReason::Zeros),
        n => Verdict::Valid(n),
    }
}

/// Eight ASCII digits to their value, all at once (SWAR): pairs, then quads, then the
/// whole, instead of eight dependent multiply-adds.
#[inline]
pub fn parse8(d: &[u8; 8]) -> u64 {
    finish8(pairs8(d))
}

/// Eight ASCII digits as the values of their four pairs, one per 16-bit lane (the first
/// pair in the lowest): [`parse8`]'s first step.
#[inline]
fn pairs8(d: &[u8; 8]) -> u64 {
    let v = u64::from_le_bytes(*d).wrapping_sub(0x3030_3030_3030_3030);
    (v.wrapping_mul(10) + (v >> 8)) & 0x00FF_00FF_00FF_00FF
}

/// [`pairs8`]'s four pairs to the value of the eight digits: quads, then the whole.
#[inline]
fn finish8(pairs: u64) -> u64 {
    let v = (pairs.wrapping_mul(100) + (pairs >> 16)) & 0x0000_FFFF_0000_FFFF;
    (v.wrapping_mul(10_000) + (v >> 32)) & 0xFFFF_FFFF
}

/// NPWP: 15 digits, or 16 starting with `0`, by the check digit
/// ([`npwp_check_digit`]); 16 digits not starting with `0` (a resident's NPWP since 2024 is
/// the NIK) by the NIK rules, failing with the NIK's reasons. A valid NPWP's value for the
/// distinct set is its digits as a number, so the 16-digit form of an old NPWP (a `0` before
/// its 15 digits) counts as the same NPWP.
pub fn npwp(digits: &[u8], p: &Patterns) -> Verdict<u64> {
    let number = || {
        digits
            .iter()
            .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'))
    };
    match npwp_check_digit(digits) {
        Some(true) => Verdict::Valid(number()),
        Some(false) => Verdict::Invalid(InvalidReason::CheckDigit),
        None => match <&[u8; 16]>::try_from(digits) {
            Ok(nik_digits) => match nik(nik_digits, p) {
                Verdict::Valid(d) => Verdict::Valid(d.value),
                Verdict::Invalid(r) => Verdict::Invalid(r),
            },
            // Detection hands on 15 or 16 digits only; any other length has no check digit.
            Err(_) => Verdict::Invalid(InvalidReason::CheckDigit),
        },
    }
}

/// What a valid NIP encodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nip {
    /// Birth date, all four digits of the year.
    pub born: Date,
    /// Appointment as a civil servant: year and month (the day is 1).
    pub appointed: Date,
    pub female: bool,
    /// The 18 digits as a number: compact for distinct-value sets.
    pub value: u64,
}

/// NIP `YYYYMMDD YYYYMM G NNN`: the birth date a real date of 1900 or later; the appointment
/// a real month at least 15 years after the birth year and, when the scan date `as_of` is
/// known, not after its month; `G` 1 (male) or 2 (female); `NNN` not `000`. Checked in that
/// order, the first rule failed being the reason.
pub fn nip(d: &[u8; 18], as_of: Option<Date>) -> Verdict<Nip> {
    let year = |i: usize| (two(d, i) * 100 + two(d, i + 2)) as u16;
    let born_year = year(0);
    let Some(born) =
        Date::new(born_year, two(d, 4) as u8, two(d, 6) as u8).filter(|_| born_year >= 1900)
    else {
        return Verdict::Invalid(InvalidReason::NipBirthDate);
    };
    let appointed = Date::new(year(8), two(d, 12) as u8, 1);
    let in_time = |a: &Date| {
        a.year >= born_year + 15 && as_of.is_none_or(|t| (a.year, a.month) <= (t.year, t.month))
    };
    let Some(appointed) = appointed.filter(in_time) else {
        return Verdict::Invalid(InvalidReason::Appointment);
    };
    let female = match d[14] {
        b'1' => false,
        b'2' => true,
        _ => return Verdict::Invalid(InvalidReason::Sex),
    };
    if &d[15..] == b"000" {
        return Verdict::Invalid(InvalidReason::NipSerial);
    }
    let head = parse8(d[..8].try_into().expect("8 digits"));
    let mid = parse8(d[8..16].try_into().expect("8 digits"));
    Verdict::Valid(Nip {
        born,
        appointed,
        female,
        value: (head * 100_000_000 + mid) * 100 + u64::from(two(d, 16)),
    })
}

/// A valid mobile number: its national digits (after +62) as a number, and its operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mobile {
    pub value: u64,
    /// Index into `Patterns::operator_names`.
    pub operator: usize,
}

/// Phone: the national number (digits after the country or trunk prefix) must be mobile.
pub fn phone(national: &[u8], p: &Patterns) -> Verdict<Mobile> {
    // Detection hands on digits alone: read once, their first three give the mobile rule's
    // verdict (its digit table) and the operator, without the rule's and the operator
    // table's own digit tests.
    let n = national.len();
    if (8..=16).contains(&n) && all_digits_8_to_16(national) {
        let prefix = usize::from(national[0] - b'0') * 100
            + usize::from(national[1] - b'0') * 10
            + usize::from(national[2] - b'0');
        if let Some(v) = by_digit_table(n, prefix, p, national_value(national)) {
            return v;
        }
    }
    if !p.mobile.is_match(national) {
        return Verdict::Invalid(InvalidReason::NotMobile);
    }
    Verdict::Valid(Mobile {
        value: national_value(national),
        operator: p.operator_index(national),
    })
}

/// [`phone`] for the national digits as detection hands them on: `len` of them (8 to 14)
/// in sixteen bytes, zeros after them, read as the two words detection wrote, in
/// registers from there (an 8-byte read across both words waited for the two stores).
#[inline]
pub fn phone_national(national: &[u8; 16], len: u8, p: &Patterns) -> Verdict<Mobile> {
    let n = usize::from(len);
    let (lo, hi) = national.split_at(8);
    let lo = u64::from_le_bytes(lo.try_into().expect("8 bytes"));
    let hi = u64::from_le_bytes(hi.try_into().expect("8 bytes"));
    if (8..=14).contains(&n) {
        // The bytes past the digits read as `0`s.
        let kept = u64::MAX.checked_shr(8 * (16 - n) as u32).unwrap_or(0);
        let hi_digits = hi & kept | 0x3030_3030_3030_3030 & !kept;
        if digits8(lo) && digits8(hi_digits) {
            let prefix = (lo & 0x0F) * 100 + (lo >> 8 & 0x0F) * 10 + (lo >> 16 & 0x0F);
            let value = national_words_value(lo, hi, n);
            if let Some(v) = by_digit_table(n, prefix as usize, p, value) {
                return v;
            }
        }
    }
    phone(&national[..n.min(16)], p)
}

/// The verdict on `n` national digits starting with `prefix` (their first three) where the
/// mobile rule's digit table has one (`None`: the rule must be run). `value` is the number's
/// value, taken before the verdict: a closure to take it only for a mobile number was a
/// call per phone (not inlined).
#[inline(always)]
fn by_digit_table(n: usize, prefix: usize, p: &Patterns, value: u64) -> Option<Verdict<Mobile>> {
    Some(match p.mobile.digits_match(n, prefix)? {
        false => Verdict::Invalid(InvalidReason::NotMobile),
        true => Verdict::Valid(Mobile {
            value,
            operator: usize::from(p.operators[prefix]),
        }),
    })
}

/// [`national_value`] of the `n` digits (8 to 14) in the words `lo` and `hi`. Always
/// inlined: left out of line, it was a call per phone.
#[inline(always)]
fn national_words_value(lo: u64, hi: u64, n: usize) -> u64 {
    let head = n - 8;
    let tail = ((u128::from(hi) << 64 | u128::from(lo)) >> (8 * head)) as u64;
    head_value(lo, head) * 100_000_000 + parse8(&tail.to_le_bytes())
}

/// A leading 1 and the `head` digits (0 to 7) that start the word `first`, as a number: the
/// head's digits moved to the end of the word, `0`s before them, read at once.
#[inline(always)]
fn head_value(first: u64, head: usize) -> u64 {
    let word = first.checked_shl(8 * (8 - head) as u32).unwrap_or(0)
        | 0x3030_3030_3030_3030u64
            .checked_shr(8 * head as u32)
            .unwrap_or(0);
    POW10[head] + parse8(&word.to_le_bytes())
}

/// A national number's digits as a number after a leading 1, which keeps numbers of
/// different lengths distinct. Its last eight digits are read at once ([`parse8`]): a
/// multiply-add per digit was a tenth of a phone's validation. So are the one to seven
/// before them, from the first eight moved up past `0`s: no loop at all.
#[inline]
fn national_value(national: &[u8]) -> u64 {
    let fold = |acc: u64, d: &[u8]| d.iter().fold(acc, |a, d| a * 10 + u64::from(d - b'0'));
    let n = national.len();
    let Some(head) = n.checked_sub(8) else {
        return fold(1, national);
    };
    let tail = parse8(national[head..].try_into().expect("8 digits"));
    if !(1..=7).contains(&head) {
        return fold(1, &national[..head]) * 100_000_000 + tail;
    }
    let first = u64::from_le_bytes(national[..8].try_into().expect("8 digits"));
    head_value(first, head) * 100_000_000 + tail
}

/// `POW10[k]` is ten to the `k`.
const POW10: [u64; 8] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/// E-mail: SPEC §5 syntax. Returns the domain class index of a valid address.
pub fn email(addr: &[u8], p: &Patterns) -> Verdict<usize> {
    // Addresses are short: plain loops beat calls into `memrchr`.
    let Some(at) = addr.iter().rposition(|&b| b == b'@') else {
        return Verdict::Invalid(InvalidReason::Syntax);
    };
    email_parts(addr, at, p, None)
}

/// [`email`] for an address whose last `@` is known to be `addr[at]` (detection found it),
/// remembering in `memo` what the rule and the classes said about recent domains: the
/// scan's path, without a search for the `@`.
pub fn email_split(addr: &[u8], at: usize, p: &Patterns, memo: &mut DomainMemo) -> Verdict<usize> {
    debug_assert_eq!(addr.iter().rposition(|&b| b == b'@'), Some(at));
    email_parts(addr, at, p, Some(memo))
}

fn email_parts(
    addr: &[u8],
    at: usize,
    p: &Patterns,
    memo: Option<&mut DomainMemo>,
) -> Verdict<usize> {
    match memo {
        // Most addresses: 16 bytes or more, a memo to ask.
        Some(m) if addr.len() >= 16 => match email_masked(addr, at, p, m) {
            Some(v) => v,
            None => email_walked(addr, at, p, Some(m)),
        },
        memo => email_walked(addr, at, p, memo),
    }
}

/// [`email_parts`] for an address of 16 bytes or more from the masks of its local part's
/// bytes and dots (one 16-byte load for a local part of up to 16 bytes, most of them; two
/// up to 32, [`address_masks`]) and its domain's last 16 bytes as the memo's key: no byte
/// loop. `None` when the masks cannot decide (the local part's classes are not the plain
/// ones, or it fails them: the walk may still accept it) or the memo does not know the
/// domain; [`email_walked`] decides then.
#[inline]
fn email_masked(
    addr: &[u8],
    at: usize,
    p: &Patterns,
    memo: &mut DomainMemo,
) -> Option<Verdict<usize>> {
    debug_assert!(addr.len() >= 16 && at < addr.len());
    let (ends, dots) = if at <= 16 {
        plain_masks16(addr[..16].try_into().expect("16 bytes"))
    } else if addr.len() <= 32 {
        address_masks(addr)
    } else {
        return None;
    };
    let local = dots & (u32::MAX >> (32 - at.max(1)));
    if at > 0 && local & (local >> 1) != 0 {
        // Two dots in a row: no rule of the patterns can take them back.
        return Some(Verdict::Invalid(InvalidReason::Syntax));
    }
    let state = p.email_local.as_ref()?.plain_after(at, ends, dots)??;
    let key = DomainKey::of_tail(addr, addr.len() - at - 1)?;
    memo.known(state, &key)
}

/// Bit masks of the bytes of `addr` (16 to 32 of them) that may start or end a local part
/// ([`is_plain_end`]) and of its dots: byte `k` at bit
/// `k`, from its first and last 16 bytes.
#[inline]
fn address_masks(addr: &[u8]) -> (u32, u32) {
    let n = addr.len();
    debug_assert!((16..=32).contains(&n));
    let (e0, d0) = plain_masks16(addr[..16].try_into().expect("16 bytes"));
    let (e1, d1) = plain_masks16(addr[n - 16..].try_into().expect("16 bytes"));
    (e0 | e1 << (n - 16), d0 | d1 << (n - 16))
}

/// The bytes that start and end a local part whose byte classes are the plain ones (the
/// rule's own test, `ClassPrefix::plain_after`, says when they are): letters, digits, `_`,
/// `%`, `+`, `-`. The masks are held equal to it over every byte by a test, and the masked
/// path to the walk.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn is_plain_end(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'%' | b'+' | b'-')
}

/// The masks of [`address_masks`] for 16 bytes: SSE2 compares, part of x86-64's baseline.
#[inline]
fn plain_masks16(b: &[u8; 16]) -> (u32, u32) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is always available on x86-64; the unaligned load reads exactly the
        // 16 bytes of `b`.
        unsafe {
            let x = _mm_loadu_si128(b.as_ptr() as *const __m128i);
            let set = |c: u8| _mm_set1_epi8(c as i8);
            let within = |y: __m128i, lo: u8, n: u8| {
                let shifted = _mm_sub_epi8(y, set(lo));
                _mm_cmpeq_epi8(_mm_min_epu8(shifted, set(n - 1)), shifted)
            };
            let is = |c: u8| _mm_cmpeq_epi8(x, set(c));
            let alnum = _mm_or_si128(
                within(x, b'0', 10),
                within(_mm_or_si128(x, set(0x20)), b'a', 26),
            );
            let marks = _mm_or_si128(
                _mm_or_si128(is(b'_'), is(b'%')),
                _mm_or_si128(is(b'+'), is(b'-')),
            );
            (
                _mm_movemask_epi8(_mm_or_si128(alnum, marks)) as u32,
                _mm_movemask_epi8(is(b'.')) as u32,
            )
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let (mut ends, mut dots) = (0u32, 0u32);
        for (k, &c) in b.iter().enumerate() {
            ends |= u32::from(is_plain_end(c)) << k;
            dots |= u32::from(c == b'.') << k;
        }
        (ends, dots)
    }
}

/// [`email_parts`] by the rule's walk (after the class test of the local part, where the
/// classes describe it), the domain's verdict kept in `memo`.
fn email_walked(
    addr: &[u8],
    at: usize,
    p: &Patterns,
    memo: Option<&mut DomainMemo>,
) -> Verdict<usize> {
    let local = &addr[..at];
    if local.len() > 64 || has_double_dot(local) {
        return Verdict::Invalid(InvalidReason::Syntax);
    }
    let rule = &p.email_full;
    let fast = p.email_local.as_ref().and_then(|c| c.after(local));
    let Some(state) = fast.or_else(|| rule.walk(rule.start(), &addr[..=at])) else {
        return Verdict::Invalid(InvalidReason::Syntax);
    };
    let domain = &addr[at + 1..];
    if domain.len() > MAX_DOMAIN {
        return Verdict::Invalid(InvalidReason::Syntax);
    }
    let judge = || {
        if !rule.walk(state, domain).is_some_and(|s| rule.accepts(s)) {
            Verdict::Invalid(InvalidReason::Syntax)
        } else if under_reserved_name(domain) {
            Verdict::Invalid(InvalidReason::Reserved)
        } else {
            Verdict::Valid(p.domain_class_index(domain))
        }
    };
    match memo {
        Some(m) => m.get(state, domain, judge),
        None => judge(),
    }
}

/// The longest domain name (RFC 1035, SPEC §5).
const MAX_DOMAIN: usize = 253;

/// The top-level names no real mailbox is under (SPEC §5): reserved for tests and examples
/// (RFC 2606), local networks (RFC 6762, 6761) and Tor (RFC 7686).
const RESERVED_TLDS: [&[u8]; 6] = [
    b"example",
    b"invalid",
    b"local",
    b"localhost",
    b"onion",
    b"test",
];

/// Whether a domain of valid syntax is under a reserved name ([`RESERVED_TLDS`]).
fn under_reserved_name(domain: &[u8]) -> bool {
    let tld = domain.rsplit(|&b| b == b'.').next().unwrap_or(domain);
    RESERVED_TLDS.iter().any(|r| tld.eq_ignore_ascii_case(r))
}

/// Whether `s` holds two dots in a row: eight bytes a step, where a byte-at-a-time loop
/// was a tenth of an address's validation. A byte of `w ^ dots` is zero where `w` has a
/// dot; the zero-byte test used is exact (no borrow runs between bytes), so two adjacent
/// marks mean two adjacent dots, within a word or across two.
fn has_double_dot(s: &[u8]) -> bool {
    const DOTS: u64 = 0x2E2E_2E2E_2E2E_2E2E;
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let marks = |w: u64| {
        let t = w ^ DOTS;
        !((t & LOW7).wrapping_add(LOW7) | t | LOW7)
    };
    let mut carry = 0u64;
    let mut words = s.chunks_exact(8);
    for c in &mut words {
        let m = marks(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        if m & (m >> 8 | carry) != 0 {
            return true;
        }
        carry = m >> 63 << 7;
    }
    let rest = words.remainder();
    let m = marks(load_le(rest) as u64);
    m & (m >> 8 | carry) != 0
}

/// What the e-mail rule (from its state after the `@`) and the domain classes said about
/// recently seen domains, per worker. A leak holds a few domains millions of times; this
/// spares the DFA walk over each and the suffix search, about a tenth of an e-mail's cost.
///
/// Its slots are made at the first domain: an analyzer is made per chunk, and a small file,
/// nearly always without an e-mail, spent more on making and freeing them (14 KB) than on
/// reading its records.
#[derive(Default)]
pub struct DomainMemo {
    slots: Vec<Option<MemoSlot>>,
}

struct MemoSlot {
    state: RuleState,
    key: DomainKey,
    /// The verdict with its class as 16 bits (every class index fits): kept as
    /// `Verdict<usize>`, a hit copied its 14 bytes after the tag as two overlapping words,
    /// and the answer's read of them waited for both stores (a store-forwarding stall, a
    /// quarter of `email_split`'s time, perf).
    class: Verdict<u16>,
}

/// A domain of 1 to 32 bytes as two words: its last 16 bytes (fewer in the top bytes, the
/// rest zero) and, past 16, its first 16. With the length, the two cover every byte, so
/// equal keys are equal domains, and a memo hit is two compares of 16 bytes, not a hash of
/// the bytes and a call to `bcmp`.
#[derive(Clone, Copy, PartialEq, Eq)]
struct DomainKey {
    tail: u128,
    head: u128,
    len: usize,
}

impl DomainKey {
    /// The key of the domain of `n` bytes that ends `addr` (at least 16 bytes long); `None`
    /// for a domain the memo does not keep.
    #[inline]
    fn of_tail(addr: &[u8], n: usize) -> Option<DomainKey> {
        if !(1..=MEMO_DOMAIN_MAX).contains(&n) || addr.len() < 16 {
            return None;
        }
        let last = u128::from_le_bytes(addr[addr.len() - 16..].try_into().expect("16 bytes"));
        let head = if n > 16 {
            let start = addr.len() - n;
            u128::from_le_bytes(addr[start..start + 16].try_into().expect("16 bytes"))
        } else {
            0
        };
        Some(DomainKey {
            tail: last & TAIL_MASK[n.min(16)],
            head,
            len: n,
        })
    }

    /// The key of `domain`, of any length; `None` for one the memo does not keep.
    fn of(domain: &[u8]) -> Option<DomainKey> {
        let n = domain.len();
        if !(1..=MEMO_DOMAIN_MAX).contains(&n) {
            return None;
        }
        if n >= 16 {
            return DomainKey::of_tail(domain, n);
        }
        Some(DomainKey {
            tail: load_le(domain) << (8 * (16 - n)),
            head: 0,
            len: n,
        })
    }

    /// The memo's slot: the top byte of a multiplicative hash of the tail and length.
    #[inline]
    fn slot(&self) -> usize {
        let k = (self.tail >> 64) as u64 ^ self.tail as u64 ^ self.len as u64;
        (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize
    }
}

/// `TAIL_MASK[n]` keeps the top `n` bytes of a word: a table, as a variable shift of a
/// `u128` is a dozen instructions.
const TAIL_MASK: [u128; 17] = {
    let mut m = [0u128; 17];
    let mut n = 1;
    while n <= 16 {
        m[n] = u128::MAX << (8 * (16 - n));
        n += 1;
    }
    m
};

/// The longest domain the memo keeps ([`DomainKey`]).
const MEMO_DOMAIN_MAX: usize = 32;
/// 256: the slot is the top byte of a multiplicative hash.
const MEMO_SLOTS: usize = 256;

impl DomainMemo {
    /// What the memo holds for `key` after `state`, if anything.
    #[inline]
    fn known(&self, state: RuleState, key: &DomainKey) -> Option<Verdict<usize>> {
        let s = self.slots.get(key.slot())?.as_ref()?;
        if s.key != *key || s.state != state {
            return None;
        }
        Some(match s.class {
            Verdict::Valid(c) => Verdict::Valid(usize::from(c)),
            Verdict::Invalid(r) => Verdict::Invalid(r),
        })
    }

    fn get(
        &mut self,
        state: RuleState,
        domain: &[u8],
        judge: impl FnOnce() -> Verdict<usize>,
    ) -> Verdict<usize> {
        let Some(key) = DomainKey::of(domain) else {
            return judge();
        };
        if let Some(class) = self.known(state, &key) {
            return class;
        }
        let class = judge();
        let kept = match class {
            Verdict::Valid(c) => match u16::try_from(c) {
                Ok(c) => Verdict::Valid(c),
                // No pattern file has that many classes; such a verdict is not kept.
                Err(_) => return class,
            },
            Verdict::Invalid(r) => Verdict::Invalid(r),
        };
        if self.slots.is_empty() {
            self.slots = (0..MEMO_SLOTS).map(|_| None).collect();
        }
        self.slots[key.slot()] = Some(MemoSlot {
            state,
            key,
            class: kept,
        });
        class
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::InvalidReason::*;
    use crate::testing::{pats, xorshift};

    fn n(s: &str) -> Verdict<Decoded> {
        nik(s.as_bytes().try_into().unwrap(), pats())
    }
    fn k(s: &str) -> Verdict<Decoded> {
        kk(s.as_bytes().try_into().unwrap(), pats())
    }

    #[test]
    fn nik_valid_male_and_female() {
        let Verdict::Valid(d) = n("3171010101900001") else {
            panic!()
        };
        assert!(!d.female);
        assert_eq!(
            d.date,
            Date {
                year: 90,
                month: 1,
                day: 1
            }
        );
        assert_eq!(d.district, 317101);
        let Verdict::Valid(d) = n("3171014101900001") else {
            panic!()
        };
        assert!(d.female);
        assert_eq!(d.date.day, 1);
        // Day 71 = 31 for a woman; 72 does not exist.
        assert!(n("3171017101900001").is_valid());
        assert_eq!(n("3171017201900001").reason(), Some(BirthDate));
        // Day 32..40 is neither.
        assert_eq!(n("3171013501900001").reason(), Some(BirthDate));
        assert_eq!(n("3171010001900001").reason(), Some(BirthDate));
    }

    #[test]
    fn nik_region_reasons_in_order() {
        assert_eq!(n("0071010101900001").reason(), Some(Province));
        assert_eq!(n("3199010101900001").reason(), Some(Regency));
        assert_eq!(n("3171990101900001").reason(), Some(District));
        // A bad province wins over a bad date and serial.
        assert_eq!(n("0071019901900000").reason(), Some(Province));
    }

    #[test]
    fn nik_pre_split_papua_codes_stay_valid() {
        // 9101 Merauke moved to Papua Selatan (9301) in 2022; old NIKs keep 9101.
        assert!(n("9101015502800003").is_valid());
    }

    #[test]
    fn nik_calendar() {
        // 29 February exactly when yy % 4 == 0 (00 included: the century is unknown).
        assert!(n("3171012902000001").is_valid());
        assert!(n("3171012902960001").is_valid());
        assert!(n("3171016902960001").is_valid());
        assert_eq!(n("3171012902010001").reason(), Some(BirthDate));
        assert_eq!(n("3171013104900001").reason(), Some(BirthDate));
        assert!(n("3171013103900001").is_valid());
        assert_eq!(n("3171011513900001").reason(), Some(BirthDate));
        assert_eq!(n("3171011500900001").reason(), Some(BirthDate));
    }

    #[test]
    fn nik_serial() {
        assert_eq!(n("3171010101900000").reason(), Some(Serial));
        assert!(n("3171010101909999").is_valid());
    }

    #[test]
    fn kk_has_no_plus_forty_and_own_reason() {
        assert!(k("3171010501150003").is_valid());
        assert_eq!(k("3171014501150003").reason(), Some(IssueDate));
        assert_eq!(k("3171010501150000").reason(), Some(Serial));
        assert_eq!(k("0071010501150003").reason(), Some(Province));
    }

    #[test]
    fn parse8_matches_the_obvious_loop() {
        for s in [
            "00000000", "12345678", "99999999", "31710141", "00000001", "90000000",
        ] {
            let want: u64 = s.parse().unwrap();
            assert_eq!(parse8(s.as_bytes().try_into().unwrap()), want, "{s}");
        }
        let Verdict::Valid(d) = n("3171014101900001") else {
            panic!()
        };
        assert_eq!(d.value, 3171014101900001);
    }

    #[test]
    fn card_zeros() {
        assert_eq!(bpjs_card(b"0000000000000").reason(), Some(Zeros));
        assert_eq!(bpjs_card(b"0001234567890"), Verdict::Valid(1234567890));
        for s in [
            "9999999999999",
            "1000000000000",
            "0000000000001",
            "1234509876543",
        ] {
            let want: u64 = s.parse().unwrap();
            assert_eq!(
                bpjs_card(s.as_bytes().try_into().unwrap()),
                Verdict::Valid(want)
            );
        }
    }

    #[test]
    fn phone_mobile_and_operator() {
        let Verdict::Valid(m) = phone(b"81234567890", pats()) else {
            panic!()
        };
        assert_eq!(pats().operator_names[m.operator], "Telkomsel");
        assert!(phone(b"8571234567", pats()).is_valid());
        assert_eq!(phone(b"800123456", pats()).reason(), Some(NotMobile));
        assert_eq!(phone(b"8041234567", pats()).reason(), Some(NotMobile));
        assert_eq!(phone(b"8412345678", pats()).reason(), Some(NotMobile));
        // 9 to 12 national digits.
        assert!(phone(b"812345678", pats()).is_valid());
        assert!(!phone(b"81234567", pats()).is_valid());
        assert!(phone(b"812345678901", pats()).is_valid());
        assert!(!phone(b"8123456789012", pats()).is_valid());
        let Verdict::Valid(m) = phone(b"8281234567", pats()) else {
            panic!()
        };
        assert_eq!(pats().operator_names[m.operator], "other");
        // Different lengths are different numbers.
        assert_ne!(phone(b"812345678", pats()), phone(b"8123456780", pats()));
        assert_eq!(m.value, 18_281_234_567);
        // The value is the digits after a 1, at every length detection hands on.
        for n in 1..=14 {
            let digits = &b"81234567890123"[..n];
            let want = format!("1{}", std::str::from_utf8(digits).unwrap());
            assert_eq!(national_value(digits), want.parse::<u64>().unwrap(), "{n}");
        }
    }

    #[test]
    fn phone_by_the_digit_table_as_by_the_rule() {
        // Every length detection hands on and more, every prefix, some non-digits: the
        // verdict the table path gives is the rule's and the operator the table's.
        let p = pats();
        national_numbers(0x1234_5678_9ABC_DEF1, 3..=17, 8, |s| {
            let want = if p.mobile.is_match(s) {
                Verdict::Valid(Mobile {
                    value: national_value(s),
                    operator: p.operator_index(s),
                })
            } else {
                Verdict::Invalid(NotMobile)
            };
            assert_eq!(phone(s, p), want, "{:?}", String::from_utf8_lossy(s));
        });
    }

    /// Hands `each` national numbers of every prefix of three digits and every length in
    /// `lens`, random digits after the prefix, one in `odd` with a byte that is no digit.
    fn national_numbers(
        seed: u64,
        lens: std::ops::RangeInclusive<usize>,
        odd: u64,
        mut each: impl FnMut(&[u8]),
    ) {
        let mut x = seed;
        for prefix in 0..1000u64 {
            for len in lens.clone() {
                let tail = xorshift(&mut x);
                let mut s = format!("{prefix:03}{tail:020}").into_bytes();
                s.truncate(len);
                if xorshift(&mut x).is_multiple_of(odd) {
                    s[xorshift(&mut x) as usize % len] = b"x /+"[prefix as usize % 4];
                }
                each(&s);
            }
        }
    }

    #[test]
    fn phone_from_words_as_from_the_digits() {
        // Detection's sixteen bytes, zeros after the digits, every length it hands on,
        // every prefix, some non-digits: the verdict is the one of the digits alone.
        let p = pats();
        national_numbers(0x0F1E_2D3C_4B5A_6978, 8..=14, 6, |s| {
            let mut national = [0u8; 16];
            national[..s.len()].copy_from_slice(s);
            let got = phone_national(&national, s.len() as u8, p);
            assert_eq!(got, phone(s, p), "{:?}", String::from_utf8_lossy(s));
        });
    }

    #[test]
    fn card_from_its_number_as_from_its_digits() {
        for n in [0u64, 1, 7, 1_234_567_890, 9_999_999_999_999] {
            let digits = format!("{n:013}");
            let digits: &[u8; 13] = digits.as_bytes().try_into().unwrap();
            assert_eq!(bpjs_card(digits), bpjs_card_number(n));
        }
    }

    #[test]
    fn email_syntax() {
        let class = |a: &str| match email(a.as_bytes(), pats()) {
            Verdict::Valid(i) => pats().domain_class_names()[i],
            Verdict::Invalid(r) => r.name(),
        };
        assert_eq!(class("budi@gmail.com"), "free");
        assert_eq!(class("a.b@kemkes.go.id"), "gov");
        assert_eq!(class("x@UI.AC.ID"), "edu");
        for bad in [
            "a..b@gmail.com",
            ".a@gmail.com",
            "a.@gmail.com",
            "a@-gmail.com",
            "a@gmail-.com",
            "a@gmail.c",
            "a@gmail.c0m",
            "a@gmail..com",
            "a@b_c.com",
            "@gmail.com",
            "a",
            "",
        ] {
            assert_eq!(
                email(bad.as_bytes(), pats()).reason(),
                Some(Syntax),
                "{bad}"
            );
        }
        let long = format!("{}@x.com", "a".repeat(65));
        assert_eq!(email(long.as_bytes(), pats()).reason(), Some(Syntax));
        let ok64 = format!("{}@x.com", "a".repeat(64));
        assert!(email(ok64.as_bytes(), pats()).is_valid());
    }

    #[test]
    fn double_dots_are_found_at_every_offset_and_across_words() {
        // Every string of dots and letters up to 12 bytes, and longer ones with one pair
        // placed at each offset: the word-at-a-time test agrees with a byte-pair scan.
        let naive = |s: &[u8]| s.windows(2).any(|w| w == b"..");
        for n in 0..=12u32 {
            for bits in 0..1u32 << n {
                let s: Vec<u8> = (0..n)
                    .map(|k| if bits >> k & 1 == 1 { b'.' } else { b'a' })
                    .collect();
                assert_eq!(
                    has_double_dot(&s),
                    naive(&s),
                    "{:?}",
                    String::from_utf8_lossy(&s)
                );
            }
        }
        for len in 2..40 {
            // `a.a.a…`: single dots only.
            let single = &b"a.".repeat(len)[..len];
            assert!(!has_double_dot(single));
            for k in 0..len - 1 {
                let mut s = single.to_vec();
                s[k] = b'.';
                s[k + 1] = b'.';
                assert!(has_double_dot(&s), "{:?}", String::from_utf8_lossy(&s));
            }
        }
        // Bytes next to a dot in value (`/` and `-` are 0x2F and 0x2D) are not dots.
        assert!(!has_double_dot(b"a/.-b./-.c"));
    }

    #[test]
    fn the_split_address_reads_as_the_whole_one() {
        let mut memo = DomainMemo::default();
        for a in [
            "budi@gmail.com",
            "a..b@gmail.com",
            "x.y@UI.AC.ID",
            "a@gmail.c0m",
        ] {
            let at = a.rfind('@').unwrap();
            assert_eq!(
                email_split(a.as_bytes(), at, pats(), &mut memo),
                email(a.as_bytes(), pats()),
                "{a}"
            );
        }
    }

    #[test]
    fn the_domain_memo_never_changes_a_verdict() {
        let locals = ["budi", "a", "x.y", ".bad", "a..b", "ok_1+tag", "-", ""];
        let mut domains: Vec<String> = [
            "gmail.com",
            "GMAIL.COM",
            "Gmail.com",
            "kemkes.go.id",
            "ui.ac.id",
            "b.co",
            "b_c.com",
            "gmail.c",
            "-gmail.com",
            "gmail-.com",
            "a..com",
            "x.org",
            "y.org",
            "ab.cd",
            "ba.dc",
            // Pairs with the same length and first, middle and last bytes: one slot, and a
            // different verdict or class.
            "gmail.com",
            "gzzzl.com",
            "b_c.com",
            "bxc.com",
            "go.id",
            "g-.id",
        ]
        .map(String::from)
        .to_vec();
        // Longer than the memo keeps, and many that share a slot's length and bytes.
        domains.push(format!("{}.example.co.id", "sub".repeat(12)));
        for i in 0..600 {
            domains.push(format!("d{}{}.com", (b'a' + (i % 26) as u8) as char, i));
        }
        let mut memo = DomainMemo::default();
        for round in 0..2 {
            for d in &domains {
                for l in locals {
                    let a = format!("{l}@{d}");
                    let want = email(a.as_bytes(), pats());
                    let got = email_split(a.as_bytes(), l.len(), pats(), &mut memo);
                    assert_eq!(got, want, "{a} (round {round})");
                }
            }
        }
    }

    #[test]
    fn plain_masks_are_the_byte_test_at_every_position() {
        // Every byte value at every one of the 16 positions, among plain and odd neighbours.
        let fillers = [b'a', b'.', b'@', 0x80, b' '];
        for b in 0..=255u8 {
            for k in 0..16 {
                for &f in &fillers {
                    let mut block = [f; 16];
                    block[k] = b;
                    let (ends, dots) = plain_masks16(&block);
                    for (i, &c) in block.iter().enumerate() {
                        let end = is_plain_end(c);
                        assert_eq!(ends >> i & 1 == 1, end, "{c:#x} at {i}");
                        assert_eq!(dots >> i & 1 == 1, c == b'.', "{c:#x} at {i}");
                    }
                }
            }
        }
    }

    /// An address of 16 to 40 bytes from the pieces that decide its verdict: plain bytes,
    /// dots (single and double, at the ends), bytes no local part holds, domains of the
    /// memo's and the rule's edge cases.
    fn random_address(x: &mut u64) -> String {
        const LOCAL: &[&str] = &[
            "a", "Z", "9", ".", "..", "_", "%", "+", "-", "budi", "o'", "\"", " ", "é", "@",
        ];
        const DOMAINS: &[&str] = &[
            "gmail.com",
            "GMAIL.COM",
            "yahoo.co.id",
            "kemkes.go.id",
            "rsud-merauke.or.id",
            "sman1-bandung.sch.id",
            "a.b.c.d.e.f.g.h.co.id",
            "x.test",
            "printer.local",
            "gmail.c",
            "gmail..com",
            "-gmail.com",
            "b_c.com",
            "gmail.com.",
            "a.bcdefghijklmnopqrstuvwxyz",
            "subdomain-of-a-long-name.example.co.id",
            "abcdefghijklmnop.id",
            "bcdefghijklmnop.id",
            "",
        ];
        loop {
            let parts = 1 + xorshift(x) % 8;
            let local: String = (0..parts)
                .map(|_| LOCAL[xorshift(x) as usize % LOCAL.len()])
                .collect();
            let domain = DOMAINS[xorshift(x) as usize % DOMAINS.len()];
            let a = format!("{local}@{domain}");
            if (16..=40).contains(&a.len()) {
                return a;
            }
        }
    }

    #[test]
    fn the_masked_path_reads_addresses_as_the_walk_does() {
        // Two rounds, so that the second meets every domain in the memo; a memo of the
        // masked path's keys agrees with the walk on every address.
        let mut x = 0x5DEE_CE66_D1CE_4E5Bu64;
        let addrs: Vec<String> = (0..20_000).map(|_| random_address(&mut x)).collect();
        let mut memo = DomainMemo::default();
        let mut masked = 0;
        for round in 0..2 {
            for a in &addrs {
                let at = a.rfind('@').unwrap();
                let want = email(a.as_bytes(), pats());
                if round == 1 && email_masked(a.as_bytes(), at, pats(), &mut memo).is_some() {
                    masked += 1;
                }
                let got = email_split(a.as_bytes(), at, pats(), &mut memo);
                assert_eq!(got, want, "{a} (round {round})");
            }
        }
        assert!(masked > 5_000, "the masks decide most addresses ({masked})");
    }

    #[test]
    fn domain_keys_are_equal_only_for_equal_domains() {
        // The key of a domain read off an address's tail is the key of the domain alone.
        let domains = [
            "g",
            "gmail.com",
            "abcdefghijklmno",
            "abcdefghijklmnop",
            "abcdefghijklmnopq",
            "yahoo.co.id",
        ];
        for d in domains {
            for local in ["a", "bb", "a-much-longer-local-part"] {
                let a = format!("{local}@{d}");
                if a.len() >= 16 {
                    let k = DomainKey::of_tail(a.as_bytes(), d.len()).unwrap();
                    assert!(k == DomainKey::of(d.as_bytes()).unwrap(), "{a}");
                }
            }
        }
        for (i, a) in domains.iter().enumerate() {
            for b in &domains[i + 1..] {
                assert!(
                    DomainKey::of(a.as_bytes()) != DomainKey::of(b.as_bytes()),
                    "{a} {b}"
                );
            }
        }
        let long = "a".repeat(33);
        assert!(DomainKey::of(long.as_bytes()).is_none() && DomainKey::of(b"").is_none());
    }

    fn w(s: &str) -> Verdict<u64> {
        npwp(s.as_bytes(), pats())
    }

    #[test]
    fn npwp_by_check_digit_or_as_a_nik() {
        assert!(w("012345674123000").is_valid());
        assert_eq!(w("012345678123000").reason(), Some(CheckDigit));
        // The 16-digit form of an old NPWP: the same number, so the same NPWP.
        assert_eq!(w("0012345674123000"), w("012345674123000"));
        assert_eq!(w("0012345678123000").reason(), Some(CheckDigit));
        // 16 digits not starting with 0: a NIK, with the NIK's reasons.
        assert!(w("3171014101900001").is_valid());
        assert_eq!(w("1071010101900001").reason(), Some(Province));
        assert_eq!(w("3199010101900001").reason(), Some(Regency));
        assert_eq!(w("3171990101900001").reason(), Some(District));
        assert_eq!(w("3171013501900001").reason(), Some(BirthDate));
        assert_eq!(w("3171010101900000").reason(), Some(Serial));
        assert_eq!(w("01234567412300").reason(), Some(CheckDigit));
    }

    fn ni(s: &str, as_of: Option<Date>) -> Verdict<Nip> {
        nip(s.as_bytes().try_into().unwrap(), as_of)
    }

    #[test]
    fn nip_decodes_and_fails_each_rule_in_order() {
        let today = Some(Date::parse("2026-12-06").unwrap());
        let Verdict::Valid(d) = ni("198503122010011002", today) else {
            panic!()
        };
        assert_eq!(d.born, Date::new(1985, 3, 12).unwrap());
        assert_eq!(d.appointed, Date::new(2010, 1, 1).unwrap());
        assert!(!d.female);
        assert_eq!(d.value, 198_503_122_010_011_002);
        assert!(matches!(ni("198503122010012002", today), Verdict::Valid(d) if d.female));
        let reason = |s: &str| ni(s, today).reason();
        // Birth date: 1900 or later, a real date (1900 had no 29 February, 2000 did).
        assert_eq!(reason("189912312010011002"), Some(NipBirthDate));
        assert_eq!(reason("198502302010011002"), Some(NipBirthDate));
        assert_eq!(reason("198513012010011002"), Some(NipBirthDate));
        assert_eq!(reason("190002291950011001"), Some(NipBirthDate));
        assert_eq!(reason("200002292020011001"), None);
        // Appointment: a real month, 15 years after the birth year or more, not after the
        // scan date's month.
        assert_eq!(reason("198503121999121002"), Some(Appointment));
        assert_eq!(reason("198512312000011002"), None);
        assert_eq!(reason("198503122010131002"), Some(Appointment));
        assert_eq!(reason("198503122010001002"), Some(Appointment));
        assert_eq!(reason("198503122027011002"), Some(Appointment));
        assert_eq!(reason("198503122026121002"), None);
        assert!(ni("198503122027011002", None).is_valid(), "no scan date");
        // Sex, then serial; an earlier rule wins.
        assert_eq!(reason("198503122010013002"), Some(Sex));
        assert_eq!(reason("198503122010010002"), Some(Sex));
        assert_eq!(reason("198503122010011000"), Some(NipSerial));
        assert_eq!(reason("198503121990013000"), Some(Appointment));
    }

    #[test]
    fn reserved_domains_are_invalid_after_syntax() {
        let reason = |a: &str| email(a.as_bytes(), pats()).reason().map(|r| r.name());
        for a in [
            "budi@x.example",
            "budi@foo.invalid",
            "budi@printer.local",
            "budi@a.b.localhost",
            "budi@abc.onion",
            "budi@x.TEST",
        ] {
            assert_eq!(reason(a), Some("reserved"), "{a}");
        }
        // Syntax first; a reserved word elsewhere than the top is no reserved name.
        assert_eq!(reason("a..b@x.test"), Some("syntax"));
        assert_eq!(reason("budi@test.com"), None);
        assert_eq!(reason("budi@local.id"), None);
        // The split path (and its memo) says the same.
        let mut memo = DomainMemo::default();
        for _ in 0..2 {
            let v = email_split(b"budi@x.test", 4, pats(), &mut memo);
            assert_eq!(v.reason().map(|r| r.name()), Some("reserved"));
        }
    }

    #[test]
    fn a_domain_is_at_most_253_characters() {
        // Labels of at most 63, so that only the length is wrong.
        let label = "a".repeat(63);
        let domain = |n| format!("{label}.{label}.{label}.{}.com", "b".repeat(n));
        let d253 = domain(57);
        assert_eq!(d253.len(), 253);
        assert!(email(format!("x@{d253}").as_bytes(), pats()).is_valid());
        let d254 = domain(58);
        assert_eq!(
            email(format!("x@{d254}").as_bytes(), pats()).reason(),
            Some(Syntax)
        );
    }
}
