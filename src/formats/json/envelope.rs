//! JSON decided by structure, and the records of an enveloped document (SPEC §3, §4).
//!
//! A file that starts with `{` and whose first line is not a whole JSON Lines record (a first
//! row longer than the sniff block, a pretty-printed or one-line document) is read as
//! `Layout::JsonTree`: the reading thread walks its first
//! value's structure as the bytes arrive ([`JsonCutter`]) and decides what its records are.
//!
//! - Another value follows the first: every top-level value is a record (JSON Lines with a
//!   long first row, pretty-printed objects one after another).
//! - The first value is the only one, or longer than [`ENVELOPE_AFTER`], and it holds arrays
//!   of objects (`{"data":[…]}`, `hits.hits[]`, a FHIR Bundle's `entry[]`, `{"Customer":[…],
//!   "Invoice":[…]}`) in envelope objects: each element of those arrays is a record. The
//!   envelope's own bytes (keys, metadata, brackets) are overwritten with blanks before a
//!   chunk is handed out, so a worker reads a chunk as values one after another, and chunks
//!   are cut on element boundaries however large the document.
//! - Otherwise the value is itself one record. So is an object whose envelope part names
//!   personal data (a `nik`, a `tgl_lahir` beside a list of dependants) or a FHIR resource
//!   other than a Bundle: splitting it would drop those fields and lose its confirmation.
//!
//! Every pass is linear: each call walks the bytes not yet cut once, and a chunk that ends
//! without a boundary is read again only after the buffer has doubled.

use memchr::{memchr, memchr2, memrchr};

use crate::formats::json::json_boundary;
use crate::rules::{Patterns, Role};

/// A first value longer than this is not waited for: if it holds arrays of objects it is an
/// envelope, read as it streams. Shorter ones are read whole before that is decided, so that
/// a JSON Lines row that holds a list of objects stays one record.
pub const ENVELOPE_AFTER: usize = 4 << 20;

/// How deep envelope objects and a sniffed first value may nest.
const MAX_DEPTH: usize = 128;

/// Whether `t`, which starts with `{` or `[`, begins with a JSON value that is well formed as
/// far as `t` goes (its end may be cut off): JSON by structure, however long the first line.
pub fn first_value_is_json(t: &[u8]) -> bool {
    #[derive(PartialEq)]
    enum Want {
        Value,
        Key,
        Colon,
        Next,
    }
    let mut stack: Vec<u8> = Vec::new();
    let mut want = Want::Value;
    let mut i = 0;
    loop {
        i = skip_ws(t, i);
        let Some(&b) = t.get(i) else {
            return true;
        };
        match want {
            Want::Value => match b {
                b'{' | b'[' => {
                    if stack.len() >= MAX_DEPTH {
                        // Well formed as deep as it is worth looking.
                        return true;
                    }
                    stack.push(b);
                    i += 1;
                    want = if b == b'{' { Want::Key } else { Want::Value };
                    let j = skip_ws(t, i);
                    if t.get(j) == Some(&if b == b'{' { b'}' } else { b']' }) {
                        stack.pop();
                        i = j + 1;
                        want = Want::Next;
                    }
                }
                b'"' => match string_end(t, i) {
                    Some(end) => {
                        i = end;
                        want = Want::Next;
                    }
                    None => return true,
                },
                b'-' | b'0'..=b'9' => {
                    i += t[i..]
                        .iter()
                        .position(|c| !matches!(c, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                        .unwrap_or(t.len() - i);
                    want = Want::Next;
                }
                b't' | b'f' | b'n' => {
                    let Some(lit) = [&b"true"[..], b"false", b"null"]
                        .into_iter()
                        .find(|l| l[0] == b)
                    else {
                        return false;
                    };
                    let n = lit.len().min(t.len() - i);
                    if t[i..i + n] != lit[..n] {
                        return false;
                    }
                    i += n;
                    want = Want::Next;
                }
                _ => return false,
            },
            Want::Key => {
                if b != b'"' {
                    return false;
                }
                match string_end(t, i) {
                    Some(end) => i = end,
                    None => return true,
                }
                want = Want::Colon;
            }
            Want::Colon => {
                if b != b':' {
                    return false;
                }
                i += 1;
                want = Want::Value;
            }
            Want::Next => {
                match (b, stack.last()) {
                    (b',', Some(b'{')) => want = Want::Key,
                    (b',', Some(b'[')) => want = Want::Value,
                    (b'}', Some(b'{')) | (b']', Some(b'[')) => {
                        stack.pop();
                    }
                    _ => return false,
                }
                i += 1;
            }
        }
        if stack.is_empty() && want == Want::Next {
            return true;
        }
    }
}

/// Whether one whole JSON value is an Elasticsearch `_bulk` action line: an object with one
/// key, an action name, whose value is an object of action metadata (`_index`, `_id`, ...).
/// Such a line says what to do with the document on the next line; it is not a record.
/// Called for every JSON Lines record: nearly every one fails on its first key's first letter,
/// inlined, without a call.
#[inline]
pub fn is_bulk_action(v: &[u8]) -> bool {
    match v.get(2) {
        Some(b'i' | b'c' | b'u' | b'd') => bulk_action(v).is_some(),
        _ if v.get(1) == Some(&b'"') => false,
        _ => bulk_action(v).is_some(),
    }
}

#[inline(never)]
fn bulk_action(t: &[u8]) -> Option<()> {
    const ACTIONS: [&[u8]; 4] = [b"index", b"create", b"update", b"delete"];
    const META: [&[u8]; 11] = [
        b"routing",
        b"version",
        b"version_type",
        b"pipeline",
        b"if_seq_no",
        b"if_primary_term",
        b"retry_on_conflict",
        b"require_alias",
        b"require_data_stream",
        b"dynamic_templates",
        b"list_executed_pipelines",
    ];
    let t = t.trim_ascii();
    let mut i = expect(t, 0, b'{')?;
    let (name, end) = plain_string(t, skip_ws(t, i))?;
    if !ACTIONS.contains(&name) {
        return None;
    }
    i = expect(t, end, b':')?;
    i = expect(t, i, b'{')?;
    if let Some(j) = expect(t, i, b'}') {
        i = j;
    } else {
        loop {
            let (key, end) = plain_string(t, skip_ws(t, i))?;
            if !key.starts_with(b"_") && !META.contains(&key) {
                return None;
            }
            let j = skip_ws(t, expect(t, end, b':')?);
            i = skip_value(t, j).filter(|&e| e > j)?;
            match t.get(skip_ws(t, i))? {
                b',' => i = skip_ws(t, i) + 1,
                b'}' => {
                    i = skip_ws(t, i) + 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    let end = expect(t, i, b'}')?;
    skip_ws(t, end).eq(&t.len()).then_some(())
}

/// The position after `want`, which is the first byte at or after `i` that is no blank.
fn expect(t: &[u8], i: usize, want: u8) -> Option<usize> {
    let i = skip_ws(t, i);
    (t.get(i) == Some(&want)).then_some(i + 1)
}

/// A string without escapes at `t[i]`, and the position after it.
fn plain_string(t: &[u8], i: usize) -> Option<(&[u8], usize)> {
    if t.get(i) != Some(&b'"') {
        return None;
    }
    let k = memchr2(b'"', b'\\', &t[i + 1..])?;
    (t[i + 1 + k] == b'"').then(|| (&t[i + 1..i + 1 + k], i + k + 2))
}

fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while s.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// The position after the string whose opening quote is `s[i]`; `None` if `s` ends first.
fn string_end(s: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        let k = memchr2(b'"', b'\\', s.get(j..)?)?;
        if s[j + k] == b'"' {
            return Some(j + k + 1);
        }
        j += k + 2;
    }
}

/// The position after the value that starts at `s[i]` (no blank); `None` if `s` ends first.
/// Brackets are counted, not matched: a record's own syntax is its parser's business.
fn skip_value(s: &[u8], i: usize) -> Option<usize> {
    match *s.get(i)? {
        b'"' => string_end(s, i),
        b'{' | b'[' => skip_container(s, i),
        _ => {
            let k = s[i..]
                .iter()
                .position(|&b| matches!(b, b',' | b'}' | b']') || b.is_ascii_whitespace())?;
            Some(i + k)
        }
    }
}

/// The position after the object or array that opens at `s[i]`. Every byte of every record
/// passes through here on the reading thread, so 64 bytes are judged at once: which are
/// quotes, backslashes and brackets, and (from the quotes' running parity) which brackets lie
/// outside strings. Token by token, this cost half as much as parsing the records.
fn skip_container(s: &[u8], i: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut j = i;
    loop {
        #[cfg(target_arch = "x86_64")]
        if let Some(block) = s.get(j..j + 64) {
            let (quotes, backslashes, opens, closes) = masks64(block);
            // Up to the first backslash, the block needs no byte-by-byte look.
            let n = backslashes.trailing_zeros();
            let upto = u64::MAX.checked_shr(64 - n).unwrap_or(0);
            let q = quotes & upto;
            let inside = prefix_xor(q) ^ if in_string { u64::MAX } else { 0 };
            let mut brackets = (opens | closes) & upto & !inside;
            while brackets != 0 {
                let k = brackets.trailing_zeros();
                if opens >> k & 1 == 1 {
                    depth += 1;
                } else {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(j + k as usize + 1);
                    }
                }
                brackets &= brackets - 1;
            }
            in_string = inside >> 63 == 1;
            j += n as usize;
            if n < 64 {
                // The backslash: inside a string it escapes the next byte.
                j += if in_string { 2 } else { 1 };
            }
            continue;
        }
        let b = *s.get(j)?;
        match b {
            b'\\' if in_string => j += 1,
            b'"' => in_string = !in_string,
            b'{' | b'[' if !in_string => depth += 1,
            b'}' | b']' if !in_string => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(j + 1);
                }
            }
            _ => {}
        }
        j += 1;
    }
}

/// Bit k set when an odd number of bits at or below k are set in `x`.
#[inline]
fn prefix_xor(mut x: u64) -> u64 {
    for shift in [1, 2, 4, 8, 16, 32] {
        x ^= x << shift;
    }
    x
}

/// Bit masks of a 64-byte block: its quotes, backslashes, opening and closing brackets.
#[cfg(target_arch = "x86_64")]
#[inline]
fn masks64(block: &[u8]) -> (u64, u64, u64, u64) {
    use std::arch::x86_64::*;
    assert!(block.len() >= 64);
    let mut out = (0u64, 0u64, 0u64, 0u64);
    for part in 0..4 {
        // SAFETY: SSE2 is part of the x86-64 baseline; the unaligned load reads
        // block[16 * part..16 * part + 16], in bounds by the assertion.
        let (q, b, o, c) = unsafe {
            let x = _mm_loadu_si128(block.as_ptr().add(16 * part) as *const __m128i);
            // `[` and `]` are `{` and `}` without the 0x20 bit.
            let folded = _mm_or_si128(x, _mm_set1_epi8(0x20));
            let eq = |v: __m128i, b: u8| {
                _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8))) as u32 as u64
            };
            (
                eq(x, b'"'),
                eq(x, b'\\'),
                eq(folded, b'{'),
                eq(folded, b'}'),
            )
        };
        let at = 16 * part;
        out.0 |= q << at;
        out.1 |= b << at;
        out.2 |= o << at;
        out.3 |= c << at;
    }
    out
}

/// A level of the envelope around the records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Frame {
    /// An envelope object; in a FHIR Bundle (`bundle`) only `entry` holds records.
    Obj { bundle: bool },
    /// An array whose elements are records.
    Records,
}

/// Where the walk is, between tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Position {
    /// Before the top-level value.
    Top,
    /// In an object, before a key (or its `}`).
    Key,
    /// In an object, after a value.
    AfterValue,
    /// In a record array, before an element (or its `]`).
    Element,
    /// In a record array, after an element.
    AfterElement,
}

/// Why a walk stopped.
#[derive(Debug, PartialEq, Eq)]
enum Stop {
    /// The bytes ended first.
    More,
    /// The top-level value ended here.
    End(usize),
    /// Not JSON as an envelope has it.
    Bad,
}

/// One pass over the envelope of a top-level object, from a known place in it.
struct Walker<'s, 'p> {
    s: &'s [u8],
    i: usize,
    at: Position,
    stack: Vec<Frame>,
    p: &'p Patterns,
    /// Elements of record arrays passed.
    records: usize,
    /// A key of the envelope names personal data.
    personal: bool,
    /// The top-level object is a FHIR resource, not a Bundle.
    resource: bool,
    /// The end of the last element passed, and the stack there.
    last: Option<usize>,
    last_stack: Vec<Frame>,
    stack_moved: bool,
    /// Envelope bytes, to be blanked: where the last element ended, whether anything but
    /// blanks and commas was passed since, and the stretches found so.
    keep_end: usize,
    dirty: bool,
    blank: Vec<(usize, usize)>,
}

impl<'s, 'p> Walker<'s, 'p> {
    fn new(s: &'s [u8], at: Position, stack: Vec<Frame>, p: &'p Patterns) -> Self {
        Walker {
            s,
            i: 0,
            at,
            stack,
            p,
            records: 0,
            personal: false,
            resource: false,
            last: None,
            last_stack: Vec::new(),
            stack_moved: true,
            keep_end: 0,
            dirty: false,
            blank: Vec::new(),
        }
    }

    fn run(&mut self) -> Stop {
        loop {
            self.i = skip_ws(self.s, self.i);
            let Some(&b) = self.s.get(self.i) else {
                return Stop::More;
            };
            let stop = match self.at {
                Position::Top if b == b'{' => {
                    self.push(Frame::Obj { bundle: false }, Position::Key, 1)
                }
                Position::Top => Some(Stop::Bad),
                Position::Key => match b {
                    b'}' => self.close(),
                    b'"' => self.member(),
                    _ => Some(Stop::Bad),
                },
                Position::AfterValue => match b {
                    b',' => {
                        self.i += 1;
                        self.at = Position::Key;
                        None
                    }
                    b'}' => self.close(),
                    _ => Some(Stop::Bad),
                },
                Position::Element => match b {
                    b']' => self.close(),
                    b',' | b'}' => Some(Stop::Bad),
                    _ => self.element(),
                },
                Position::AfterElement => match b {
                    b',' => {
                        self.i += 1;
                        self.at = Position::Element;
                        None
                    }
                    b']' => self.close(),
                    _ => Some(Stop::Bad),
                },
            };
            if let Some(stop) = stop {
                return stop;
            }
        }
    }

    /// Opens an envelope level at `i`, `len` bytes long.
    fn push(&mut self, f: Frame, at: Position, len: usize) -> Option<Stop> {
        if self.stack.len() >= MAX_DEPTH {
            return Some(Stop::Bad);
        }
        self.stack.push(f);
        self.stack_moved = true;
        self.dirty = true;
        self.i += len;
        self.at = at;
        None
    }

    /// The `}` or `]` at `i`.
    fn close(&mut self) -> Option<Stop> {
        self.stack.pop();
        self.stack_moved = true;
        self.dirty = true;
        self.i += 1;
        self.at = Position::AfterValue;
        if self.stack.is_empty() {
            self.blank_to(self.i);
            return Some(Stop::End(self.i));
        }
        None
    }

    fn blank_to(&mut self, end: usize) {
        if self.dirty {
            self.blank.push((self.keep_end, end));
            self.dirty = false;
        }
    }

    /// A key of an envelope object and its value.
    fn member(&mut self) -> Option<Stop> {
        let s = self.s;
        let Some(key_end) = string_end(s, self.i) else {
            return Some(Stop::More);
        };
        let key = &s[self.i + 1..key_end - 1];
        let colon = skip_ws(s, key_end);
        match s.get(colon) {
            None => return Some(Stop::More),
            Some(b':') => {}
            Some(_) => return Some(Stop::Bad),
        }
        let v = skip_ws(s, colon + 1);
        let Some(&first) = s.get(v) else {
            return Some(Stop::More);
        };
        self.dirty = true;
        if matches!(
            self.p.role_of(key),
            Role::Nik
                | Role::Kk
                | Role::BpjsCard
                | Role::BirthDate
                | Role::Sex
                | Role::Phone
                | Role::Email
        ) {
            self.personal = true;
        }
        self.i = v;
        match first {
            b'{' => self.push(Frame::Obj { bundle: false }, Position::Key, 1),
            b'[' => {
                let e = skip_ws(s, v + 1);
                let Some(&elem) = s.get(e) else {
                    return Some(Stop::More);
                };
                let bundle = matches!(self.stack.last(), Some(Frame::Obj { bundle: true }));
                if matches!(elem, b'{' | b'[') && (!bundle || key == b"entry") {
                    self.push(Frame::Records, Position::Element, 1)
                } else {
                    self.scalar(key)
                }
            }
            _ => self.scalar(key),
        }
    }

    /// A value of the envelope that holds no records, at `i`.
    fn scalar(&mut self, key: &[u8]) -> Option<Stop> {
        let Some(end) = skip_value(self.s, self.i) else {
            return Some(Stop::More);
        };
        if key == b"resourceType" && self.stack.len() == 1 {
            if &self.s[self.i..end] == b"\"Bundle\"" {
                self.stack[0] = Frame::Obj { bundle: true };
            } else {
                self.resource = true;
            }
        }
        self.i = end;
        self.at = Position::AfterValue;
        None
    }

    /// A record: one element of a record array, at `i`.
    fn element(&mut self) -> Option<Stop> {
        let start = self.i;
        self.blank_to(start);
        let Some(end) = skip_value(self.s, start) else {
            return Some(Stop::More);
        };
        self.records += 1;
        self.i = end;
        self.keep_end = end;
        self.at = Position::AfterElement;
        if self.stack_moved {
            self.last_stack.clone_from(&self.stack);
            self.stack_moved = false;
        }
        self.last = Some(end);
        None
    }

    /// Whether the value walked so far reads as an envelope rather than one record.
    fn envelope(&self) -> bool {
        self.records > 0 && !self.personal && !self.resource
    }
}

/// What the records of a `Layout::JsonTree` file are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Not known until the first value ends or grows past the envelope threshold.
    First,
    /// The first value is an envelope: its record arrays' elements are the records.
    Envelope,
    /// Every top-level value is a record; `lines`: one per line, as in JSON Lines.
    Stream { lines: bool },
}

/// The reading thread's side of `Layout::JsonTree`: where
/// to cut the next chunk, with the envelope's bytes in it blanked.
#[derive(Debug)]
pub struct JsonCutter {
    mode: Mode,
    /// In an envelope: where the bytes not yet cut start.
    at: Position,
    stack: Vec<Frame>,
    threshold: usize,
    /// While the first value is undecided, the buffer is not cut: its next look starts where
    /// this one left off, so a long first value is walked once, not once per read.
    survey: Option<Survey>,
}

/// How far the survey of an undecided first value got: the end of its last whole element,
/// the envelope around it, and what was learnt on the way.
#[derive(Debug)]
struct Survey {
    pos: usize,
    stack: Vec<Frame>,
    records: usize,
    personal: bool,
    resource: bool,
}

impl JsonCutter {
    /// A cutter for one file whose records may be up to `max_record` bytes long.
    pub fn new(max_record: usize) -> Self {
        JsonCutter {
            mode: Mode::First,
            at: Position::Top,
            stack: Vec::new(),
            threshold: ENVELOPE_AFTER.min(max_record),
            survey: None,
        }
    }

    /// The end of the last complete record in `buf` (which starts where the last cut left
    /// off), or `None` if more bytes are needed; envelope bytes before it are blanked.
    pub fn cut(&mut self, buf: &mut [u8], p: &Patterns) -> Option<usize> {
        self.next(buf, p, false)
    }

    /// At the end of the input, `buf` is the last chunk: its envelope bytes are blanked.
    pub fn finish(&mut self, buf: &mut [u8], p: &Patterns) {
        self.next(buf, p, true);
    }

    /// A cut without a boundary (a record longer than the record limit): what follows is
    /// read as values one after another.
    pub fn force(&mut self) {
        self.mode = Mode::Stream { lines: false };
    }

    fn next(&mut self, buf: &mut [u8], p: &Patterns, eof: bool) -> Option<usize> {
        if self.mode == Mode::First {
            self.mode = self.decide(buf, p, eof)?;
        }
        match self.mode {
            Mode::First => None,
            Mode::Stream { .. } if eof => Some(buf.len()),
            Mode::Stream { lines: true } => memrchr(b'\n', buf).map(|i| i + 1),
            Mode::Stream { lines: false } => json_boundary(buf, false),
            Mode::Envelope => self.envelope(buf, p, eof),
        }
    }

    /// What the first value's records are, once that can be told.
    fn decide(&mut self, buf: &[u8], p: &Patterns, eof: bool) -> Option<Mode> {
        let mut w = match self.survey.take() {
            Some(c) => {
                let mut w = Walker::new(buf, Position::AfterElement, c.stack, p);
                (w.i, w.records, w.personal, w.resource) =
                    (c.pos, c.records, c.personal, c.resource);
                w
            }
            None => Walker::new(buf, Position::Top, Vec::new(), p),
        };
        let mode = match w.run() {
            Stop::Bad => Some(Mode::Stream { lines: false }),
            Stop::End(e) => {
                let value = &buf[skip_ws(buf, 0)..e];
                match buf[e..].iter().position(|b| !b.is_ascii_whitespace()) {
                    // Another value follows: each is a record, as in JSON Lines.
                    Some(k) => Some(Mode::Stream {
                        lines: memchr(b'\n', value).is_none()
                            && memchr(b'\n', &buf[e..e + k]).is_some(),
                    }),
                    None if !eof => None,
                    None if w.envelope() => Some(Mode::Envelope),
                    None => Some(Mode::Stream { lines: false }),
                }
            }
            Stop::More if w.envelope() && (eof || buf.len() >= self.threshold) => {
                Some(Mode::Envelope)
            }
            Stop::More if eof => Some(Mode::Stream { lines: false }),
            Stop::More => None,
        };
        if let (None, Some(pos)) = (mode, w.last) {
            self.survey = Some(Survey {
                pos,
                stack: w.last_stack,
                records: w.records,
                personal: w.personal,
                resource: w.resource,
            });
        }
        mode
    }

    /// Cuts an envelope after its last whole element in `buf`, blanking the envelope bytes
    /// before (all of them, at the end of the input).
    fn envelope(&mut self, buf: &mut [u8], p: &Patterns, eof: bool) -> Option<usize> {
        let mut w = Walker::new(buf, self.at, self.stack.clone(), p);
        let stop = w.run();
        let cut = match stop {
            Stop::End(end) => Some(end),
            Stop::More | Stop::Bad => w.last,
        };
        let (blank, last_stack) = (w.blank, w.last_stack);
        let upto = if eof { buf.len() } else { cut.unwrap_or(0) };
        for (a, b) in blank {
            if a < upto {
                buf[a..b.min(upto)].fill(b' ');
            }
        }
        match stop {
            Stop::End(_) => self.mode = Mode::Stream { lines: false },
            // Not an envelope after all: what follows the last element is read as values.
            Stop::Bad => self.mode = Mode::Stream { lines: false },
            Stop::More => {}
        }
        if eof {
            return Some(buf.len());
        }
        match (stop, cut) {
            (Stop::More, Some(_)) => {
                self.stack = last_stack;
                self.at = Position::AfterElement;
                cut
            }
            (Stop::End(_), _) | (Stop::Bad, Some(_)) => cut,
            (Stop::Bad, None) => json_boundary(buf, false),
            (Stop::More, None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::pats;

    #[test]
    fn first_value_structure() {
        for ok in [
            &br#"{"a":1}"#[..],
            br#"{"a":"x\"y","b":[1,{"c":null}],"d":true} garbage"#,
            br#"{"photo":"AAAA"#,
            b"{\n  \"a\": [\n    {\"b\": fal",
            br#"[{"a":1},{"b":"#,
            b"{}",
        ] {
            assert!(first_value_is_json(ok), "{}", String::from_utf8_lossy(ok));
        }
        for bad in [
            &b"{a:1}"[..],
            b"{{ name }}",
            b"[2024-01-01 10:00] INFO",
            br#"{"a" 1}"#,
            br#"{"a":1]"#,
            br#"{"a":tru3}"#,
        ] {
            assert!(
                !first_value_is_json(bad),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(first_value_is_json("[".repeat(1000).as_bytes()));
    }

    #[test]
    fn skipping_a_container_by_blocks_reads_like_byte_by_byte() {
        // The reference: one byte at a time.
        fn slow(s: &[u8]) -> Option<usize> {
            let (mut depth, mut in_string, mut j) = (0usize, false, 0);
            while j < s.len() {
                match s[j] {
                    b'\\' if in_string => j += 1,
                    b'"' => in_string = !in_string,
                    b'{' | b'[' if !in_string => depth += 1,
                    b'}' | b']' if !in_string => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        let tokens: [&[u8]; 10] = [
            b"{",
            b"}",
            b"[",
            b"]",
            b"\"",
            b"\\",
            b"a",
            b"0812 3456",
            b",",
            b":",
        ];
        let mut x = 0x1234_5678_9ABC_DEF1u64;
        for _ in 0..20_000 {
            let mut v = b"{".to_vec();
            for _ in 0..crate::testing::xorshift(&mut x) % 200 {
                let t = crate::testing::xorshift(&mut x) as usize % tokens.len();
                v.extend_from_slice(tokens[t]);
            }
            assert_eq!(
                skip_container(&v, 0),
                slow(&v),
                "{}",
                String::from_utf8_lossy(&v)
            );
        }
    }

    #[test]
    fn bulk_action_lines() {
        for yes in [
            &br#"{"index":{"_index":"people","_id":"1"}}"#[..],
            br#"{ "create" : { "_index" : "p", "_id" : 7, "routing": "x" } }"#,
            br#"{"update":{"_id":"1","retry_on_conflict":3}}"#,
            br#"{"delete":{}}"#,
        ] {
            assert!(is_bulk_action(yes), "{}", String::from_utf8_lossy(yes));
        }
        for no in [
            &br#"{"nik":"3171014101900001"}"#[..],
            br#"{"index":{"nik":"3171014101900001"}}"#,
            br#"{"index":{"_id":"1"},"nik":"3171014101900001"}"#,
            br#"{"index":"1"}"#,
            br#"{"doc":{"_id":"1"}}"#,
        ] {
            assert!(!is_bulk_action(no), "{}", String::from_utf8_lossy(no));
        }
    }

    /// Cuts `doc` in pieces of at most `step` new bytes, as the reading thread does, and
    /// returns the chunks with their envelope bytes blanked.
    fn chunks(doc: &[u8], step: usize) -> Vec<String> {
        let mut cutter = JsonCutter::new(1 << 30);
        let mut out = Vec::new();
        let mut buf: Vec<u8> = Vec::new();
        let mut pos = 0;
        while pos < doc.len() {
            let end = (pos + step).min(doc.len());
            buf.extend_from_slice(&doc[pos..end]);
            pos = end;
            if pos == doc.len() {
                break;
            }
            if let Some(cut) = cutter.cut(&mut buf, pats()) {
                out.push(String::from_utf8(buf[..cut].to_vec()).unwrap());
                buf.drain(..cut);
            }
        }
        cutter.finish(&mut buf, pats());
        out.push(String::from_utf8(buf).unwrap());
        out
    }

    /// The values of chunks as a worker sees them: one after another, commas between.
    fn values(chunks: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        for c in chunks {
            let b = c.as_bytes();
            let mut pos = 0;
            loop {
                while pos < b.len() && (b[pos].is_ascii_whitespace() || b[pos] == b',') {
                    pos += 1;
                }
                if pos == b.len() {
                    break;
                }
                let mut it = serde_json::Deserializer::from_slice(&b[pos..])
                    .into_iter::<serde_json::Value>();
                let v = it.next().unwrap().unwrap_or_else(|e| panic!("{e}: {c}"));
                out.push(v.to_string());
                pos += it.byte_offset();
            }
        }
        out
    }

    #[test]
    fn an_envelope_is_cut_on_its_elements_at_any_chunk_size() {
        let doc = br#"{"took":3,"hits":{"total":{"value":3},"hits":[{"_source":{"nik":"1"}},{"_source":{"nik":"2"}}, {"_source":{"nik":"3"}}]},"Invoice":[{"no":"x]}"}],"tail":"}"}"#;
        let want = vec![
            r#"{"_source":{"nik":"1"}}"#,
            r#"{"_source":{"nik":"2"}}"#,
            r#"{"_source":{"nik":"3"}}"#,
            r#"{"no":"x]}"}"#,
        ];
        for step in 1..doc.len() + 1 {
            let got = chunks(doc, step);
            let text: String = got.concat();
            assert_eq!(text.len(), doc.len());
            // Commas between elements stay; everything else of the envelope is blank.
            for c in &got {
                assert!(
                    values(std::slice::from_ref(c)).len() <= 4,
                    "step {step}: {c}"
                );
            }
            assert_eq!(values(&got), want, "step {step}: {got:?}");
        }
    }

    #[test]
    fn a_value_followed_by_others_is_one_record_each() {
        let doc = b"{\"a\":[{\"nik\":\"1\"},{\"nik\":\"2\"}]}\n{\"a\":[{\"nik\":\"3\"}]}\n";
        for step in [1, 7, 40, 100] {
            let got = chunks(doc, step);
            assert_eq!(got.concat().as_bytes(), doc, "step {step}");
        }
        let single = b"{\"a\":[{\"nik\":\"1\"},{\"nik\":\"2\"}]}\n";
        assert_eq!(values(&chunks(single, 100)).len(), 2);
    }

    #[test]
    fn personal_fields_or_a_fhir_resource_keep_the_object_whole() {
        for doc in [
            &br#"{"peserta":{"nik":"1","tgl_lahir":"1990-01-01"},"tanggungan":[{"nik":"2"}]}"#[..],
            br#"{"resourceType":"Patient","identifier":[{"value":"1"}],"name":[{"family":"B"}]}"#,
            br#"{"status":"ok","data":{"nik":"1"}}"#,
        ] {
            let got = chunks(doc, 1000);
            assert_eq!(got.concat().as_bytes(), doc);
        }
        let bundle = br#"{"resourceType":"Bundle","link":[{"relation":"self"}],"entry":[{"resource":{"resourceType":"Patient"}}]}"#;
        assert_eq!(
            values(&chunks(bundle, 1000)),
            vec![r#"{"resource":{"resourceType":"Patient"}}"#]
        );
    }

    #[test]
    fn a_long_first_value_is_decided_without_its_end() {
        // Past the threshold with record arrays seen: cut before the document ends.
        let mut doc = br#"{"data":["#.to_vec();
        let mut n = 0;
        while doc.len() < 3 * 1024 {
            doc.extend_from_slice(format!(r#"{{"nik":"{n}"}},"#).as_bytes());
            n += 1;
        }
        doc.pop();
        doc.extend_from_slice(b"]}");
        let mut cutter = JsonCutter::new(1024);
        let mut buf = doc[..2048].to_vec();
        let cut = cutter.cut(&mut buf, pats()).expect("a cut");
        assert!(cut > 1000 && cut <= 2048);
        assert!(buf[..9].iter().all(|&b| b == b' '));
    }
}
