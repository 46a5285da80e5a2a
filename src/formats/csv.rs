//! Delimited text (CSV, TSV, `;`, `|`; SPEC §4): where a chunk may end, one record's
//! fields, and a chunk's rows pushed into a [`RecordSink`] (named by the header's columns, or
//! without names). Imports the sink's vocabulary, the rules' roles and `bytes`.

use std::borrow::Cow;

use memchr::memrchr;

use crate::bytes::{find2, find_any};
use crate::record::{Column, Field, RecordSink};
use crate::rules::Role;

/// A delimited file's header: each column's role, and its name as written (for a sink that
/// wants names, [`RecordSink::WANTS_NAMES`]). Empty without a header.
#[derive(Clone, Debug, Default)]
pub struct Columns {
    pub roles: Vec<Role>,
    pub names: Vec<String>,
}

/// Reads the rows of one chunk into `sink`: under a header (`named`), each field with its
/// column's role; without one, as fields without names.
pub fn read<S: RecordSink>(chunk: &[u8], delim: u8, columns: &Columns, named: bool, sink: &mut S) {
    if named {
        named_rows(chunk, delim, columns, sink)
    } else {
        unnamed_rows(chunk, delim, sink)
    }
}

/// The rows of a delimited chunk under a header: each field goes to the sink as it is cut,
/// with its column's role, without the record being collected.
fn named_rows<S: RecordSink>(chunk: &[u8], delim: u8, columns: &Columns, sink: &mut S) {
    let mut rows = Named {
        plans: columns.roles.iter().map(|&r| sink.column(r)).collect(),
        past_header: sink.column(Role::Other),
        sink,
        names: &columns.names,
    };
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2")
        && std::is_x86_feature_detected!("bmi1")
        && std::is_x86_feature_detected!("popcnt")
    {
        // SAFETY: the CPU has AVX2, BMI1 and POPCNT, as just tested.
        return unsafe { cut_avx2(chunk, delim, &mut rows) };
    }
    cut::<_, false>(chunk, delim, &mut rows);
}

/// [`cut`] with its masks taken 32 bytes at a time (half the instructions of SSE2's 16), and
/// a mask's lowest bit cleared in one instruction (BMI1), a block's plain fields counted in
/// one (POPCNT, [`Rows::plain_fields`]).
///
/// # Safety
/// The CPU has AVX2, BMI1 and POPCNT.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,bmi1,popcnt")]
unsafe fn cut_avx2<'a, R: Rows<'a>>(chunk: &'a [u8], delim: u8, rows: &mut R) {
    cut::<_, true>(chunk, delim, rows)
}

/// A header's rows into a sink, field by field (see [`named_rows`]).
struct Named<'s, S> {
    sink: &'s mut S,
    names: &'s [String],
    /// Each column's plan ([`RecordSink::column`]), and that of a field past the header's
    /// columns.
    plans: Vec<Column<S>>,
    past_header: Column<S>,
}

impl<'a, S: RecordSink> Rows<'a> for Named<'_, S> {
    #[inline(always)]
    fn begin(&mut self) -> bool {
        if self.sink.full() {
            return false;
        }
        self.sink.begin();
        true
    }

    #[inline(always)]
    fn field(&mut self, col: usize, v: Cow<'a, [u8]>) {
        if S::WANTS_NAMES {
            if let Some(name) = self.names.get(col) {
                self.sink.named_value(name.as_bytes(), &v);
            }
        }
        let plan = self.plans.get(col).unwrap_or(&self.past_header);
        plan.give(self.sink, &v, plan.role)
    }

    #[inline(always)]
    fn end(&mut self) {
        self.sink.end(&[], true);
    }

    /// The block's plain fields with their plans taken in order, when the header has a
    /// column for each: no test per field for a column past the header (a compare, two
    /// address computations and a conditional move a field, with the plans' address and
    /// length reloaded from the stack after each call).
    #[inline(always)]
    fn plain_fields(
        &mut self,
        chunk: &'a [u8],
        base: usize,
        mut plain: u64,
        start: &mut usize,
        col: &mut usize,
    ) {
        let n = plain.count_ones() as usize;
        match self.plans.get(*col..*col + n) {
            Some(plans) if !S::WANTS_NAMES => {
                let mut from = *start;
                for plan in plans {
                    let end = base + plain.trailing_zeros() as usize;
                    plain &= plain - 1;
                    plan.give(self.sink, field_at(chunk, from, end), plan.role);
                    from = end + 1;
                }
                *start = from;
                *col += n;
            }
            _ => each_field(chunk, base, plain, start, col, |col, v| {
                self.field(col, Cow::Borrowed(v))
            }),
        }
    }
}

/// What [`cut`] hands each record to.
trait Rows<'a> {
    /// A record starts; false stops the cutting before it.
    fn begin(&mut self) -> bool;
    /// The record's field in column `col`.
    fn field(&mut self, col: usize, v: Cow<'a, [u8]>);
    /// The record ends.
    fn end(&mut self);

    /// The fields that end at the bits of `plain` (delimiters of the block at `base`, in
    /// order), the first at `start` in column `col`; both moved past them.
    #[inline(always)]
    fn plain_fields(
        &mut self,
        chunk: &'a [u8],
        base: usize,
        plain: u64,
        start: &mut usize,
        col: &mut usize,
    ) {
        each_field(chunk, base, plain, start, col, |col, v| {
            self.field(col, Cow::Borrowed(v))
        })
    }
}

/// The fields that end at the bits of `plain` (see [`Rows::plain_fields`]) to `take`, with
/// their columns.
#[inline(always)]
fn each_field<'a>(
    chunk: &'a [u8],
    base: usize,
    mut plain: u64,
    start: &mut usize,
    col: &mut usize,
    mut take: impl FnMut(usize, &'a [u8]),
) {
    while plain != 0 {
        let end = base + plain.trailing_zeros() as usize;
        plain &= plain - 1;
        take(*col, field_at(chunk, *start, end));
        *start = end + 1;
        *col += 1;
    }
}

/// Cuts the records of a chunk into `rows`, giving the fields [`parse_csv_record`] gives
/// (`AVX2`: the masks are taken with AVX2, which the caller has made sure of).
///
/// Where fields, records and quotes are is read 64 bytes at a time into bit masks
/// ([`Block`]): a field's end is then the mask's lowest bit, and a quoted field's closing
/// quote the next quote bit, without a search per field. A quoted field with a doubled
/// quote or bytes after its closing quote is read by [`quoted_field`] instead.
#[inline(always)]
fn cut<'a, R: Rows<'a>, const AVX2: bool>(chunk: &'a [u8], delim: u8, rows: &mut R) {
    let len = chunk.len();
    let mut start = 0;
    let mut blk = Block::<AVX2>::at(chunk, 0, delim);
    let mut quoted = chunk.first() == Some(&b'"');
    while start < len {
        if !rows.begin() {
            return;
        }
        let mut col = 0;
        loop {
            if quoted {
                let (v, next, last) = match blk.plain_quoted(chunk, start, delim) {
                    Some((close, last)) => {
                        (Cow::Borrowed(&chunk[start + 1..close]), close + 2, last)
                    }
                    None => quoted_field(chunk, start, delim),
                };
                rows.field(col, v);
                col += 1;
                start = next;
                blk.skip_to(chunk, start, delim);
                quoted = chunk.get(start) == Some(&b'"');
                if last {
                    break;
                }
                continue;
            }
            while blk.ends == 0 {
                if !blk.advance(chunk, delim) {
                    // The chunk's last field, without a line end.
                    let v = &chunk[start..];
                    rows.field(col, Cow::Borrowed(v.strip_suffix(b"\r").unwrap_or(v)));
                    rows.end();
                    return;
                }
            }
            // The delimiters before the block's first line feed or quoted field, the usual
            // case: their fields go without a test each.
            let special = blk.ends & blk.special;
            let plain = blk.ends & !special & special.wrapping_sub(1);
            blk.ends ^= plain;
            if plain != 0 {
                rows.plain_fields(chunk, blk.base, plain, &mut start, &mut col);
            }
            if blk.ends == 0 {
                continue;
            }
            let k = blk.ends.trailing_zeros();
            let end = blk.base + k as usize;
            blk.ends &= blk.ends - 1;
            let v = field_at(chunk, start, end);
            start = end + 1;
            quoted = (blk.quote_next >> k) & 1 == 1;
            if (blk.line >> k) & 1 == 1 {
                rows.field(col, Cow::Borrowed(v.strip_suffix(b"\r").unwrap_or(v)));
                break;
            }
            rows.field(col, Cow::Borrowed(v));
            col += 1;
        }
        rows.end();
    }
}

/// `chunk[start..end]`, a field [`cut`] found in its masks.
#[inline(always)]
fn field_at(chunk: &[u8], start: usize, end: usize) -> &[u8] {
    debug_assert!(start <= end && end < chunk.len());
    // SAFETY: the masks hold no bit past the chunk's end, and none before `start` (each
    // block's bits are taken in order, and those before a quoted field's end dropped):
    // `start <= end < len`. (The two bounds checks were a fifth of a field's instructions.)
    unsafe { chunk.get_unchecked(start..end) }
}

/// Bytes per [`Block`].
const BLOCK: usize = 64;

/// The structure of the 64 bytes of a chunk from `base`, a bit per byte: where fields end
/// (a delimiter or a line feed) not yet taken, where records end, and which bytes a quote
/// follows (the next field is quoted, or the quote closes a quoted field). `special` is
/// either of the last two. `AVX2`: see [`cut`].
#[derive(Clone, Copy, Debug, Default)]
struct Block<const AVX2: bool> {
    base: usize,
    ends: u64,
    line: u64,
    quote_next: u64,
    special: u64,
}

impl<const AVX2: bool> Block<AVX2> {
    /// The block of `chunk` from `base`.
    #[inline(always)]
    fn at(chunk: &[u8], base: usize, delim: u8) -> Self {
        let rest = chunk.get(base..).unwrap_or_default();
        let (ends, line, quote_next) = if rest.len() > BLOCK {
            masks::<AVX2>(rest, delim)
        } else {
            Self::tail(rest, delim)
        };
        Block {
            base,
            ends,
            line,
            quote_next,
            special: line | quote_next,
        }
    }

    /// The masks of a chunk's last 64 bytes or fewer, padded: a zero is neither a line feed
    /// nor a quote, and the bits past the chunk are cleared in case it is the delimiter.
    #[inline(never)]
    fn tail(rest: &[u8], delim: u8) -> (u64, u64, u64) {
        let mut pad = [0u8; BLOCK + 16];
        pad[..rest.len()].copy_from_slice(rest);
        let (ends, line, quote_next) = masks::<false>(&pad, delim);
        let keep = u64::MAX
            .checked_shr((BLOCK - rest.len()) as u32)
            .unwrap_or(0);
        (ends & keep, line & keep, quote_next & keep)
    }

    /// Moves to the next block; false when the chunk ends in this one.
    #[inline(always)]
    fn advance(&mut self, chunk: &[u8], delim: u8) -> bool {
        let next = self.base + BLOCK;
        if next >= chunk.len() {
            return false;
        }
        *self = Self::at(chunk, next, delim);
        true
    }

    /// Drops the field ends before `pos` (where a quoted field's reading stopped, at or past
    /// this block's start), moving on to `pos`'s block when it lies past this one.
    #[inline(always)]
    fn skip_to(&mut self, chunk: &[u8], pos: usize, delim: u8) {
        let off = pos - self.base;
        if off < BLOCK {
            self.ends &= u64::MAX << off;
        } else {
            *self = Self::at(chunk, pos, delim);
        }
    }

    /// The quoted field opening at `open` (at or past this block's start), when its value is
    /// plain (no doubled quote) and its closing quote is followed by the delimiter or a line
    /// feed: where that quote is, and whether the record ends after it. Moves on to the
    /// closing quote's block; `None` leaves the field to [`quoted_field`].
    #[inline(always)]
    fn plain_quoted(&mut self, chunk: &[u8], open: usize, delim: u8) -> Option<(usize, bool)> {
        loop {
            // Bit k of `quote_next`: a quote at `base + k + 1`; the first past `open`.
            let off = open.saturating_sub(self.base);
            let after = if off < BLOCK {
                self.quote_next & (u64::MAX << off)
            } else {
                0
            };
            if after != 0 {
                let close = self.base + after.trailing_zeros() as usize + 1;
                return match chunk.get(close + 1) {
                    Some(&b) if b == delim => Some((close, false)),
                    Some(b'\n') => Some((close, true)),
                    _ => None,
                };
            }
            if !self.advance(chunk, delim) {
                return None;
            }
        }
    }
}

/// The masks of `b[..64]`: delimiters or line feeds, line feeds, and the bytes followed by a
/// quote (which reads `b[64]`). `b` holds at least 65 bytes. `AVX2`: see [`cut`].
#[inline(always)]
fn masks<const AVX2: bool>(b: &[u8], delim: u8) -> (u64, u64, u64) {
    assert!(b.len() > BLOCK);
    #[cfg(target_arch = "x86_64")]
    {
        if AVX2 {
            // SAFETY: `cut`'s caller has made sure of AVX2; `b` holds 65 bytes.
            unsafe { masks_avx2(b, delim) }
        } else {
            masks_sse2(b, delim)
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let (mut ends, mut line, mut quote) = (0u64, 0u64, 0u64);
        for (k, &c) in b[..BLOCK].iter().enumerate() {
            ends |= u64::from(c == delim || c == b'\n') << k;
            line |= u64::from(c == b'\n') << k;
            quote |= u64::from(b[k + 1] == b'"') << k;
        }
        (ends, line, quote)
    }
}

/// [`masks`] with SSE2, part of the x86-64 baseline.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn masks_sse2(b: &[u8], delim: u8) -> (u64, u64, u64) {
    use std::arch::x86_64::*;
    assert!(b.len() > BLOCK);
    let (mut ends, mut line, mut quote) = (0u64, 0u64, 0u64);
    // SAFETY: SSE2 is part of the x86-64 baseline; the unaligned loads read b[at..at + 16]
    // and b[at + 1..at + 17] for at < 64, in bounds by the assertion.
    unsafe {
        let (d, n, q) = (
            _mm_set1_epi8(delim as i8),
            _mm_set1_epi8(b'\n' as i8),
            _mm_set1_epi8(b'"' as i8),
        );
        for part in 0..BLOCK / 16 {
            let at = part * 16;
            let x = _mm_loadu_si128(b.as_ptr().add(at) as *const __m128i);
            let y = _mm_loadu_si128(b.as_ptr().add(at + 1) as *const __m128i);
            let nl = _mm_cmpeq_epi8(x, n);
            let end = _mm_or_si128(nl, _mm_cmpeq_epi8(x, d));
            ends |= (_mm_movemask_epi8(end) as u32 as u64) << at;
            line |= (_mm_movemask_epi8(nl) as u32 as u64) << at;
            quote |= (_mm_movemask_epi8(_mm_cmpeq_epi8(y, q)) as u32 as u64) << at;
        }
    }
    (ends, line, quote)
}

/// [`masks`] with AVX2.
///
/// # Safety
/// The CPU has AVX2; `b` holds at least 65 bytes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn masks_avx2(b: &[u8], delim: u8) -> (u64, u64, u64) {
    use std::arch::x86_64::*;
    debug_assert!(b.len() > BLOCK);
    let (mut ends, mut line, mut quote) = (0u64, 0u64, 0u64);
    let (d, n, q) = (
        _mm256_set1_epi8(delim as i8),
        _mm256_set1_epi8(b'\n' as i8),
        _mm256_set1_epi8(b'"' as i8),
    );
    for part in 0..BLOCK / 32 {
        let at = part * 32;
        // SAFETY: the loads read b[at..at + 32] and b[at + 1..at + 33] for at < 64, in
        // bounds by the caller's promise.
        let (x, y) = unsafe {
            (
                _mm256_loadu_si256(b.as_ptr().add(at) as *const __m256i),
                _mm256_loadu_si256(b.as_ptr().add(at + 1) as *const __m256i),
            )
        };
        let nl = _mm256_cmpeq_epi8(x, n);
        let end = _mm256_or_si256(nl, _mm256_cmpeq_epi8(x, d));
        ends |= (_mm256_movemask_epi8(end) as u32 as u64) << at;
        line |= (_mm256_movemask_epi8(nl) as u32 as u64) << at;
        quote |= (_mm256_movemask_epi8(_mm256_cmpeq_epi8(y, q)) as u32 as u64) << at;
    }
    (ends, line, quote)
}

/// Fields of a row without field names held for the sink's [`RecordSink::end`]; the ones
/// before go to [`RecordSink::unheld`].
const HELD_FIELDS: usize = 4096;

/// The rows of a delimited chunk without a header, holding at most [`HELD_FIELDS`] fields
/// of a row: a row of millions of fields (64 MB of commas) needs no memory in proportion to
/// them (linear time on any record).
fn unnamed_rows<S: RecordSink>(chunk: &[u8], delim: u8, sink: &mut S) {
    let mut fields: Vec<Field> = Vec::new();
    let mut pos = 0;
    while pos < chunk.len() {
        fields.clear();
        sink.begin();
        pos = parse_csv_record(chunk, pos, delim, |_, value| {
            sink.field(Role::Unnamed, &value, false);
            if fields.len() == HELD_FIELDS {
                sink.unheld(&fields);
                fields.clear();
            }
            fields.push(Field {
                role: Role::Unnamed,
                value,
            });
        });
        sink.end(&fields, false);
    }
}

/// The last `\n` outside double quotes. Quote parity from the chunk start is exact for RFC
/// 4180 data, where `""` inside a quoted field toggles twice.
pub fn csv_boundary(buf: &[u8]) -> Option<usize> {
    let total = memchr::memchr_iter(b'"', buf).count();
    let mut quotes_after = 0;
    let mut end = buf.len();
    while let Some(nl) = memrchr(b'\n', &buf[..end]) {
        quotes_after += memchr::memchr_iter(b'"', &buf[nl..end]).count();
        if (total - quotes_after).is_multiple_of(2) {
            return Some(nl + 1);
        }
        end = nl;
    }
    None
}

/// Parses one delimited record from `pos`; calls `field(column, value)` for each field and
/// returns the position after the record.
pub fn parse_csv_record<'a>(
    chunk: &'a [u8],
    mut pos: usize,
    delim: u8,
    mut field: impl FnMut(usize, Cow<'a, [u8]>),
) -> usize {
    let mut col = 0;
    loop {
        if chunk.get(pos) == Some(&b'"') {
            let (value, next, ends) = quoted_field(chunk, pos, delim);
            field(col, value);
            if ends {
                return next;
            }
            pos = next;
            col += 1;
            continue;
        }
        let rest = &chunk[pos..];
        match find2(delim, b'\n', rest) {
            Some((k, is_delim)) => {
                debug_assert!(k < rest.len());
                // SAFETY: `find2` finds a byte of `rest`. (The bounds check cost a compare and
                // a branch on every field.)
                let v = unsafe { rest.get_unchecked(..k) };
                if is_delim {
                    field(col, Cow::Borrowed(v));
                    pos += k + 1;
                    col += 1;
                } else {
                    field(col, Cow::Borrowed(v.strip_suffix(b"\r").unwrap_or(v)));
                    return pos + k + 1;
                }
            }
            None => {
                let v = &chunk[pos..];
                field(col, Cow::Borrowed(v.strip_suffix(b"\r").unwrap_or(v)));
                return chunk.len();
            }
        }
    }
}

/// The quoted field that opens at `pos`: its value (up to the closing quote, `""` standing
/// for one quote), where the next field or record starts, and whether the record ends
/// there. Anything between the closing quote and the delimiter is dropped from the value
/// but not from the record's boundaries; an unterminated field runs to the chunk's end.
///
/// A quoted value is short (an address): its closing quote is searched inline, not through
/// `memchr`'s set-up, and the delimiter or line end is nearly always the next byte.
fn quoted_field(chunk: &[u8], pos: usize, delim: u8) -> (Cow<'_, [u8]>, usize, bool) {
    let mut i = pos + 1;
    let mut owned: Option<Vec<u8>> = None;
    loop {
        let Some(q) = find_any([b'"'], &chunk[i..]) else {
            return (join(owned, &chunk[i..]), chunk.len(), true);
        };
        let q = i + q;
        if chunk.get(q + 1) == Some(&b'"') {
            owned
                .get_or_insert_with(Vec::new)
                .extend_from_slice(&chunk[i..=q]);
            i = q + 2;
            continue;
        }
        let value = join(owned, &chunk[i..q]);
        let after = q + 1;
        return match chunk.get(after) {
            Some(&b) if b == delim => (value, after + 1, false),
            Some(b'\n') => (value, after + 1, true),
            _ => match find2(delim, b'\n', &chunk[after..]) {
                Some((k, is_delim)) => (value, after + k + 1, !is_delim),
                None => (value, chunk.len(), true),
            },
        };
    }
}

fn join(owned: Option<Vec<u8>>, rest: &[u8]) -> Cow<'_, [u8]> {
    match owned {
        Some(mut o) => {
            o.extend_from_slice(rest);
            Cow::Owned(o)
        }
        None => Cow::Borrowed(rest),
    }
}

/// Counts fields per record for the first `max` non-blank records (delimiter sniffing).
pub fn field_counts(buf: &[u8], delim: u8, max: usize) -> Vec<usize> {
    let mut counts = Vec::new();
    let mut pos = 0;
    // The last line of a sniffed block may be cut short.
    let end = csv_boundary(buf).unwrap_or(buf.len());
    let buf = &buf[..end];
    while pos < buf.len() && counts.len() < max {
        let mut n = 0;
        let mut blank = true;
        pos = parse_csv_record(buf, pos, delim, |_, v| {
            n += 1;
            if !v.trim_ascii().is_empty() {
                blank = false;
            }
        });
        if !blank {
            counts.push(n);
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::xorshift;

    fn csv_rows(s: &str, delim: u8) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        let mut pos = 0;
        let b = s.as_bytes();
        while pos < b.len() {
            let mut row = Vec::new();
            pos = parse_csv_record(b, pos, delim, |_, v| {
                row.push(String::from_utf8_lossy(&v).into_owned())
            });
            rows.push(row);
        }
        rows
    }

    /// Records as [`cut`] hands them over.
    #[derive(Default)]
    struct Cuts(Vec<Vec<Vec<u8>>>, usize);

    impl<'a> Rows<'a> for Cuts {
        fn begin(&mut self) -> bool {
            self.0.push(Vec::new());
            self.0.len() <= self.1
        }
        fn field(&mut self, col: usize, v: Cow<'a, [u8]>) {
            let row = self.0.last_mut().expect("a record");
            assert_eq!(col, row.len());
            row.push(v.into_owned());
        }
        fn end(&mut self) {}
    }

    #[test]
    fn the_masked_cutter_cuts_as_parse_csv_record_does() {
        // Random chunks over the bytes that matter, long enough to cross several blocks,
        // with every tail length: each record as the one-record parser reads it.
        let bytes = *b",,\n\r\"\"xxxxy;";
        let mut x = 0x1234_5678_9ABC_DEF1u64;
        for round in 0..20_000 {
            let len = (xorshift(&mut x) % 300) as usize;
            let dense = round % 3 == 0;
            let chunk: Vec<u8> = (0..len)
                .map(|_| {
                    let r = xorshift(&mut x);
                    if dense || r.is_multiple_of(4) {
                        bytes[(r >> 8) as usize % bytes.len()]
                    } else {
                        b'a' + (r >> 8) as u8 % 26
                    }
                })
                .collect();
            for delim in [b',', b';'] {
                let mut want = Vec::new();
                let mut pos = 0;
                while pos < chunk.len() {
                    let mut row = Vec::new();
                    pos = parse_csv_record(&chunk, pos, delim, |_, v| row.push(v.into_owned()));
                    want.push(row);
                }
                let mut got = Cuts(Vec::new(), usize::MAX);
                cut::<_, false>(&chunk, delim, &mut got);
                assert_eq!(got.0, want, "{:?}", String::from_utf8_lossy(&chunk));
                #[cfg(target_arch = "x86_64")]
                if std::is_x86_feature_detected!("avx2")
                    && std::is_x86_feature_detected!("bmi1")
                    && std::is_x86_feature_detected!("popcnt")
                {
                    let mut got = Cuts(Vec::new(), usize::MAX);
                    // SAFETY: the CPU has AVX2, BMI1 and POPCNT, as just tested.
                    unsafe { cut_avx2(&chunk, delim, &mut got) };
                    assert_eq!(got.0, want, "{:?}", String::from_utf8_lossy(&chunk));
                }
            }
        }
    }

    #[test]
    fn the_cutter_stops_before_a_record_when_told() {
        let mut got = Cuts(Vec::new(), 2);
        cut::<_, false>(b"a,b\nc\nd,e\n", b',', &mut got);
        assert_eq!(got.0.len(), 3);
        assert_eq!(got.0[1], vec![b"c".to_vec()]);
        assert!(got.0[2].is_empty());
    }

    #[test]
    fn csv_quotes_delimiters_and_newlines() {
        let rows = csv_rows("a,\"b,c\",d\r\n\"x\"\"y\",\"multi\nline\",z\n", b',');
        assert_eq!(rows[0], vec!["a", "b,c", "d"]);
        assert_eq!(rows[1], vec!["x\"y", "multi\nline", "z"]);
        assert_eq!(rows.len(), 2);
        let rows = csv_rows("1;2;3\n", b';');
        assert_eq!(rows[0], vec!["1", "2", "3"]);
        let rows = csv_rows("a,,\n", b',');
        assert_eq!(rows[0], vec!["a", "", ""]);
        // Junk after a closing quote is dropped; the field still ends at the delimiter.
        assert_eq!(csv_rows("\"a\"b,c\n", b',')[0], vec!["a", "c"]);
    }

    #[test]
    fn a_quoted_field_ends_at_the_delimiter_or_line_end_after_its_quote() {
        // Right after the closing quote, after a `\r`, at the chunk's end, and past a quote
        // 16 bytes and more into the value (the inline search's second step).
        assert_eq!(csv_rows("\"q\"\r\nx\n", b','), vec![vec!["q"], vec!["x"]]);
        assert_eq!(
            csv_rows("\"q\";\"r\"\n\"s\"", b';'),
            vec![vec!["q", "r"], vec!["s"]]
        );
        let long = "a quoted address, longer than sixteen bytes";
        assert_eq!(
            csv_rows(&format!("\"{long}\",z\n"), b','),
            vec![vec![long, "z"]]
        );
    }

    #[test]
    fn an_unterminated_quote_runs_to_the_end_once() {
        // The text before an escaped quote used to be repeated in the value.
        assert_eq!(
            csv_rows("x,\"ab\"\"cd,e", b','),
            vec![vec!["x", "ab\"cd,e"]]
        );
        assert_eq!(csv_rows("\"abc", b','), vec![vec!["abc"]]);
    }

    #[test]
    fn csv_boundary_skips_newlines_in_quotes() {
        let s = b"a,b\n\"x\ny\",z\n\"open\nstill";
        assert_eq!(csv_boundary(s), Some(12));
        assert_eq!(csv_boundary(b"\"no end\n"), None);
    }

    /// A sink that settles short values of some roles by their length, and notes which
    /// door each value came in by.
    #[derive(Default)]
    struct Doors(Vec<String>);

    impl RecordSink for Doors {
        fn begin(&mut self) {}
        fn field(&mut self, role: Role, v: &[u8], _: bool) {
            self.0
                .push(format!("field {role:?} {}", String::from_utf8_lossy(v)));
        }
        fn column(&self, role: Role) -> Column<Self> {
            Column {
                short: if role == Role::Nik { 0 } else { 3 },
                role,
                take: |s, v, role| {
                    s.0.push(format!("long {role:?} {}", String::from_utf8_lossy(v)));
                },
            }
        }
        fn short_field(&mut self, v: &[u8]) {
            self.0.push(format!("short {}", String::from_utf8_lossy(v)));
        }
        fn unheld(&mut self, _: &[Field]) {}
        fn end(&mut self, _: &[Field], _: bool) {}
        fn name(&mut self, _: &[u8]) {}
    }

    #[test]
    fn a_column_plan_sends_short_values_by_length_and_long_ones_with_their_role() {
        let columns = Columns {
            roles: vec![Role::Nik, Role::Phone],
            names: vec!["nik".into(), "hp".into()],
        };
        let mut sink = Doors::default();
        // A NIK column reads every value; past the header a field is `Role::Other`.
        let rows = b"1,08123\n\"\",ab,abcd,x\n";
        read(rows, b',', &columns, true, &mut sink);
        assert_eq!(
            sink.0,
            [
                "long Nik 1",
                "long Phone 08123",
                "long Nik ",
                "short ab",
                "long Other abcd",
                "short x",
            ]
        );
    }

    #[test]
    fn a_headers_fields_go_to_their_columns_plans_in_rows_of_any_width() {
        // Random rows under headers of 1 to 5 columns, many wider or narrower than the
        // header, cut field by field: each value to its column's plan (or past the header,
        // `Role::Other`'s), as the one-record parser cuts them.
        let roles = [Role::Nik, Role::Phone, Role::Email, Role::Nik, Role::Other];
        let bytes = *b",,,\n\"xxy";
        let mut x = 0x0DDB_A11C_5EED_0001u64;
        for round in 0..5_000 {
            let width = 1 + round % roles.len();
            let columns = Columns {
                roles: roles[..width].to_vec(),
                names: Vec::new(),
            };
            let len = (xorshift(&mut x) % 400) as usize;
            let chunk: Vec<u8> = (0..len)
                .map(|_| bytes[(xorshift(&mut x) >> 8) as usize % bytes.len()])
                .collect();
            let mut want = Vec::new();
            let mut pos = 0;
            while pos < chunk.len() {
                pos = parse_csv_record(&chunk, pos, b',', |col, v| {
                    let role = columns.roles.get(col).copied().unwrap_or(Role::Other);
                    let v = String::from_utf8_lossy(&v).into_owned();
                    want.push(match role {
                        Role::Nik => format!("long {role:?} {v}"),
                        _ if v.len() < 3 => format!("short {v}"),
                        _ => format!("long {role:?} {v}"),
                    });
                });
            }
            let mut sink = Doors::default();
            read(&chunk, b',', &columns, true, &mut sink);
            assert_eq!(sink.0, want, "{:?}", String::from_utf8_lossy(&chunk));
        }
    }
}
