//! The fast path of the JSON reader: an object of scalars, the shape of nearly every JSON
//! Lines export, read in one straight pass into [`Spans`] (where each value lies), which are
//! handed to the sink once the whole record is known to parse. Anything else (nesting,
//! broken JSON) is `None`, and the general parser in `mod.rs` reads it from the start; both
//! give the same fields.
//!
//! Reading JSON Lines, a record is parsed where it lies in the chunk, before its line's end is
//! known (`LINES`): a line feed met inside it (a blank, a string) stops the fast path, so a
//! record accepted here is one whole line, read as the line reader would read it.

use crate::formats::json::{
    literal_end, number_end, same_bytes, unescape, KeyRoles, MAX_RECENT_KEYS,
};
use crate::record::{Column, Field, RecordSink};
use crate::rules::{Patterns, Role};

/// The values of a flat record while it is read, with their roles: slices of the record,
/// and (a string with an escape) a place held for the value unescaped in `escaped`. Not
/// `Field`s: nothing to drop per value, no `Cow` to look through when handed on.
#[derive(Default)]
pub struct Spans<'a> {
    /// The record's values are `slots[..len]`. The slots after them are what earlier records
    /// left, kept so that the shape's values are written in place (no length and capacity
    /// to test and store per value, as `Vec::push` has).
    slots: Vec<(Role, &'a [u8])>,
    len: usize,
    escaped: Escaped,
}

/// The values of a record that were unescaped, one after another, and where each goes: its
/// index in the record's values and its end in `bytes`.
#[derive(Default)]
struct Escaped {
    bytes: Vec<u8>,
    owned: Vec<(usize, usize)>,
}

impl Escaped {
    /// The string that starts at `s[i]` (after its opening quote) and holds an escape,
    /// unescaped as the `at`-th value; the position after its closing quote. Kept out of
    /// line: few values have one.
    #[inline(never)]
    fn push<const LINES: bool>(&mut self, s: &[u8], i: usize, at: usize) -> Option<usize> {
        let next = unescape(s, i, &mut self.bytes)?;
        // A line feed inside the string: the line ended in it.
        if LINES && s[i..next].contains(&b'\n') {
            return None;
        }
        self.owned.push((at, self.bytes.len()));
        Some(next)
    }
}

/// A sink's plan for the values of each role ([`RecordSink::column`]), chosen once per chunk:
/// a flat record's value then goes straight to its role's work, as a CSV column's does,
/// where [`RecordSink::field`] tested its length against its role and then jumped on the
/// role again (166 instructions a record of the 100k-row JSON Lines sample, of 4,409).
pub struct Plans<S> {
    /// By [`plan_index`]. A sensitive field's plan is [`RecordSink::field`]'s: the sink's
    /// plan is for one role, and a sensitive role differs by its rule.
    by_role: [Column<S>; ROLES],
}

/// How many plans [`Plans`] holds: one for each variant of [`Role`].
const ROLES: usize = 12;

/// A role's place in [`Plans`]: its variant, whatever a sensitive field's rule.
#[inline(always)]
fn plan_index(role: Role) -> usize {
    match role {
        Role::Nik => 0,
        Role::Kk => 1,
        Role::BpjsCard => 2,
        Role::BirthDate => 3,
        Role::Sex => 4,
        Role::Phone => 5,
        Role::Email => 6,
        Role::Npwp => 7,
        Role::Nip => 8,
        Role::Other => 9,
        Role::Sensitive(_) => 10,
        Role::Unnamed => 11,
    }
}

impl<S: RecordSink> Plans<S> {
    pub fn new(sink: &S) -> Plans<S> {
        let roles = [
            Role::Nik,
            Role::Kk,
            Role::BpjsCard,
            Role::BirthDate,
            Role::Sex,
            Role::Phone,
            Role::Email,
            Role::Npwp,
            Role::Nip,
            Role::Other,
            Role::Sensitive(0),
            Role::Unnamed,
        ];
        debug_assert!(roles.iter().enumerate().all(|(k, &r)| plan_index(r) == k));
        Plans {
            by_role: roles.map(|role| match role {
                Role::Sensitive(_) => Column {
                    short: 0,
                    role,
                    take: |sink: &mut S, value, role| sink.field(role, value, true),
                },
                _ => sink.column(role),
            }),
        }
    }

    /// A named value of `role` to its plan: what [`RecordSink::field`] would do with it.
    #[inline(always)]
    fn take(&self, sink: &mut S, role: Role, value: &[u8]) {
        // The value's own role: the plan's may be another sensitive rule's.
        self.by_role[plan_index(role)].give(sink, value, role)
    }
}

impl<'a> Spans<'a> {
    fn clear(&mut self) {
        self.len = 0;
        // Also after a record that failed part way through an escaped string.
        self.escaped.owned.clear();
        self.escaped.bytes.clear();
    }

    /// The record's values.
    fn list(&self) -> &[(Role, &'a [u8])] {
        &self.slots[..self.len]
    }

    #[inline(always)]
    fn push(&mut self, role: Role, value: &'a [u8]) {
        match self.slots.get_mut(self.len) {
            Some(slot) => *slot = (role, value),
            None => self.slots.push((role, value)),
        }
        self.len += 1;
    }

    /// See [`Escaped::push`].
    fn push_unescaped<const LINES: bool>(
        &mut self,
        s: &[u8],
        i: usize,
        role: Role,
    ) -> Option<usize> {
        let next = self.escaped.push::<LINES>(s, i, self.len)?;
        self.push(role, &[]);
        Some(next)
    }

    /// The slots, at least `n` of them, to be written in place from `len` on, and the
    /// escaped values.
    #[inline(always)]
    fn slots(&mut self, n: usize) -> (&mut [(Role, &'a [u8])], &mut Escaped) {
        if self.slots.len() < n {
            self.slots.resize(n, (Role::Unnamed, &[]));
        }
        (&mut self.slots, &mut self.escaped)
    }

    /// The record into `sink`, field by field, each value to its role's plan: its fields
    /// are named, so the sink is not handed them again at its end.
    #[inline(always)]
    pub fn emit<S: RecordSink>(&self, sink: &mut S, plans: &Plans<S>) {
        sink.begin();
        if self.escaped.owned.is_empty() {
            for &(role, value) in self.list() {
                plans.take(sink, role, value);
            }
        } else {
            self.emit_unescaped(sink, plans);
        }
        sink.end(&[], true);
    }

    /// [`Spans::emit`]'s fields when some were unescaped.
    #[inline(never)]
    fn emit_unescaped<S: RecordSink>(&self, sink: &mut S, plans: &Plans<S>) {
        let (mut owned, mut from) = (self.escaped.owned.iter().peekable(), 0);
        for (k, &(role, value)) in self.list().iter().enumerate() {
            match owned.next_if(|(at, _)| *at == k) {
                Some(&(_, to)) => {
                    plans.take(sink, role, &self.escaped.bytes[from..to]);
                    from = to;
                }
                None => plans.take(sink, role, value),
            }
        }
    }

    /// The record as fields, for a caller that wants them.
    pub fn fields(&self, out: &mut Vec<Field<'a>>) {
        let (mut owned, mut from) = (self.escaped.owned.iter().peekable(), 0);
        for (k, &(role, value)) in self.list().iter().enumerate() {
            match owned.next_if(|(at, _)| *at == k) {
                Some(&(_, to)) => {
                    let value = self.escaped.bytes[from..to].to_vec().into();
                    out.push(Field { role, value });
                    from = to;
                }
                None => out.push(Field::borrowed(role, value)),
            }
        }
    }
}

/// The flat object at the start of `s` into `spans`, and its end; `None` for anything else.
/// With `LINES`, also `None` when a line feed lies inside it.
///
/// The text between one value and the next (`,"NAMA":`) is nearly always what the previous
/// record had there: while it is, byte for byte, the key is known without being read, and
/// only the values are looked at ([`Shape`]). Where a record departs from it, the rest is
/// read token by token, and becomes the shape the next record is held to.
#[inline]
pub fn flat_object<'a, const LINES: bool>(
    s: &'a [u8],
    keys: &mut KeyRoles,
    p: &Patterns,
    spans: &mut Spans<'a>,
) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if keys.shape.indexed {
        // SAFETY: `indexed` is set only where AVX-512 F, BW and VBMI2, AVX2, BMI1, BMI2 and
        // POPCNT were detected ([`Shape::default`]).
        return unsafe { flat_object_indexed::<LINES>(s, keys, p, spans) };
    }
    #[cfg(target_arch = "x86_64")]
    if keys.shape.wide {
        // SAFETY: `wide` is set only where AVX2, BMI1 and BMI2 were detected
        // ([`Shape::default`]).
        return unsafe { flat_object_avx2::<LINES>(s, keys, p, spans) };
    }
    flat_object_sse2::<LINES>(s, keys, p, spans)
}

/// [`flat_object`] without AVX2. Out of line, so that [`flat_object`] is only the choice
/// (inlined into it, this saved and restored six registers per record on the AVX2 path).
#[inline(never)]
fn flat_object_sse2<'a, const LINES: bool>(
    s: &'a [u8],
    keys: &mut KeyRoles,
    p: &Patterns,
    spans: &mut Spans<'a>,
) -> Option<usize> {
    read_flat::<LINES, SSE2>(s, keys, p, spans)
}

/// [`flat_object`] compiled for AVX2, so that [`follow_shape_avx2`] is inlined into it: a
/// call and its return through memory less per record.
///
/// # Safety
/// The CPU has AVX2, BMI1 and BMI2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,bmi1,bmi2")]
unsafe fn flat_object_avx2<'a, const LINES: bool>(
    s: &'a [u8],
    keys: &mut KeyRoles,
    p: &Patterns,
    spans: &mut Spans<'a>,
) -> Option<usize> {
    read_flat::<LINES, AVX2>(s, keys, p, spans)
}

/// [`flat_object`] compiled for AVX-512 (and AVX2), so that [`follow_indexed`] is inlined
/// into it.
///
/// # Safety
/// The CPU has AVX-512 F, BW and VBMI2, AVX2, BMI1, BMI2 and POPCNT.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi2,avx2,bmi1,bmi2,popcnt")]
unsafe fn flat_object_indexed<'a, const LINES: bool>(
    s: &'a [u8],
    keys: &mut KeyRoles,
    p: &Patterns,
    spans: &mut Spans<'a>,
) -> Option<usize> {
    read_flat::<LINES, INDEXED>(s, keys, p, spans)
}

/// How [`follow_shape`] reads: value by value with SSE2 ([`follow_from`]) or AVX2
/// ([`follow_shape_avx2`]), or from the record's stops found beforehand ([`follow_indexed`]).
const SSE2: u8 = 0;
const AVX2: u8 = 1;
const INDEXED: u8 = 2;

/// [`flat_object`], the way `PATH` says ([`SSE2`], [`AVX2`] or [`INDEXED`]).
#[inline(always)]
fn read_flat<'a, const LINES: bool, const PATH: u8>(
    s: &'a [u8],
    keys: &mut KeyRoles,
    p: &Patterns,
    spans: &mut Spans<'a>,
) -> Option<usize> {
    spans.clear();
    // After the opening brace (j = 0) or the j-th value, at `i`.
    let Some((i, j)) = follow_shape::<LINES, PATH>(s, &mut keys.shape, spans) else {
        keys.shape.bytes = 0;
        return None;
    };
    // The whole shape followed, and the record closes where the previous one did: no
    // token loop to enter (the shape is kept as it is).
    if j > 0 && j == keys.shape.gaps.len() && s.get(i) == Some(&b'}') {
        keys.cursor = j;
        keys.shape.bytes = i + 1;
        return Some(i + 1);
    }
    keys.shape.truncate(j);
    keys.cursor = j;
    let end = read_tokens::<LINES>(s, keys, p, spans, i, j);
    // How far the next record's stops are looked for ([`follow_indexed`]): as far as this
    // record went, or (a record that was not flat) hardly at all, so that a run of short
    // broken lines after a long record does not each search as far as it.
    keys.shape.bytes = end.unwrap_or(0);
    end
}

/// The rest of a flat object from the `j`-th value on, at `i`, token by token (where the
/// record departs from the previous one's shape), remembering the new shape as it goes.
/// Out of line: most records never come here.
#[inline(never)]
fn read_tokens<'a, const LINES: bool>(
    s: &'a [u8],
    keys: &mut KeyRoles,
    p: &Patterns,
    spans: &mut Spans<'a>,
    mut i: usize,
    mut j: usize,
) -> Option<usize> {
    // Exports rarely put blanks between tokens, so the byte a token needs is tried first and
    // blanks are skipped only when it is not there; one compare says a byte is no blank
    // (JSON's blanks all lie at or below the space).
    let ws = |i: &mut usize| {
        while s
            .get(*i)
            .is_some_and(|&b| b <= b' ' && b.is_ascii_whitespace() && !(LINES && b == b'\n'))
        {
            *i += 1;
        }
    };
    // The first byte at or after `i` that is not a blank.
    let token = |i: &mut usize| -> Option<u8> {
        match s.get(*i) {
            Some(&b) if b > b' ' => Some(b),
            _ => {
                ws(i);
                s.get(*i).copied()
            }
        }
    };
    loop {
        // Where the text before the next value starts.
        let gap_start = i;
        if j == 0 {
            if token(&mut i)? != b'{' {
                return None;
            }
            i += 1;
            ws(&mut i);
            if s.get(i) == Some(&b'}') {
                return Some(i + 1);
            }
        } else {
            match token(&mut i)? {
                b',' => i += 1,
                b'}' => return Some(i + 1),
                _ => return None,
            }
        }
        if token(&mut i)? != b'"' {
            return None;
        }
        // The key the previous record had here, compared whole: no search for its end.
        let (end, role) = match keys.expected(s, i) {
            Some(known) => known,
            None => {
                let (end, quote) = string_stop::<LINES>(s, i + 1)?;
                if !quote {
                    // An escaped key: the general parser reads it.
                    return None;
                }
                (end, keys.role(&s[i + 1..end], p))
            }
        };
        i = end + 1;
        if token(&mut i)? != b':' {
            return None;
        }
        i += 1;
        let open = token(&mut i)? == b'"';
        keys.shape
            .push(j, &s[gap_start..i + usize::from(open)], role);
        i = scalar::<LINES>(s, i, role, spans)?;
        j += 1;
    }
}

/// The values of a record whose text before each of them is the previous record's
/// ([`Shape`]), as far as it is: where the first departure starts and how many values came
/// before it. `None` when a value there is broken.
#[inline(always)]
fn follow_shape<'a, const LINES: bool, const PATH: u8>(
    s: &'a [u8],
    shape: &mut Shape,
    spans: &mut Spans<'a>,
) -> Option<(usize, usize)> {
    #[cfg(target_arch = "x86_64")]
    if PATH == INDEXED {
        // SAFETY: `INDEXED` only in `flat_object_indexed`, called where AVX-512 F, BW and
        // VBMI2, AVX2, BMI1, BMI2 and POPCNT were detected.
        return unsafe { follow_indexed::<LINES>(s, shape, spans) };
    }
    #[cfg(target_arch = "x86_64")]
    if PATH == AVX2 {
        // SAFETY: `AVX2` only in `flat_object_avx2`, called where AVX2, BMI1 and BMI2 were
        // detected.
        return unsafe { follow_shape_avx2::<LINES>(s, &shape.gaps, spans) };
    }
    follow_from::<LINES>(s, &shape.gaps, spans, 0, 0)
}

/// [`follow_shape`] from the `j`-th gap, at `s[i]`, reading each value on its own (the
/// values before it are in `spans`).
#[inline(always)]
fn follow_from<'a, const LINES: bool>(
    s: &'a [u8],
    gaps: &[Gap],
    spans: &mut Spans<'a>,
    mut i: usize,
    j: usize,
) -> Option<(usize, usize)> {
    let spans_len = spans.len;
    let (slots, escaped) = spans.slots(gaps.len());
    let all = slots.len();
    let mut out = slots.get_mut(spans_len..)?.iter_mut();
    // The gaps not yet followed; how many were is told by what is left, so that no counter
    // is kept (it was spilled to the stack on every value).
    let mut rest = gaps.get(j..)?;
    while let [g, tail @ ..] = rest {
        if !g.at(s, i) {
            break;
        }
        let end = i + usize::from(g.len);
        // A gap that ends in a quote opened a string: its value is read without looking at
        // its first byte again.
        let step = if g.string {
            let (stop, quote) = string_stop::<LINES>(s, end)?;
            string_to::<LINES>(s, end, stop, quote, g.role, &mut out, all, escaped)
        } else {
            scalar_to::<LINES>(s, end, g.role, &mut out, all, escaped)
        };
        i = step?;
        rest = tail;
    }
    spans.len = all - out.len();
    Some((i, gaps.len() - rest.len()))
}

/// [`follow_from`] with AVX2: one 32-byte load at a gap serves both the compare with the
/// gap and, for a value that ends within those 32 bytes (most do), the search for its end.
/// Each value fills the slot of its gap's index, so one index runs through both. A `true`,
/// `false` or `null` (no value), or a string after a gap that opened none, hands the rest of
/// the record to [`follow_from`], as do the chunk's last 32 bytes.
///
/// # Safety
/// The CPU has AVX2, BMI1 and BMI2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,bmi1,bmi2")]
#[inline]
unsafe fn follow_shape_avx2<'a, const LINES: bool>(
    s: &'a [u8],
    gaps: &[Gap],
    spans: &mut Spans<'a>,
) -> Option<(usize, usize)> {
    use std::arch::x86_64::*;
    let (slots, escaped) = spans.slots(gaps.len());
    // The last place a 32-byte load may start.
    let last = s.len().checked_sub(32);
    let mut i = 0;
    let mut j = 0;
    for (g, slot) in gaps.iter().zip(slots.iter_mut()) {
        if last.is_none_or(|last| i > last) {
            break;
        }
        // SAFETY: AVX2 by the caller; the loads read s[i..i + 32] (in bounds by the test
        // above) and the gap's 32 bytes.
        let (same, stops) = unsafe {
            let x = _mm256_loadu_si256(s.as_ptr().add(i) as *const __m256i);
            let text = _mm256_loadu_si256(g.text.as_ptr() as *const __m256i);
            let (_, stop) = stop_bytes::<LINES>(x);
            let mask = |v: __m256i| _mm256_movemask_epi8(v) as u32;
            (mask(_mm256_cmpeq_epi8(x, text)), u64::from(mask(stop)))
        };
        if !same & g.mask != 0 {
            // A departure from the shape.
            spans.len = j;
            return Some((i, j));
        }
        let end = i + usize::from(g.len);
        let (stop, quote) = if g.string {
            // The stops after the gap (a gap is at most 32 bytes: the shift stays below 64).
            let after = stops >> g.len;
            if after != 0 {
                let stop = end + after.trailing_zeros() as usize;
                debug_assert!(stop < i + 32);
                // SAFETY: a stop found in s[i..i + 32]. A compare with the byte is two
                // instructions fewer than looking the stop up in a mask of quotes.
                (stop, unsafe { *s.get_unchecked(stop) } == b'"')
            } else {
                // SAFETY: AVX2 by the caller.
                unsafe { string_stop_avx2::<LINES>(s, i + 32)? }
            }
        } else {
            match unquoted(s, end) {
                Unquoted::Number(next) => {
                    *slot = (g.role, &s[end..next]);
                    i = next;
                    j += 1;
                    continue;
                }
                Unquoted::Follow => break,
                Unquoted::Broken => return None,
            }
        };
        i = if quote {
            debug_assert!(end <= stop && stop < s.len());
            // SAFETY: the stop is a byte of `s` at or after `end`; the bounds check was five
            // instructions a value.
            *slot = (g.role, unsafe { s.get_unchecked(end..stop) });
            stop + 1
        } else if LINES && s[stop] == b'\n' {
            return None;
        } else {
            *slot = (g.role, &[]);
            escaped.push::<LINES>(s, end, j)?
        };
        j += 1;
    }
    spans.len = j;
    if j == gaps.len() {
        return Some((i, j));
    }
    follow_from::<LINES>(s, gaps, spans, i, j)
}

/// The value after a gap that opened no string, as the fast readers see it.
enum Unquoted {
    /// A number, ending there.
    Number(usize),
    /// A literal (no value), or a string where the shape had a number: [`follow_from`]
    /// reads it (the record is flat all the same).
    Follow,
    /// No value: not a flat record.
    Broken,
}

/// What follows a gap that opened no string, at `s[end]` ([`Unquoted`]).
#[inline(always)]
fn unquoted(s: &[u8], end: usize) -> Unquoted {
    match s.get(end) {
        Some(b'-' | b'0'..=b'9') => Unquoted::Number(number_end(s, end)),
        Some(b't' | b'f' | b'n' | b'"') => Unquoted::Follow,
        _ => Unquoted::Broken,
    }
}

/// The values [`follow_indexed`] read from the stops: a test's proof that it read them.
#[cfg(test)]
pub static INDEXED_VALUES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many 64-byte blocks of a record [`follow_indexed`] finds the stops of, at most: the
/// rest of a longer record is followed value by value. A position in them fits a `u16`.
const INDEX_BLOCKS: usize = 64;

/// The slots of [`Shape::stops`]: every byte of [`INDEX_BLOCKS`] blocks a stop, as each
/// block's positions are stored 32 at a time, whatever their number.
const INDEX_SLOTS: usize = INDEX_BLOCKS * 64;

/// [`follow_shape`] without a chain from each value to the next. [`follow_shape_avx2`]
/// loads at a value's start, which is known only once the value before it has ended: each
/// value waited some fifteen cycles on the one before (load, compare, mask, shift, count),
/// a third of the time the flat reader took. Here the record's stops (quotes, backslashes
/// and, with `LINES`, line feeds) are listed first, in order, 64 bytes at a time
/// ([`index_stops`], which depends only on where the record starts). While the record keeps
/// the shape, its gaps' bytes fix how many stops come before each value's closing quote
/// ([`Gap::first`]): the value ends at that entry of the list, read without waiting on the
/// value before. A value whose stop there is no quote (an escape, a line feed) or lies past
/// the stops listed hands the rest of the record to [`follow_from`], as do a literal, a
/// string after a gap that opened none, and the chunk's last 32 bytes.
///
/// Why an entry is the value's end: the record's first gap starts at its first byte; a gap
/// whose bytes are the shape's holds exactly its own stops; a number holds none; so before
/// the end of the `j`-th gap lie exactly the stops of the gaps up to it and the closing
/// quotes of the strings before it, `first` of them, and the next stop ends the value.
///
/// # Safety
/// The CPU has AVX-512 F, BW and VBMI2, AVX2, BMI1, BMI2 and POPCNT.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi2,avx2,bmi1,bmi2,popcnt")]
#[inline]
unsafe fn follow_indexed<'a, const LINES: bool>(
    s: &'a [u8],
    shape: &mut Shape,
    spans: &mut Spans<'a>,
) -> Option<(usize, usize)> {
    use std::arch::x86_64::*;
    let gaps = &shape.gaps;
    // The stops the whole shape needs, looked for no further than the previous record
    // went, and a block (linear time: see `read_flat`).
    let need = gaps.last().map_or(0, |g| usize::from(g.first) + 1);
    let blocks = (shape.bytes / 64 + 2).min(INDEX_BLOCKS).min(s.len() / 64);
    if shape.stops.len() < INDEX_SLOTS {
        shape.stops.resize(INDEX_SLOTS, 0);
    }
    // SAFETY: AVX-512 by the caller.
    let found = unsafe { index_stops::<LINES>(s, blocks, need, &mut shape.stops) };
    let stops = &shape.stops[..found];
    let (slots, _) = spans.slots(gaps.len());
    // The last place a 32-byte load may start.
    let last = s.len().checked_sub(32);
    let mut i = 0;
    let mut j = 0;
    for (g, slot) in gaps.iter().zip(slots.iter_mut()) {
        if last.is_none_or(|last| i > last) {
            break;
        }
        // SAFETY: AVX2 by the caller; the loads read s[i..i + 32] (in bounds by the test
        // above) and the gap's 32 bytes.
        let same = unsafe {
            let x = _mm256_loadu_si256(s.as_ptr().add(i) as *const __m256i);
            let text = _mm256_loadu_si256(g.text.as_ptr() as *const __m256i);
            _mm256_movemask_epi8(_mm256_cmpeq_epi8(x, text)) as u32
        };
        if !same & g.mask != 0 {
            // A departure from the shape.
            spans.len = j;
            return Some((i, j));
        }
        let end = i + usize::from(g.len);
        if g.string {
            let Some(&stop) = stops.get(usize::from(g.first)) else {
                break;
            };
            let stop = usize::from(stop);
            if s.get(stop) != Some(&b'"') {
                break;
            }
            // `end <= stop` (see above): a failed `get` would be a bug, and the general
            // parser would read the record.
            *slot = (g.role, s.get(end..stop)?);
            i = stop + 1;
            #[cfg(test)]
            INDEXED_VALUES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        } else {
            match unquoted(s, end) {
                Unquoted::Number(next) => {
                    *slot = (g.role, &s[end..next]);
                    i = next;
                }
                Unquoted::Follow => break,
                Unquoted::Broken => return None,
            }
        }
        j += 1;
    }
    spans.len = j;
    if j == gaps.len() {
        return Some((i, j));
    }
    follow_from::<LINES>(s, gaps, spans, i, j)
}

/// The positions of the stops (quotes, backslashes and, with `LINES`, line feeds) of the
/// first `blocks` 64-byte blocks of `s` into `out`, in order, and how many there are; it
/// stops after the block in which `need` are found. Each block's positions are compressed
/// from a list of its offsets, 32 at a time, and stored whole: the slots after the last
/// position hold what is left over.
///
/// # Safety
/// The CPU has AVX-512 F, BW and VBMI2, and POPCNT.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi2,popcnt")]
unsafe fn index_stops<const LINES: bool>(
    s: &[u8],
    blocks: usize,
    need: usize,
    out: &mut [u16],
) -> usize {
    use std::arch::x86_64::*;
    /// 0 to 63, the offsets of a block's bytes.
    const OFFSETS: [u16; 64] = {
        let mut a = [0; 64];
        let mut k = 0;
        while k < 64 {
            a[k] = k as u16;
            k += 1;
        }
        a
    };
    assert!(blocks <= INDEX_BLOCKS && blocks * 64 <= s.len() && out.len() >= INDEX_SLOTS);
    let (mut n, mut b) = (0, 0);
    // SAFETY: AVX-512 by the caller. The loads read s[b * 64..b * 64 + 64], in bounds by
    // the assertion, and the 64 offsets. Before block `b`, `n <= 64 * b`; the stores write
    // out[n..n + 32] and, `n` grown by at most 32, the next 32: below 64 * (b + 1), within
    // `out` by the assertion.
    unsafe {
        let lo = _mm512_loadu_si512(OFFSETS.as_ptr().cast());
        let hi = _mm512_loadu_si512(OFFSETS.as_ptr().add(32).cast());
        let mut base = _mm512_setzero_si512();
        while b < blocks && n < need {
            let x = _mm512_loadu_si512(s.as_ptr().add(b * 64).cast());
            let eq = |c: u8| _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(c as i8));
            let mut k = eq(b'"') | eq(b'\\');
            if LINES {
                k |= eq(b'\n');
            }
            let first = _mm512_maskz_compress_epi16(k as u32, _mm512_add_epi16(lo, base));
            let second = _mm512_maskz_compress_epi16((k >> 32) as u32, _mm512_add_epi16(hi, base));
            _mm512_storeu_si512(out.as_mut_ptr().add(n).cast(), first);
            n += (k as u32).count_ones() as usize;
            _mm512_storeu_si512(out.as_mut_ptr().add(n).cast(), second);
            n += (k >> 32).count_ones() as usize;
            base = _mm512_add_epi16(base, _mm512_set1_epi16(64));
            b += 1;
        }
    }
    n
}

/// The quotes of 32 bytes, and the bytes that stop a string there (a quote, a backslash and,
/// with `LINES`, a line feed), 0xFF each: what [`follow_shape_avx2`] and
/// [`string_stop_avx2`] look for.
///
/// # Safety
/// The CPU has AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn stop_bytes<const LINES: bool>(
    x: std::arch::x86_64::__m256i,
) -> (std::arch::x86_64::__m256i, std::arch::x86_64::__m256i) {
    use std::arch::x86_64::*;
    let eq = |b: u8| _mm256_cmpeq_epi8(x, _mm256_set1_epi8(b as i8));
    let quotes = eq(b'"');
    let mut stop = _mm256_or_si256(quotes, eq(b'\\'));
    if LINES {
        stop = _mm256_or_si256(stop, eq(b'\n'));
    }
    (quotes, stop)
}

/// [`string_stop`] 32 bytes at a time.
///
/// # Safety
/// The CPU has AVX2, BMI1 and BMI2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,bmi1,bmi2")]
unsafe fn string_stop_avx2<const LINES: bool>(s: &[u8], mut i: usize) -> Option<(usize, bool)> {
    use std::arch::x86_64::*;
    while i + 32 <= s.len() {
        // SAFETY: AVX2 by the caller; the load reads s[i..i + 32], in bounds by the loop
        // condition.
        let (quotes, stops) = unsafe {
            let (q, stop) =
                stop_bytes::<LINES>(_mm256_loadu_si256(s.as_ptr().add(i) as *const __m256i));
            (
                _mm256_movemask_epi8(q) as u32,
                _mm256_movemask_epi8(stop) as u32,
            )
        };
        if stops != 0 {
            let k = stops.trailing_zeros();
            return Some((i + k as usize, quotes >> k & 1 == 1));
        }
        i += 32;
    }
    string_stop::<LINES>(s, i)
}

/// The string whose opening quote is `s[i - 1]` and whose first quote, backslash or (with
/// `LINES`) line feed is `s[stop]` ([`string_stop`]) into the next slot of `out`, and its
/// end. `all`: the slots `out` started with, for the index of an escaped value.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn string_to<'a, 's, const LINES: bool>(
    s: &'a [u8],
    i: usize,
    stop: usize,
    quote: bool,
    role: Role,
    out: &mut std::slice::IterMut<'s, (Role, &'a [u8])>,
    all: usize,
    escaped: &mut Escaped,
) -> Option<usize> {
    let at = all - out.len();
    if quote {
        debug_assert!(i <= stop && stop < s.len());
        // SAFETY: `string_stop` finds a byte of `s` at or after `i`; the bounds check was
        // five instructions a value.
        *out.next()? = (role, unsafe { s.get_unchecked(i..stop) });
        Some(stop + 1)
    } else if LINES && s[stop] == b'\n' {
        None
    } else {
        let next = escaped.push::<LINES>(s, i, at)?;
        *out.next()? = (role, &[]);
        Some(next)
    }
}

/// The scalar value at `s[i]` (a blank is not one) into the next slot of `out` (see
/// [`string_to`]), and its end. A string with an escape (a quoted name in an address) is
/// unescaped here rather than the whole record being read again; objects and arrays are left
/// to the general parser (`None`).
#[inline(always)]
fn scalar_to<'a, 's, const LINES: bool>(
    s: &'a [u8],
    i: usize,
    role: Role,
    out: &mut std::slice::IterMut<'s, (Role, &'a [u8])>,
    all: usize,
    escaped: &mut Escaped,
) -> Option<usize> {
    match *s.get(i)? {
        b'"' => {
            let (stop, quote) = string_stop::<LINES>(s, i + 1)?;
            string_to::<LINES>(s, i + 1, stop, quote, role, out, all, escaped)
        }
        b'-' | b'0'..=b'9' => {
            let end = number_end(s, i);
            *out.next()? = (role, &s[i..end]);
            Some(end)
        }
        b't' | b'f' | b'n' => literal_end(s, i),
        _ => None,
    }
}

/// The scalar value at `s[i]` (a blank is not one) into `spans`, and its end (see
/// [`scalar_to`]).
fn scalar<'a, const LINES: bool>(
    s: &'a [u8],
    i: usize,
    role: Role,
    spans: &mut Spans<'a>,
) -> Option<usize> {
    match *s.get(i)? {
        b'"' => match string_stop::<LINES>(s, i + 1)? {
            (stop, true) => {
                spans.push(role, &s[i + 1..stop]);
                Some(stop + 1)
            }
            (stop, false) if LINES && s[stop] == b'\n' => None,
            _ => spans.push_unescaped::<LINES>(s, i + 1, role),
        },
        b'-' | b'0'..=b'9' => {
            let end = number_end(s, i);
            spans.push(role, &s[i..end]);
            Some(end)
        }
        b't' | b'f' | b'n' => literal_end(s, i),
        _ => None,
    }
}

/// The first quote or backslash at or after `s[i]` (with `LINES`, also a line feed), and
/// whether it is a quote: the end of a string without an escape. A string ends within a few
/// bytes, so one 16-byte compare nearly always finds it, without `memchr`'s set-up.
#[inline(always)]
fn string_stop<const LINES: bool>(s: &[u8], mut i: usize) -> Option<(usize, bool)> {
    #[cfg(target_arch = "x86_64")]
    while i + 16 <= s.len() {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is part of the x86-64 baseline; the unaligned load reads
        // s[i..i + 16], in bounds by the loop condition.
        let (quotes, stops) = unsafe {
            let x = _mm_loadu_si128(s.as_ptr().add(i) as *const __m128i);
            let eq = |b: u8| _mm_cmpeq_epi8(x, _mm_set1_epi8(b as i8));
            let q = eq(b'"');
            let mut stop = _mm_or_si128(q, eq(b'\\'));
            if LINES {
                stop = _mm_or_si128(stop, eq(b'\n'));
            }
            (_mm_movemask_epi8(q) as u32, _mm_movemask_epi8(stop) as u32)
        };
        if stops != 0 {
            let k = stops.trailing_zeros();
            return Some((i + k as usize, quotes >> k & 1 == 1));
        }
        i += 16;
    }
    let k = s
        .get(i..)?
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || (LINES && b == b'\n'))?;
    Some((i + k, s[i + k] == b'"'))
}

/// The previous flat record's text before each of its values, and the role of the key in it
/// (see [`flat_object`]). The text holds the key as written, so the same bytes are the same
/// key, escapes or not; it ends with the value's opening quote when the value was a string.
pub struct Shape {
    pub gaps: Vec<Gap>,
    /// The gaps are followed with AVX2 ([`follow_shape_avx2`]).
    pub wide: bool,
    /// The gaps are followed from the record's stops ([`follow_indexed`]).
    pub indexed: bool,
    /// The length of the previous record, if the flat reader read it (else 0): how far
    /// [`follow_indexed`] looks for the next record's stops.
    bytes: usize,
    /// [`follow_indexed`]'s list of stops, [`INDEX_SLOTS`] once it is used.
    stops: Vec<u16>,
}

impl Default for Shape {
    fn default() -> Shape {
        #[cfg(target_arch = "x86_64")]
        let wide = std::is_x86_feature_detected!("avx2")
            && std::is_x86_feature_detected!("bmi1")
            && std::is_x86_feature_detected!("bmi2");
        #[cfg(target_arch = "x86_64")]
        let indexed = wide
            && std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512bw")
            && std::is_x86_feature_detected!("avx512vbmi2")
            && std::is_x86_feature_detected!("popcnt");
        #[cfg(not(target_arch = "x86_64"))]
        let (wide, indexed) = (false, false);
        Shape {
            gaps: Vec::new(),
            wide,
            indexed,
            bytes: 0,
            stops: Vec::new(),
        }
    }
}

/// Longer gaps (a long key, blanks for indentation) are not remembered: the shape stops
/// before them, and the rest of such a record is read token by token.
const GAP_BYTES: usize = 32;

/// One gap of a [`Shape`], held inline so that one masked compare of 32 bytes matches it
/// (no slice of a shared buffer to bound-check, no length dispatch).
#[derive(Clone, Copy)]
pub struct Gap {
    /// The gap's bytes, then zeroes.
    text: [u8; GAP_BYTES],
    /// Bit k set for each byte k of the gap.
    mask: u32,
    len: u8,
    role: Role,
    /// The gap ends with a string's opening quote.
    string: bool,
    /// How many stops ([`follow_indexed`]) lie before the end of this gap's value in a
    /// record that keeps the shape up to it: its closing quote is the stop after them.
    /// `u16::MAX` from a gap with a line feed on (which is a stop only in JSON Lines).
    first: u16,
}

impl Gap {
    /// Whether `s[i..]` starts with this gap.
    #[inline(always)]
    fn at(&self, s: &[u8], i: usize) -> bool {
        // Not `s.get(i..i + 32)`, whose overflow test costs two more instructions a value:
        // `i` is a position in `s`, so `i + 32` cannot overflow.
        #[cfg(target_arch = "x86_64")]
        if i + GAP_BYTES <= s.len() {
            // SAFETY: `i + 32 <= s.len()` by the test above.
            let at = unsafe { s.get_unchecked(i..i + GAP_BYTES) };
            // Most gaps (a comma, a key of up to 12 bytes, a colon, a quote) fit one compare.
            let equal = if self.len <= 16 {
                equal_16(at, &self.text)
            } else {
                equal_bytes(at, &self.text)
            };
            return !equal & self.mask == 0;
        }
        let n = usize::from(self.len);
        s.get(i..i + n)
            .is_some_and(|at| same_bytes(at, &self.text[..n]))
    }
}

/// Bit k set when `a[k] == b[k]`, for the first 32 bytes.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn equal_bytes(a: &[u8], b: &[u8; GAP_BYTES]) -> u32 {
    use std::arch::x86_64::*;
    assert!(a.len() >= GAP_BYTES);
    // SAFETY: SSE2 is part of the x86-64 baseline; the unaligned loads read a[..32] and
    // b[..32], in bounds by the assertion and the array's length.
    unsafe {
        let half = |x: &[u8], at: usize| _mm_loadu_si128(x.as_ptr().add(at) as *const __m128i);
        let lo = _mm_movemask_epi8(_mm_cmpeq_epi8(half(a, 0), half(b, 0))) as u32;
        let hi = _mm_movemask_epi8(_mm_cmpeq_epi8(half(a, 16), half(b, 16))) as u32;
        lo | hi << 16
    }
}

/// Bit k set when `a[k] == b[k]`, for the first 16 bytes.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn equal_16(a: &[u8], b: &[u8; GAP_BYTES]) -> u32 {
    use std::arch::x86_64::*;
    assert!(a.len() >= 16);
    // SAFETY: SSE2 is part of the x86-64 baseline; the unaligned loads read a[..16] and
    // b[..16], in bounds by the assertion and the array's length.
    unsafe {
        let a = _mm_loadu_si128(a.as_ptr() as *const __m128i);
        let b = _mm_loadu_si128(b.as_ptr() as *const __m128i);
        _mm_movemask_epi8(_mm_cmpeq_epi8(a, b)) as u32
    }
}

impl Shape {
    fn truncate(&mut self, j: usize) {
        self.gaps.truncate(j);
    }

    /// The `j`-th gap, if the ones before it are held.
    fn push(&mut self, j: usize, gap: &[u8], role: Role) {
        if j == self.gaps.len() && j < MAX_RECENT_KEYS && gap.len() <= GAP_BYTES {
            let mut text = [0; GAP_BYTES];
            text[..gap.len()].copy_from_slice(gap);
            let own = gap.iter().filter(|&&b| b == b'"' || b == b'\\').count() as u16;
            // The stops before this gap: the previous gap's and its value's closing quote.
            let before =
                (self.gaps.last()).map_or(0, |g| g.first.saturating_add(u16::from(g.string)));
            let first = if gap.contains(&b'\n') {
                u16::MAX
            } else {
                before.saturating_add(own)
            };
            self.gaps.push(Gap {
                text,
                mask: u32::MAX
                    .checked_shr(GAP_BYTES as u32 - gap.len() as u32)
                    .unwrap_or(0),
                len: gap.len() as u8,
                role,
                string: gap.last() == Some(&b'"'),
                first,
            });
        }
    }
}
