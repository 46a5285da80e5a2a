//! JSON records (SPEC §4): JSON Lines, values one after another, and the elements of an
//! enveloped document ([`envelope`] cuts and blanks it). Each value is flattened into fields
//! named by their last key, pushed into a [`RecordSink`]; a value that does not parse is read
//! as text. The common flat object is read by `flat`, the rest by the general parser here.
//! Imports the sink's vocabulary, the rules (key roles), `bytes` and `text`.

pub mod envelope;
mod flat;

use std::borrow::Cow;
use std::collections::HashMap;

use memchr::{memchr, memchr2};

use crate::bytes::find2;
use crate::formats::json::envelope::is_bulk_action;
use crate::formats::json::flat::{flat_object, Plans, Shape, Spans};
use crate::formats::text::lines;
use crate::record::{Field, RecordSink};
use crate::rules::{Patterns, Role};

/// How the JSON values of a chunk follow one another.
#[derive(Clone, Copy, Debug)]
pub enum Values {
    /// One per line; a line that is no value is read as text.
    Lines,
    /// One after another; brackets between them are skipped when they are a top-level
    /// array's elements (`brackets`).
    Stream { brackets: bool },
}

/// Reads the records of one chunk into `sink`, and then the keys it named.
pub fn read<S: RecordSink>(chunk: &[u8], values: Values, p: &Patterns, sink: &mut S) {
    read_keys(chunk, values, p, sink, KeyRoles::default());
}

/// [`read`] with the key cache to start from (a test's, to choose the flat reader's path).
fn read_keys<S: RecordSink>(
    chunk: &[u8],
    values: Values,
    p: &Patterns,
    sink: &mut S,
    mut keys: KeyRoles,
) {
    let mut fields: Vec<Field> = Vec::new();
    let mut spans = Spans::default();
    if let Values::Lines = values {
        if S::WANTS_NAMES {
            named_lines(chunk, p, &mut keys, &mut fields, sink);
            return names(&keys, sink);
        }
    }
    let mut out = Out {
        plans: Plans::new(sink),
        sink,
    };
    match values {
        Values::Lines => json_lines(chunk, p, &mut keys, &mut spans, &mut fields, &mut out),
        Values::Stream { brackets } => json_values(
            chunk,
            brackets,
            p,
            &mut keys,
            &mut spans,
            &mut fields,
            &mut out,
        ),
    }
    names(&keys, out.sink);
}

/// The keys the chunk named, into `sink`.
fn names<S: RecordSink>(keys: &KeyRoles, sink: &mut S) {
    for k in &keys.seen {
        sink.name(k);
    }
}

/// Where records go: the sink, and its plan for each role's values ([`Plans`]).
struct Out<'s, S> {
    sink: &'s mut S,
    plans: Plans<S>,
}

/// The JSON Lines of a chunk: a `_bulk` action line is no record, a broken line is text.
///
/// A line that opens with `{` is first read as a flat object where it lies, before its end is
/// looked for: a record that ends its line (blanks aside) needs no search for the line feed,
/// no trimming and no second look. Any other line, or one that is not such a record, is
/// read as a line ([`json_line`]).
fn json_lines<'a, S: RecordSink>(
    chunk: &'a [u8],
    p: &Patterns,
    keys: &mut KeyRoles,
    spans: &mut Spans<'a>,
    fields: &mut Vec<Field<'a>>,
    out: &mut Out<S>,
) {
    let mut pos = 0;
    while pos < chunk.len() {
        if out.sink.full() {
            break;
        }
        let rest = &chunk[pos..];
        let flat = rest[0] == b'{';
        if flat {
            keys.start_record();
            let end = flat_object::<true>(rest, keys, p, spans);
            if let Some(next) = end.and_then(|end| after_line(rest, end).map(|n| (end, n))) {
                if !is_bulk_action(&rest[..next.0]) {
                    spans.emit(out.sink, &out.plans);
                }
                pos += next.1;
                continue;
            }
        }
        let (line, next) = match memchr(b'\n', rest) {
            Some(k) => (&rest[..k], k + 1),
            None => (rest, rest.len()),
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        json_line(line, !flat, p, keys, spans, fields, out);
        pos += next;
    }
}

/// Where the line whose record ended at `s[end]` ends (after its line feed, or at the end of
/// `s`), if only blanks follow the record on it.
#[inline(always)]
fn after_line(s: &[u8], end: usize) -> Option<usize> {
    let mut k = end;
    loop {
        match s.get(k) {
            None => return Some(k),
            Some(b'\n') => return Some(k + 1),
            Some(b) if b.is_ascii_whitespace() => k += 1,
            Some(_) => return None,
        }
    }
}

/// One line of JSON Lines (without its line ending) as a record, or as text if it is no JSON
/// value; a blank line or a `_bulk` action line is none. `flat`: the flat object is worth
/// trying (the line was not already tried as one where it lay).
fn json_line<'a, S: RecordSink>(
    line: &'a [u8],
    flat: bool,
    p: &Patterns,
    keys: &mut KeyRoles,
    spans: &mut Spans<'a>,
    fields: &mut Vec<Field<'a>>,
    out: &mut Out<S>,
) {
    let t = line.trim_ascii();
    if t.is_empty() || is_bulk_action(t) {
        return;
    }
    match json_value(t, flat, p, keys, spans, fields) {
        Some((end, read)) if t[end..].trim_ascii().is_empty() => read.emit(spans, fields, out),
        // A broken line is still read, as text: nothing in it is lost.
        _ => out
            .sink
            .record(&[Field::borrowed(Role::Unnamed, line)], false),
    }
}

/// The JSON Lines of a chunk for a sink that wants each value's name: the general parser,
/// line by line, as only a sample of records is read this way.
fn named_lines<'a, S: RecordSink>(
    chunk: &'a [u8],
    p: &Patterns,
    keys: &mut KeyRoles,
    fields: &mut Vec<Field<'a>>,
    sink: &mut S,
) {
    let mut names = Vec::new();
    for line in lines(chunk) {
        if sink.full() {
            break;
        }
        fields.clear();
        let t = line.trim_ascii();
        if t.is_empty() || is_bulk_action(t) {
            continue;
        }
        names.clear();
        let end = named_record(t, keys, p, fields, &mut names);
        match end {
            Some(end) if t[end..].trim_ascii().is_empty() => {
                for (name, f) in names.iter().zip(fields.iter()) {
                    sink.named_value(name, &f.value);
                }
                sink.record(fields, true);
            }
            // A broken line is still read, as text: nothing in it is lost.
            _ => sink.record(&[Field::borrowed(Role::Unnamed, line)], false),
        }
    }
}

/// The JSON values of a chunk one after another, each a record; a value that does not parse
/// is read to the end of its line as text. Brackets between values are skipped when the
/// values are a top-level array's elements (`brackets`); a `_bulk` action line is no record.
fn json_values<'a, S: RecordSink>(
    chunk: &'a [u8],
    brackets: bool,
    p: &Patterns,
    keys: &mut KeyRoles,
    spans: &mut Spans<'a>,
    fields: &mut Vec<Field<'a>>,
    out: &mut Out<S>,
) {
    let mut pos = 0;
    while pos < chunk.len() {
        let b = chunk[pos];
        if b.is_ascii_whitespace() || b == b',' || (brackets && matches!(b, b'[' | b']')) {
            pos += 1;
            continue;
        }
        let rest = &chunk[pos..];
        match json_value(rest, true, p, keys, spans, fields) {
            Some((end, read)) => {
                if brackets || !is_bulk_action(&rest[..end]) {
                    read.emit(spans, fields, out);
                }
                pos += end;
            }
            None => {
                let end = memchr(b'\n', rest).map_or(chunk.len(), |i| pos + i + 1);
                out.sink
                    .record(&[Field::borrowed(Role::Unnamed, &chunk[pos..end])], false);
                pos = end;
            }
        }
    }
}

/// Which reader's output holds a record: [`Spans`] (a flat object) or the fields.
#[derive(Clone, Copy)]
enum Read {
    Flat,
    General,
}

impl Read {
    /// The record read into `out`.
    #[inline(always)]
    fn emit<S: RecordSink>(self, spans: &Spans, fields: &[Field], out: &mut Out<S>) {
        match self {
            Read::Flat => spans.emit(out.sink, &out.plans),
            Read::General => out.sink.record(fields, true),
        }
    }
}

/// One JSON value at the start of `s`: its end, and where its fields were put. A flat object
/// is tried first when `flat`; anything else is the general parser's.
fn json_value<'a>(
    s: &'a [u8],
    flat: bool,
    p: &Patterns,
    keys: &mut KeyRoles,
    spans: &mut Spans<'a>,
    fields: &mut Vec<Field<'a>>,
) -> Option<(usize, Read)> {
    if flat {
        keys.start_record();
        if let Some(end) = flat_object::<false>(s, keys, p, spans) {
            return Some((end, Read::Flat));
        }
    }
    fields.clear();
    general_record(s, keys, p, fields).map(|end| (end, Read::General))
}

/// The end of the last complete top-level JSON value (or array element) in `buf`.
pub fn json_boundary(buf: &[u8], array: bool) -> Option<usize> {
    let base = if array { 1 } else { 0 };
    let mut depth: i64 = 0;
    let mut seen_open = !array;
    let mut last = None;
    let mut i = 0;
    while i < buf.len() {
        match buf[i] {
            b'"' => {
                // Skip the string, honouring escapes.
                i += 1;
                loop {
                    // `get`: an escape may be the buffer's last byte.
                    match memchr2(b'"', b'\\', buf.get(i..).unwrap_or_default()) {
                        None => return last,
                        Some(k) if buf[i + k] == b'\\' => i += k + 2,
                        Some(k) => {
                            i += k;
                            break;
                        }
                    }
                }
                if depth == base {
                    last = Some(i + 1);
                }
            }
            b'{' | b'[' => {
                if !seen_open && depth == 0 {
                    seen_open = true;
                    if buf[i] == b'{' && array {
                        // Not the array's `[`: a later chunk, which starts inside the array.
                        depth = base;
                    }
                }
                depth += 1;
            }
            b'}' | b']' => {
                depth -= 1;
                if depth == base {
                    last = Some(i + 1);
                }
                if depth < base {
                    // The closing bracket of the top-level array, or stray: a boundary.
                    depth = base;
                    last = Some(i + 1);
                }
            }
            b'\n' if depth == base => last = Some(i + 1),
            _ => {}
        }
        i += 1;
    }
    last
}

/// Field roles of JSON keys, cached per worker so a key is normalized once.
///
/// Records of one file nearly always repeat their keys in the same order, so the text around
/// the n-th key of the previous record ([`Shape`]), or else that key, is tried first: one
/// short compare instead of hashing every key of every record (hashing was a fifth of the
/// JSON Lines run time).
#[derive(Default)]
pub struct KeyRoles {
    cache: HashMap<Vec<u8>, Role>,
    /// The previous record's keys in order, and how far into them this record is.
    recent: Vec<(Vec<u8>, Role, Raw)>,
    cursor: usize,
    /// Keys as written, for attribution.
    pub seen: Vec<Vec<u8>>,
    /// The previous flat record's text around its keys (see [`flat_object`]).
    shape: Shape,
}

impl KeyRoles {
    /// A cache whose flat records are followed the `n % 3`-th way: from the record's stops
    /// listed with AVX-512, value by value with AVX2, or with SSE2 (each where the CPU has
    /// it, else the next): tests read every way.
    #[cfg(test)]
    fn with_path(n: usize) -> KeyRoles {
        let mut keys = KeyRoles::default();
        keys.shape.indexed &= n.is_multiple_of(3);
        keys.shape.wide &= n % 3 != 2;
        keys
    }

    /// Starts a new record: its keys are expected in the previous record's order.
    pub fn start_record(&mut self) {
        self.cursor = 0;
    }

    /// The role of the record's next key. Inlined for the usual case, the same key as at
    /// this position in the previous record; the rest is [`KeyRoles::role_slow`].
    #[inline]
    pub fn role(&mut self, key: &[u8], p: &Patterns) -> Role {
        let at = self.cursor;
        self.cursor += 1;
        if let Some((k, r, _)) = self.recent.get(at) {
            if same_bytes(k, key) {
                return *r;
            }
        }
        self.role_slow(at, key, p)
    }

    /// The record's next key, if the string opening at `s[open]` is the key the previous
    /// record had at this position: its closing quote and role. Only a key without quotes
    /// and backslashes is tried ([`Raw`]): then matching it byte for byte, followed by a
    /// quote, is the whole string as written.
    #[inline]
    pub fn expected(&mut self, s: &[u8], open: usize) -> Option<(usize, Role)> {
        let (k, r, Raw(true)) = self.recent.get(self.cursor)? else {
            return None;
        };
        let end = open + 1 + k.len();
        if s.get(end) != Some(&b'"') || !same_bytes(&s[open + 1..end], k) {
            return None;
        }
        self.cursor += 1;
        Some((end, *r))
    }

    /// The role of a name, cached, without the positional guess (a name a rule gave a
    /// field rather than a key read in order).
    pub fn named(&mut self, key: &[u8], p: &Patterns) -> Role {
        match self.cache.get(key) {
            Some(r) => *r,
            None => {
                let r = p.role_of(key);
                self.cache.insert(key.to_vec(), r);
                self.seen.push(key.to_vec());
                r
            }
        }
    }

    #[inline(never)]
    fn role_slow(&mut self, at: usize, key: &[u8], p: &Patterns) -> Role {
        let r = self.named(key, p);
        let raw = Raw(!key.iter().any(|&b| b == b'"' || b == b'\\'));
        let known = self.recent.len();
        match self.recent.get_mut(at) {
            Some(slot) => {
                slot.0.clear();
                slot.0.extend_from_slice(key);
                slot.1 = r;
                slot.2 = raw;
            }
            None if at == known && at < MAX_RECENT_KEYS => self.recent.push((key.to_vec(), r, raw)),
            None => {}
        }
        r
    }
}

/// `a == b` without a call into `memcmp` for the short keys and separators of JSON records:
/// overlapping words compare 4 to 32 bytes.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let w8 = |x: &[u8], i: usize| u64::from_le_bytes(x[i..i + 8].try_into().expect("8 bytes"));
    let w4 = |x: &[u8], i: usize| u32::from_le_bytes(x[i..i + 4].try_into().expect("4 bytes"));
    let w16 = |i: usize| w8(a, i) == w8(b, i) && w8(a, i + 8) == w8(b, i + 8);
    match n {
        17..=32 => w16(0) && w16(n - 16),
        8..=16 => w8(a, 0) == w8(b, 0) && w8(a, n - 8) == w8(b, n - 8),
        4..=7 => w4(a, 0) == w4(b, 0) && w4(a, n - 4) == w4(b, n - 4),
        _ => a == b,
    }
}

/// Whether a remembered key, unescaped, is also how it is written: it holds no quote and no
/// backslash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Raw(bool);

/// Keys remembered per record position; wider records fall back to the hash map.
const MAX_RECENT_KEYS: usize = 256;

/// How deep a JSON record may nest before it is read as text instead.
const MAX_JSON_DEPTH: usize = 128;

/// Parses one JSON value at the start of `s` into flattened fields: the last key segment names
/// each scalar. Returns the end of the value, or `None` if it is not valid JSON.
pub fn json_record<'a>(
    s: &'a [u8],
    keys: &mut KeyRoles,
    p: &Patterns,
    fields: &mut Vec<Field<'a>>,
) -> Option<usize> {
    keys.start_record();
    let mut spans = Spans::default();
    if let Some(end) = flat_object::<false>(s, keys, p, &mut spans) {
        spans.fields(fields);
        return Some(end);
    }
    fields.clear();
    general_record(s, keys, p, fields)
}

/// [`json_record`] by the general parser alone.
fn general_record<'a>(
    s: &'a [u8],
    keys: &mut KeyRoles,
    p: &Patterns,
    fields: &mut Vec<Field<'a>>,
) -> Option<usize> {
    keys.start_record();
    let mut parser = JsonParser::<false> {
        s,
        i: 0,
        keys,
        p,
        names: Vec::new(),
        code: TypeCode::default(),
    };
    parser.value(Role::Unnamed, &[], 0, fields)?;
    Some(parser.i)
}

/// [`json_record`] that also gives each field's last key, unescaped, in `names` (empty for a
/// value outside any object), for a sink that wants names: always the general parser, as
/// only a sample of records is read this way.
fn named_record<'a>(
    s: &'a [u8],
    keys: &mut KeyRoles,
    p: &Patterns,
    fields: &mut Vec<Field<'a>>,
    names: &mut Vec<Vec<u8>>,
) -> Option<usize> {
    keys.start_record();
    let mut parser = JsonParser::<true> {
        s,
        i: 0,
        keys,
        p,
        names: std::mem::take(names),
        code: TypeCode::default(),
    };
    let read = parser.value(Role::Unnamed, &[], 0, fields);
    *names = parser.names;
    read.map(|()| parser.i)
}

/// The scalar value at `s[i]` (a blank is not one) into `fields`, and its end; objects and
/// arrays are the general parser's (`None`).
fn scalar<'a>(s: &'a [u8], i: usize, role: Role, fields: &mut Vec<Field<'a>>) -> Option<usize> {
    match *s.get(i)? {
        b'"' => {
            let (value, next) = json_string(s, i)?;
            fields.push(Field { role, value });
            Some(next)
        }
        b'-' | b'0'..=b'9' => {
            let end = number_end(s, i);
            fields.push(Field::borrowed(role, &s[i..end]));
            Some(end)
        }
        b't' | b'f' | b'n' => literal_end(s, i),
        _ => None,
    }
}

/// The end of the number that starts at `s[i]`: its bytes are taken as written.
#[inline(always)]
fn number_end(s: &[u8], i: usize) -> usize {
    let mut end = i + 1;
    while s
        .get(end)
        .is_some_and(|b| matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
    {
        end += 1;
    }
    end
}

/// The end of the `true`, `false` or `null` at `s[i]`, which is no field.
#[inline(always)]
fn literal_end(s: &[u8], i: usize) -> Option<usize> {
    let lit = [&b"true"[..], b"false", b"null"]
        .into_iter()
        .find(|l| s[i..].starts_with(l))?;
    Some(i + lit.len())
}

/// The general JSON parser; with `NAMES`, it also keeps each field's last key in `names`.
struct JsonParser<'a, 'k, const NAMES: bool> {
    s: &'a [u8],
    i: usize,
    keys: &'k mut KeyRoles,
    p: &'k Patterns,
    names: Vec<Vec<u8>>,
    /// The identifier type code being looked for (see [`Sibling`]).
    code: TypeCode<'a>,
}

impl<'a, const NAMES: bool> JsonParser<'a, '_, NAMES> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn value(
        &mut self,
        role: Role,
        key: &[u8],
        depth: usize,
        fields: &mut Vec<Field<'a>>,
    ) -> Option<()> {
        if depth > MAX_JSON_DEPTH {
            return None;
        }
        self.ws();
        match *self.s.get(self.i)? {
            b'{' => {
                self.i += 1;
                self.ws();
                if self.s.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Some(());
                }
                let mut sibling = Sibling::default();
                loop {
                    self.ws();
                    let key = self.string()?;
                    let role = self.keys.role(&key, self.p);
                    self.ws();
                    if self.s.get(self.i) != Some(&b':') {
                        return None;
                    }
                    self.i += 1;
                    let before = fields.len();
                    let typed = depth > 0 && *key == *b"type";
                    if typed {
                        self.code = TypeCode::Wanted;
                    }
                    self.value(role, &key, depth + 1, fields)?;
                    if depth > 0 {
                        self.saw(&mut sibling, &key, before, typed, fields);
                    }
                    self.ws();
                    match self.s.get(self.i)? {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            self.name_value(sibling, fields);
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.i += 1;
                self.ws();
                if self.s.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.value(role, key, depth + 1, fields)?;
                    self.ws();
                    match self.s.get(self.i)? {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            _ => {
                let before = fields.len();
                self.i = scalar(self.s, self.i, role, fields)?;
                if NAMES && fields.len() > before {
                    self.names.push(key.to_vec());
                }
                Some(())
            }
        }
    }

    /// Notes what a nested object's key `key` tells [`Sibling`]: the field index of its
    /// `value`, its `system`, its `type` (a string, or the first `code` inside it), or a
    /// `code` wanted by an enclosing `type`.
    fn saw(
        &mut self,
        sibling: &mut Sibling<'a>,
        key: &[u8],
        before: usize,
        typed: bool,
        fields: &[Field<'a>],
    ) {
        let one = (fields.len() == before + 1).then(|| &fields[before].value);
        match (key, one) {
            (b"value", Some(_)) => sibling.value = Some(before),
            (b"system", Some(v)) => sibling.system = Some(v.clone()),
            (b"code", Some(v)) if matches!(self.code, TypeCode::Wanted) => {
                self.code = TypeCode::Found(v.clone());
            }
            _ => {}
        }
        if typed {
            match (one, std::mem::take(&mut self.code)) {
                (Some(v), _) => sibling.code = Some(v.clone()),
                (None, TypeCode::Found(c)) => sibling.code = Some(c),
                _ => {}
            }
        }
    }

    /// Names an object's `value` by its sibling `system` (its last path segment) or `type`
    /// code, when that name has a role: `{"system":"https://fhir.kemkes.go.id/id/nik",
    /// "value":"3171…"}` is a `nik` field, `{"system":"phone","value":"0812…"}` a `phone`.
    fn name_value(&mut self, sibling: Sibling<'a>, fields: &mut [Field<'a>]) {
        let Some(at) = sibling.value else {
            return;
        };
        let by_system = sibling.system.as_deref().map(last_segment);
        let Some(name) = by_system
            .filter(|n| !n.is_empty())
            .or(sibling.code.as_deref())
        else {
            return;
        };
        let role = self.keys.named(name, self.p);
        if role != Role::Other {
            fields[at].role = role;
            if NAMES {
                if let Some(n) = self.names.get_mut(at) {
                    *n = name.to_vec();
                }
            }
        }
    }

    /// A string at `i` (which holds `"`), unescaped.
    fn string(&mut self) -> Option<Cow<'a, [u8]>> {
        let (value, next) = json_string(self.s, self.i)?;
        self.i = next;
        Some(value)
    }
}

/// What a nested object's keys say about its `value` (FHIR's `Identifier` and
/// `ContactPoint`, SPEC §3): a small rule applied per object in the general parser, in one
/// pass whatever the keys' order. Records of top-level scalars (the fast path) have no
/// nested objects, so the rule never applies to them.
#[derive(Default)]
struct Sibling<'a> {
    /// The field index of the object's scalar `value`.
    value: Option<usize>,
    system: Option<Cow<'a, [u8]>>,
    /// The object's `type`: a string, or the first `code` inside it (`type.coding[].code`).
    code: Option<Cow<'a, [u8]>>,
}

/// The first `code` inside a `type` object, while it is looked for.
#[derive(Default)]
enum TypeCode<'a> {
    #[default]
    None,
    Wanted,
    Found(Cow<'a, [u8]>),
}

/// A system URI's last segment: after its last `/`, `:` or `#`.
fn last_segment(system: &[u8]) -> &[u8] {
    let from = system
        .iter()
        .rposition(|&b| matches!(b, b'/' | b':' | b'#'))
        .map_or(0, |i| i + 1);
    &system[from..]
}

/// The string at `s[at]` (which holds `"`), unescaped, and where it ends.
fn json_string(s: &[u8], open: usize) -> Option<(Cow<'_, [u8]>, usize)> {
    if s.get(open) != Some(&b'"') {
        return None;
    }
    let start = open + 1;
    let (k, quote) = find2(b'"', b'\\', s.get(start..)?)?;
    if quote {
        return Some((Cow::Borrowed(&s[start..start + k]), start + k + 1));
    }
    let mut owned = Vec::new();
    let next = unescape(s, start, &mut owned)?;
    Some((Cow::Owned(owned), next))
}

/// Appends the string that starts at `s[i]` (after its opening quote) to `o`, unescaped, and
/// returns the position after its closing quote; `None` if it is broken (`o` then holds part
/// of it).
fn unescape(s: &[u8], mut i: usize, o: &mut Vec<u8>) -> Option<usize> {
    loop {
        let (k, quote) = find2(b'"', b'\\', &s[i..])?;
        let at = i + k;
        o.extend_from_slice(&s[i..at]);
        if quote {
            return Some(at + 1);
        }
        let esc = *s.get(at + 1)?;
        i = at + 2;
        match esc {
            b'n' => o.push(b'\n'),
            b't' => o.push(b'\t'),
            b'r' => o.push(b'\r'),
            b'b' | b'f' => o.push(b' '),
            b'u' => {
                let hex = std::str::from_utf8(s.get(i..i + 4)?).ok()?;
                let mut cp = u32::from_str_radix(hex, 16).ok()?;
                i += 4;
                if (0xD800..0xDC00).contains(&cp) && s.get(i..i + 2) == Some(b"\\u") {
                    let lo = std::str::from_utf8(s.get(i + 2..i + 6)?).ok()?;
                    let lo = u32::from_str_radix(lo, 16).ok()?;
                    if (0xDC00..0xE000).contains(&lo) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        i += 6;
                    }
                }
                let c = char::from_u32(cp).unwrap_or('\u{FFFD}');
                let mut b = [0u8; 4];
                o.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
            other => o.push(other),
        }
    }
}

#[cfg(test)]
#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Column;
    use crate::testing::xorshift;

    /// The named values a sink that wants names is handed, until it holds `max` records.
    struct Named {
        max: usize,
        records: usize,
        pairs: Vec<(String, String)>,
    }

    impl RecordSink for Named {
        const WANTS_NAMES: bool = true;
        fn begin(&mut self) {
            self.records += 1;
        }
        fn field(&mut self, _: Role, _: &[u8], _: bool) {}
        fn unheld(&mut self, _: &[Field]) {}
        fn end(&mut self, _: &[Field], _: bool) {}
        fn name(&mut self, _: &[u8]) {}
        fn named_value(&mut self, name: &[u8], value: &[u8]) {
            let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
            self.pairs.push((text(name), text(value)));
        }
        fn full(&self) -> bool {
            self.records >= self.max
        }
    }

    /// A record as a sink was handed it: whether named, and its fields.
    type Handed = (bool, Vec<(Role, Vec<u8>)>);

    /// Every record a sink is handed.
    #[derive(Default)]
    struct Recorded(Vec<Handed>);

    impl RecordSink for Recorded {
        fn begin(&mut self) {
            self.0.push((false, Vec::new()));
        }
        fn field(&mut self, role: Role, value: &[u8], _: bool) {
            if let Some(r) = self.0.last_mut() {
                r.1.push((role, value.to_vec()));
            }
        }
        fn unheld(&mut self, _: &[Field]) {}
        fn end(&mut self, _: &[Field], named: bool) {
            if let Some(r) = self.0.last_mut() {
                r.0 = named;
            }
        }
        fn name(&mut self, _: &[u8]) {}
    }

    #[test]
    fn json_lines_read_where_they_lie_like_each_line_alone() {
        // The reference: each line cut at its line feed, trimmed, then parsed on its own.
        fn line_by_line(chunk: &[u8], p: &Patterns) -> Recorded {
            let mut sink = Recorded::default();
            let mut keys = KeyRoles::default();
            for line in lines(chunk) {
                let t = line.trim_ascii();
                if t.is_empty() || is_bulk_action(t) {
                    continue;
                }
                let mut fields = Vec::new();
                match json_record(t, &mut keys, p, &mut fields) {
                    Some(end) if t[end..].trim_ascii().is_empty() => sink.record(&fields, true),
                    _ => sink.record(&[Field::borrowed(Role::Unnamed, line)], false),
                }
            }
            sink
        }
        // Random chunks of `tokens`, mostly one of the first four as a whole line, read with
        // and without AVX2.
        fn chunks(tokens: &[&[u8]], seed: u64) {
            let p = crate::testing::pats();
            let mut x = seed;
            let mut next = || xorshift(&mut x);
            for n in 0..5_000 {
                let mut chunk = Vec::new();
                for _ in 0..next() % 24 {
                    let r = next();
                    // Mostly a whole line.
                    let t = if r % 3 == 0 { r >> 8 } else { r >> 8 & 3 };
                    chunk.extend_from_slice(tokens[(t % tokens.len() as u64) as usize]);
                    if r % 3 != 0 {
                        chunk.push(b'\n');
                    }
                }
                let mut got = Recorded::default();
                read_keys(&chunk, Values::Lines, p, &mut got, KeyRoles::with_path(n));
                let want = line_by_line(&chunk, p);
                assert_eq!(got.0, want.0, "{}", String::from_utf8_lossy(&chunk));
            }
        }
        // Whole lines, mostly alike as an export's are, and pieces that break them: line
        // feeds and escapes inside strings, blanks, nesting, bulk actions, cut records.
        let tokens: [&[u8]; 24] = [
            br#"{"NIK":"3171014101900001","NAMA":"Budi","HP":"0812"}"#,
            br#"{"NIK":"3171014101900002","NAMA":"Sri","HP":"0813"}"#,
            br#"{"NIK":"3171014101900003","NAMA":"A\"b\u0041","HP":0812}"#,
            br#"{"NIK":"3171","NAMA":"Jl. Mawar No. 5, RT 001/RW 002, Kel. Gambir","ok":true}"#,
            br#"{"NIK":"1","a":{"nik":"2"}}"#,
            br#"{"index":{"_id":"1"}}"#,
            br#"{"NIK":"x"#,
            br#""y"}"#,
            br#"{"NIK":"a\"#,
            br#"n"}"#,
            b"\n",
            b"\n",
            b"\n",
            b"\r\n",
            b" ",
            b"\t",
            b"\x0c",
            b"{",
            b"}",
            b"\"",
            b"\\",
            b",",
            b"[1,2]",
            b"x",
        ];
        chunks(&tokens, 0x5DEE_CE66_D1CE_4E5B);
        // One shape whose values end, or hold a backslash or a line feed, at every place
        // around the end of the 32 bytes read at a gap (`,"NAMA":"` is 9 of them), and
        // values the AVX2 path hands on: a literal, a number, a value longer than 32 bytes.
        let tokens: [&[u8]; 20] = [
            br#"{"NIK":"3171014101900001","NAMA":"abcdefghijklmnopqrstu\"v","HP":"0812"}"#,
            b"{\"NIK\":\"3171014101900002\",\"NAMA\":\"abcdefghijklmnopqrstuv\nxyz\",\"HP\":\"0812\"}",
            br#"{"NIK":"3171014101900003","NAMA":"abcdefghijklmnopqrstuvw\"x","HP":"0812"}"#,
            b"{\"NIK\":\"3171014101900004\",\"NAMA\":\"abcdefghijk\nxyz\",\"HP\":\"0812\"}",
            br#"{"NIK":"3171014101900014","NAMA":"abcdefghijklmnopqrstuv\"w","HP":"0812"}"#,
            br#"{"NIK":"3171014101900015","NAMA":"abcdefghijklmnopqrstuvwx","HP":null}"#,
            b"{\"NIK\":\"3171014101900016\",\"NAMA\":\"abcdefghijklmnopqrstuvw\nxyz\",\"HP\":\"0812\"}",
            br#"{"NIK":"3171014101900005","NAMA":"abcdefghijklmnopqrstuvw","HP":0812}"#,
            br#"{"NIK":"3171014101900006","NAMA":"abcdefghijklmnopqrstuv","HP":"0812"}"#,
            br#"{"NIK":"3171014101900007","NAMA":"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ\n","HP":"0812"}"#,
            br#"{"NIK":"3171014101900008","NAMA":"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ","HP":"0812"}"#,
            br#"{"NIK":"3171014101900009","NAMA":"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ\"","HP":"0812"}"#,
            br#"{"NIK":"3171014101900010","NAMA":true,"HP":"0812"}"#,
            br#"{"NIK":"3171014101900011","NAMA":"abcdefghijklmnopqrstuvw\u0041","HP":"0812"}"#,
            br#"{"NIK":"3171014101900012","NAMA":"abcdefghijklmnopqrstuvw"#,
            b"xyz\",\"HP\":\"0812\"}",
            br#"{"NIK":"3171014101900013","NAMA":"abcdefghijklmnopqrstuv"#,
            b"abcdefghijklmnopqrstuvwxyz0123456789",
            b"\\",
            b"\n",
        ];
        chunks(&tokens, 0x1234_5678_9ABC_DEF1);
    }

    #[test]
    fn a_sink_that_wants_names_gets_each_value_under_its_last_key_as_written() {
        let p = crate::testing::pats();
        let chunk = b"{\"a\":{\"b\":\"x\"},\"c\":[1,\"y\"],\"d\":1e3,\"d\":2,\"n\":null}\n\
            {\"index\":{\"_id\":\"1\"}}\n{broken\n[\"bare\"]\n{\"e\":\"late\"}\n";
        let mut sink = Named {
            max: 3,
            records: 0,
            pairs: Vec::new(),
        };
        read(chunk, Values::Lines, p, &mut sink);
        let pairs: Vec<(&str, &str)> = sink
            .pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        // The bulk action line is no record; the broken line is a record without names; the
        // bare array has no key; the sink is full before the last line.
        let want = [
            ("b", "x"),
            ("c", "1"),
            ("c", "y"),
            ("d", "1e3"),
            ("d", "2"),
            ("", "bare"),
        ];
        assert_eq!(pairs, want);
        assert_eq!(sink.records, 3);
    }

    #[test]
    fn a_nested_value_is_named_by_its_sibling_system_or_type() {
        let p = crate::testing::pats();
        let line = br#"{"resourceType":"Patient","identifier":[
            {"value":"3171014101900001","system":"https://fhir.kemkes.go.id/id/nik"},
            {"type":{"coding":[{"system":"x","code":"BPJS"}]},"value":"0001234567890"},
            {"type":"NNIDN","value":"3171014101900002"},
            {"system":"urn:oid:1.2.3","value":"0812"}],
            "telecom":[{"system":"phone","value":"081234567890"}],
            "value":"1","system":"phone"}"#;
        let roles = |line: &[u8]| {
            let mut keys = KeyRoles::default();
            let mut fields = Vec::new();
            json_record(line, &mut keys, p, &mut fields).unwrap();
            let v: Vec<(Role, String)> = fields
                .iter()
                .map(|f| (f.role, String::from_utf8_lossy(&f.value).into_owned()))
                .filter(|(_, v)| v.chars().all(|c| c.is_ascii_digit()))
                .collect();
            v
        };
        let want = [
            (Role::Nik, "3171014101900001"),
            (Role::BpjsCard, "0001234567890"),
            (Role::Nik, "3171014101900002"),
            (Role::Other, "0812"),
            (Role::Phone, "081234567890"),
            // The record's own keys: not an object nested in it.
            (Role::Other, "1"),
        ];
        let got = roles(line);
        let got: Vec<(Role, &str)> = got.iter().map(|(r, v)| (*r, v.as_str())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn json_boundaries() {
        let s = b"{\"a\":\"}\\\"\"}\n{\"b\":[1,2";
        assert_eq!(json_boundary(s, false), Some(12));
        let s = b"[{\"a\":1},\n {\"a\":2}, {\"a\"";
        assert_eq!(json_boundary(s, true), Some(18));
    }

    #[test]
    fn json_flattens_to_last_key() {
        let mut keys = KeyRoles::default();
        let p = crate::testing::pats();
        let mut fields = Vec::new();
        let s =
            br#"{"passenger":{"nik":"3171","hp":["0812","x\"y\u0041"]},"n":12,"ok":true,"z":null}"#;
        let end = json_record(s, &mut keys, p, &mut fields).unwrap();
        assert_eq!(end, s.len());
        let vals: Vec<String> = fields
            .iter()
            .map(|f| String::from_utf8_lossy(&f.value).into_owned())
            .collect();
        assert_eq!(vals, vec!["3171", "0812", "x\"yA", "12"]);
        assert!(json_record(b"{\"a\":", &mut keys, p, &mut fields).is_none());
        let deep = "[".repeat(100_000);
        assert!(json_record(deep.as_bytes(), &mut keys, p, &mut fields).is_none());
    }

    #[test]
    fn flat_objects_read_like_the_general_parser() {
        let p = crate::testing::pats();
        let general = |s: &[u8]| {
            let mut keys = KeyRoles::default();
            let mut fields = Vec::new();
            let mut parser = JsonParser::<false> {
                s,
                i: 0,
                keys: &mut keys,
                p,
                names: Vec::new(),
                code: TypeCode::default(),
            };
            let end = parser
                .value(Role::Unnamed, &[], 0, &mut fields)
                .map(|_| parser.i);
            let f: Vec<(Role, Vec<u8>)> =
                fields.iter().map(|f| (f.role, f.value.to_vec())).collect();
            (end, f)
        };
        let cases: [&[u8]; 14] = [
            br#"{"NIK":"3171014101900001","NAMA":"Budi","n":-1.5e+3,"ok":true,"z":null}"#,
            br#" { "NIK" : "3171" , "HP":"0812" } "#,
            b"{}",
            b"{ }",
            br#"{"a":"x"y","b":"1"}"#,
            br#"{"aA":"1"}"#,
            br#"{"a":{"nik":"3171"}}"#,
            br#"{"a":["0812"]}"#,
            br#"{"a":"1""#,
            br#"{"a":tru}"#,
            br#"{"a":1,}"#,
            br#"{"a" "b"}"#,
            b"[1,2]",
            br#"{"a":"1"}{"b":2}"#,
        ];
        for c in cases {
            let mut keys = KeyRoles::default();
            let mut fields = Vec::new();
            let end = json_record(c, &mut keys, p, &mut fields);
            let f: Vec<(Role, Vec<u8>)> =
                fields.iter().map(|f| (f.role, f.value.to_vec())).collect();
            let want = general(c);
            assert_eq!(end, want.0, "{}", String::from_utf8_lossy(c));
            if end.is_some() {
                assert_eq!(f, want.1, "{}", String::from_utf8_lossy(c));
            }
        }
    }

    #[test]
    fn flat_objects_read_like_the_general_parser_on_random_lines() {
        // Random lines over JSON's structural bytes: whatever the fast path accepts, the
        // general parser must read the same way. Strings of every length reach both the
        // 16-byte blocks of the string search and its tail.
        let p = crate::testing::pats();
        let tokens: [&[u8]; 19] = [
            br#""NIK""#,
            br#""""#,
            br#""a""#,
            br#""x y""#,
            b"\"",
            b":",
            b",",
            b" ",
            b"{",
            b"}",
            b"[",
            b"-1.5e+3",
            b"12",
            b"true",
            b"nul",
            b"\\",
            br#""0812 3456 7890 1234 5678""#,
            br#""a\"b""#,
            br#""a"b""#,
        ];
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || xorshift(&mut x);
        let mut accepted = 0;
        // Each line one of the three ways (where the CPU has it), each with its own cache.
        let mut all = [0, 1, 2].map(KeyRoles::with_path);
        for n in 0..50_000 {
            let shared = &mut all[n % 3];
            // Mostly well-formed pairs, with a random token now and then.
            let mut line = b"{".to_vec();
            for k in 0..next() % 8 {
                if k > 0 {
                    line.push(b',');
                }
                let r = next();
                let pick = |i: u64| tokens[(i % tokens.len() as u64) as usize];
                if r % 4 == 0 {
                    line.extend_from_slice(pick(r >> 8));
                    line.extend_from_slice(pick(r >> 16));
                } else {
                    line.extend_from_slice(pick(r >> 8 & 1));
                    line.push(b':');
                    line.extend_from_slice(pick(r >> 16));
                }
            }
            if next() % 8 != 0 {
                line.push(b'}');
            }
            // One key cache for every line, as a worker has: a line's keys are then tried
            // against the keys the line before had at the same positions.
            shared.start_record();
            let mut spans = Spans::default();
            let Some(end) = flat_object::<false>(&line, shared, p, &mut spans) else {
                continue;
            };
            let mut flat = Vec::new();
            spans.fields(&mut flat);
            accepted += 1;
            let mut keys = KeyRoles::default();
            let mut fields = Vec::new();
            let mut parser = JsonParser::<false> {
                s: &line,
                i: 0,
                keys: &mut keys,
                p,
                names: Vec::new(),
                code: TypeCode::default(),
            };
            let general = parser
                .value(Role::Unnamed, &[], 0, &mut fields)
                .map(|_| parser.i);
            let pairs = |f: &[Field]| -> Vec<(Role, Vec<u8>)> {
                f.iter().map(|f| (f.role, f.value.to_vec())).collect()
            };
            let shown = String::from_utf8_lossy(&line).into_owned();
            assert_eq!(Some(end), general, "{shown}");
            assert_eq!(pairs(&flat), pairs(&fields), "{shown}");
        }
        assert!(accepted > 5_000, "{accepted}");
    }

    #[test]
    fn records_that_follow_the_last_shape_read_as_if_read_alone() {
        // Lines that mostly repeat the previous line's keys, with the departures a real
        // export has: keys dropped, added or swapped, blanks, escapes, other value types.
        let p = crate::testing::pats();
        let keys_pool: [&str; 7] = [
            r#""NIK""#,
            r#""NAMA""#,
            r#""HP""#,
            r#""EMAIL""#,
            r#""a\"b""#,
            r#""ALAMAT_LENGKAP_PESERTA""#,
            r#""x""#,
        ];
        let values: [&str; 12] = [
            r#""3171014101900001""#,
            r#""""#,
            r#""Budi""#,
            r#""Jl. \"Mawar\" No. 5, RT 001/RW 002, Kel. Gambir, Jakarta 10110""#,
            "-12.5e3",
            "0812",
            "true",
            "null",
            r#"{"nik":"1"}"#,
            r#"["0812"]"#,
            r#""0812 3456 7890""#,
            "tru",
        ];
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || xorshift(&mut x);
        let mut order: Vec<usize> = (0..5).collect();
        // Each line one of the three ways (where the CPU has it), each with its own cache.
        let mut all = [0, 1, 2].map(KeyRoles::with_path);
        let mut followed = 0;
        for n in 0..20_000 {
            match next() % 16 {
                0 if order.len() > 1 => {
                    order.remove((next() % order.len() as u64) as usize);
                }
                1 => order.push((next() % keys_pool.len() as u64) as usize),
                2 if order.len() > 1 => {
                    let (a, b) = (next() as usize % order.len(), next() as usize % order.len());
                    order.swap(a, b);
                }
                _ => {}
            }
            let blank = |r: u64| if r.is_multiple_of(8) { " " } else { "" };
            let mut line = String::from("{");
            for (n, &k) in order.iter().enumerate() {
                if n > 0 {
                    line.push_str(blank(next()));
                    line.push(',');
                }
                line.push_str(blank(next()));
                line.push_str(keys_pool[k]);
                line.push(':');
                line.push_str(blank(next()));
                let v = next();
                // Mostly strings, as exports write them.
                let pick = if v % 4 == 0 { v >> 8 } else { v >> 8 & 3 };
                line.push_str(values[(pick % values.len() as u64) as usize]);
            }
            line.push_str(blank(next()));
            if next() % 32 != 0 {
                line.push('}');
            }
            let b = line.as_bytes();
            let read = |keys: &mut KeyRoles| {
                let mut fields = Vec::new();
                let end = json_record(b, keys, p, &mut fields);
                let f: Vec<(Role, Vec<u8>)> =
                    fields.iter().map(|f| (f.role, f.value.to_vec())).collect();
                (end, f)
            };
            let shared = &mut all[n % 3];
            let before = shared.shape.gaps.len();
            let got = read(shared);
            if before > 0 && got.0.is_some() {
                followed += 1;
            }
            assert_eq!(got, read(&mut KeyRoles::default()), "{line}");
        }
        assert!(followed > 5_000, "{followed}");
    }

    /// What a sink with plans of its own is handed: `take` and `field` with the role, a short
    /// value alone.
    #[derive(Default)]
    struct Planned(Vec<(&'static str, Role, Vec<u8>)>);

    impl Planned {
        /// The length under which a value of `role` is short: 0 for a NIK, as the analyzer
        /// reads each; 4 for the rest.
        fn short(role: Role) -> usize {
            if role == Role::Nik {
                0
            } else {
                4
            }
        }
    }

    impl RecordSink for Planned {
        fn begin(&mut self) {
            self.0.push(("begin", Role::Unnamed, Vec::new()));
        }
        fn field(&mut self, role: Role, value: &[u8], _: bool) {
            self.0.push(("field", role, value.to_vec()));
        }
        fn unheld(&mut self, _: &[Field]) {}
        fn end(&mut self, _: &[Field], named: bool) {
            self.0.push(("end", Role::Unnamed, vec![u8::from(named)]));
        }
        fn name(&mut self, _: &[u8]) {}
        fn column(&self, role: Role) -> Column<Self> {
            Column {
                short: Planned::short(role),
                role,
                take: |sink, value, role| sink.0.push(("take", role, value.to_vec())),
            }
        }
        fn short_field(&mut self, value: &[u8]) {
            self.0.push(("short", Role::Other, value.to_vec()));
        }
    }

    #[test]
    fn flat_values_go_to_their_roles_plans_as_the_general_parser_names_them() {
        // Lines of keys of every role (two sensitive rules among them), in varying order,
        // with short, long, escaped, non-ASCII and missing values, nesting and broken lines;
        // each read as JSON Lines and as a stream of values, each of the three ways. The
        // reference reads each line alone with the general parser; a record the flat reader
        // takes (as its first record, without a shape to follow) has each field handed to
        // the plan its role would have, a sensitive field to `field` with its own rule;
        // any other goes to `record`, field by field.
        let p = crate::testing::pats();
        let keys_pool = [
            "NIK", "NAMA", "HP", "EMAIL", "TGLLHR", "JENKEL", "NPWP", "NOKK", "NOKA", "NIP",
            "DIAGNOSA", "HASILTES", "x", r#"a\"b"#,
        ];
        let values = [
            r#""3171014101900001""#,
            r#""""#,
            r#""L""#,
            r#""abc""#,
            r#""abcd""#,
            r#""Jl. \"Mawar\" No. 5""#,
            r#""Jl. Mawar No. 5, RT 001/RW 002, Kel. Gambir, Jakarta 10110""#,
            r#""Sérgio Ñandú""#,
            "0812345678",
            "12",
            "true",
            "null",
            r#"{"nik":"3171014101900001"}"#,
            r#"["0812",1]"#,
        ];
        let roles: std::collections::HashSet<Role> =
            keys_pool.iter().map(|k| p.role_of(k.as_bytes())).collect();
        let sensitive = roles
            .iter()
            .filter(|r| matches!(r, Role::Sensitive(_)))
            .count();
        assert!(roles.len() >= 12 && sensitive == 2, "{roles:?}");
        let reference = |chunk: &[u8]| {
            let mut want = Planned::default();
            for line in lines(chunk) {
                let mut fields = Vec::new();
                if general_record(line, &mut KeyRoles::default(), p, &mut fields).is_none() {
                    want.record(&[Field::borrowed(Role::Unnamed, line)], false);
                    continue;
                }
                let mut spans = Spans::default();
                if flat_object::<false>(line, &mut KeyRoles::default(), p, &mut spans).is_none() {
                    want.record(&fields, true);
                    continue;
                }
                want.begin();
                for f in &fields {
                    let v = f.value.to_vec();
                    want.0.push(match f.role {
                        Role::Sensitive(_) => ("field", f.role, v),
                        r if v.len() < Planned::short(r) => ("short", Role::Other, v),
                        r => ("take", r, v),
                    });
                }
                want.end(&[], true);
            }
            want.0
        };
        let mut x = 0x3C6E_F372_FE94_F82Bu64;
        let mut next = || xorshift(&mut x);
        // The escaped key (the last) sends its record to the general parser: a line has it
        // now and then.
        let mut order: Vec<usize> = (0..keys_pool.len() - 1).collect();
        let mut planned = 0;
        for n in 0..2_000 {
            let mut chunk = String::new();
            for _ in 0..next() % 12 {
                match next() % 8 {
                    0 if order.len() > 1 => {
                        order.remove(next() as usize % order.len());
                    }
                    1 => order.push(next() as usize % (keys_pool.len() - 1)),
                    2 => {
                        let (a, b) = (next() as usize % order.len(), next() as usize % order.len());
                        order.swap(a, b);
                    }
                    _ => {}
                }
                let escaped = (next() % 16 == 0).then_some(keys_pool.len() - 1);
                let pairs: Vec<String> = order
                    .iter()
                    .chain(&escaped)
                    .map(|&k| {
                        let v = next();
                        // Mostly the strings and numbers of an export.
                        let pick = if v % 4 == 0 { v >> 8 } else { v >> 8 & 7 };
                        let value = values[pick as usize % values.len()];
                        format!(r#""{}":{value}"#, keys_pool[k])
                    })
                    .collect();
                chunk.push('{');
                chunk.push_str(&pairs.join(","));
                if next() % 32 != 0 {
                    chunk.push('}');
                }
                chunk.push('\n');
            }
            let want = reference(chunk.as_bytes());
            for values in [Values::Lines, Values::Stream { brackets: false }] {
                // A broken line is text as JSON Lines, but cut elsewhere in a stream.
                if matches!(values, Values::Stream { .. })
                    && want.iter().any(|e| e.0 == "field" && e.1 == Role::Unnamed)
                {
                    continue;
                }
                let mut got = Planned::default();
                read_keys(
                    chunk.as_bytes(),
                    values,
                    p,
                    &mut got,
                    KeyRoles::with_path(n),
                );
                assert_eq!(got.0, want, "{values:?} {chunk}");
            }
            planned += want.iter().filter(|e| e.0 == "take").count();
        }
        assert!(planned > 20_000, "{planned}");
    }

    #[test]
    fn a_value_of_another_type_than_the_shapes_is_read_flat() {
        // A column that holds a number in one record and a string in the next (a phone
        // written both ways): the second record follows the first one's shape up to the
        // value, whose type the shape does not fix. Each record the flat reader takes read
        // alone, it takes after any other, each of the three ways; the AVX2 path once
        // refused a string after a number, and every later record then went to the general
        // parser.
        let p = crate::testing::pats();
        let values = [
            "81234567890",
            r#""081234567890""#,
            r#""0812\"345""#,
            r#""""#,
            "null",
            "true",
            r#"{"a":1}"#,
        ];
        // Values longer than a gap's 32 bytes, so that the AVX2 path reads them.
        let line = |v: &str| {
            format!(r#"{{"NIK":"3171014101900001","HP":{v},"NAMA":"Budi Santoso Wirawan","X":1}}"#)
        };
        for path in 0..3 {
            for a in values {
                for b in values {
                    let (first, second) = (line(a), line(b));
                    let mut keys = KeyRoles::with_path(path);
                    let mut spans = Spans::default();
                    keys.start_record();
                    let _ = flat_object::<true>(first.as_bytes(), &mut keys, p, &mut spans);
                    keys.start_record();
                    let got = flat_object::<true>(second.as_bytes(), &mut keys, p, &mut spans);
                    let mut fresh = KeyRoles::with_path(path);
                    fresh.start_record();
                    let mut alone = Spans::default();
                    let want = flat_object::<true>(second.as_bytes(), &mut fresh, p, &mut alone);
                    assert_eq!(got, want, "{path} {first} then {second}");
                    let (mut x, mut y) = (Vec::new(), Vec::new());
                    spans.fields(&mut x);
                    alone.fields(&mut y);
                    let pairs = |f: &[Field]| -> Vec<(Role, Vec<u8>)> {
                        f.iter().map(|f| (f.role, f.value.to_vec())).collect()
                    };
                    if want.is_some() {
                        assert_eq!(pairs(&x), pairs(&y), "{path} {first} then {second}");
                    }
                }
            }
        }
    }

    #[test]
    fn records_read_from_their_stops_read_as_the_general_parser_reads_them() {
        // Chunks of JSON Lines whose records are long enough for their stops to be listed
        // (64 bytes at a time, up to 4 KiB), mostly alike as an export's lines are: values
        // of every length, so that each ends at every place around a block's end, escapes,
        // line feeds and non-ASCII in them, numbers, literals and nesting, keys dropped,
        // added or swapped now and then, a record longer than the stops listed, a line
        // without its closing brace, a chunk ending inside a record. Each chunk, read each
        // of the three ways, is what its lines read alone by the general parser are.
        let p = crate::testing::pats();
        let keys_pool = [
            "NIK",
            "NAMA",
            "HP",
            "EMAIL",
            "ALAMAT",
            "x",
            "KETERANGAN",
            "TGLLHR",
        ];
        let reference = |chunk: &[u8]| {
            let mut want = Recorded::default();
            for line in lines(chunk) {
                let t = line.trim_ascii();
                if t.is_empty() || is_bulk_action(t) {
                    continue;
                }
                let mut fields = Vec::new();
                match general_record(t, &mut KeyRoles::default(), p, &mut fields) {
                    Some(end) if t[end..].trim_ascii().is_empty() => want.record(&fields, true),
                    _ => want.record(&[Field::borrowed(Role::Unnamed, line)], false),
                }
            }
            want.0
        };
        let mut x = 0x6A09_E667_F3BC_C908u64;
        let mut next = || xorshift(&mut x);
        let mut order: Vec<usize> = (0..keys_pool.len()).collect();
        let before = flat::INDEXED_VALUES.load(std::sync::atomic::Ordering::Relaxed);
        for n in 0..900 {
            let mut chunk = Vec::new();
            for _ in 0..next() % 40 {
                match next() % 64 {
                    0 if order.len() > 1 => {
                        order.remove(next() as usize % order.len());
                    }
                    1 => order.push(next() as usize % keys_pool.len()),
                    2 => {
                        let (a, b) = (next() as usize % order.len(), next() as usize % order.len());
                        order.swap(a, b);
                    }
                    _ => {}
                }
                chunk.push(b'{');
                for (k, &key) in order.iter().enumerate() {
                    if k > 0 {
                        chunk.push(b',');
                    }
                    chunk.extend_from_slice(format!(r#""{}":"#, keys_pool[key]).as_bytes());
                    let r = next();
                    // Now and then another type than the shape's, a departure from it.
                    match r % 128 {
                        0 => chunk.extend_from_slice(b"-12.5e3"),
                        1 => chunk.extend_from_slice(b"null"),
                        2 => chunk.extend_from_slice(br#"{"nik":"3171014101900001"}"#),
                        _ => {
                            let len = match r >> 8 & 255 {
                                0 => 5_000,
                                1..=32 => (r >> 16) % 300,
                                _ => (r >> 16) % 70,
                            };
                            chunk.push(b'"');
                            for c in 0..len {
                                let r = next();
                                match r % 4096 {
                                    0 => chunk.extend_from_slice(br#"""#),
                                    1 => chunk.extend_from_slice(br"\"),
                                    2 => chunk.push(b'\n'),
                                    3 => chunk.extend_from_slice("é".as_bytes()),
                                    _ => chunk.push(b'a' + (c % 26) as u8),
                                }
                            }
                            chunk.push(b'"');
                        }
                    }
                }
                if next() % 64 != 0 {
                    chunk.push(b'}');
                }
                chunk.push(b'\n');
            }
            if n % 4 == 0 {
                chunk.truncate(next() as usize % (chunk.len() + 1));
            }
            let want = reference(&chunk);
            let shown = String::from_utf8_lossy(&chunk).into_owned();
            for path in 0..3 {
                let mut got = Recorded::default();
                read_keys(
                    &chunk,
                    Values::Lines,
                    p,
                    &mut got,
                    KeyRoles::with_path(path),
                );
                assert_eq!(got.0, want, "{path} {shown}");
                // As a stream of values, where every line is one.
                if want.iter().all(|r| r.0) {
                    let mut got = Recorded::default();
                    let stream = Values::Stream { brackets: false };
                    read_keys(&chunk, stream, p, &mut got, KeyRoles::with_path(path));
                    assert_eq!(got.0, want, "stream {path} {shown}");
                }
            }
        }
        // Most values were read from the stops (where the CPU has AVX-512).
        let indexed = flat::INDEXED_VALUES.load(std::sync::atomic::Ordering::Relaxed) - before;
        assert!(
            indexed > 20_000 || !KeyRoles::default().shape.indexed,
            "{indexed}"
        );
    }

    #[test]
    fn an_escaped_key_is_not_matched_as_written() {
        // `a"b` read from an escaped key must not make the unescaped bytes a key next time.
        let p = crate::testing::pats();
        let mut keys = KeyRoles::default();
        let mut fields = Vec::new();
        assert!(json_record(br#"{"a\"b":"1"}"#, &mut keys, p, &mut fields).is_some());
        fields.clear();
        assert_eq!(
            json_record(br#"{"a"b":"2"}"#, &mut keys, p, &mut fields),
            None
        );
        // A plain key is matched whole, and a longer or shorter one is not.
        for (line, ok) in [
            (&br#"{"NIK":"1"}"#[..], true),
            (br#"{"NIK":"2"}"#, true),
            (br#"{"NIKA":"3"}"#, true),
            (br#"{"NI":"4"}"#, true),
            (br#"{"NIK"x:"5"}"#, false),
        ] {
            fields.clear();
            assert_eq!(
                json_record(line, &mut keys, p, &mut fields).is_some(),
                ok,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn same_bytes_is_equality() {
        // Every length up to 40 (the word arms end at 32), every byte changed in turn.
        let a = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN";
        for i in 0..a.len() {
            for j in i..=a.len() {
                let mut b = a[i..j].to_vec();
                assert!(same_bytes(&a[i..j], &b));
                for k in 0..b.len() {
                    let mut c = b.clone();
                    c[k] ^= 4;
                    assert!(!same_bytes(&a[i..j], &c), "{i}..{j}, byte {k}");
                }
                if let Some(last) = b.last_mut() {
                    *last ^= 1;
                    assert!(!same_bytes(&a[i..j], &b));
                }
                if let Some(first) = b.first_mut() {
                    *first ^= 2;
                    assert!(!same_bytes(&a[i..j], &b));
                }
                assert!(
                    !same_bytes(&a[i..j], &a[i..j.saturating_sub(1).max(i)])
                        || i == j
                        || j - i == 0
                );
            }
        }
    }
}
