//! MongoDB dumps: a `.bson` file of `mongodump` is BSON documents back to back (also gzip'd,
//! `mongodump --gzip`, which the gzip path hands here decompressed), and a
//! `mongodump --archive` file wraps such documents in namespace blocks. One record per
//! document (SPEC §4), read with the `bson` crate's raw (borrowing) documents.
//!
//! Nested keys are named by their last segment as JSON's are (`passenger.nik` is a `nik`
//! field), and an array's elements by the array's key. Values: strings, numbers (integers in
//! decimal, doubles as sheets' numbers are: `packed::write_real`), booleans, dates
//! (`YYYY-MM-DD`, with the time when there is one) and ObjectIds in hex; binary data, nulls
//! and code are left out. Read document by document: one in memory at a time, its declared
//! length checked before it is read. Imports the packer.

use crate::bytes::read_up_to;
use std::io::Read;

use bson::raw::{RawDocument, RawIter};
use bson::RawBsonRef;

use crate::formats::packed::{write_real, Budget, Packer, Stop};

/// The largest document MongoDB stores (16 MiB), with room for a dump's own framing.
const MAX_DOCUMENT: usize = 16 * 1024 * 1024 + 16 * 1024;

/// MongoDB nests documents at most 100 deep; deeper is not a dump.
const MAX_DEPTH: usize = 100;

/// The first four bytes of a `mongodump --archive` file (0x8199e26d, little-endian).
pub const ARCHIVE_MAGIC: [u8; 4] = [0x6d, 0xe2, 0x99, 0x81];

/// Where a `mongodump --archive` stands between documents.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Next {
    /// A plain `.bson` file: every document is a record.
    Record,
    /// The archive's prelude (its namespaces and metadata): not a record.
    Prelude,
    /// A namespace block's header: not a record.
    Header,
    /// A namespace block's documents, until its terminator.
    Body,
}

/// Reads every document of a BSON dump or `mongodump` archive from `r` into `out`.
pub fn read(r: &mut dyn Read, _budget: &Budget, out: &mut Packer) -> Result<(), Stop> {
    let mut len = [0u8; 4];
    let mut next = Next::Record;
    let mut buf = Vec::new();
    let mut n = 0u64;
    loop {
        match read_up_to(r, &mut len).map_err(|e| Stop::Damaged(format!("read error: {e}")))? {
            0 => return Ok(()),
            4 => {}
            _ => return Err(cut_short(n)),
        }
        if n == 0 && next == Next::Record && len == ARCHIVE_MAGIC {
            next = Next::Prelude;
            continue;
        }
        let declared = i32::from_le_bytes(len);
        if declared == -1 && next == Next::Body {
            // A namespace block's terminator: a header comes next.
            next = Next::Header;
            continue;
        }
        document(r, declared, n, &mut buf)?;
        n += 1;
        match next {
            Next::Record | Next::Body => record(&buf, n, out)?,
            Next::Prelude => next = Next::Header,
            Next::Header => next = Next::Body,
        }
    }
}

/// Reads the document of `declared` bytes (its length field already read) into `buf`.
fn document(r: &mut dyn Read, declared: i32, n: u64, buf: &mut Vec<u8>) -> Result<(), Stop> {
    let Some(len) = usize::try_from(declared)
        .ok()
        .filter(|l| (5..=MAX_DOCUMENT).contains(l))
    else {
        return Err(Stop::Damaged(format!(
            "document {} declares {declared} bytes (a document holds 5 to {MAX_DOCUMENT})",
            n + 1
        )));
    };
    buf.clear();
    buf.extend_from_slice(&declared.to_le_bytes());
    buf.resize(len, 0);
    match read_up_to(r, &mut buf[4..]) {
        Ok(got) if got == len - 4 => Ok(()),
        Ok(_) => Err(cut_short(n)),
        Err(e) => Err(Stop::Damaged(format!(
            "read error after {n} documents: {e}"
        ))),
    }
}

/// One document as a record: every value, nested ones too, named by its key.
fn record(doc: &[u8], n: u64, out: &mut Packer) -> Result<(), Stop> {
    let bad = |e: bson::error::Error| Stop::Damaged(format!("document {n}: {e}"));
    let doc = RawDocument::from_bytes(doc).map_err(bad)?;
    out.begin(true);
    // Open documents and arrays, each with the name its elements take (`None`: their own key).
    let mut stack: Vec<(Option<&str>, RawIter)> = vec![(None, doc.iter_elements())];
    let mut text = String::new();
    let result = loop {
        let Some((array_key, it)) = stack.last_mut() else {
            break Ok(());
        };
        let array_key = *array_key;
        let Some(element) = it.next() else {
            stack.pop();
            continue;
        };
        let element = match element.and_then(|e| Ok((e.key().as_str(), e.value()?))) {
            Ok(e) => e,
            Err(e) => break Err(bad(e)),
        };
        let name = array_key.unwrap_or(element.0);
        let nested = match element.1 {
            RawBsonRef::Document(d) => Some((None, d.iter_elements())),
            RawBsonRef::Array(a) => Some((Some(name), a.iter_elements())),
            v => {
                if let Some(v) = value(v, &mut text) {
                    out.field(name.as_bytes(), v.as_bytes());
                }
                None
            }
        };
        if let Some(level) = nested {
            if stack.len() >= MAX_DEPTH {
                break Err(Stop::Damaged(format!(
                    "document {n}: nested deeper than {MAX_DEPTH} levels"
                )));
            }
            stack.push(level);
        }
    };
    out.end();
    result
}

/// A value as text, or `None` for one that holds none (binary, null, code, keys).
fn value<'v>(v: RawBsonRef<'v>, text: &'v mut String) -> Option<&'v str> {
    use std::fmt::Write;
    text.clear();
    match v {
        RawBsonRef::String(s) | RawBsonRef::Symbol(s) => return Some(s),
        RawBsonRef::Int32(i) => write!(text, "{i}").ok()?,
        RawBsonRef::Int64(i) => write!(text, "{i}").ok()?,
        RawBsonRef::Double(f) => {
            let mut b = Vec::new();
            write_real(f, &mut b);
            text.push_str(std::str::from_utf8(&b).ok()?);
        }
        RawBsonRef::Decimal128(d) => write!(text, "{d}").ok()?,
        RawBsonRef::Boolean(b) => text.push_str(if b { "true" } else { "false" }),
        RawBsonRef::ObjectId(id) => text.push_str(&id.to_hex()),
        RawBsonRef::DateTime(d) => {
            let iso = d.try_to_rfc3339_string().ok()?;
            // `1990-01-01T00:00:00Z` is a date; otherwise the date and the time.
            match iso.strip_suffix("T00:00:00Z") {
                Some(day) => text.push_str(day),
                None => text.push_str(&iso.replacen('T', " ", 1)),
            }
        }
        _ => return None,
    }
    Some(text)
}

fn cut_short(n: u64) -> Stop {
    Stop::Damaged(format!("cut short after {n} documents"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::packed::testing::run;
    use crate::formats::sqlite::tests::as_text;

    /// An element: type, key, value bytes.
    fn el(t: u8, key: &str, v: &[u8]) -> Vec<u8> {
        let mut e = vec![t];
        e.extend_from_slice(key.as_bytes());
        e.push(0);
        e.extend_from_slice(v);
        e
    }

    fn string(s: &str) -> Vec<u8> {
        let mut v = ((s.len() + 1) as i32).to_le_bytes().to_vec();
        v.extend_from_slice(s.as_bytes());
        v.push(0);
        v
    }

    fn doc(elements: &[Vec<u8>]) -> Vec<u8> {
        let body: Vec<u8> = elements.concat();
        let mut d = ((body.len() + 5) as i32).to_le_bytes().to_vec();
        d.extend(body);
        d.push(0);
        d
    }

    fn person(i: u8) -> Vec<u8> {
        let inner = doc(&[el(0x02, "nik", &string("3171010101900001"))]);
        let phones = doc(&[
            el(0x02, "0", &string("081234567890")),
            el(0x02, "1", &string("081234567891")),
        ]);
        doc(&[
            el(0x07, "_id", &[i; 12]),
            el(0x03, "passenger", &inner),
            el(0x04, "hp", &phones),
            el(0x10, "n", &7i32.to_le_bytes()),
            el(0x12, "big", &(-9i64).to_le_bytes()),
            el(0x01, "r", &2.5f64.to_le_bytes()),
            el(0x09, "lahir", &631_152_000_000i64.to_le_bytes()),
            el(0x05, "photo", &[2, 0, 0, 0, 0, 0xff, 0xfe]),
            el(0x0a, "none", &[]),
        ])
    }

    fn read_all(b: &[u8]) -> (Vec<String>, Result<(), Stop>) {
        let (chunks, result) = run(1 << 30, |budget, p| read(&mut &b[..], budget, p));
        let rows = chunks.iter().flat_map(|c| as_text(&c.data)).collect();
        (rows, result)
    }

    #[test]
    fn documents_are_records_with_nested_keys_by_their_last_segment() {
        let dump = [person(1), person(2)].concat();
        let (rows, result) = read_all(&dump);
        assert_eq!(result, Ok(()));
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0],
            "_id=010101010101010101010101;nik=3171010101900001;hp=081234567890;\
             hp=081234567891;n=7;big=-9;r=2.5;lahir=1990-01-01;"
        );
    }

    #[test]
    fn an_archive_reads_its_blocks_and_skips_its_headers() {
        let prelude = doc(&[el(0x02, "server", &string("7.0"))]);
        let header = |eof: bool| {
            doc(&[
                el(0x02, "db", &string("app")),
                el(0x08, "EOF", &[u8::from(eof)]),
            ])
        };
        let end = (-1i32).to_le_bytes().to_vec();
        let archive = [
            ARCHIVE_MAGIC.to_vec(),
            prelude,
            header(false),
            person(1),
            person(2),
            end.clone(),
            header(true),
            end,
        ]
        .concat();
        let (rows, result) = read_all(&archive);
        assert_eq!((rows.len(), result), (2, Ok(())));
    }

    #[test]
    fn cut_bombed_and_scribbled_dumps_say_so() {
        let dump = [person(1), person(2)].concat();
        for cut in 0..dump.len() {
            let (rows, result) = read_all(&dump[..cut]);
            assert!(rows.len() <= 1);
            assert_eq!(result.is_ok(), cut == 0 || cut == dump.len() / 2, "{cut}");
        }
        let mut bomb = person(1);
        bomb.extend_from_slice(&i32::MAX.to_le_bytes());
        let (rows, result) = read_all(&bomb);
        assert_eq!(rows.len(), 1);
        assert!(matches!(result, Err(Stop::Damaged(w)) if w.contains("declares 2147483647")));
        let mut bad = person(1);
        bad[4] = 0x42;
        let (_, result) = read_all(&bad);
        assert!(matches!(result, Err(Stop::Damaged(w)) if w.starts_with("document 1")));
        // Nested past MongoDB's depth.
        let mut deep = doc(&[el(0x02, "nik", &string("1"))]);
        for _ in 0..200 {
            deep = doc(&[el(0x03, "a", &deep)]);
        }
        let (_, result) = read_all(&deep);
        assert!(matches!(result, Err(Stop::Damaged(w)) if w.contains("deeper")));
    }
}
