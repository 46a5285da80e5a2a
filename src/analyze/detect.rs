//! Candidate detection inside one field value (SPEC §5): the shapes of NIK/KK, BPJS card,
//! phone and e-mail, found by walking raw bytes, and those of NIP and NPWP, which
//! [`crate::analyze::official`] finds. Detection says nothing about validity;
//! [`crate::analyze::validate`] does that.
//!
//! Spans of one value are decided in kind order — NIP, NIK/KK, NPWP, card, phone, e-mail —
//! and a candidate lying inside an earlier one is dropped, so each span counts once.

use crate::analyze::official::{self, Official};
use crate::analyze::validate::{card_number, parse8};
use crate::bytes::trim_blank;
use crate::mask::mask;
use crate::rules::{all_digits_8_to_16, load_le, Kind, Patterns, Role};

/// One candidate, by value: fixed-size digits so the hot path does not allocate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// A 16-digit NIK or KK (`kind` says which: the field's role, or the keywords before it).
    NikOrKk {
        kind: Kind,
        digits: [u8; 16],
        span: (usize, usize),
    },
    /// A BPJS card number, restored to 13 digits: their value (see [`Found::card_digits`]).
    /// The number, not the digits: a 13-byte array is copied as two overlapping 8-byte
    /// stores, and validation's 8-byte loads from the copy could not be forwarded from
    /// them (a stall of a dozen cycles per card: 15% of `card_field`'s time, perf).
    Card {
        number: u64,
        restored: bool,
        span: (usize, usize),
    },
    /// A phone: its national digits (after `+62`, `62` or `0`), 8 to 14 of them, zeros
    /// after them; `restored` when a phone field's value had lost its leading 0 (SPEC §5).
    /// Sixteen bytes, read by validation as two words ([`validate::phone_national`]): a
    /// 14-byte array was written as two overlapping words, and the reads of it waited for
    /// both stores (a store-forwarding stall per phone).
    Phone {
        national: [u8; 16],
        len: u8,
        restored: bool,
        span: (usize, usize),
    },
    /// An e-mail address at `span`, its `@` at `at` (validation need not search for it).
    Email { span: (usize, usize), at: usize },
    /// An Excel-damaged NIK (`3.17101E+15`): counted, neither candidate nor invalid.
    Damaged,
    /// An NPWP in its 16-digit form, written with `len` (15 or 16) digits ([`official`]).
    Npwp {
        digits: [u8; 16],
        len: u8,
        span: (usize, usize),
    },
    /// A NIP's 18 digits ([`official`]).
    Nip {
        digits: [u8; 18],
        span: (usize, usize),
    },
}

impl From<Official> for Found {
    fn from(o: Official) -> Found {
        match o {
            Official::Npwp { digits, len, span } => Found::Npwp { digits, len, span },
            Official::Nip { digits, span } => Found::Nip { digits, span },
        }
    }
}

impl Found {
    pub fn kind(&self) -> Option<Kind> {
        match self {
            Found::NikOrKk { kind, .. } => Some(*kind),
            Found::Card { .. } => Some(Kind::BpjsCard),
            Found::Phone { .. } => Some(Kind::Phone),
            Found::Email { .. } => Some(Kind::Email),
            Found::Npwp { .. } => Some(Kind::Npwp),
            Found::Nip { .. } => Some(Kind::Nip),
            Found::Damaged => None,
        }
    }

    pub fn span(&self) -> (usize, usize) {
        match *self {
            Found::NikOrKk { span, .. }
            | Found::Card { span, .. }
            | Found::Phone { span, .. }
            | Found::Email { span, .. }
            | Found::Npwp { span, .. }
            | Found::Nip { span, .. } => span,
            Found::Damaged => (0, 0),
        }
    }

    /// A card's 13 digits (ASCII), leading zeros restored.
    pub fn card_digits(number: u64) -> [u8; 13] {
        let mut digits = [b'0'; 13];
        let mut n = number;
        for d in digits.iter_mut().rev() {
            *d = b'0' + (n % 10) as u8;
            n /= 10;
        }
        digits
    }

    /// A phone's national digits (ASCII).
    pub fn national(&self) -> Option<&[u8]> {
        match self {
            Found::Phone { national, len, .. } => Some(&national[..*len as usize]),
            _ => None,
        }
    }

    /// The candidate as an output shows it without `--reveal` (SPEC §7): its normalized
    /// value through [`mask`]. `text` is what it was found in (an e-mail is its span,
    /// lower-cased). `None` for a damaged number, which has no value of its own to show.
    pub fn masked(&self, text: &[u8]) -> Option<String> {
        let ascii = |d: &[u8]| String::from_utf8_lossy(d).into_owned();
        Some(match *self {
            Found::NikOrKk { kind, digits, .. } => mask(kind, &ascii(&digits)),
            Found::Card { number, .. } => mask(Kind::BpjsCard, &ascii(&Found::card_digits(number))),
            Found::Phone { .. } => mask(
                Kind::Phone,
                &format!("+62{}", ascii(self.national().unwrap_or(b""))),
            ),
            Found::Email { span: (s, e), .. } => mask(
                Kind::Email,
                &String::from_utf8_lossy(&text[s..e]).to_lowercase(),
            ),
            Found::Npwp { digits, .. } => mask(Kind::Npwp, &ascii(&digits)),
            Found::Nip { digits, .. } => mask(Kind::Nip, &ascii(&digits)),
            Found::Damaged => return None,
        })
    }
}

#[inline]
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `^\d([.,]\d{1,14})?[eE]\+?15$`: a 16-digit number that went through a spreadsheet.
pub fn is_excel_damaged(v: &[u8]) -> bool {
    let v = v.trim_ascii();
    let mut i = 0;
    if v.first().is_none_or(|b| !b.is_ascii_digit()) {
        return false;
    }
    i += 1;
    if matches!(v.get(i), Some(b'.' | b',')) {
        i += 1;
        let start = i;
        while v.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if !(1..=14).contains(&(i - start)) {
            return false;
        }
    }
    if !matches!(v.get(i), Some(b'e' | b'E')) {
        return false;
    }
    i += 1;
    if v.get(i) == Some(&b'+') {
        i += 1;
    }
    &v[i..] == b"15"
}

/// Per-worker detector: the patterns plus scratch space reused across values.
pub struct Detector<'p> {
    p: &'p Patterns,
    runs: Vec<(usize, usize)>,
    /// What the keywords say ([`Derived`]), read off them at first use: a detector is made
    /// per chunk, and a small file's, which seldom needs them, spent 200 instructions on it.
    derived: std::cell::OnceCell<Derived>,
    /// The keyword lists as [`keyword_before`] reads them, made at the first keyword search
    /// (most chunks of most files have none).
    keywords: std::cell::OnceCell<KeywordLists>,
}

/// The two keyword searches of [`digit_candidates`]: KK keywords then NIK keywords (the
/// nearest decides), and card keywords.
struct KeywordLists {
    kk_nik: Keywords,
    card: Keywords,
}

/// Keyword lists read once for [`keyword_before`]: what each search recomputed from the
/// patterns' strings (the first letters, the longest, each keyword's lower case) was a
/// tenth of its cost.
struct Keywords {
    /// The keywords lower-cased, each with its index in the lists taken one after the
    /// other; empty ones (which match nothing) left out.
    words: Vec<(Vec<u8>, usize)>,
    /// The keywords' first letters, as bits by their low six bits: a filter, not a set.
    firsts: u64,
    /// The longest keyword's length.
    longest: usize,
}

impl Keywords {
    fn of(lists: &[&[String]]) -> Keywords {
        let all = lists.iter().flat_map(|l| l.iter());
        let words: Vec<(Vec<u8>, usize)> = all
            .clone()
            .enumerate()
            .filter(|(_, kw)| !kw.is_empty())
            .map(|(k, kw)| (kw.as_bytes().to_ascii_lowercase(), k))
            .collect();
        Keywords {
            firsts: words.iter().fold(0, |m, (w, _)| m | 1 << (w[0] & 63)),
            longest: all.map(String::len).max().unwrap_or(0),
            words,
        }
    }
}

/// What a detector reads off the patterns' keywords.
#[derive(Clone, Copy)]
struct Derived {
    /// Every card keyword holds a letter, so none can stand in a value of digits and
    /// separators: a phone field's value that is one phone whole is then nothing else
    /// (see [`Detector::detect`]).
    whole_phones: bool,
    /// How far before a candidate detection looks (keywords, the byte before a phone): the
    /// context each piece of a long value carries (see [`Detector::piece`]).
    context: usize,
}

impl Derived {
    fn of(p: &Patterns) -> Derived {
        let whole_phones = p
            .card_keywords
            .iter()
            .all(|k| k.bytes().any(|b| b.is_ascii_alphabetic()));
        let longest = p
            .kk_keywords
            .iter()
            .chain(&p.nik_keywords)
            .chain(&p.card_keywords)
            .map(String::len)
            .max()
            .unwrap_or(0);
        // `keyword_before` reads `window + longest` bytes back and the byte before a keyword;
        // a phone, the two bytes before its digits; a date, one.
        let context = p.kk_window.max(p.card_window) + longest + 8;
        Derived {
            whole_phones,
            context,
        }
    }
}

/// The length of the shortest candidate, an e-mail like `a@b.co`: a shorter value holds none.
pub const SHORTEST: usize = 6;

/// Values longer than this are searched piece by piece ([`Detector::piece`]): a value holding
/// all its candidates at once would need memory in proportion to them (linear time on any record).
pub const LONG_VALUE: usize = 256 << 10;
/// A piece of a long value ends at the first cut ([`is_cut`]) at least this far into it...
const PIECE: usize = 64 << 10;
/// ... and within this many bytes after that: a stretch this long without a cut (base64,
/// digits in groups of four) is cut anyway, the one place where pieces may read a value
/// differently from the whole: a candidate lying across such a forced cut is lost or read as
/// two.
const PIECE_SEARCH: usize = 64 << 10;

/// Where a piece of a long value lies in it: detection reads `start..end` and keeps only the
/// candidates that start at or after the previous piece's `end`, the bytes before that being
/// context for keywords.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    pub start: usize,
    pub end: usize,
}

impl<'p> Detector<'p> {
    pub fn new(p: &'p Patterns) -> Self {
        Detector {
            p,
            runs: Vec::new(),
            derived: std::cell::OnceCell::new(),
            keywords: std::cell::OnceCell::new(),
        }
    }

    fn keywords(&self) -> &KeywordLists {
        self.keywords.get_or_init(|| KeywordLists {
            kk_nik: Keywords::of(&[&self.p.kk_keywords, &self.p.nik_keywords]),
            card: Keywords::of(&[&self.p.card_keywords]),
        })
    }

    fn derived(&self) -> Derived {
        *self.derived.get_or_init(|| Derived::of(self.p))
    }

    /// See [`Derived::whole_phones`].
    fn whole_phones(&self) -> bool {
        self.derived().whole_phones
    }

    /// See [`Derived::context`].
    fn context(&self) -> usize {
        self.derived().context
    }

    /// The piece of the long value `v` whose own candidates start at `own` (0, or the end
    /// of the previous piece). Pieces end at cuts that no candidate, no date and nothing
    /// candidate detection reads after a candidate can cross, and carry enough bytes before
    /// `own` for the keywords and boundaries read before a candidate: the candidates of all
    /// pieces are exactly those of the whole value, but for forced cuts ([`PIECE_SEARCH`]).
    pub fn piece(&self, v: &[u8], own: usize) -> Piece {
        Piece {
            start: own.saturating_sub(self.context()),
            end: next_cut(v, own, self.p),
        }
    }

    /// The candidates of one piece `v` of a long value that start at or after `own` (see
    /// [`Detector::piece`]); the whole-value forms are not read (the whole value is, first,
    /// by [`Detector::detect_unless_long`]).
    pub fn detect_piece(&mut self, v: &[u8], own: usize, role: Role, out: &mut Vec<Found>) {
        out.clear();
        let (has_at, digits) = digit_runs_from(v, &mut self.runs, masks64(v, 0));
        if digits >= 8 || has_at {
            self.candidates(v, role, digits >= 8, has_at, None, out);
        }
        if own > 0 {
            out.retain(|f| f.span().0 >= own);
        }
    }

    /// Finds the candidates of one field value. `out` is cleared first.
    ///
    /// Inlined into the record loop: most values hold no digit and no `@`, and those should
    /// cost one classification, not a call into the candidate machinery. `always`, because
    /// with a plain `inline` the compiler stopped inlining it as it grew (2% more
    /// instructions on the benchmark sample).
    #[inline(always)]
    pub fn detect(&mut self, v: &[u8], role: Role, out: &mut Vec<Found>) {
        if !self.detect_unless_long(v, role, out) {
            self.walk(v, role, out);
        }
    }

    /// [`Detector::detect`], except that a value longer than [`LONG_VALUE`] that is not
    /// one of the whole-value forms is left to the caller (false, nothing found), to be
    /// read in pieces ([`Detector::piece`]). The test sits where only values over 128 bytes
    /// arrive, so that it costs the others nothing.
    #[inline(always)]
    pub fn detect_unless_long(&mut self, v: &[u8], role: Role, out: &mut Vec<Found>) -> bool {
        out.clear();
        if let Some(f) = self.whole(v, role) {
            out.push(f);
            return true;
        }
        self.search_unless_long(v, role, out)
    }

    /// The one candidate a value is when it is one of SPEC §5's whole-value forms, the
    /// plan of most named columns' values: an NPWP or NIP field's number, sixteen digits
    /// alone, a NIK or card field's written forms, a phone field's restored or whole phone.
    /// Such a value holds nothing else, so the caller counts it without the candidate walk
    /// (and without a list: see `Analyzer::field_slow`); `None` leaves the value to
    /// [`Detector::search_unless_long`].
    #[inline(always)]
    pub fn whole(&self, v: &[u8], role: Role) -> Option<Found> {
        if matches!(role, Role::Npwp | Role::Nip) {
            if let Some(o) = official::whole_value(v, role) {
                return Some(o.into());
            }
        }
        if let Some(f) = sixteen_whole(v, role) {
            return Some(f);
        }
        match role {
            Role::Nik => self.whole_nik(v),
            Role::BpjsCard => self.whole_card(v),
            Role::Phone => self.whole_phone_field(v),
            _ => None,
        }
    }

    /// A NIK field's written forms and its damaged value ([`Detector::whole`] for
    /// `Role::Nik`, after [`sixteen_whole`]).
    #[inline]
    pub fn whole_nik(&self, v: &[u8]) -> Option<Found> {
        // The written forms first: they hold no `e`, so no damaged value is one of them,
        // and they are far more common.
        if let Some(digits) = nik_field_value_fast(v) {
            return Some(Found::NikOrKk {
                kind: Kind::Nik,
                digits,
                span: (0, v.len()),
            });
        }
        is_excel_damaged(v).then_some(Found::Damaged)
    }

    /// A card field's 10 to 13 digits ([`Detector::whole`] for `Role::BpjsCard`, after
    /// [`sixteen_whole`]).
    #[inline(always)]
    pub fn whole_card(&self, v: &[u8]) -> Option<Found> {
        // What `card_trimmed` reads, without its branch on 13 digits or fewer (a card
        // column mixes them, a fifth with leading zeros lost, and that branch mispredicted
        // on them) and, for the values with nothing to trim (nearly all), without the trim
        // loops: the number from the word that starts the digits and the one that ends
        // them, whatever their count.
        let t = trim_blank(v);
        let n = t.len();
        if !(10..=13).contains(&n) || !all_digits_8_to_16(t) {
            return None;
        }
        let word = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("8 bytes"));
        // The 2 to 5 digits before the last eight, moved to the end of a word of `0`s.
        let h = n - 8;
        let lead = word(&t[..8]) << (8 * (8 - h)) | 0x3030_3030_3030_3030u64 >> (8 * h);
        Some(Found::Card {
            number: parse8(&lead.to_le_bytes()) * 100_000_000
                + parse8(&word(&t[n - 8..]).to_le_bytes()),
            restored: n < 13,
            span: (0, v.len()),
        })
    }

    /// A phone field's restored or whole phone ([`Detector::whole`] for `Role::Phone`,
    /// after [`sixteen_whole`]).
    ///
    /// Written out rather than as `restored_phone(v).or_else(..)`: the closure was a call of
    /// its own, its 40-byte answer returned through memory and copied again.
    #[inline(always)]
    pub fn whole_phone_field(&self, v: &[u8]) -> Option<Found> {
        if let Some(found) = prefix_and_digits(v).filter(|_| self.whole_phones()) {
            return Some(found);
        }
        if let Some(found) = self.restored_phone(v) {
            return Some(found);
        }
        self.whole_phone(v)
    }

    /// A phone field's value that is one phone, whole (most of them), is nothing else: with
    /// at most 15 digits it holds no NIK or KK (16); made of digits, separators and a `+`,
    /// it holds no `@` and no card keyword (each has a letter, `whole_phones`); and the
    /// phone the candidate walk would find first is this one, which then covers every
    /// later run. This spares the runs and the walk.
    #[inline(never)]
    fn whole_phone(&self, v: &[u8]) -> Option<Found> {
        // A phone has at least 8 national digits; past 64 bytes the walk decides.
        if !(8..=64).contains(&v.len()) || !self.whole_phones() {
            return None;
        }
        if let Some(found) = plain_phone(v) {
            return Some(found);
        }
        let digits = masks64(v, 0).0.count_ones();
        if !(8..=15).contains(&digits) {
            return None;
        }
        let (national, len, end) = phone_at(v, 0)?;
        (end == v.len()).then_some(Found::Phone {
            national,
            len,
            restored: false,
            span: (0, end),
        })
    }

    /// [`Detector::detect_unless_long`] for a value that is none of the whole-value forms
    /// ([`Detector::whole`]): the candidate walk, unless the masks show there is nothing to
    /// find.
    #[inline(always)]
    pub fn search_unless_long(&mut self, v: &[u8], role: Role, out: &mut Vec<Found>) -> bool {
        // Codes and flags end here.
        if v.len() < SHORTEST {
            return true;
        }
        // Every digit candidate holds at least 8 digits (a phone's national number); short
        // codes, house numbers and the like end here, most after a single 16-byte compare.
        // Values of 32 bytes or more go to the shape filter below, which reads the `@`
        // signs as well: an address column's values fall on either side of 64 bytes as
        // often as not, and a branch at 64 mispredicted on them (and classified the
        // shorter ones twice).
        let mut short = None;
        if v.len() < 32 {
            let (digits, ats) = masks64(v, 0);
            if digits.count_ones() < 8 {
                // No digit candidate: only e-mails, around the `@` signs the mask holds.
                if ats != 0 {
                    email_candidates(v, Some(ats), out);
                }
                return true;
            }
            short = Some((digits, ats));
        }
        // Addresses, tax numbers and dates hold enough digits, but rarely in a shape any
        // digit candidate needs: this spares them the runs and the candidate walk. A phone
        // field's value nearly always has that shape, so it is not asked. It reads the `@`
        // signs too, so a value of 32 to 128 bytes is classified once here, not also by
        // `masks64` (which only a value going on to the walk needs).
        if v.len() <= 128 && role != Role::Phone && !may_hold_candidate(v) {
            return true;
        }
        if v.len() > LONG_VALUE {
            return false;
        }
        let first = short.unwrap_or_else(|| masks64(v, 0));
        let (has_at, digits) = digit_runs_from(v, &mut self.runs, first);
        if digits >= 8 || has_at {
            let ats = has_at.then_some(first.1).filter(|_| v.len() <= 64);
            self.candidates(v, role, digits >= 8, has_at, ats, out);
        }
        true
    }

    /// The candidate walk alone over all of `v`: what [`Detector::detect`] finds in a long
    /// value at once.
    #[cold]
    #[inline(never)]
    fn walk(&mut self, v: &[u8], role: Role, out: &mut Vec<Found>) {
        let (has_at, digits) = digit_runs_from(v, &mut self.runs, masks64(v, 0));
        if digits >= 8 || has_at {
            self.candidates(v, role, digits >= 8, has_at, None, out);
        }
    }

    /// SPEC §5: a phone field's whole value of 9–12 digits of the mobile shape
    /// (`81234567890`) is a phone whose leading 0 a spreadsheet dropped. It holds no other
    /// candidate: no 16 or 13 digits, no `@`, and a digit run starting with `8` starts no
    /// phone. The mobile rule of `patterns/` is SPEC's `8[1-35-9]\d{7,10}`.
    #[inline]
    fn restored_phone(&self, v: &[u8]) -> Option<Found> {
        // Most phone values start with `0`, `+` or `6`: one byte tells.
        if v.first()
            .is_some_and(|&b| b != b'8' && !b.is_ascii_whitespace())
        {
            return None;
        }
        let t = v.trim_ascii();
        if t.first() != Some(&b'8')
            || !(9..=12).contains(&t.len())
            || !all_digits_8_to_16(t)
            || !self.p.mobile.is_match(t)
        {
            return None;
        }
        let mut national = [0u8; 16];
        national[..t.len()].copy_from_slice(t);
        Some(Found::Phone {
            national,
            len: t.len() as u8,
            restored: true,
            span: (0, v.len()),
        })
    }

    #[inline(never)]
    fn candidates(
        &self,
        v: &[u8],
        role: Role,
        enough_digits: bool,
        has_at: bool,
        ats: Option<u64>,
        out: &mut Vec<Found>,
    ) {
        if enough_digits {
            // NIP first and the dotted NPWP before what may lie inside it (SPEC §5's order);
            // neither starts or ends inside a longer number, as no kind does.
            official::candidates(v, &self.runs, |o| {
                let f = Found::from(o);
                if clear_of_joints(v, f.span()) {
                    out.push(f);
                }
            });
            digit_candidates(v, role, self.p, self.keywords(), &self.runs, out);
        }
        if has_at {
            email_candidates(v, ats, out);
        }
    }
}

/// Sixteen digits and nothing else (most NIK and KK columns' values): one NIK or KK, as a
/// NIK field's whole value or the digit runs would find it, since no keyword can stand
/// before it and any phone in it lies inside it. A KK in a KK field, a NIK in any other.
#[inline(always)]
pub fn sixteen_whole(v: &[u8], role: Role) -> Option<Found> {
    if v.len() != 16 || !all_digits_8_to_16(v) {
        return None;
    }
    Some(Found::NikOrKk {
        kind: if role == Role::Kk {
            Kind::Kk
        } else {
            Kind::Nik
        },
        digits: v.try_into().ok()?,
        span: (0, 16),
    })
}

/// A card field's value of 10 to 13 digits, white space around them, read the plain way:
/// what [`Detector::whole_card`] must read alike (its test's reference).
#[cfg(test)]
fn card_trimmed(v: &[u8]) -> Option<Found> {
    let t = v.trim_ascii();
    if !(10..=13).contains(&t.len()) || !all_digits_8_to_16(t) {
        return None;
    }
    // Most cards have all 13 digits: read in place; fewer are the same number.
    let number = match <&[u8; 13]>::try_from(t) {
        Ok(digits) => card_number(digits),
        Err(_) => t.iter().fold(0, |n, &d| n * 10 + u64::from(d - b'0')),
    };
    Some(Found::Card {
        number,
        restored: t.len() < 13,
        span: (0, v.len()),
    })
}

/// [`nik_field_value`], its common layouts first read without a branch on which one
/// it is: a NIK column mixes them on purpose (a quarter in groups, a third after a `'`),
/// and the chain of tests on lengths and separators mispredicted on about every value
/// (perf: nik_field_value's time nearly twice its instructions' share).
#[inline]
fn nik_field_value_fast(v: &[u8]) -> Option<[u8; 16]> {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("ssse3") {
        // SAFETY: the CPU has SSSE3, as just tested.
        if let Some(digits) = unsafe { nik_layout_ssse3(v) } {
            return Some(digits);
        }
    }
    nik_field_value(v)
}

/// Where a [`NIK_LAYOUTS`] entry takes a NIK's 16 digits from and where its separators
/// must be, for a value of 16 to 20 bytes (after the trim and the `'`): the byte each
/// digit is, by its place in the value's first 16 bytes and in its last 16 (0x80: not
/// there), and the separators' bits (all of them within the first 16 bytes).
#[cfg(target_arch = "x86_64")]
struct NikLayout {
    first: [u8; 16],
    last: [u8; 16],
    first_seps: u32,
}

/// The layouts [`nik_field_value`] reads at fixed places, by the value's length less 16:
/// sixteen digits; `PPRRDD-DDMMYY-SSSS`; four groups of four; `PP.RR.DD.DDMMYY.SSSS`. 17
/// bytes have none (their gather takes nothing, so never 16 digits).
#[cfg(target_arch = "x86_64")]
const NIK_LAYOUTS: [NikLayout; 5] = [
    nik_layout(16, &[]),
    nik_layout(17, &[]),
    nik_layout(18, &[6, 13]),
    nik_layout(19, &[4, 9, 14]),
    nik_layout(20, &[2, 5, 8, 15]),
];

/// The [`NikLayout`] of a value of `len` bytes whose separators are at `seps` (all within
/// the first 16 bytes); with none it is 16 digits when `len` is 16, nothing otherwise.
#[cfg(target_arch = "x86_64")]
const fn nik_layout(len: usize, seps: &[usize]) -> NikLayout {
    let mut l = NikLayout {
        first: [0x80; 16],
        last: [0x80; 16],
        first_seps: 0,
    };
    if len != 16 + seps.len() {
        return l;
    }
    let (mut p, mut k, mut s) = (0, 0, 0);
    while p < len {
        if s < seps.len() && seps[s] == p {
            // A separator past the first 16 bytes would go unchecked.
            assert!(p < 16);
            l.first_seps |= 1 << p;
            s += 1;
        } else {
            if p < 16 {
                l.first[k] = p as u8;
            } else {
                l.last[k] = (p - (len - 16)) as u8;
            }
            k += 1;
        }
        p += 1;
    }
    l
}

/// [`nik_field_value`] for its layouts at fixed places ([`NIK_LAYOUTS`]): the digits
/// gathered by two shuffles of the value's first and last 16 bytes, the layout chosen by
/// the length, digits and separators checked by masks. `None` for any other value (then
/// [`nik_field_value`] decides; where a layout's separators are but a digit is not, it
/// finds nothing either).
///
/// # Safety
/// The CPU has SSSE3.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "ssse3")]
unsafe fn nik_layout_ssse3(v: &[u8]) -> Option<[u8; 16]> {
    use std::arch::x86_64::*;
    let t = trim_blank(v);
    let t = &t[usize::from(t.first() == Some(&b'\''))..];
    let layout = NIK_LAYOUTS.get(t.len().wrapping_sub(16))?;
    let table = |b: &[u8; 16]| _mm_loadu_si128(b.as_ptr() as *const __m128i);
    // SAFETY: `t` holds 16 to 20 bytes: both loads read 16 of them.
    let (first, last) = unsafe {
        (
            _mm_loadu_si128(t.as_ptr() as *const __m128i),
            _mm_loadu_si128(t[t.len() - 16..].as_ptr() as *const __m128i),
        )
    };
    let digits = _mm_or_si128(
        _mm_shuffle_epi8(first, table(&layout.first)),
        _mm_shuffle_epi8(last, table(&layout.last)),
    );
    let shifted = _mm_sub_epi8(digits, _mm_set1_epi8(b'0' as i8));
    let is_digit = _mm_cmpeq_epi8(_mm_min_epu8(shifted, _mm_set1_epi8(9)), shifted);
    let seps = |x: __m128i| {
        let is = |c: u8| _mm_cmpeq_epi8(x, _mm_set1_epi8(c as i8));
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(is(b' '), is(b'-')), is(b'.'))) as u32
    };
    let ok = (_mm_movemask_epi8(is_digit) == 0xFFFF)
        & (seps(first) & layout.first_seps == layout.first_seps);
    let mut out = [0u8; 16];
    _mm_storeu_si128(out.as_mut_ptr() as *mut __m128i, digits);
    ok.then_some(out)
}

/// A NIK field's whole value without spaces, dots, hyphens and a leading `'`.
fn nik_field_value(v: &[u8]) -> Option<[u8; 16]> {
    let t = v.trim_ascii();
    let t = t.strip_prefix(b"'").unwrap_or(t);
    // Most are 16 digits after a `'` (kept as text in Excel): one copy, not a loop whose
    // byte stores the validator's word loads would then wait for.
    if t.len() == 16 && all_digits_8_to_16(t) {
        return t.try_into().ok();
    }
    // Four groups of four joined by spaces, dashes or dots (most of the other forms): the
    // groups taken at once, not a byte at a time.
    if t.len() == 19
        && [t[4], t[9], t[14]]
            .iter()
            .all(|b| matches!(b, b' ' | b'-' | b'.'))
    {
        let mut digits = [0u8; 16];
        for (k, group) in digits.chunks_exact_mut(4).enumerate() {
            group.copy_from_slice(&t[k * 5..k * 5 + 4]);
        }
        return all_digits_8_to_16(&digits).then_some(digits);
    }
    // `PP.RR.DD.DDMMYY.SSSS` and `PPRRDD-DDMMYY-SSSS`, the next most common: their
    // groups at their fixed places too.
    let sep = |i: usize| matches!(t[i], b' ' | b'-' | b'.');
    let mut digits = [0u8; 16];
    if t.len() == 20 && sep(2) && sep(5) && sep(8) && sep(15) {
        digits[..2].copy_from_slice(&t[..2]);
        digits[2..4].copy_from_slice(&t[3..5]);
        digits[4..6].copy_from_slice(&t[6..8]);
        digits[6..12].copy_from_slice(&t[9..15]);
        digits[12..].copy_from_slice(&t[16..]);
        return all_digits_8_to_16(&digits).then_some(digits);
    }
    if t.len() == 18 && sep(6) && sep(13) {
        digits[..6].copy_from_slice(&t[..6]);
        digits[6..12].copy_from_slice(&t[7..13]);
        digits[12..].copy_from_slice(&t[14..]);
        return all_digits_8_to_16(&digits).then_some(digits);
    }
    let mut n = 0;
    for &b in t {
        match b {
            b'0'..=b'9' => {
                if n == 16 {
                    return None;
                }
                digits[n] = b;
                n += 1;
            }
            b' ' | b'.' | b'-' => {}
            _ => return None,
        }
    }
    (n == 16).then_some(digits)
}

/// Bit masks of the digits and the `@` signs in up to 64 bytes of `v` from `base` (byte
/// `base + k` is bit `k`; bytes past the end count as neither).
#[inline]
fn masks64(v: &[u8], base: usize) -> (u64, u64) {
    fold64(v, base, classify16)
}

/// Two bit masks of up to 64 bytes of `v` from `base`, 16 bytes at a time by `classify`
/// (byte `base + k` is bit `k`). `classify` must give a zero byte neither class: bytes past
/// the end are read as zeros or not at all.
#[inline(always)]
fn fold64(v: &[u8], base: usize, classify: impl Fn(Block) -> (u32, u32)) -> (u64, u64) {
    // Most values are names, e-mails, numbers: up to 32 bytes, one or two loads without
    // the loop (whose tests were as many instructions as the classification).
    if base == 0 && v.len() <= 32 {
        if v.len() < 16 {
            let (x, y) = classify(Block::short(v));
            return (u64::from(x), u64::from(y));
        }
        let (x0, y0) = classify(Block::load(&v[..16]));
        let (x1, y1) = classify(Block::load(&v[v.len() - 16..]));
        let at = v.len() - 16;
        return (
            u64::from(x0) | u64::from(x1) << at,
            u64::from(y0) | u64::from(y1) << at,
        );
    }
    let (mut a, mut b) = (0u64, 0u64);
    let end = v.len().min(base + 64);
    let mut i = base;
    while i < end {
        let n = (end - i).min(16);
        let (x, y) = if n == 16 {
            classify(Block::load(&v[i..i + 16]))
        } else if i + n == v.len() && v.len() >= 16 {
            // The value's last 16 bytes, shifted past the ones already seen.
            let (x, y) = classify(Block::load(&v[v.len() - 16..]));
            (x >> (16 - n), y >> (16 - n))
        } else {
            // Zero-padded: zero is in neither class.
            classify(Block::short(&v[i..end]))
        };
        a |= (x as u64) << (i - base);
        b |= (y as u64) << (i - base);
        i += n;
    }
    (a, b)
}

/// Whether `v` (at most 128 bytes) could hold any candidate, from conditions every
/// candidate meets: an e-mail holds an `@`; a NIK, KK or card holds a run of at least 13
/// digits or four 4-digit runs five bytes apart (`dddd dddd dddd dddd`); a phone's national
/// number starts with an `8` right after its prefix (`0`, `62`) or a separator (` `, `-`,
/// `.`, `(0)`), so after a `0`, a `2` or a byte that is not a digit. False means
/// [`Detector::candidates`] would find nothing.
#[inline]
fn may_hold_candidate(v: &[u8]) -> bool {
    debug_assert!(v.len() <= 128);
    #[cfg(target_arch = "x86_64")]
    if v.len() >= 32 && std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, as just tested; `v` holds 32 bytes or more.
        return unsafe { may_hold_candidate_avx2(v) };
    }
    may_hold_candidate_16(v)
}

/// [`may_hold_candidate`] 16 bytes at a time (SSE2 on x86-64, part of its baseline).
#[inline]
fn may_hold_candidate_16(v: &[u8]) -> bool {
    // Two 64-bit halves per mask: a variable shift of a `u128` costs a dozen instructions.
    let (mut digits, mut phones, mut ats) = ([0u64; 2], [0u64; 2], 0u32);
    let mut put = |c: Shapes, carry: u32, at: usize, skip: usize| {
        let phone = c.eights & (c.before << 1 | carry);
        digits[at / 64] |= u64::from(c.digits >> skip) << (at % 64);
        phones[at / 64] |= u64::from(phone >> skip) << (at % 64);
        ats |= c.ats;
    };
    if v.len() < 16 {
        put(classify16_shapes(Block::short(v)), 0, 0, 0);
    } else {
        let (mut i, mut carry) = (0, 0);
        while i + 16 <= v.len() {
            let c = classify16_shapes(Block::load(&v[i..i + 16]));
            let next = c.before >> 15;
            put(c, carry, i, 0);
            carry = next;
            i += 16;
        }
        if i < v.len() {
            // The last 16 bytes, less the ones already classified: the byte before each is
            // in the same load.
            let tail = Block::load(&v[v.len() - 16..]);
            put(classify16_shapes(tail), 0, i, 16 - (v.len() - i));
        }
    }
    let digits = u128::from(digits[1]) << 64 | u128::from(digits[0]);
    let phones = u128::from(phones[1]) << 64 | u128::from(phones[0]);
    shapes_may_hold(v, digits, phones, ats != 0)
}

/// [`may_hold_candidate`] for 32 to 128 bytes with AVX2: the masks 32 bytes at a time, and
/// the shape tests that follow compiled with POPCNT and BMI2 (a `u128`'s population count
/// and its shifts were, without them, most of the test). An address of 90 bytes took six
/// 16-byte steps, each with a variable shift into two words; it takes three loads here.
///
/// # Safety
/// The CPU has AVX2 (with it, on every CPU that has it, POPCNT, BMI1, BMI2 and LZCNT);
/// `v` holds 32 to 128 bytes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,popcnt,bmi1,bmi2,lzcnt")]
unsafe fn may_hold_candidate_avx2(v: &[u8]) -> bool {
    use std::arch::x86_64::*;
    debug_assert!((32..=128).contains(&v.len()));
    // Bits of the 32 bytes at `p`: digits, `8`s, bytes an `8` may follow at a phone's
    // national start (`0`, `2`, non-digits), `@`s.
    let masks = |p: *const u8| {
        // SAFETY: the caller's `p` has 32 bytes of `v` from it.
        let x = unsafe { _mm256_loadu_si256(p as *const __m256i) };
        let shifted = _mm256_sub_epi8(x, _mm256_set1_epi8(b'0' as i8));
        let digit = _mm256_cmpeq_epi8(_mm256_min_epu8(shifted, _mm256_set1_epi8(9)), shifted);
        // `0` (0x30) and `2` (0x32) are the bytes whose value with bit 1 set is `2`.
        let zero_two = _mm256_cmpeq_epi8(
            _mm256_or_si256(x, _mm256_set1_epi8(2)),
            _mm256_set1_epi8(b'2' as i8),
        );
        let bits = |m: __m256i| _mm256_movemask_epi8(m) as u32;
        (
            bits(digit),
            bits(_mm256_cmpeq_epi8(x, _mm256_set1_epi8(b'8' as i8))),
            bits(_mm256_or_si256(
                _mm256_andnot_si256(digit, _mm256_set1_epi8(-1)),
                zero_two,
            )),
            bits(_mm256_cmpeq_epi8(x, _mm256_set1_epi8(b'@' as i8))),
        )
    };
    // The masks of the bytes from `32 * k` (zero past the value), the last block's from a
    // load of the value's last 32 bytes shifted past the ones already classified: each
    // block in a `u32`, put together with constant shifts (a `u128` shifted by a variable
    // amount costs a dozen instructions, four masks a block).
    let len = v.len();
    let block = |k: usize| {
        let start = 32 * k;
        if start >= len {
            (0, 0, 0, 0)
        } else if start + 32 <= len {
            masks(v[start..].as_ptr())
        } else {
            let skip = start + 32 - len;
            let (d, e, b, a) = masks(v[len - 32..].as_ptr());
            (d >> skip, e >> skip, b >> skip, a >> skip)
        }
    };
    let (b0, b1, b2, b3) = (block(0), block(1), block(2), block(3));
    let join = |m0: u32, m1: u32, m2: u32, m3: u32| {
        u128::from(m0) | u128::from(m1) << 32 | u128::from(m2) << 64 | u128::from(m3) << 96
    };
    let digits = join(b0.0, b1.0, b2.0, b3.0);
    let eights = join(b0.1, b1.1, b2.1, b3.1);
    let before = join(b0.2, b1.2, b2.2, b3.2);
    let ats = b0.3 | b1.3 | b2.3 | b3.3;
    // An `8` at the value's start follows no prefix or separator.
    shapes_may_hold(v, digits, eights & before << 1, ats != 0)
}

/// The tests of [`may_hold_candidate`] on the masks of `v`'s digits and of the `8`s that
/// may start a phone's national number.
#[inline(always)]
fn shapes_may_hold(v: &[u8], digits: u128, phones: u128, ats: bool) -> bool {
    if ats {
        return true;
    }
    // A NIK, KK or card holds 13 digits or more, a NIP or NPWP 15: most values that come
    // here (addresses, dates) hold fewer, and a count spares them the runs below.
    if digits.count_ones() >= 13 && long_digit_shapes(digits) {
        return true;
    }
    phones != 0 && may_start_phone(v, digits, phones)
}

/// The digit shapes of [`may_hold_candidate`] but the phone's: a run of 13 digits, four
/// runs of 4 five bytes apart, a NIP or an NPWP ([`official::may_hold`]).
#[inline(always)]
fn long_digit_shapes(digits: u128) -> bool {
    // Bit k of `r4`: bytes k..k+4 are digits; of `r13`: bytes k..k+13.
    let r2 = digits & (digits >> 1);
    let r4 = r2 & (r2 >> 2);
    let r8 = r4 & (r4 >> 4);
    let r13 = r8 & (r4 >> 8) & (digits >> 12);
    let spaced = r4 & (r4 >> 5) & (r4 >> 10) & (r4 >> 15);
    (r13 | spaced) != 0 || official::may_hold(digits)
}

/// Whether one of the `8`s at the bits of `starts` may begin a phone's national number: at
/// least 8 digits lie from it on (a national number has 8 or more, none before its first),
/// and the byte after it goes on with a digit, starts a separator (` `, `-`, `.`, `(0)`) or
/// closes a parenthesis (`(08)12…`), and 8 digits follow before any byte a national number
/// cannot hold ([`phone_bytes_hold_eight_digits`]). An address's `No. 128,`, `RT 008/` or
/// `No. 85 RT 014` then sends it on to no candidate walk: most addresses that reached the
/// walk came for such an `8`.
#[inline(never)]
fn may_start_phone(v: &[u8], digits: u128, mut starts: u128) -> bool {
    while starts != 0 {
        let k = starts.trailing_zeros() as usize;
        starts &= starts - 1;
        let goes_on = matches!(
            v.get(k + 1),
            Some(b'0'..=b'9' | b' ' | b'-' | b'.' | b'(' | b')')
        );
        if goes_on && (digits >> k).count_ones() >= 8 && phone_bytes_hold_eight_digits(&v[k..]) {
            return true;
        }
    }
    false
}

/// Whether 8 digits come before the first byte that is neither a digit nor one a phone's
/// separators are made of (` `, `-`, `.`, and the parentheses of `(0)` and `(08)12…`): a
/// national number starting at `v[0]` holds only such bytes and 8 digits or more. Called
/// for the rare `8` the masks leave in a value of at most 128 bytes.
fn phone_bytes_hold_eight_digits(v: &[u8]) -> bool {
    let mut n = 0;
    for &b in v {
        match b {
            b'0'..=b'9' => {
                n += 1;
                if n == 8 {
                    return true;
                }
            }
            b' ' | b'-' | b'.' | b'(' | b')' => {}
            _ => return false,
        }
    }
    false
}

/// The masks [`may_hold_candidate`] reads from 16 bytes.
struct Shapes {
    digits: u32,
    eights: u32,
    /// Bytes an `8` may follow at a phone's national start: `0`, `2` and non-digits.
    before: u32,
    ats: u32,
}

/// [`classify16`]'s masks, and those of the bytes around a phone's national start.
#[inline]
fn classify16_shapes(block: Block) -> Shapes {
    let (digits, ats) = classify16(block);
    Shapes {
        digits,
        eights: equal16(block, b'8'),
        before: !digits & 0xFFFF | equal16(block, b'0') | equal16(block, b'2'),
        ats,
    }
}

/// The bytes of `block` equal to `b`, one bit each.
#[inline]
fn equal16(block: Block, b: u8) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is always available on x86-64; no memory is read.
        unsafe { _mm_movemask_epi8(_mm_cmpeq_epi8(block.0, _mm_set1_epi8(b as i8))) as u32 }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        block
            .0
            .iter()
            .enumerate()
            .fold(0, |m, (k, &c)| m | u32::from(c == b) << k)
    }
}

/// 16 bytes, in a vector register where there is one: short values are put together there
/// rather than copied into a zeroed stack buffer, whose narrow stores the wide load that
/// read it back had to wait for (that load held 7% of `field_slow`'s samples).
#[derive(Clone, Copy)]
struct Block(
    #[cfg(target_arch = "x86_64")] std::arch::x86_64::__m128i,
    #[cfg(not(target_arch = "x86_64"))] [u8; 16],
);

impl Block {
    /// Exactly 16 bytes.
    #[inline]
    fn load(b: &[u8]) -> Block {
        let b: &[u8; 16] = b.try_into().expect("16 bytes");
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::*;
            // SAFETY: SSE2 is always available on x86-64; the unaligned load reads exactly
            // the 16 bytes of `b`.
            Block(unsafe { _mm_loadu_si128(b.as_ptr() as *const __m128i) })
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            Block(*b)
        }
    }

    /// Up to 16 bytes, zero past them.
    #[inline]
    fn short(v: &[u8]) -> Block {
        let w = load_le(v);
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::*;
            // SAFETY: SSE2 is always available on x86-64; no memory is read.
            Block(unsafe { _mm_set_epi64x((w >> 64) as i64, w as i64) })
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            Block(w.to_le_bytes())
        }
    }
}

/// Maximal runs of ASCII digits, as `(start, end)`; returns whether the value holds an `@`
/// and how many digits it holds.
///
/// Every byte of every field passes through here. Bytes are classified 16 at a time — with
/// SSE2 on x86-64 (part of its baseline, so no feature detection), branch-free scalar code
/// elsewhere — into 64-bit masks, and runs are read off the masks: a run starts at a set bit
/// whose lower neighbour is clear and ends at a set bit whose upper neighbour is clear.
#[cfg(test)]
fn digit_runs(v: &[u8], runs: &mut Vec<(usize, usize)>) -> (bool, u32) {
    digit_runs_from(v, runs, masks64(v, 0))
}

/// [`digit_runs`] given the masks of the first 64 bytes.
fn digit_runs_from(v: &[u8], runs: &mut Vec<(usize, usize)>, first: (u64, u64)) -> (bool, u32) {
    runs.clear();
    let mut open: Option<usize> = None;
    let (mut has_at, mut count) = (false, 0);
    let mut base = 0;
    while base < v.len() {
        let (m, ats) = if base == 0 { first } else { masks64(v, base) };
        has_at |= ats != 0;
        count += m.count_ones();
        let mut starts = m & !(m << 1);
        let mut ends = m & !(m >> 1);
        if open.is_some() && m & 1 != 0 {
            starts &= !1; // the open run goes on
        }
        if v.len() - base > 64 && m >> 63 != 0 {
            ends &= !(1 << 63); // and goes on into the next window
        }
        if let Some(s) = open {
            if m & 1 == 0 {
                runs.push((s, base));
                open = None;
            }
        }
        loop {
            if open.is_none() {
                if starts == 0 {
                    break;
                }
                open = Some(base + starts.trailing_zeros() as usize);
                starts &= starts - 1;
            }
            if ends == 0 {
                break;
            }
            let e = ends.trailing_zeros() as usize;
            ends &= ends - 1;
            runs.push((open.take().expect("open run"), base + e + 1));
        }
        base += 64;
    }
    if let Some(s) = open {
        runs.push((s, v.len()));
    }
    (has_at, count)
}

/// Bit masks of the digits and the `@` signs in 16 bytes.
#[inline]
fn classify16(block: Block) -> (u32, u32) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is always available on x86-64; no memory is read.
        unsafe {
            let x = block.0;
            let shifted = _mm_sub_epi8(x, _mm_set1_epi8(b'0' as i8));
            let is_digit = _mm_cmpeq_epi8(_mm_min_epu8(shifted, _mm_set1_epi8(9)), shifted);
            let is_at = _mm_cmpeq_epi8(x, _mm_set1_epi8(b'@' as i8));
            (
                _mm_movemask_epi8(is_digit) as u32,
                _mm_movemask_epi8(is_at) as u32,
            )
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let (mut digits, mut ats) = (0u32, 0u32);
        for (k, &b) in block.0.iter().enumerate() {
            digits |= ((b.wrapping_sub(b'0') < 10) as u32) << k;
            ats |= ((b == b'@') as u32) << k;
        }
        (digits, ats)
    }
}

/// Bit masks of the bytes a domain may hold (ASCII letters and digits, `.`, `_`, `-`: the
/// `DOMAIN` class of [`EMAIL_CLASS`]) and of the dots, in 16 bytes.
#[inline]
fn classify16_domain(block: Block) -> (u32, u32) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is always available on x86-64; no memory is read.
        unsafe {
            let x = block.0;
            let set = |b: u8| _mm_set1_epi8(b as i8);
            let dot = _mm_cmpeq_epi8(x, set(b'.'));
            let dash = _mm_cmpeq_epi8(x, set(b'-'));
            let domain = _mm_or_si128(word_bytes(x), _mm_or_si128(dot, dash));
            (
                _mm_movemask_epi8(domain) as u32,
                _mm_movemask_epi8(dot) as u32,
            )
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let (mut domain, mut dots) = (0u32, 0u32);
        for (k, &b) in block.0.iter().enumerate() {
            domain |= u32::from(is_domain(b)) << k;
            dots |= u32::from(b == b'.') << k;
        }
        (domain, dots)
    }
}

/// The word bytes of `x` ([`is_word`]: ASCII letters and digits, `_`), 0xFF each; the
/// domain bytes ([`classify16_domain`]) are these and `.` and `-`.
///
/// # Safety
/// SSE2, which x86-64 always has.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn word_bytes(x: std::arch::x86_64::__m128i) -> std::arch::x86_64::__m128i {
    use std::arch::x86_64::*;
    let set = |b: u8| _mm_set1_epi8(b as i8);
    let within = |y: __m128i, lo: u8, n: u8| {
        let shifted = _mm_sub_epi8(y, set(lo));
        _mm_cmpeq_epi8(_mm_min_epu8(shifted, set(n - 1)), shifted)
    };
    let digit = within(x, b'0', 10);
    let letter = within(_mm_or_si128(x, set(0x20)), b'a', 26);
    let mark = _mm_cmpeq_epi8(x, set(b'_'));
    _mm_or_si128(_mm_or_si128(digit, letter), mark)
}

/// A bit mask of the word bytes ([`is_word`]: ASCII letters and digits, `_`) in 16 bytes,
/// for [`fold64`] (the second mask is unused).
#[inline]
fn classify16_word(block: Block) -> (u32, u32) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is always available on x86-64; no memory is read.
        unsafe { (_mm_movemask_epi8(word_bytes(block.0)) as u32, 0) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let mut word = 0u32;
        for (k, &b) in block.0.iter().enumerate() {
            word |= u32::from(is_word(b)) << k;
        }
        (word, 0)
    }
}

/// The obvious version, kept to test the mask version against.
#[cfg(test)]
fn digit_runs_scalar(v: &[u8], runs: &mut Vec<(usize, usize)>) -> bool {
    runs.clear();
    let mut has_at = false;
    let mut start = None;
    for (i, &b) in v.iter().enumerate() {
        if b.is_ascii_digit() {
            start.get_or_insert(i);
        } else {
            if let Some(s) = start.take() {
                runs.push((s, i));
            }
            has_at |= b == b'@';
        }
    }
    if let Some(s) = start {
        runs.push((s, v.len()));
    }
    has_at
}

fn digit_candidates(
    v: &[u8],
    role: Role,
    p: &Patterns,
    keywords: &KeywordLists,
    runs: &[(usize, usize)],
    out: &mut Vec<Found>,
) {
    // The digit runs are maximal runs of digits; a joint (`-` or `.` between two digits,
    // [`is_joint`]) continues a number across runs, so every kind below asks
    // [`clear_of_joints`] of its span: no candidate starts or ends inside a longer number.

    // 1. NIK / KK: 16-digit runs, or four groups of four separated throughout by single
    //    spaces, hyphens or dots (the joints of a dashed or dotted NIK are its own).
    let mut r = 0;
    while r < runs.len() {
        let (s, e) = runs[r];
        let mut digits = [0u8; 16];
        let mut hit = None;
        if e - s == 16 && clear_of_joints(v, (s, e)) {
            digits.copy_from_slice(&v[s..e]);
            hit = Some((s, e, r + 1));
        } else if e - s == 4 && r + 3 < runs.len() {
            let groups = &runs[r..r + 4];
            // Another run follows, so `v[e]` exists.
            let sep = v[e];
            let grouped = matches!(sep, b' ' | b'-' | b'.')
                && groups.iter().all(|&(gs, ge)| ge - gs == 4)
                && groups
                    .windows(2)
                    .all(|w| w[1].0 == w[0].1 + 1 && v[w[0].1] == sep)
                && clear_of_joints(v, (s, groups[3].1));
            if grouped {
                for (k, &(gs, ge)) in groups.iter().enumerate() {
                    digits[k * 4..k * 4 + 4].copy_from_slice(&v[gs..ge]);
                }
                hit = Some((s, groups[3].1, r + 4));
            }
        }
        match hit {
            Some((s, e, next)) => {
                let kind = match role {
                    Role::Kk => Kind::Kk,
                    Role::Nik => Kind::Nik,
                    // KK keywords first, then NIK keywords: the nearest decides.
                    _ if keyword_before(v, s, &keywords.kk_nik, p.kk_window)
                        .is_some_and(|k| k < p.kk_keywords.len()) =>
                    {
                        Kind::Kk
                    }
                    _ => Kind::Nik,
                };
                out.push(Found::NikOrKk {
                    kind,
                    digits,
                    span: (s, e),
                });
                r = next;
            }
            None => r += 1,
        }
    }

    // 2. BPJS card: a 13-digit run shortly after a card keyword.
    for &(s, e) in runs {
        if e - s == 13
            && clear_of_joints(v, (s, e))
            && keyword_before(v, s, &keywords.card, p.card_window).is_some()
        {
            let Ok(digits) = <&[u8; 13]>::try_from(&v[s..e]) else {
                continue;
            };
            out.push(Found::Card {
                number: card_number(digits),
                restored: false,
                span: (s, e),
            });
        }
    }
    let earlier = out.len();

    // 3. Phones, starting where a digit run starts (or at the `+` or `(` before it).
    for &(s, _) in runs {
        // Every phone prefix (`+62`, `62`, `0`) starts its run with 0 or 6.
        if v[s] != b'0' && v[s] != b'6' {
            continue;
        }
        // A run that continues an earlier phone's groups is not a new start.
        if let Some(Found::Phone { span, .. }) = out.last() {
            if s < span.1 {
                continue;
            }
        }
        if let Some((national, len, span)) = phone_from_run(v, s) {
            if !inside_any(&out[..earlier], span) {
                out.push(Found::Phone {
                    national,
                    len,
                    restored: false,
                    span,
                });
            }
        }
    }
}

/// Whether `(s, e)` lies inside one of `found`, which holds candidates as
/// [`digit_candidates`] leaves them: NIPs and NPWPs ([`official`]), NIK/KK, then cards,
/// then phones. The spans of one kind never overlap and come in order, so a binary search
/// per kind finds the only one that may hold `(s, e)`: searching them all for each
/// candidate made a value dense with identifiers cost time in the square of their number
/// (linear time on any record).
#[inline]
fn inside_any(found: &[Found], (s, e): (usize, usize)) -> bool {
    if found.len() <= 8 {
        return found.iter().any(|f| {
            let (fs, fe) = f.span();
            fs <= s && e <= fe
        });
    }
    inside_sorted(found, (s, e))
}

/// [`inside_any`] among many candidates.
#[inline(never)]
fn inside_sorted(found: &[Found], (s, e): (usize, usize)) -> bool {
    let inside = |f: &Found| {
        let (fs, fe) = f.span();
        fs <= s && e <= fe
    };
    let mut rest = found;
    while let Some(first) = rest.first() {
        let kind = std::mem::discriminant(first);
        let n = rest.partition_point(|f| std::mem::discriminant(f) == kind);
        let before = rest[..n].partition_point(|f| f.span().0 <= s);
        if before > 0 && inside(&rest[before - 1]) {
            return true;
        }
        rest = &rest[n..];
    }
    false
}

/// Whether `v[i]` is a joint (SPEC §5 Boundaries): a single `-` or `.` between two digits,
/// through which a number goes on. Joints inside a candidate are its kind's written form (a
/// dashed NIK, a dotted phone); one right before or after it makes it a piece of a longer
/// number (`3204-0815-…`, `265.0851…`), which is no candidate.
#[inline]
fn is_joint(v: &[u8], i: usize) -> bool {
    i > 0
        && matches!(v.get(i), Some(b'-' | b'.'))
        && v[i - 1].is_ascii_digit()
        && v.get(i + 1).is_some_and(u8::is_ascii_digit)
}

/// Whether the span `s..e` neither starts right after a joint nor ends right before one.
#[inline]
fn clear_of_joints(v: &[u8], (s, e): (usize, usize)) -> bool {
    let after_one = s > 0 && is_joint(v, s - 1);
    !(after_one || is_joint(v, e))
}

/// The phone whose prefix begins the digit run at `s`, with its span: read from the `(`
/// before the run or its `+` (`(+62) 812…`, `(0812) 3456…`) when that form reads, else
/// from the `+` or the run itself. A phone touches no letter or digit before it and starts
/// after no joint.
fn phone_from_run(v: &[u8], s: usize) -> Option<([u8; 16], u8, (usize, usize))> {
    let start = s - usize::from(s > 0 && v[s - 1] == b'+');
    let free = |i: usize| i == 0 || !(v[i - 1].is_ascii_alphanumeric() || is_joint(v, i - 1));
    if start > 0 && v[start - 1] == b'(' && free(start - 1) {
        if let Some((national, len, end)) = phone_at(v, start - 1) {
            return Some((national, len, (start - 1, end)));
        }
    }
    if !free(start) {
        return None;
    }
    let (national, len, end) = phone_at(v, start)?;
    Some((national, len, (start, end)))
}

/// A separator between phone digit groups (SPEC §5): one space, `-` or `.`; a `-` with one
/// space on each side; or `(0)` with at most one space on each side. Returns the position
/// after it.
fn phone_separator(v: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    if v.get(j) == Some(&b' ') {
        if v.get(j + 1..j + 3) == Some(b"- ") {
            return Some(j + 3);
        }
        j += 1;
    }
    if v.get(j..j + 3) == Some(b"(0)") {
        j += 3;
        if v.get(j) == Some(&b' ') {
            j += 1;
        }
        return Some(j);
    }
    match v.get(i) {
        Some(b' ' | b'-' | b'.') => Some(i + 1),
        _ => None,
    }
}

/// The end of a phone's prefix `+62`, `62` or `0` at `i`. `+620812…` is read as `+62 812…`:
/// the trunk 0 written after the country code.
#[inline]
fn phone_prefix(v: &[u8], i: usize) -> Option<usize> {
    if v.get(i) == Some(&b'+') {
        if v.get(i + 1..i + 3) != Some(b"62") {
            return None;
        }
        let j = i + 3;
        Some(j + usize::from(v.get(j..j + 2) == Some(b"08")))
    } else if v.get(i..i + 2) == Some(b"62") {
        Some(i + 2)
    } else if v.get(i) == Some(&b'0') {
        Some(i + 1)
    } else {
        None
    }
}

/// The written forms of most phone fields' values, read in one pass: a prefix (`0`, `62`,
/// `+62`, `+620`), at most one separator before the `8` that starts the national number,
/// then digit groups joined by single spaces, `-` or `.`, to the value's end, with 8 to 14
/// national digits and at most 15 digits in all. For such a value [`phone_at`] from its
/// start would walk to the same end with the same digits; this reads each byte once and
/// asks no separator of two or three bytes. `None` for any other value (then the walk
/// decides), and for the one case `phone_at` refuses, one dot as the only separator.
#[inline]
fn plain_phone(v: &[u8]) -> Option<Found> {
    let (prefix, counted) = match v {
        [b'+', b'6', b'2', b'0', b'8', ..] => (4, 3),
        [b'+', b'6', b'2', ..] => (3, 2),
        [b'6', b'2', ..] => (2, 2),
        [b'0', ..] => (1, 1),
        _ => return None,
    };
    let mut rest = &v[prefix..];
    let (mut seps, mut dot, mut counted) = (0u32, false, counted);
    if let [b' ' | b'-' | b'.', b'8', ..] = rest {
        (seps, dot) = (1, rest[0] == b'.');
        rest = &rest[1..];
    } else if let Some(after) = trunk_zero(rest) {
        // A separator of three bytes or more, so never the one dot of a decimal number;
        // its `0` counts among the value's digits.
        (seps, counted, rest) = (1, counted + 1, after);
    }
    if rest.first() != Some(&b'8') {
        return None;
    }
    // Digits alone after the prefix (a third of a phone column's values): checked and
    // taken a word at a time; what the loop below would find, as it would refuse the rest.
    if (8..=14).contains(&rest.len()) && all_digits_8_to_16(rest) {
        if counted + rest.len() > 15 || (seps == 1 && dot) {
            return None;
        }
        return Some(digits_alone(v, rest));
    }
    if rest.len() <= 16 {
        if let Some(found) = grouped_phone(v, rest, counted, seps, dot) {
            return found;
        }
    }
    phone_loop(v, rest, counted, seps, dot)
}

/// The form of [`plain_phone`] most phone values have, a prefix (`0`, `62`, `+62`) and the
/// national number's digits alone: small enough to be read inline before the call to the
/// whole-value forms ([`Detector::whole_phone_field`]), whose saved registers and answer
/// through memory were a fifth of its cost. `None` leaves `v` to [`plain_phone`].
#[inline(always)]
fn prefix_and_digits(v: &[u8]) -> Option<Found> {
    // The prefix, and its digits among the at most 15 of a value that is one phone.
    let (prefix, counted) = match v {
        [b'+', b'6', b'2', b'8', ..] => (3, 2),
        [b'6', b'2', b'8', ..] => (2, 2),
        [b'0', b'8', ..] => (1, 1),
        _ => return None,
    };
    let rest = &v[prefix..];
    if !(8..=14).contains(&rest.len()) || counted + rest.len() > 15 || !all_digits_8_to_16(rest) {
        return None;
    }
    Some(digits_alone(v, rest))
}

/// The phone that is all of `v`, whose national number is `rest`: 8 to 14 digits alone.
#[inline(always)]
fn digits_alone(v: &[u8], rest: &[u8]) -> Found {
    // Its first eight digits and the rest from the word that ends it (a call to `load_le`
    // cost as much as the digit test), each half written whole.
    let r = rest.len();
    let first = u64::from_le_bytes(rest[..8].try_into().expect("8 digits"));
    let last = u64::from_le_bytes(rest[r - 8..].try_into().expect("8 digits"));
    let second = last.checked_shr(8 * (16 - r) as u32).unwrap_or(0);
    let national = (u128::from(second) << 64 | u128::from(first)).to_le_bytes();
    Found::Phone {
        national,
        len: r as u8,
        restored: false,
        span: (0, v.len()),
    }
}

/// `rest` after the trunk 0 in parentheses that some write between the country code and the
/// number (`+62 (0) 812…`, `+62(0)812…`): [`phone_separator`]'s `(0)` with at most one space
/// on each side, when an `8` follows it. A tenth of a phone column's values are written so,
/// and [`plain_phone`] reads them instead of the walk.
#[inline]
fn trunk_zero(rest: &[u8]) -> Option<&[u8]> {
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    let rest = rest.strip_prefix(b"(0)")?;
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    (rest.first() == Some(&b'8')).then_some(rest)
}

/// The end of [`plain_phone`] byte by byte: `rest` (from the national number's `8` to the
/// value's end) is digits with single separators (` `, `-`, `.`) between them, `seps` and
/// `dot` say what separators came before it.
fn phone_loop(v: &[u8], rest: &[u8], counted: usize, seps: u32, dot: bool) -> Option<Found> {
    let (mut seps, mut dot) = (seps, dot);
    let mut national = [0u8; 16];
    let (mut n, mut after_digit) = (0usize, false);
    for &b in rest {
        if b.is_ascii_digit() {
            // At most 14 national digits.
            *national[..14].get_mut(n)? = b;
            n += 1;
            after_digit = true;
        } else if after_digit && matches!(b, b' ' | b'-' | b'.') {
            after_digit = false;
            seps += 1;
            dot |= b == b'.';
        } else {
            return None;
        }
    }
    if !after_digit || n < 8 || counted + n > 15 || (seps == 1 && dot) {
        return None;
    }
    Some(Found::Phone {
        national,
        len: n as u8,
        restored: false,
        span: (0, v.len()),
    })
}

/// [`phone_loop`] for a `rest` of up to 16 bytes (nearly every phone field's grouped
/// phone) from masks of its digits and separators, its digit groups moved into place a
/// word each: the loop's byte tests and stores were two thirds of a phone field's
/// detection. `None` when a group is longer than a word (the loop decides then).
#[inline]
fn grouped_phone(
    v: &[u8],
    rest: &[u8],
    counted: usize,
    seps: u32,
    dot: bool,
) -> Option<Option<Found>> {
    let r = rest.len();
    debug_assert!((1..=16).contains(&r) && v.ends_with(rest));
    // The 16 bytes that end the value, `rest` in their top `r` (or `rest` alone, zeros
    // after it, in a shorter value).
    let (bytes, off) = match v.len().checked_sub(16) {
        Some(start) => (<[u8; 16]>::try_from(&v[start..]).expect("16 bytes"), 16 - r),
        None => (load_le(rest).to_le_bytes(), 0),
    };
    let (digits, separators, dots) = classify16_phone(Block::load(&bytes));
    let all = u32::MAX >> (32 - r);
    let (d, s) = (digits >> off & all, separators >> off & all);
    // Another byte, or a separator first, last or after another: refused by the loop as
    // soon as it meets it.
    if d | s != all || s & (s << 1 | 1) != 0 || s >> (r - 1) != 0 {
        return Some(None);
    }
    // Each group's digits shifted into place in a register, where the one before it ends,
    // the bytes past the digits zeros, as the loop leaves them. (Moved as words through
    // arrays in memory, each read waited for the overlapping stores before it: a store-
    // forwarding stall per phone, a fifth of `whole_phone`'s time, perf.)
    let src = u128::from_le_bytes(bytes) >> (8 * off);
    let mut out = 0u128;
    let (mut from, mut n, mut left, mut seps) = (0usize, 0usize, s, seps);
    loop {
        let end = if left == 0 {
            r
        } else {
            left.trailing_zeros() as usize
        };
        if end - from > 8 {
            return None;
        }
        // 1 to 8 digits (no group is empty: no separator is first, last or doubled).
        let group = (src >> (8 * from)) as u64 & u64::MAX >> (64 - 8 * (end - from));
        out |= u128::from(group) << (8 * n);
        n += end - from;
        if left == 0 {
            break;
        }
        seps += 1;
        from = end + 1;
        left &= left - 1;
    }
    let dot = dot || dots >> off & all != 0;
    // More digits than a national number has, too few, or a decimal number: refused by
    // the loop at its end.
    if !(8..=14).contains(&n) || counted + n > 15 || (seps == 1 && dot) {
        return Some(None);
    }
    Some(Some(Found::Phone {
        national: out.to_le_bytes(),
        len: n as u8,
        restored: false,
        span: (0, v.len()),
    }))
}

/// Bit masks of the digits, the phone separators (` `, `-`, `.`) and the dots in 16 bytes.
#[inline]
fn classify16_phone(block: Block) -> (u32, u32, u32) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is always available on x86-64; no memory is read.
        unsafe {
            let x = block.0;
            let shifted = _mm_sub_epi8(x, _mm_set1_epi8(b'0' as i8));
            let digit = _mm_cmpeq_epi8(_mm_min_epu8(shifted, _mm_set1_epi8(9)), shifted);
            let is = |c: u8| _mm_cmpeq_epi8(x, _mm_set1_epi8(c as i8));
            let dot = is(b'.');
            let sep = _mm_or_si128(_mm_or_si128(is(b' '), is(b'-')), dot);
            (
                _mm_movemask_epi8(digit) as u32,
                _mm_movemask_epi8(sep) as u32,
                _mm_movemask_epi8(dot) as u32,
            )
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let (mut digits, mut seps, mut dots) = (0u32, 0u32, 0u32);
        for (k, &b) in block.0.iter().enumerate() {
            digits |= u32::from(b.is_ascii_digit()) << k;
            seps |= u32::from(matches!(b, b' ' | b'-' | b'.')) << k;
            dots |= u32::from(b == b'.') << k;
        }
        (digits, seps, dots)
    }
}

/// Parses a phone starting at `i`: at its prefix (`+62`, `62`, `0`), or at a `(` around the
/// prefix or the first group (`(+62) 812…`, `(0812) 3456…`). Returns the national digits
/// and the end of the longest match that ends on a group boundary with 8–14 national
/// digits, before no letter and no joint ([`is_joint`]): so an over-long number gives no
/// phone from its head. Nor is a number whose one separator is a single dot a phone: that is
/// a decimal number (`628.8158797536`, `62.80911186165`). (A shorter match cannot stand
/// in for it: it would end right before that dot, a joint.)
fn phone_at(v: &[u8], i: usize) -> Option<([u8; 16], u8, usize)> {
    let found = phone_walk(v, i)?;
    // The bytes that are neither prefix nor national digits: the separators (and the
    // parentheses, when `i` is a `(` and the prefix does not read there). Most phones have
    // none or several, which says enough without reading them.
    let prefix = phone_prefix(v, i).map_or(0, |j| j - i);
    if found.2 - i - usize::from(found.1) - prefix == 1 && v[i..found.2].contains(&b'.') {
        return None;
    }
    Some(found)
}

/// [`phone_at`] but for decimal numbers. Inlined there, so that the found phone is not
/// copied out and back (a tenth of `phone_at`'s cost when it was not).
#[inline(always)]
fn phone_walk(v: &[u8], i: usize) -> Option<([u8; 16], u8, usize)> {
    // A `(` still waiting for its `)`.
    let mut open = v.get(i) == Some(&b'(');
    let mut j = phone_prefix(v, i + usize::from(open))?;
    if open && v.get(j) == Some(&b')') {
        j += 1;
        open = false;
    }
    if v.get(j) != Some(&b'8') {
        j = phone_separator(v, j)?;
        if v.get(j) != Some(&b'8') {
            return None;
        }
    }
    let mut national = [0u8; 16];
    let mut n = 0usize;
    let mut best = None;
    loop {
        while j < v.len() && v[j].is_ascii_digit() {
            if n == 14 {
                // Too long to be a phone at this boundary or any later one.
                return best;
            }
            national[n] = v[j];
            n += 1;
            j += 1;
        }
        if open {
            // The first group closes the parenthesis, or this is no phone in this form.
            if v.get(j) != Some(&b')') {
                return None;
            }
            j += 1;
            open = false;
            if v.get(j).is_some_and(u8::is_ascii_digit) {
                continue;
            }
        }
        if n >= 8 && !v.get(j).is_some_and(u8::is_ascii_alphabetic) && !is_joint(v, j) {
            best = Some((national, n as u8, j));
        }
        match phone_separator(v, j) {
            Some(k) if v.get(k).is_some_and(u8::is_ascii_digit) => j = k,
            _ => return best,
        }
    }
}

/// The end of the piece of a long value whose own part starts at `own` (see
/// [`Detector::piece`]): the first cut at least [`PIECE`] bytes on, the value's end when it
/// comes first, or a forced cut after [`PIECE_SEARCH`] more bytes.
fn next_cut(v: &[u8], own: usize, p: &Patterns) -> usize {
    cut_between(v, own + PIECE, PIECE_SEARCH, p)
}

/// The first cut at or after `from` and before `from + search`, else the value's end if it
/// comes by then, else `from + search`.
fn cut_between(v: &[u8], from: usize, search: usize, p: &Patterns) -> usize {
    if from >= v.len() {
        return v.len();
    }
    let limit = v.len().min(from.saturating_add(search));
    (from..limit).find(|&c| is_cut(v, c, p)).unwrap_or(limit)
}

/// Whether a value may be cut before `v[c]` without changing any candidate, any date read
/// in text, or anything detection reads around them (keywords aside, which pieces read in
/// their context): no candidate or date holds `v[c]` and what precedes it, and every test
/// made past a candidate's end fails on `v[c]` as it fails at the end of a value. That is:
/// - a byte no candidate or date holds, nor a phone's separators (`\t`, `,`, `;`, `:`, `"`,
///   `<`, `>`, `[`, `]`, line breaks): an e-mail's local part and domain stop there too
///   (not at `{`, `}`, `|` or `=`, which a local part holds, invalid);
/// - a space after a word that is not a month name (only `D MON YYYY` holds a letter and a
///   space; phones, NIKs and e-mails hold no letter and a space together);
/// - a space between two digit runs together at least 17 digits long and not both of four:
///   a phone spans at most 14 national digits and a spaced NIK four groups of four.
///
/// A double space is a cut too (a phone separator or a date holds one space at most).
fn is_cut(v: &[u8], c: usize, p: &Patterns) -> bool {
    match v[c] {
        b'\t' | b'\n' | b'\r' | b',' | b';' | b':' | b'"' | b'<' | b'>' | b'[' | b']' => true,
        b' ' if c > 0 => {
            let before = v[c - 1];
            if before == b' ' {
                true
            } else if before.is_ascii_alphabetic() {
                let word = v[..c]
                    .iter()
                    .rev()
                    .take(13)
                    .take_while(|b| b.is_ascii_alphabetic())
                    .count();
                word > 12 || p.month_of(&v[c - word..c]).is_none()
            } else if before.is_ascii_digit() && v.get(c + 1).is_some_and(u8::is_ascii_digit) {
                let a = v[..c]
                    .iter()
                    .rev()
                    .take(17)
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                let b = v[c + 1..]
                    .iter()
                    .take(17)
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                a + b >= 17 && !(a == 4 && b == 4)
            } else {
                false
            }
        }
        _ => false,
    }
}

/// Finds the nearest whole-word keyword (case-insensitive) that ends at most `window` bytes
/// before `pos`; returns its index in the lists `keywords` was made of, taken one after the
/// other.
fn keyword_before(v: &[u8], pos: usize, keywords: &Keywords, window: usize) -> Option<usize> {
    let (firsts, longest) = (keywords.firsts, keywords.longest);
    let lo = pos.saturating_sub(window);
    let from = lo.saturating_sub(longest);
    // The nearest so far: its end, and its index.
    let mut best: Option<(usize, usize)> = None;
    // A whole-word keyword starts at a word start: the window's word starts are read off a
    // mask of its word bytes (64 at a time), and of those only the ones whose letter starts
    // a keyword are compared (a loop over the window's bytes, classifying each, was most of
    // this search's cost).
    let mut after_word = u64::from(from > 0 && is_word(v[from - 1]));
    let mut base = from;
    while base < pos {
        let (word, _) = fold64(v, base, classify16_word);
        let span = (pos - base).min(64);
        let mut starts = word & !(word << 1 | after_word) & (u64::MAX >> (64 - span));
        after_word = word >> 63;
        while starts != 0 {
            let s = base + starts.trailing_zeros() as usize;
            starts &= starts - 1;
            let c = v[s].to_ascii_lowercase();
            if firsts >> (c & 63) & 1 == 0 {
                continue;
            }
            for (kw, k) in &keywords.words {
                let e = s + kw.len();
                if kw[0] == c
                    && e <= pos
                    && e >= lo
                    && v[s..e].eq_ignore_ascii_case(kw)
                    && (e == v.len() || !is_word(v[e]))
                    && best.is_none_or(|(be, _)| e > be)
                {
                    best = Some((e, *k));
                }
            }
        }
        base += 64;
    }
    best.map(|(_, k)| k)
}

/// Byte classes for e-mail candidates, one table lookup per byte: what ends a local part
/// walking back from its `@` (SPEC §5: white space, a line break, one of `<>()[],;:"`), what
/// a domain may hold, and the bytes of other characters (among which Unicode's spaces).
const STOP: u8 = 1;
const DOMAIN: u8 = 2;
const WIDE: u8 = 4;
const EMAIL_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'.' || c == b'_' || c == b'-' {
            t[b] = DOMAIN;
        } else if c.is_ascii_whitespace() || c == 0x0B {
            t[b] = STOP;
        } else if c >= 0x80 {
            t[b] = WIDE;
        }
        b += 1;
    }
    let mut k = 0;
    let stops = b"<>()[],;:\"";
    while k < stops.len() {
        t[stops[k] as usize] = STOP;
        k += 1;
    }
    t
};

#[inline]
fn is_domain(b: u8) -> bool {
    EMAIL_CLASS[b as usize] & DOMAIN != 0
}

/// Where the local part of the `@` at `at` starts, walking back no further than `floor`:
/// right after the last stop before it (SPEC §5), or at `floor`. One table test per byte;
/// a byte of a wider character stops the walk only when it ends a Unicode space.
#[inline]
fn local_start(v: &[u8], floor: usize, at: usize) -> usize {
    let mut end = at;
    loop {
        let Some(k) = v[floor..end]
            .iter()
            .rposition(|&b| EMAIL_CLASS[b as usize] & (STOP | WIDE) != 0)
        else {
            return floor;
        };
        let i = floor + k;
        if EMAIL_CLASS[v[i] as usize] & STOP != 0 || ends_in_unicode_space(&v[..=i]) {
            return i + 1;
        }
        end = i;
    }
}

/// Whether `b` ends with one of Unicode's white spaces beyond ASCII, in UTF-8: U+0085,
/// U+00A0 (common in text from web pages), U+1680, U+2000–U+200A, U+2028, U+2029, U+202F,
/// U+205F, U+3000.
#[inline(never)]
fn ends_in_unicode_space(b: &[u8]) -> bool {
    matches!(
        b,
        [.., 0xC2, 0x85 | 0xA0]
            | [.., 0xE1, 0x9A, 0x80]
            | [.., 0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF]
            | [.., 0xE2, 0x81, 0x9F]
            | [.., 0xE3, 0x80, 0x80]
    )
}

/// E-mail candidates: `local@domain.tld` where the domain holds a dot with something after it.
/// `ats` are the `@` positions when `v` fits in one 64-byte mask; longer values search.
fn email_candidates(v: &[u8], ats: Option<u64>, out: &mut Vec<Found>) {
    // Most values with an `@` are one address, often all of the value: read from masks,
    // without the walk's state for several.
    if let Some(m) = ats.filter(|m| m.is_power_of_two()) {
        let earlier = out.len();
        return email_alone(v, m.trailing_zeros() as usize, out, earlier);
    }
    let mut w = EmailWalk {
        earlier: out.len(),
        prev: None,
        taken: 0,
    };
    match ats {
        Some(mut m) => {
            while m != 0 {
                email_at(v, m.trailing_zeros() as usize, &mut w, out);
                m &= m - 1;
            }
        }
        None => {
            for at in memchr::memchr_iter(b'@', v) {
                email_at(v, at, &mut w, out);
            }
        }
    }
}

/// [`email_at`] for the only `@` of a value of at most 64 bytes, from the masks of its
/// domain bytes and dots ([`classify16_domain`]) rather than a table test per byte: a
/// local part of domain bytes alone holds no stop and no wider character, so it starts at
/// the value's start; any other is walked back as [`email_at`] does.
#[inline]
fn email_alone(v: &[u8], at: usize, out: &mut Vec<Found>, earlier: usize) {
    debug_assert!(v.len() <= 64 && at < v.len());
    if at + 1 == v.len() {
        return;
    }
    let (domain, dots) = fold64(v, 0, classify16_domain);
    let below = (1u64 << at) - 1;
    let s = if domain & below == below {
        0
    } else {
        local_start(v, 0, at)
    };
    // The domain runs to the first byte after the `@` that is none of its bytes (bytes past
    // the end are none); a sentence may end right after it.
    let mut e = (at + 1 + (!domain >> (at + 1)).trailing_zeros() as usize).min(v.len());
    while e > at + 1 && dots >> (e - 1) & 1 == 1 {
        e -= 1;
    }
    let inside = ((1u64 << (e - at - 1)) - 1) << (at + 1);
    if s == at || dots & inside == 0 {
        return;
    }
    if !inside_any(&out[..earlier], (s, e)) {
        out.push(Found::Email { span: (s, e), at });
    }
}

/// What the e-mail search of one value carries from one `@` to the next, in order.
struct EmailWalk {
    /// The candidates of other kinds end at `out[earlier]`.
    earlier: usize,
    /// The previous `@` and where its local part starts: a local part may run back through
    /// an `@` (no stop), and then starts where that one's does, so no byte is walked twice.
    prev: Option<(usize, usize)>,
    /// Where the last e-mail candidate ends: spans do not overlap.
    taken: usize,
}

/// The e-mail candidate around the `@` at `at`. Its local part spans every byte back to a
/// stop ([`local_start`]) or the value's start (SPEC §5), so `o'brien@c.com` is one
/// (invalid) candidate and never the valid `brien@c.com`. None when it lies inside one of
/// the candidates of other kinds, or reaches back into the previous address.
#[inline]
fn email_at(v: &[u8], at: usize, w: &mut EmailWalk, out: &mut Vec<Found>) {
    let floor = w.prev.map_or(0, |(a, _)| a + 1);
    let mut s = local_start(v, floor, at);
    if let Some((a, start)) = w.prev {
        // Walked back to the previous `@`, which is no stop: on through its local part.
        if s == a + 1 {
            s = start;
        }
    }
    w.prev = Some((at, s));
    let mut e = at + 1;
    while e < v.len() && is_domain(v[e]) {
        e += 1;
    }
    // A sentence may end right after an address.
    while e > at + 1 && v[e - 1] == b'.' {
        e -= 1;
    }
    let domain = &v[at + 1..e];
    // Domains are short: a plain loop beats a call into `memrchr`.
    let Some(dot) = domain.iter().rposition(|&b| b == b'.') else {
        return;
    };
    if s == at || dot + 1 == domain.len() || s < w.taken {
        return;
    }
    if !inside_any(&out[..w.earlier], (s, e)) {
        out.push(Found::Email { span: (s, e), at });
        w.taken = e;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::pats;
    use crate::testing::xorshift;

    /// [`keyword_before`] as first written: every position of the window, every keyword.
    fn keyword_before_by_every_start(
        v: &[u8],
        pos: usize,
        lists: &[&[String]],
        window: usize,
    ) -> Option<usize> {
        let longest = lists.iter().flat_map(|l| l.iter()).map(String::len).max();
        let lo = pos.saturating_sub(window);
        let mut best: Option<(usize, usize)> = None;
        for s in lo.saturating_sub(longest.unwrap_or(0))..pos {
            if !is_word(v[s]) || (s > 0 && is_word(v[s - 1])) {
                continue;
            }
            let mut first = 0;
            for list in lists {
                for (k, kw) in list.iter().enumerate() {
                    let e = s + kw.len();
                    if e <= pos
                        && e >= lo
                        && v[s..e].eq_ignore_ascii_case(kw.as_bytes())
                        && (e == v.len() || !is_word(v[e]))
                        && best.is_none_or(|(be, _)| e > be)
                    {
                        best = Some((e, first + k));
                    }
                }
                first += list.len();
            }
        }
        best.map(|(_, k)| k)
    }

    #[test]
    fn word_masks_hold_the_word_bytes() {
        for b in 0..=255u8 {
            for at in 0..16 {
                let mut block = [b'-'; 16];
                block[at] = b;
                let (word, _) = classify16_word(Block::load(&block));
                assert_eq!(word, u32::from(is_word(b)) << at, "{b:#x} at {at}");
            }
        }
    }

    #[test]
    fn keyword_search_finds_what_a_search_from_every_start_finds() {
        let p = pats();
        let lists: [&[String]; 2] = [&p.kk_keywords, &p.nik_keywords];
        let keywords = Keywords::of(&lists);
        // Keyword pieces, their letters in other cases and places, word characters and
        // separators next to them; a `+` whose low six bits are a letter's (`k` is 0x6B,
        // `+` 0x2B) passes the first-letter filter and must still be refused.
        let pieces: [&[u8]; 14] = [
            b"kk",
            b"KK",
            b"kartu keluarga",
            b"Kartu Keluarga",
            b"nik",
            b"NIK",
            b"ktp",
            b"k",
            b"+",
            b" ",
            b"_",
            b"9",
            b":",
            b"x",
        ];
        let mut x = 0x5eed_0b1c_4e57_0001u64;
        let mut found = 0;
        for _ in 0..100_000 {
            let mut v = Vec::new();
            for _ in 0..xorshift(&mut x) % 24 {
                v.extend_from_slice(pieces[(xorshift(&mut x) % pieces.len() as u64) as usize]);
            }
            if v.is_empty() {
                continue;
            }
            let pos = (xorshift(&mut x) % (v.len() as u64 + 1)) as usize;
            let window = (xorshift(&mut x) % 100) as usize;
            let want = keyword_before_by_every_start(&v, pos, &lists, window);
            assert_eq!(
                keyword_before(&v, pos, &keywords, window),
                want,
                "{:?} at {pos}, window {window}",
                String::from_utf8_lossy(&v)
            );
            found += usize::from(want.is_some());
        }
        assert!(found > 5_000, "{found}");
    }

    fn run(v: &str, role: Role) -> Vec<Found> {
        let mut out = Vec::new();
        Detector::new(pats()).detect(v.as_bytes(), role, &mut out);
        out
    }

    fn kinds(v: &str, role: Role) -> Vec<(Kind, String)> {
        run(v, role)
            .into_iter()
            .filter_map(|f| {
                let (s, e) = f.span();
                f.kind().map(|k| (k, v[s..e].to_string()))
            })
            .collect()
    }

    fn phones(v: &str) -> Vec<String> {
        run(v, Role::Unnamed)
            .iter()
            .filter_map(|f| {
                f.national()
                    .map(|n| String::from_utf8_lossy(n).into_owned())
            })
            .collect()
    }

    /// Values built from the pieces candidates are made of, so that the rare shapes (spaced
    /// NIKs, 13-digit runs, `+62 (0) 8`) come up often.
    fn shaped_value(x: &mut u64) -> Vec<u8> {
        const PIECES: [&[u8]; 20] = [
            b" ", b"-", b".", b"(0)", b" (0) ", b"+", b"@", b"a", b"KK ", b"kartu ", b"x.co",
            b"62", b"0", b"8", b"/", b"\"", b"(", b")", b" - ", b"'",
        ];
        let len = 6 + (xorshift(x) % 123) as usize;
        let mut v = Vec::new();
        while v.len() < len {
            let r = xorshift(x);
            if r.is_multiple_of(3) {
                v.extend_from_slice(PIECES[(r >> 8) as usize % PIECES.len()]);
            } else {
                let run =
                    [1, 2, 3, 4, 4, 4, 5, 8, 9, 12, 13, 13, 16, 16, 17][(r >> 8) as usize % 15];
                for _ in 0..run {
                    v.push(b"0123456789888"[(xorshift(x) % 13) as usize]);
                }
            }
        }
        v.truncate(len);
        v
    }

    #[test]
    fn the_shape_filter_never_drops_a_candidate() {
        let mut d = Detector::new(pats());
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let (mut kept, mut dropped) = (0, 0);
        for _ in 0..200_000 {
            let v = shaped_value(&mut x);
            let mut runs = Vec::new();
            let (has_at, digits) = digit_runs(&v, &mut runs);
            d.runs = runs;
            let mut out = Vec::new();
            d.candidates(&v, Role::Unnamed, digits >= 8, has_at, None, &mut out);
            if may_hold_candidate(&v) {
                kept += usize::from(!out.is_empty());
            } else {
                assert!(out.is_empty(), "{:?}: {out:?}", String::from_utf8_lossy(&v));
                dropped += 1;
            }
        }
        // Both sides are exercised: the filter drops values, and lets candidates through.
        assert!(
            dropped > 5_000 && kept > 5_000,
            "{dropped} dropped, {kept} kept"
        );
    }

    #[test]
    fn the_shape_filter_keeps_every_shape_at_every_offset() {
        // Offsets cross the 16-byte blocks and the two 64-bit halves of the masks.
        for shape in [
            "081234567890",
            "6281234567890",
            "+62 812 3456 7890",
            "0 (0) 812-3456-789",
            "3171 0141 0190 0001",
            "3171-0141-0190-0001",
            "3171.0141.0190.0001",
            "3171014101900001",
            "kartu 0001234567890",
            "ab@cd.co",
            "(+62) 812 3456 7890",
            "(0812)3456 7890",
            "0812 - 3456 - 789",
            "+620812345678",
            "0-8-1234-5678",
            "(08)1234 5678",
            "0 8(0)1234 5678",
        ] {
            for right in [0, 1, 7, 15] {
                for left in 0..=128 - shape.len() - right {
                    let v = format!("{}{shape}{}", " ".repeat(left), ",".repeat(right));
                    let found = run(&v, Role::Unnamed);
                    assert!(
                        !found.is_empty() && may_hold_candidate(v.as_bytes()),
                        "{v:?}"
                    );
                }
            }
        }
    }

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn the_avx2_shape_filter_reads_as_the_16_byte_one() {
        if !std::is_x86_feature_detected!("avx2") {
            return;
        }
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        // Bytes the filter tells apart, so that every shape turns up at every offset.
        let alphabet = b"0128 -.(a)xyzwvubcdefghijk";
        let (mut held, mut none) = (0, 0);
        for round in 0..20_000 {
            let len = 32 + (xorshift(&mut x) % 97) as usize;
            let mut v: Vec<u8> = (0..len)
                .map(|_| alphabet[(xorshift(&mut x) % alphabet.len() as u64) as usize])
                .collect();
            if round % 16 == 0 {
                v[(xorshift(&mut x) % len as u64) as usize] = b'@';
            }
            // SAFETY: AVX2 was tested above; `v` holds 32 to 128 bytes.
            let wide = unsafe { may_hold_candidate_avx2(&v) };
            assert_eq!(
                wide,
                may_hold_candidate_16(&v),
                "{}",
                String::from_utf8_lossy(&v)
            );
            if wide {
                held += 1;
            } else {
                none += 1;
            }
        }
        // Both answers were asked for, many times.
        assert!(held > 1_000 && none > 1_000, "{held} {none}");
    }

    #[test]
    fn eight_digits_are_counted_through_phone_bytes_alone() {
        for (v, want) in [
            ("81234567", true),
            ("812 3456-7.8", true),
            ("8)12(0)34567", true),
            ("8123456", false),
            ("85 RT 014 RW 006", false),
            ("8123/45678", false),
            ("812345a678", false),
        ] {
            assert_eq!(phone_bytes_hold_eight_digits(v.as_bytes()), want, "{v}");
        }
    }

    #[test]
    fn an_address_whose_eights_start_no_phone_is_not_walked() {
        // Every `8` follows a `0`, a `2` or a space, as a national number's first digit does,
        // but none goes on as one: a comma, a `/`, the value's end, or too few digits after.
        for v in [
            "Jl. Pahlawan No. 128, RT 007/RW 002, Kel. Cempaka Putih, Kec. Panakkukang, Makassar 13323",
            "Jl. Melati No. 8, RT 008/RW 012, Kel. Gambir, Kec. Gambir, Jakarta Pusat 10110 blok 28",
            "Jl. Kenanga No. 12, RT 001/RW 003, Kel. Sukajadi, Kec. Sukajadi, Bandung 40162, 81 22",
            // Eight digits and more after the `8`, but a letter comes before the eighth.
            "Jl. Thamrin No. 88, RT 019/RW 004, Kel. Sukajadi, Kec. Sukamaju, Balikpapan",
            "JL. FLAMBOYAN NO. 85 RT 014 RW 006 ABEPURA KOTA JAYAPURA PAPUA 99351",
        ] {
            assert!(v.len() > 64, "{v}");
            assert!(!may_hold_candidate(v.as_bytes()), "{v}");
            assert!(run(v, Role::Other).is_empty(), "{v}");
        }
    }

    #[test]
    fn simd_digit_runs_match_the_scalar_ones() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let alphabet = b"0123456789@ a-.9";
        for len in 0..200 {
            for _ in 0..200 {
                let v: Vec<u8> = (0..len)
                    .map(|_| alphabet[(xorshift(&mut x) % alphabet.len() as u64) as usize])
                    .collect();
                let (mut a, mut b) = (Vec::new(), Vec::new());
                let (at_a, _) = digit_runs(&v, &mut a);
                let at_b = digit_runs_scalar(&v, &mut b);
                assert_eq!((a, at_a), (b, at_b), "{:?}", String::from_utf8_lossy(&v));
            }
        }
    }

    #[test]
    fn all_digits_by_words_matches_the_byte_test() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let alphabet = b"0123456789/:9 \x00\xb9\x39";
        for len in 8..=16 {
            for _ in 0..5000 {
                let v: Vec<u8> = (0..len)
                    .map(|_| {
                        let x = xorshift(&mut x);
                        // Mostly digits, so that all-digit values come up often.
                        if x % 16 < 14 {
                            b'0' + (x % 10) as u8
                        } else {
                            alphabet[(x % alphabet.len() as u64) as usize]
                        }
                    })
                    .collect();
                assert_eq!(
                    all_digits_8_to_16(&v),
                    v.iter().all(u8::is_ascii_digit),
                    "{v:?}"
                );
            }
        }
    }

    #[test]
    fn sixteen_digit_runs() {
        assert_eq!(
            kinds("x3171014101900001y", Role::Unnamed),
            vec![(Kind::Nik, "3171014101900001".into())]
        );
        assert!(kinds("31710141019000011", Role::Unnamed).is_empty());
        assert_eq!(
            kinds("NIK 3171 0141 0190 0001.", Role::Unnamed),
            vec![(Kind::Nik, "3171 0141 0190 0001".into())]
        );
        // Two spaces do not join groups.
        assert!(kinds("3171  0141 0190 0001", Role::Unnamed)
            .iter()
            .all(|(k, _)| *k == Kind::Phone));
        // Tabs never join values.
        assert!(kinds("3171\t0141\t0190\t0001", Role::Unnamed).is_empty());
    }

    #[test]
    fn nik_field_values_read_the_same_by_either_path() {
        for (v, want) in [
            ("3171014101900001", Some("3171014101900001")),
            ("'3502181502875060", Some("3502181502875060")),
            (" '3320031805840251 ", Some("3320031805840251")),
            ("'3171 0141 0190 0002", Some("3171014101900002")),
            ("3171.0141.0190-0003", Some("3171014101900003")),
            ("'317101410190001", None),
            ("'31710141019000012", None),
            ("''3171014101900001", None),
            ("'317101410190000a", None),
            ("'3171014101900001'", None),
        ] {
            let want = want.map(|w| <[u8; 16]>::try_from(w.as_bytes()).unwrap());
            assert_eq!(nik_field_value(v.as_bytes()), want, "{v}");
            assert_eq!(nik_field_value_fast(v.as_bytes()), want, "{v}");
        }
        // The grouped forms' shortcuts against the rule: sixteen digits, and only spaces,
        // dots and hyphens besides, on values of 18, 19 and 20 bytes whose joints mostly sit
        // between the groups of one of the shortcuts' layouts.
        let mut x = 0x1357_9bdf_2468_ace0u64;
        let (mut read, alphabet) = (0, b"0123456789 -.a/");
        let layouts: [&[usize]; 3] = [&[4, 9, 14], &[2, 5, 8, 15], &[6, 13]];
        for k in 0..150_000 {
            let joints = layouts[k % 3];
            let v: Vec<u8> = (0..16 + joints.len())
                .map(|i| {
                    let r = xorshift(&mut x);
                    if joints.contains(&i) && !r.is_multiple_of(8) {
                        b" -."[(r >> 8) as usize % 3]
                    } else if r.is_multiple_of(16) {
                        alphabet[(r >> 8) as usize % alphabet.len()]
                    } else {
                        b'0' + (r >> 8) as u8 % 10
                    }
                })
                .collect();
            let digits: Vec<u8> = v.iter().copied().filter(u8::is_ascii_digit).collect();
            let ok =
                digits.len() == 16 && v.iter().all(|b| b.is_ascii_digit() || b" -.".contains(b));
            let want = ok.then(|| <[u8; 16]>::try_from(digits.as_slice()).unwrap());
            assert_eq!(
                nik_field_value(&v),
                want,
                "{:?}",
                String::from_utf8_lossy(&v)
            );
            assert_eq!(nik_field_value_fast(&v), want);
            read += usize::from(ok);
        }
        assert!(read > 30_000, "{read}");
    }

    #[test]
    fn nik_layouts_read_as_the_general_reading_does() {
        // Values of 14 to 22 bytes around a NIK's layouts: a `'` or white space before or
        // after, separators anywhere, a stray byte now and then.
        let mut x = 0x2468_ace0_1357_9bdfu64;
        let (mut read, mut fast) = (0, 0);
        let layouts: [&[usize]; 5] = [&[], &[7], &[6, 13], &[4, 9, 14], &[2, 5, 8, 15]];
        for k in 0..200_000 {
            let joints = layouts[k % 5];
            let r = xorshift(&mut x);
            let len = (16 + joints.len() + (r % 5) as usize).saturating_sub(2);
            let mut v: Vec<u8> = (0..len)
                .map(|i| {
                    let r = xorshift(&mut x);
                    if joints.contains(&i) && !r.is_multiple_of(8) {
                        b" -."[(r >> 8) as usize % 3]
                    } else if r.is_multiple_of(24) {
                        b" -.'a\t/"[(r >> 8) as usize % 7]
                    } else {
                        b'0' + (r >> 8) as u8 % 10
                    }
                })
                .collect();
            if r >> 8 & 3 == 0 {
                v.insert(0, b'\'');
            }
            if r >> 10 & 7 == 0 {
                v.insert(0, b' ');
            }
            if r >> 13 & 7 == 0 {
                v.push(b'\n');
            }
            let want = nik_field_value(&v);
            assert_eq!(
                nik_field_value_fast(&v),
                want,
                "{:?}",
                String::from_utf8_lossy(&v)
            );
            read += usize::from(want.is_some());
            #[cfg(target_arch = "x86_64")]
            if std::is_x86_feature_detected!("ssse3") {
                // SAFETY: the CPU has SSSE3, as just tested.
                fast += usize::from(unsafe { nik_layout_ssse3(&v) }.is_some());
            }
        }
        assert!(read > 20_000, "{read}");
        #[cfg(target_arch = "x86_64")]
        assert!(fast > 10_000, "{fast}");
    }

    #[test]
    fn nik_field_normalization_and_damage() {
        assert_eq!(kinds("'3171-0141-0190-0001", Role::Nik)[0].0, Kind::Nik);
        assert_eq!(kinds(" 3171.0141.0190.0001 ", Role::Nik).len(), 1);
        assert_eq!(run("3.17101E+15", Role::Nik), vec![Found::Damaged]);
        assert_eq!(run("3,1710141019E15", Role::Nik), vec![Found::Damaged]);
        assert_eq!(run("3E15", Role::Nik), vec![Found::Damaged]);
        assert!(!is_excel_damaged(b"3.171014101900001E+15"));
        assert!(!is_excel_damaged(b"3.17101E+16"));
        // Outside a NIK field the damaged shape is just text.
        assert!(run("3.17101E+15", Role::Other).is_empty());
    }

    #[test]
    fn kk_by_field_and_keyword() {
        assert_eq!(kinds("3171010501150003", Role::Kk)[0].0, Kind::Kk);
        assert_eq!(kinds("No KK: 3171010501150003", Role::Other)[0].0, Kind::Kk);
        assert_eq!(
            kinds("Kartu Keluarga 3171010501150003", Role::Unnamed)[0].0,
            Kind::Kk
        );
        // The nearest keyword wins.
        assert_eq!(
            kinds("KK / NIK 3171010501150003", Role::Unnamed)[0].0,
            Kind::Nik
        );
        assert_eq!(
            kinds("NIK, KK 3171010501150003", Role::Unnamed)[0].0,
            Kind::Kk
        );
        // Whole words only.
        assert_eq!(
            kinds("NOKK 3171010501150003", Role::Unnamed)[0].0,
            Kind::Nik
        );
        // Ending more than 32 bytes before: too far.
        let far = format!("KK{}3171010501150003", " ".repeat(33));
        assert_eq!(kinds(&far, Role::Unnamed)[0].0, Kind::Nik);
        let near = format!("KK{}3171010501150003", " ".repeat(32));
        assert_eq!(kinds(&near, Role::Unnamed)[0].0, Kind::Kk);
    }

    #[test]
    fn card_values_read_alike_with_or_without_the_thirteen_digit_path() {
        let d = Detector::new(pats());
        let mut x = 0x5EED_CA4D_u64;
        for _ in 0..20_000 {
            let len = 6 + (xorshift(&mut x) % 12) as usize;
            // Mostly digits (a sixth of the values of 13 bytes are all digits), some
            // spaces, letters, dots and wider bytes.
            let v: Vec<u8> = (0..len)
                .map(|_| match xorshift(&mut x) % 40 {
                    0 => b' ',
                    1 => b'\t',
                    2 => b'a',
                    3 => b'.',
                    4 => 0xC2,
                    k => b'0' + (k % 10) as u8,
                })
                .collect();
            assert_eq!(d.whole_card(&v), card_trimmed(&v), "{v:?}");
        }
        for v in [
            &b"0001234567890"[..],
            b"000123456789O",
            b" 001234567890",
            b"1234567890123",
        ] {
            assert_eq!(d.whole_card(v), card_trimmed(v), "{v:?}");
        }
    }

    #[test]
    fn cards() {
        let f = run("123456789012", Role::BpjsCard);
        assert!(
            matches!(f[0], Found::Card { restored: true, number, .. } if &Found::card_digits(number) == b"0123456789012")
        );
        assert!(run("123456789", Role::BpjsCard).is_empty());
        // The number is the digits' value, whatever their count and the space around them.
        let mut x = 0x5EED_CA4D_0000_0013u64;
        for _ in 0..20_000 {
            let len = 10 + (xorshift(&mut x) % 4) as usize;
            let digits = format!("{:013}", xorshift(&mut x) % 10u64.pow(13));
            let digits = &digits[13 - len..];
            let pad = " ".repeat((xorshift(&mut x) % 3) as usize);
            let v = format!("{pad}{digits}{pad}");
            let want = format!("{digits:0>13}");
            let d = Detector::new(pats());
            let Some(Found::Card { number, .. }) = d.whole_card(v.as_bytes()) else {
                panic!("{v:?}");
            };
            assert_eq!(&Found::card_digits(number), want.as_bytes(), "{v:?}");
        }
        assert_eq!(
            kinds("No. Kartu BPJS: 0001234567890", Role::Other),
            vec![(Kind::BpjsCard, "0001234567890".into())]
        );
        assert!(kinds("0001234567890", Role::Other).is_empty());
        assert!(kinds("kartunya 0001234567890", Role::Other).is_empty());
        // A phone-shaped run inside a card span is not a phone.
        assert_eq!(
            kinds("kis 0812345678901", Role::Other),
            vec![(Kind::BpjsCard, "0812345678901".into())]
        );
    }

    #[test]
    fn phone_forms() {
        assert_eq!(phones("+62 812-3456-7890"), vec!["81234567890"]);
        assert_eq!(phones("0812 3456 7890"), vec!["81234567890"]);
        assert_eq!(phones("+62 (0)812 3456 7890"), vec!["81234567890"]);
        assert_eq!(phones("+62(0) 812.3456.7890"), vec!["81234567890"]);
        assert_eq!(phones("62812345678"), vec!["812345678"]);
        assert_eq!(phones("tel:081234567890,"), vec!["81234567890"]);
        // Too short, touching a letter or digit, too long.
        assert!(phones("0812345").is_empty());
        assert!(phones("a081234567890").is_empty());
        assert!(phones("081234567890b").is_empty());
        assert!(phones("1081234567890").is_empty());
        assert!(phones("0812345678901234567").is_empty());
        // Non-mobile shapes are still candidates (invalid later).
        assert_eq!(phones("080012345678"), vec!["80012345678"]);
        // The longest match ending on a group boundary.
        assert_eq!(phones("0812-3456-7890 12345"), vec!["81234567890"]);
        // Two phones in one value.
        assert_eq!(
            phones("0812345678 / +6285712345678"),
            vec!["812345678", "85712345678"]
        );
    }

    #[test]
    fn emails() {
        assert_eq!(
            kinds("mail: Budi.S@Gmail.com.", Role::Other),
            vec![(Kind::Email, "Budi.S@Gmail.com".into())]
        );
        assert_eq!(kinds("a..b@x.com", Role::Other).len(), 1);
        assert!(kinds("budi@gmail", Role::Other).is_empty());
        assert!(kinds("@gmail.com", Role::Other).is_empty());
        // A phone used as a local part is both a phone and an e-mail.
        let k = kinds("6281234567890@s.whatsapp.net", Role::Other);
        assert_eq!(k.len(), 2);
    }

    #[test]
    fn a_lone_at_read_from_masks_finds_what_the_byte_walk_finds() {
        // Every byte class the walk tells apart: domain bytes, dots, stops, a wider
        // character (and a Unicode space), bytes of no class, the `@`.
        const PARTS: [&[u8]; 12] = [
            b"a",
            b"Z",
            b"7",
            b".",
            b"-",
            b"_",
            b"@",
            b" ",
            b"<",
            b"+",
            "\u{a0}".as_bytes(),
            b"\xC3",
        ];
        let mut x = 0x5EED_u64;
        let mut checked = 0;
        for _ in 0..200_000 {
            let mut v = Vec::new();
            let len = (xorshift(&mut x) % 40) as usize;
            while v.len() < len {
                v.extend_from_slice(PARTS[(xorshift(&mut x) % 12) as usize]);
            }
            v.truncate(64);
            let ats = masks64(&v, 0).1;
            if !ats.is_power_of_two() {
                continue;
            }
            checked += 1;
            let (mut fast, mut walked) = (Vec::new(), Vec::new());
            email_candidates(&v, Some(ats), &mut fast);
            email_candidates(&v, None, &mut walked);
            assert_eq!(fast, walked, "{:?}", String::from_utf8_lossy(&v));
        }
        assert!(checked > 10_000, "{checked} values with one `@`");
        for v in [
            "budi@gmail.com",
            "x budi@gmail.com.",
            "a@b.",
            "a@.c",
            "@b.co",
            "a@b.co ",
            "o'b@c.com",
        ] {
            let ats = masks64(v.as_bytes(), 0).1;
            let (mut fast, mut walked) = (Vec::new(), Vec::new());
            email_candidates(v.as_bytes(), Some(ats), &mut fast);
            email_candidates(v.as_bytes(), None, &mut walked);
            assert_eq!(fast, walked, "{v}");
        }
    }

    #[test]
    fn sixteen_digit_values_read_as_the_runs_would() {
        let mut x = 0x1234_5678_9abc_def1u64;
        let detector = Detector::new(pats());
        let keywords = detector.keywords();
        for n in 0..3000 {
            let mut v: Vec<u8> = (0..16)
                .map(|_| b'0' + (xorshift(&mut x) % 10) as u8)
                .collect();
            // Phone-shaped starts too, whose phone lies inside the sixteen digits.
            match n % 3 {
                0 => v[..3].copy_from_slice(b"081"),
                1 => v[..3].copy_from_slice(b"628"),
                _ => {}
            }
            for role in [
                Role::Nik,
                Role::Kk,
                Role::Other,
                Role::Unnamed,
                Role::BpjsCard,
                Role::Phone,
            ] {
                let mut runs = Vec::new();
                digit_runs(&v, &mut runs);
                let mut want = Vec::new();
                digit_candidates(&v, role, pats(), keywords, &runs, &mut want);
                let shown = String::from_utf8_lossy(&v).into_owned();
                assert_eq!(run(&shown, role), want, "{shown} {role:?}");
            }
        }
    }

    /// What the candidate walk alone finds in `v`: the digit runs, then every candidate
    /// rule, without any of `detect`'s shortcuts.
    fn walked(d: &mut Detector, v: &[u8], role: Role) -> Vec<Found> {
        let mut runs = Vec::new();
        let (has_at, digits) = digit_runs(v, &mut runs);
        d.runs = runs;
        let mut out = Vec::new();
        if digits >= 8 || has_at {
            d.candidates(v, role, digits >= 8, has_at, None, &mut out);
        }
        out
    }

    /// A phone field's value: mostly a phone in one of its written forms, sometimes with
    /// more digits than a phone holds, four groups of four, or something after it.
    fn phone_shaped(x: &mut u64) -> Vec<u8> {
        const PREFIX: [&[u8]; 15] = [
            b"+62(0)",
            b"62 (0)",
            b"+62 (0)8",
            b"0",
            b"62",
            b"+62",
            b"+62 ",
            b"0 ",
            b"0(0)",
            b"+62 (0) ",
            b"6",
            b"+6",
            b"(+62) ",
            b"(0",
            b"+620",
        ];
        const SEP: [&[u8]; 10] = [
            b"", b" ", b"-", b".", b" (0) ", b"(0)", b"  ", b"/", b" - ", b") ",
        ];
        const TAIL: [&[u8]; 6] = [b" ", b"a", b"@x.co", b"0", b"x", b"."];
        let mut v = PREFIX[(xorshift(x) % 15) as usize].to_vec();
        if xorshift(x).is_multiple_of(8) {
            // Four groups of four: a NIK or KK written in groups, and never a phone.
            v = b"62".to_vec();
            for g in 0..4 {
                if g > 0 {
                    v.push(b' ');
                }
                let n = if g == 0 { 2 } else { 4 };
                for _ in 0..n {
                    v.push(b'0' + (xorshift(x) % 10) as u8);
                }
            }
            return v;
        }
        for g in 0..2 + xorshift(x) % 3 {
            if g > 0 {
                v.extend_from_slice(SEP[(xorshift(x) % 10) as usize]);
            }
            for k in 0..2 + xorshift(x) % 5 {
                let b = if g == 0 && k == 0 && !xorshift(x).is_multiple_of(5) {
                    b'8'
                } else {
                    b'0' + (xorshift(x) % 10) as u8
                };
                v.push(b);
            }
        }
        if xorshift(x).is_multiple_of(6) {
            v.extend_from_slice(TAIL[(xorshift(x) % 6) as usize]);
        }
        v
    }

    #[test]
    fn short_values_read_as_the_candidate_walk_would() {
        // `detect` takes a phone field's whole-phone value, and an `@` with fewer than eight
        // digits, without the runs and the walk: both must find what the walk finds (or, in a
        // phone field, the restored phone).
        let mut d = Detector::new(pats());
        assert!(d.whole_phones());
        let mut x = 0x51f1_5eed_0bad_cafeu64;
        let (mut whole, mut other) = (0, 0);
        for n in 0..100_000 {
            let v = if n % 4 == 3 {
                shaped_value(&mut x)
            } else {
                phone_shaped(&mut x)
            };
            for role in [Role::Phone, Role::Email, Role::Other, Role::Unnamed] {
                let mut got = Vec::new();
                d.detect(&v, role, &mut got);
                // A phone field's digits that lost their leading 0 are read whole.
                let restored = (role == Role::Phone).then(|| d.restored_phone(&v));
                let want = match restored.flatten() {
                    Some(f) => vec![f],
                    None => walked(&mut d, &v, role),
                };
                assert_eq!(got, want, "{:?} {role:?}", String::from_utf8_lossy(&v));
                if role == Role::Phone {
                    match want.as_slice() {
                        [Found::Phone { span, .. }] if *span == (0, v.len()) => whole += 1,
                        _ => other += 1,
                    }
                }
            }
        }
        assert!(
            whole > 10_000 && other > 10_000,
            "{whole} whole, {other} other"
        );
    }

    #[test]
    fn grouped_phones_read_as_the_loop_reads_them() {
        // Every rest of up to 16 bytes from digits, separators and other bytes, after
        // prefixes that count and separate differently, in values shorter and longer than
        // 16 bytes: the masks say what the loop says.
        let mut x = 0xFEED_FACE_CAFE_BEEFu64;
        let mut decided = 0;
        for k in 0..300_000 {
            let len = 1 + (xorshift(&mut x) % 16) as usize;
            let mut rest = vec![b'8'];
            while rest.len() < len {
                let r = xorshift(&mut x);
                rest.push(match r % 16 {
                    0 => b' ',
                    1 => b'-',
                    2 => b'.',
                    3 if r >> 8 & 7 == 0 => b"x/+\x00"[(r >> 16) as usize % 4],
                    _ => b'0' + (r >> 8) as u8 % 10,
                });
            }
            let head: &[u8] = [&b"0"[..], b"+62 ", b"62.", b"+620"][k % 4];
            let v = [head, &rest].concat();
            let (counted, seps, dot) =
                [(1, 0, false), (2, 1, false), (2, 1, true), (3, 0, false)][k % 4];
            let want = phone_loop(&v, &v[head.len()..], counted, seps, dot);
            if let Some(got) = grouped_phone(&v, &v[head.len()..], counted, seps, dot) {
                decided += 1;
                assert_eq!(got, want, "{:?}", String::from_utf8_lossy(&v));
            }
        }
        assert!(decided > 250_000, "{decided}");
    }

    #[test]
    fn plain_phones_read_as_phone_at_reads_them() {
        // Whatever `plain_phone` takes, the walk from the value's start takes whole, with the
        // same digits; and it takes most of the plain forms.
        let mut x = 0x0dd_ba11_c0ff_ee00u64;
        let (mut taken, mut inline) = (0, 0);
        for _ in 0..200_000 {
            let v = phone_shaped(&mut x);
            if let Some(found) = prefix_and_digits(&v) {
                assert_eq!(
                    Some(found),
                    plain_phone(&v),
                    "{:?}",
                    String::from_utf8_lossy(&v)
                );
                inline += 1;
            }
            let Some(Found::Phone { national, len, .. }) = plain_phone(&v) else {
                continue;
            };
            taken += 1;
            let digits = v.iter().filter(|b| b.is_ascii_digit()).count();
            assert!(digits <= 15, "{:?}", String::from_utf8_lossy(&v));
            assert_eq!(
                phone_at(&v, 0),
                Some((national, len, v.len())),
                "{:?}",
                String::from_utf8_lossy(&v)
            );
        }
        assert!(taken > 5_000 && inline > 300, "{taken} {inline}");
        for v in [
            "08123456789",
            "628123456789012",
            "+6281234567890",
            "081234567",
        ] {
            let found = prefix_and_digits(v.as_bytes());
            assert!(found.is_some() && found == plain_phone(v.as_bytes()), "{v}");
        }
        for v in [
            "0812345",
            "6281234567890123",
            "+6281234567890123",
            "081234567a",
        ] {
            assert_eq!(prefix_and_digits(v.as_bytes()), None, "{v}");
        }
        for (v, national) in [
            ("+62 (0) 812 3456 789", "8123456789"),
            ("+62(0)812.3456.7890", "81234567890"),
            ("62 (0)8123456789", "8123456789"),
            ("0(0) 812-3456-789", "8123456789"),
        ] {
            let found = plain_phone(v.as_bytes());
            assert_eq!(
                found.and_then(|f| f.national().map(<[u8]>::to_vec)),
                Some(national.into()),
                "{v}"
            );
            assert_eq!(phone_at(v.as_bytes(), 0).map(|p| p.2), Some(v.len()), "{v}");
        }
        for v in [
            "0812.34567890",
            "+62 (0) 8123 4567 89012",
            "+62 (0)  812 3456 789",
            "+62 (0) 712 3456 789",
            "081234567890 ",
            "0812--3456-7890",
        ] {
            assert_eq!(plain_phone(v.as_bytes()), None, "{v}");
        }
    }

    #[test]
    fn a_card_keyword_without_a_letter_turns_whole_phones_off() {
        // With `62` as a card keyword, `+62 8123456789012` also holds a card: the phone field
        // shortcut, which assumes no keyword can stand among digits, must not be taken.
        let mut p = Patterns::builtin().unwrap();
        p.card_keywords.push("62".into());
        let mut d = Detector::new(&p);
        assert!(!d.whole_phones());
        let v = b"+62 8123456789012";
        let mut got = Vec::new();
        d.detect(v, Role::Phone, &mut got);
        assert_eq!(got, walked(&mut d, v, Role::Phone));
        assert!(matches!(got[0], Found::Card { .. }), "{got:?}");
    }

    /// A long value made of the shapes candidates, keywords, dates and cuts are made of.
    fn dense_value(x: &mut u64, len: usize) -> Vec<u8> {
        const PIECES: [&[u8]; 40] = [
            b"07.914.088.5-199.000",
            b"265.0851963938609",
            b"(+62) 812 3456 7890",
            b"o'b=r|{n}@x.co",
            b"\xc2\xa0",
            b"3171.0141.0190.0002",
            b"NIK 3171014101900002 ",
            b"hp 081234567890 ",
            b"KK ",
            b"Kartu Keluarga ",
            b"kartu ",
            b"BPJS ",
            b"noka ",
            b"0001234567890",
            b"3171 0141 0190 0002",
            b"3171-0141-0190-0002",
            b"+62 812-3456-7890",
            b"0812 - 3456 - 7890",
            b"(0812) 3456 7890",
            b"+62 (0)812 3456 7890",
            b"62812345678",
            b"budi.s@gmail.com",
            b"a@b.co.id",
            b"@",
            b"5 Maret 1990",
            b"1 Jan 1990",
            b"05-03-1990",
            b"1990-03-05",
            b" ",
            b"  ",
            b"-",
            b".",
            b",",
            b";",
            b"\t",
            b"\"",
            b"x",
            b"Mei ",
            b"0",
            b"8",
        ];
        let mut v = Vec::with_capacity(len + 32);
        while v.len() < len {
            let r = xorshift(x);
            if r.is_multiple_of(4) {
                let run = [1, 2, 3, 4, 4, 8, 12, 13, 13, 16, 16, 17][(r >> 8) as usize % 12];
                for _ in 0..run {
                    v.push(b"0123456789888"[(xorshift(x) % 13) as usize]);
                }
            } else {
                v.extend_from_slice(PIECES[(r >> 8) as usize % PIECES.len()]);
            }
        }
        v
    }

    /// What detection finds in `v` read in pieces of about `size` bytes (no forced cut), as
    /// spans in `v`.
    fn by_pieces(d: &mut Detector, v: &[u8], role: Role, size: usize) -> Vec<Found> {
        let mut all = Vec::new();
        let mut own = 0;
        let mut out = Vec::new();
        while own < v.len() {
            let start = own.saturating_sub(d.context());
            let end = cut_between(v, own + size, usize::MAX, d.p);
            d.detect_piece(&v[start..end], own - start, role, &mut out);
            all.extend(out.iter().map(|f| shifted(*f, start)));
            own = end;
        }
        all
    }

    fn shifted(f: Found, by: usize) -> Found {
        let sh = |(s, e): (usize, usize)| (s + by, e + by);
        match f {
            Found::NikOrKk { kind, digits, span } => Found::NikOrKk {
                kind,
                digits,
                span: sh(span),
            },
            Found::Card {
                number,
                restored,
                span,
            } => Found::Card {
                number,
                restored,
                span: sh(span),
            },
            Found::Phone {
                national,
                len,
                restored,
                span,
            } => Found::Phone {
                national,
                len,
                restored,
                span: sh(span),
            },
            Found::Email { span, at } => Found::Email {
                span: sh(span),
                at: at + by,
            },
            Found::Npwp { digits, len, span } => Found::Npwp {
                digits,
                len,
                span: sh(span),
            },
            Found::Nip { digits, span } => Found::Nip {
                digits,
                span: sh(span),
            },
            Found::Damaged => Found::Damaged,
        }
    }

    /// The dates `crate::analyze::dates::find_in_text` reads in `v`, with where they start (+ `base`).
    fn dates_at(v: &[u8], base: usize) -> Vec<(usize, crate::calendar::Date)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < v.len() {
            if v[i].is_ascii_digit() && (i == 0 || !v[i - 1].is_ascii_digit()) {
                if let Some((d, end)) = crate::analyze::dates::parse_at(v, i, pats()) {
                    if !v.get(end).is_some_and(u8::is_ascii_digit) {
                        out.push((base + i, d));
                        i = end;
                        continue;
                    }
                }
            }
            i += 1;
        }
        out
    }

    /// The candidates in order of their start (pieces give each kind piece by piece).
    fn by_start(mut v: Vec<Found>) -> Vec<Found> {
        v.sort_by_key(|f| (f.span(), f.kind().map(Kind::index)));
        v
    }

    #[test]
    fn rule4_long_values_read_in_pieces_find_what_the_whole_value_holds() {
        let mut d = Detector::new(pats());
        let mut x = 0x0dd_ba11_cafe_f00du64;
        let mut total = 0;
        for n in 0..60 {
            let v = dense_value(&mut x, 2_000 + n * 300);
            let role = [
                Role::Unnamed,
                Role::Other,
                Role::Nik,
                Role::Kk,
                Role::Phone,
                Role::BpjsCard,
            ][n % 6];
            let whole = by_start(walked(&mut d, &v, role));
            total += whole.len();
            let dates = dates_at(&v, 0);
            for size in [1, 7, 40, 150, 999] {
                let pieces = by_start(by_pieces(&mut d, &v, role, size));
                assert_eq!(
                    pieces,
                    whole,
                    "pieces of {size} in {}",
                    String::from_utf8_lossy(&v)
                );
                let (mut own, mut in_pieces) = (0, Vec::new());
                while own < v.len() {
                    let start = own.saturating_sub(d.context());
                    let end = cut_between(&v, own + size, usize::MAX, d.p);
                    in_pieces.extend(
                        dates_at(&v[start..end], start)
                            .into_iter()
                            .filter(|&(at, _)| at >= own),
                    );
                    own = end;
                }
                assert_eq!(in_pieces, dates, "dates in pieces of {size}");
            }
        }
        assert!(total > 5_000, "{total} candidates");
    }

    #[test]
    fn rule4_cuts_are_found_where_nothing_spans_them() {
        let cut = |s: &str| {
            (0..s.len())
                .filter(|&c| is_cut(s.as_bytes(), c, pats()))
                .collect::<Vec<_>>()
        };
        // After a word, not after a month; between long digit runs, not inside a phone.
        assert_eq!(cut("NIK 3171014101900002 hp 081234567890"), vec![3, 23]);
        assert_eq!(cut("lahir 5 Maret 1990"), vec![5]);
        assert_eq!(cut("0812 3456 7890 3171 0141"), Vec::<usize>::new());
        assert_eq!(cut("a,b;c\td  e"), vec![1, 3, 5, 7, 8]);
        // A long value without a cut is cut anyway, after the search.
        let digits = "1234 ".repeat(100);
        assert_eq!(cut_between(digits.as_bytes(), 10, 50, pats()), 60);
        assert_eq!(cut_between(digits.as_bytes(), 10, 1000, pats()), 500);
    }

    #[test]
    fn emails_are_found_alike_in_short_and_long_values() {
        // Values of up to 64 bytes take the `@` positions from the digit mask; longer ones
        // search. Both must find the same addresses at every offset.
        for pad in 0..90 {
            let v = format!("{} a@x.co, b.c@y.id @ z@", "-".repeat(pad));
            let want = vec![
                (Kind::Email, "a@x.co".into()),
                (Kind::Email, "b.c@y.id".into()),
            ];
            assert_eq!(kinds(&v, Role::Other), want, "{v}");
        }
    }

    // SPEC v2 §5: boundaries, phone writings, e-mail spans.

    /// The national numbers of the phones found in `v`, a value of a field of `role`.
    fn phones_as(v: &str, role: Role) -> Vec<String> {
        run(v, role)
            .iter()
            .filter_map(|f| {
                f.national()
                    .map(|n| String::from_utf8_lossy(n).into_owned())
            })
            .collect()
    }

    #[test]
    fn a_nik_in_groups_of_four_is_one_nik_and_no_phone() {
        for v in [
            "3204-0815-0690-0001",
            "3204.0815.0690.0001",
            "3204 0815 0690 0001",
        ] {
            assert_eq!(kinds(v, Role::Unnamed), vec![(Kind::Nik, v.to_string())]);
        }
        // Separators must be the same throughout; the pieces are no phone either.
        assert!(kinds("3204-0815.0690-0001", Role::Unnamed).is_empty());
        // A grouped NIK that continues through a joint is part of a longer number.
        assert!(kinds("3204-0815-0690-0001-2", Role::Unnamed).is_empty());
        assert!(kinds("9.3204.0815.0690.0001", Role::Unnamed).is_empty());
    }

    #[test]
    fn decimal_fractions_hold_no_candidate() {
        for v in [
            "265.0851963938609",
            "0.3171014101900001",
            "hb 3171014101900001.5 g/dl",
            "1-3171014101900001",
            "12.081234567890",
            "0812345678901.2345",
            "kartu 1-0001234567890",
            "kartu 0001234567890.5",
            "628.815879753696",
            "62.80911186165657",
            "0.81234567890",
            "+62.81234567890",
        ] {
            assert!(kinds(v, Role::Unnamed).is_empty(), "{v}");
        }
        // Two dots make a dotted phone, not a decimal number.
        assert_eq!(phones("0812.3456.7890"), vec!["81234567890"]);
        assert_eq!(phones("62.812.3456.7890"), vec!["81234567890"]);
        // A joint needs a digit on both sides: a full stop or a dash is no joint.
        assert_eq!(phones("ok 081234567890."), vec!["81234567890"]);
        assert_eq!(phones("-081234567890-"), vec!["81234567890"]);
        assert_eq!(
            kinds("NIK 3171014101900001.", Role::Unnamed),
            vec![(Kind::Nik, "3171014101900001".into())]
        );
    }

    #[test]
    fn over_long_separated_runs_give_no_phone_from_head_or_tail() {
        assert!(phones("+62 859-0869-20889937").is_empty());
        assert!(phones("0812-3456-7890-1234567").is_empty());
        assert!(phones("0812.3456.7890.1234567").is_empty());
        // The old NPWP form is one NPWP and holds no phone, NIK or card, of type 08 too.
        for v in [
            "07.914.088.5-199.000",
            "kartu 07.914.088.5-199.000",
            "08.914.088.5-199.000",
        ] {
            let k: Vec<Kind> = kinds(v, Role::Unnamed).into_iter().map(|f| f.0).collect();
            assert_eq!(k, [Kind::Npwp], "{v}");
        }
        // A space is no joint: the phone before it stands.
        assert_eq!(phones("0812-3456-7890 12345"), vec!["81234567890"]);
    }

    #[test]
    fn phone_writings_of_spec_v2() {
        for v in [
            "(+62) 812 3456 7890",
            "(+62)812-3456-7890",
            "(62) 812 3456 7890",
            "(0812) 3456 7890",
            "(0812)3456-7890",
            "0812 - 3456 - 7890",
            "+62 - 812 - 3456 - 7890",
            "+6208123456789 0",
            "+62081234567890",
            "telp (+62 812) 3456 7890",
        ] {
            assert_eq!(phones(v), vec!["81234567890"], "{v}");
        }
        assert_eq!(phones("+620812345678"), vec!["812345678"]);
        // A phone in parentheses, and one whose `(` is never closed.
        assert_eq!(phones("Budi (081234567890)"), vec!["81234567890"]);
        assert_eq!(phones("Budi (0812-3456-7890 kantor"), vec!["81234567890"]);
        // The parenthesized part must be the prefix or the first group, then `)`.
        assert!(phones("(0812 3456 7890").len() == 1);
        // Not a separator: two hyphens, a hyphen with a space on one side only.
        assert!(phones("0812 -- 3456 - 7890").is_empty());
        assert!(phones("0812 -3456-7890").is_empty());
        // `620812…` without its `+` is no `+62` written with its trunk 0.
        assert!(phones("620812345678").is_empty());
    }

    #[test]
    fn a_phone_field_that_lost_its_leading_zero_is_restored() {
        for v in ["81234567890", "812345678", "859123456789", " 85712345678 "] {
            let t = v.trim();
            assert_eq!(phones_as(v, Role::Phone), vec![t], "{v}");
        }
        // Only the mobile shape, 9 to 12 digits, and only in a phone field.
        for v in ["84123456789", "80012345678", "81234567", "8123456789012"] {
            assert!(phones_as(v, Role::Phone).is_empty(), "{v}");
        }
        assert!(phones_as("81234567890", Role::Other).is_empty());
        assert!(phones_as("81234567890", Role::Unnamed).is_empty());
    }

    #[test]
    fn an_email_spans_its_whole_local_part() {
        let emails = |v: &str| {
            kinds(v, Role::Unnamed)
                .into_iter()
                .filter(|(k, _)| *k == Kind::Email)
                .map(|(_, s)| s)
                .collect::<Vec<_>>()
        };
        assert_eq!(emails("o'brien@c.com"), vec!["o'brien@c.com"]);
        assert_eq!(emails("bùdi@x.com"), vec!["bùdi@x.com"]);
        assert_eq!(emails("x=budi@x.com"), vec!["x=budi@x.com"]);
        assert_eq!(emails("budi/s@x.com"), vec!["budi/s@x.com"]);
        // Stops: white space (also Unicode), a line break, `<>()[],;:"`, the value's start.
        for v in [
            "mailto:budi@x.com",
            "<budi@x.com>",
            "(budi@x.com)",
            "[budi@x.com]",
            "a,budi@x.com",
            "a;budi@x.com",
            "\"budi@x.com\"",
            "a budi@x.com",
            "a\nbudi@x.com",
            "email:\u{a0}budi@x.com",
            "email\u{3000}budi@x.com",
        ] {
            assert_eq!(emails(v), vec!["budi@x.com"], "{v:?}");
        }
        // An `@` is no stop: the whole is one candidate, never a shorter valid one.
        assert_eq!(emails("a@b@c.com"), vec!["a@b@c.com"]);
        // The domain ends before a byte no domain holds.
        assert_eq!(emails("budi@x.com/foo"), vec!["budi@x.com"]);
    }

    #[test]
    fn email_spans_never_overlap_and_cost_linear_time() {
        // A later `@` whose local part runs back into an earlier address adds nothing.
        let v = "budi@x.com/foo@y.com";
        assert_eq!(
            kinds(v, Role::Unnamed),
            vec![(Kind::Email, "budi@x.com".into())]
        );
        // Each local part is walked once, however many `@` a token holds.
        let v = "a@b.co".repeat(100_000);
        let found = run(&v, Role::Unnamed);
        assert_eq!(found.len(), 1, "one address, then overlapping ones");
    }
}
