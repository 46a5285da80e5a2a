//! pg_dump custom-format archives (`pg_dump -Fc`, magic `PGDMP`): the header, the table of
//! contents, then the data blocks in file order. A `TABLE DATA` entry's block holds the rows
//! as COPY text, read by the SQL dump's own COPY reader (`formats::sql::SqlPieces`) after the
//! entry's `COPY t (cols) FROM stdin;`, so its fields are named by the columns; one record per
//! row (SPEC §3, §4). A `--inserts` dump's blocks hold `INSERT` statements, read the same way.
//!
//! Layout (PostgreSQL's pg_backup_archiver.c and pg_backup_custom.c): an integer is a sign
//! byte and `int size` little-endian bytes; a string is an integer length (-1: none) and its
//! bytes; a data block is a type byte, the dump id, then chunks each an integer length and
//! its bytes, ending with a zero length; the chunks together are one compressed stream.
//! Archive versions 1.7 to 1.16 (PostgreSQL 7.3 to 18) are read; data uncompressed, zlib
//! (`-Z` 1–9, gzip) or zstd (PostgreSQL 16's `-Z zstd`); lz4 data is named and not read.
//! Large objects are binary and left out; a directory-format `toc.dat` holds no data.
//!
//! Streamed: the table of contents keeps only the table-data entries' tags and COPY
//! statements, a chunk's declared length is never allocated, and the inflated text is read in
//! pieces, never a table at once; all the text inflated is bounded by `Budget::max_bytes`.
//! Imports the packer and the SQL reader.

use std::cell::Cell;
use std::collections::HashMap;
use std::io::{self, Read};
use std::rc::Rc;

use crate::formats::packed::{Budget, Packer, Stop};
use crate::formats::sql::SqlPieces;

/// Archive versions read: 1.7 (file offsets in the header) to 1.16.
const OLDEST: u32 = version(1, 7);
const NEWEST: u32 = version(1, 16);

/// The longest string of the table of contents kept (a tag, a type, a COPY statement); longer
/// ones that are only skipped (a function's definition) are not held.
const MAX_KEPT: i64 = 1 << 20;

/// Inflated text read per piece; a row longer than [`MAX_PENDING`] is damage.
const PIECE: usize = 1 << 20;
const MAX_PENDING: usize = 64 << 20;

/// Past [`RATIO_FLOOR`] inflated bytes, more than [`MAX_RATIO`] per compressed byte is a bomb
/// (the scan's default limits for a compressed stream).
const RATIO_FLOOR: u64 = 4 << 20;
const MAX_RATIO: u64 = 100;

/// Data block types.
const BLK_DATA: u8 = 1;
const BLK_BLOBS: u8 = 3;

/// An entry's data offset flag: no data block.
const NO_DATA: u8 = 3;

const fn version(major: u32, minor: u32) -> u32 {
    major << 16 | minor << 8
}

/// How the data blocks are compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Compression {
    None,
    Zlib,
    Lz4,
    Zstd,
}

/// What a table-data entry says of its rows.
struct Table {
    tag: Vec<u8>,
    copy: Option<Vec<u8>>,
    /// Whether the entry says a block holds its data.
    has_data: bool,
}

/// The archive being read: its integer sizes, version and compression.
struct Archive<'r> {
    r: &'r mut dyn Read,
    version: u32,
    int_size: usize,
    off_size: usize,
    compression: Compression,
}

/// Reads every table's rows of a pg_dump custom-format archive from `r` into `out`.
pub fn read(r: &mut dyn Read, budget: &Budget, out: &mut Packer) -> Result<(), Stop> {
    let mut a = header(r)?;
    let tables = a.toc()?;
    let mut missing: usize = tables.values().filter(|t| t.has_data).count();
    let mut inflated = Inflated::default();
    loop {
        let mut kind = [0u8; 1];
        match a.r.read(&mut kind) {
            Ok(0) if missing == 0 => return Ok(()),
            Ok(0) => {
                return Err(Stop::Damaged(format!(
                    "cut short: the data of {missing} of {} tables is missing",
                    tables.len()
                )))
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Stop::Damaged(format!("read error: {e}"))),
        }
        let id = a.int("a data block's dump id")?;
        match kind[0] {
            BLK_DATA => {
                let table = tables.get(&id);
                missing -= usize::from(table.is_some_and(|t| t.has_data));
                a.data(table, id, budget, &mut inflated, out)?
            }
            BLK_BLOBS => a.skip_blobs()?,
            other => {
                return Err(Stop::Damaged(format!(
                    "data block of unknown type {other} (dump id {id})"
                )))
            }
        }
    }
}

/// The header: magic, version, integer sizes, format and compression, then the date and
/// names it carries (skipped).
fn header(r: &mut dyn Read) -> Result<Archive<'_>, Stop> {
    let mut head = [0u8; 8];
    exact(r, &mut head, "header")?;
    if &head[..5] != b"PGDMP" {
        return Err(Stop::Damaged("no PGDMP magic".into()));
    }
    let v = version(u32::from(head[5]), u32::from(head[6])) | u32::from(head[7]);
    if !(OLDEST..=(NEWEST | 0xff)).contains(&v) {
        return Err(Stop::Damaged(format!(
            "archive version {}.{} not read (1.7 to 1.16 are)",
            head[5], head[6]
        )));
    }
    let mut sizes = [0u8; 3];
    exact(r, &mut sizes, "header")?;
    let [int_size, off_size, format] = sizes;
    if !(1..=8).contains(&int_size) || !(1..=8).contains(&off_size) {
        return Err(Stop::Damaged(format!(
            "integer size {int_size}, offset size {off_size} (1 to 8 bytes)"
        )));
    }
    match format {
        1 => {}
        5 => return Err(Stop::Damaged(
            "a directory-format table of contents (toc.dat): the data is in the files beside it"
                .into(),
        )),
        f => {
            return Err(Stop::Damaged(format!(
                "archive format {f} is not the custom format"
            )))
        }
    }
    let mut a = Archive {
        r,
        version: v,
        int_size: usize::from(int_size),
        off_size: usize::from(off_size),
        compression: Compression::None,
    };
    a.compression = a.compression()?;
    for _ in 0..7 {
        a.int("the header's date")?;
    }
    let names = if v >= version(1, 10) { 3 } else { 1 };
    for _ in 0..names {
        a.skip_str()?;
    }
    Ok(a)
}

impl Archive<'_> {
    /// Before 1.15 a compression level (0: none, else zlib); from 1.15 an algorithm byte.
    fn compression(&mut self) -> Result<Compression, Stop> {
        if self.version < version(1, 15) {
            let level = self.int("the compression level")?;
            return Ok(if level == 0 {
                Compression::None
            } else {
                Compression::Zlib
            });
        }
        let mut b = [0u8; 1];
        exact(self.r, &mut b, "header")?;
        match b[0] {
            0 => Ok(Compression::None),
            1 => Ok(Compression::Zlib),
            2 => Ok(Compression::Lz4),
            3 => Ok(Compression::Zstd),
            other => Err(Stop::Damaged(format!("unknown compression {other}"))),
        }
    }

    /// An integer: a sign byte, then `int_size` little-endian bytes.
    fn int(&mut self, what: &str) -> Result<i64, Stop> {
        let mut b = [0u8; 9];
        let b = &mut b[..1 + self.int_size];
        exact(self.r, b, what)?;
        let magnitude = b[1..]
            .iter()
            .rev()
            .fold(0i64, |n, &x| n.wrapping_shl(8) | i64::from(x));
        Ok(if b[0] == 0 {
            magnitude
        } else {
            magnitude.wrapping_neg()
        })
    }

    /// A string's length: `None` for the null string.
    fn str_len(&mut self) -> Result<Option<u64>, Stop> {
        let len = self.int("a string's length")?;
        Ok(u64::try_from(len).ok())
    }

    /// A string that is kept (at most [`MAX_KEPT`] bytes).
    fn str(&mut self, what: &str) -> Result<Option<Vec<u8>>, Stop> {
        let Some(len) = self.str_len()? else {
            return Ok(None);
        };
        if len > MAX_KEPT as u64 {
            return Err(Stop::Damaged(format!("{what} of {len} bytes")));
        }
        let mut s = vec![0u8; len as usize];
        exact(self.r, &mut s, what)?;
        Ok(Some(s))
    }

    /// A string that is only stepped over; false for the null string.
    fn skip_str(&mut self) -> Result<bool, Stop> {
        let Some(len) = self.str_len()? else {
            return Ok(false);
        };
        skip(self.r, len, "a string")?;
        Ok(true)
    }

    /// The table of contents: the table-data entries by dump id.
    fn toc(&mut self) -> Result<HashMap<i64, Table>, Stop> {
        let count = self.int("the entry count")?;
        let mut tables = HashMap::new();
        for _ in 0..count.max(0) {
            if let Some((id, t)) = self.entry()? {
                tables.insert(id, t);
            }
        }
        Ok(tables)
    }

    /// One entry of the table of contents; `Some` for a table's data.
    fn entry(&mut self) -> Result<Option<(i64, Table)>, Stop> {
        let v = self.version;
        let id = self.int("an entry's dump id")?;
        self.int("an entry's data flag")?;
        // The catalog ids (table oid from 1.8, then the oid).
        let oids = if v >= version(1, 8) { 2 } else { 1 };
        for _ in 0..oids {
            self.skip_str()?;
        }
        let tag = self.str("an entry's tag")?.unwrap_or_default();
        let desc = self.str("an entry's type")?.unwrap_or_default();
        if v >= version(1, 11) {
            self.int("an entry's section")?;
        }
        // The definition and the drop statement.
        self.skip_str()?;
        self.skip_str()?;
        let copy = self.str("a COPY statement")?;
        // Namespace, tablespace (1.10), table access method (1.14), relation kind (1.16),
        // owner and the old WITH OIDS flag (1.9).
        self.skip_str()?;
        if v >= version(1, 10) {
            self.skip_str()?;
        }
        if v >= version(1, 14) {
            self.skip_str()?;
        }
        if v >= version(1, 16) {
            self.int("an entry's relation kind")?;
        }
        self.skip_str()?;
        if v >= version(1, 9) {
            self.skip_str()?;
        }
        // Dependencies, until a null string.
        while self.skip_str()? {}
        // Where its data is: a flag byte and the offset.
        let mut flag = [0u8; 1];
        exact(self.r, &mut flag, "an entry's data offset")?;
        skip(self.r, self.off_size as u64, "an entry's data offset")?;
        let has_data = flag[0] != NO_DATA;
        Ok((desc == b"TABLE DATA").then_some((
            id,
            Table {
                tag,
                copy,
                has_data,
            },
        )))
    }

    /// A data block's chunks, inflated and read as SQL text (the rows of a COPY block when
    /// the entry is a table's data).
    fn data(
        &mut self,
        table: Option<&Table>,
        id: i64,
        budget: &Budget,
        inflated: &mut Inflated,
        out: &mut Packer,
    ) -> Result<(), Stop> {
        let name = table.map_or_else(|| format!("dump id {id}"), |t| printable(&t.tag));
        if self.compression == Compression::Lz4 {
            return Err(Stop::Damaged(format!(
                "{name}: lz4-compressed data is not read"
            )));
        }
        let mut chunks = Chunks::new(self.r, self.int_size, Some(inflated.compressed.clone()));
        let mut sql = SqlPieces::new(table.and_then(|t| t.copy.as_deref()));
        let result = match self.compression {
            Compression::Zlib => rows(
                flate2::read::ZlibDecoder::new(&mut chunks),
                &mut sql,
                budget,
                inflated,
                out,
            ),
            Compression::Zstd => match zstd::stream::read::Decoder::new(&mut chunks) {
                Ok(d) => rows(d, &mut sql, budget, inflated, out),
                Err(e) => Err(e.to_string()),
            },
            _ => rows(&mut chunks, &mut sql, budget, inflated, out),
        };
        result
            .and_then(|()| chunks.skip_rest().map_err(|e| e.to_string()))
            .map_err(|why| Stop::Damaged(format!("{name}: {why}")))
    }

    /// Large objects: per object its oid and its chunks, until a zero oid. Binary, skipped.
    fn skip_blobs(&mut self) -> Result<(), Stop> {
        while self.int("a large object's oid")? != 0 {
            Chunks::new(self.r, self.int_size, None)
                .skip_rest()
                .map_err(|e| Stop::Damaged(format!("large object: {e}")))?;
        }
        Ok(())
    }
}

/// The text inflated so far from the compressed bytes read so far, against the budget.
#[derive(Default)]
struct Inflated {
    text: u64,
    compressed: Rc<Cell<u64>>,
}

impl Inflated {
    fn add(&mut self, n: usize, budget: &Budget) -> Result<(), String> {
        self.text += n as u64;
        if self.text > budget.max_bytes {
            return Err(format!("inflates past {} bytes", budget.max_bytes));
        }
        let compressed = self.compressed.get().max(1);
        if self.text > RATIO_FLOOR && self.text / compressed > MAX_RATIO {
            return Err(format!(
                "{} bytes inflated from {compressed} (ratio over {MAX_RATIO}; a zip bomb?)",
                self.text
            ));
        }
        Ok(())
    }
}

/// Reads the inflated text of one block in pieces into `sql`, each row a record.
fn rows(
    mut text: impl Read,
    sql: &mut SqlPieces,
    budget: &Budget,
    inflated: &mut Inflated,
    out: &mut Packer,
) -> Result<(), String> {
    let mut buf: Vec<u8> = Vec::with_capacity(PIECE);
    let mut record = |names: &[&[u8]], fields: &[crate::record::Field]| {
        out.begin(!names.is_empty());
        for (i, f) in fields.iter().enumerate() {
            out.field(names.get(i).copied().unwrap_or_default(), &f.value);
        }
        out.end();
    };
    loop {
        let start = buf.len();
        let got = (&mut text)
            .take(PIECE as u64)
            .read_to_end(&mut buf)
            .map_err(|e| format!("{e} after {} bytes of text", inflated.text))?;
        if got == 0 {
            sql.read(&buf, true, &mut record);
            return Ok(());
        }
        let read = sql.read(&buf[..start + got], false, &mut record);
        buf.drain(..read);
        // Checked once the piece is read: the rows before the limit count.
        inflated.add(got, budget)?;
        if buf.len() > MAX_PENDING {
            return Err(format!("a row longer than {MAX_PENDING} bytes"));
        }
    }
}

/// A data block's chunks as one stream: each an integer length and its bytes, until a zero
/// length. A chunk's length is only counted down, never allocated.
struct Chunks<'r> {
    r: &'r mut dyn Read,
    int_size: usize,
    left: u64,
    done: bool,
    /// Where the bytes read are counted, for the inflation ratio.
    count: Option<Rc<Cell<u64>>>,
}

impl<'r> Chunks<'r> {
    fn new(r: &'r mut dyn Read, int_size: usize, count: Option<Rc<Cell<u64>>>) -> Self {
        Chunks {
            r,
            int_size,
            left: 0,
            done: false,
            count,
        }
    }

    /// Steps over what is left of the block, to its zero length.
    fn skip_rest(&mut self) -> io::Result<()> {
        io::copy(self, &mut io::sink()).map(|_| ())
    }

    fn next_len(&mut self) -> io::Result<()> {
        let mut b = [0u8; 9];
        let b = &mut b[..1 + self.int_size];
        self.r
            .read_exact(b)
            .map_err(|e| cut(e, "a chunk's length"))?;
        let n = b[1..]
            .iter()
            .rev()
            .fold(0u64, |n, &x| n.wrapping_shl(8) | u64::from(x));
        if b[0] != 0 && n != 0 {
            return Err(io::Error::other(format!("a chunk of length -{n}")));
        }
        self.left = n;
        self.done = n == 0;
        Ok(())
    }
}

impl Read for Chunks<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.left == 0 {
            if self.done || buf.is_empty() {
                return Ok(0);
            }
            self.next_len()?;
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.r.read(&mut buf[..want])?;
        if n == 0 {
            return Err(cut(io::ErrorKind::UnexpectedEof.into(), "a chunk"));
        }
        self.left -= n as u64;
        if let Some(c) = &self.count {
            c.set(c.get() + n as u64);
        }
        Ok(n)
    }
}

fn cut(e: io::Error, what: &str) -> io::Error {
    match e.kind() {
        io::ErrorKind::UnexpectedEof => io::Error::other(format!("cut short in {what}")),
        _ => e,
    }
}

fn exact(r: &mut dyn Read, buf: &mut [u8], what: &str) -> Result<(), Stop> {
    r.read_exact(buf)
        .map_err(|e| Stop::Damaged(cut(e, what).to_string()))
}

fn skip(r: &mut dyn Read, len: u64, what: &str) -> Result<(), Stop> {
    let got = io::copy(&mut r.take(len), &mut io::sink())
        .map_err(|e| Stop::Damaged(format!("read error in {what}: {e}")))?;
    if got < len {
        return Err(Stop::Damaged(format!("cut short in {what}")));
    }
    Ok(())
}

/// A table's tag for the ledger: control characters dropped, cut at 64 characters.
fn printable(tag: &[u8]) -> String {
    String::from_utf8_lossy(tag)
        .chars()
        .filter(|c| !c.is_control())
        .take(64)
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::formats::packed::testing::run;
    use crate::formats::sqlite::tests::as_text;
    use std::io::Write;

    /// A pg_dump custom archive (version 1.14, 4-byte integers) of `(table, columns, rows)`
    /// tables, each row's COPY text; `zlib`: its data compressed.
    pub(crate) fn archive(tables: &[(&str, &str, &str)], zlib: bool) -> Vec<u8> {
        let mut a = Writer(Vec::new());
        a.0.extend_from_slice(b"PGDMP\x01\x0e\x00\x04\x08\x01");
        a.int(if zlib { 6 } else { 0 });
        for x in [0, 0, 12, 1, 0, 124, 0] {
            a.int(x);
        }
        for s in ["people", "16.2", "16.2"] {
            a.str(Some(s));
        }
        a.int(2 * tables.len() as i64);
        for (i, (t, cols, _)) in tables.iter().enumerate() {
            let id = 2 * i as i64 + 1;
            let create = format!("CREATE TABLE public.{t} ({cols});");
            a.entry(id, t, "TABLE", &create, None, None);
            let copy = format!("COPY public.{t} ({cols}) FROM stdin;\n");
            a.entry(id + 1, t, "TABLE DATA", "", Some(&copy), Some(id));
        }
        for (i, (_, _, rows)) in tables.iter().enumerate() {
            a.0.push(BLK_DATA);
            a.int(2 * i as i64 + 2);
            let data = if zlib {
                let mut z =
                    flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
                z.write_all(rows.as_bytes()).unwrap();
                z.finish().unwrap()
            } else {
                rows.as_bytes().to_vec()
            };
            // Chunks of at most 100 bytes, as pg_dump writes in pieces.
            for c in data.chunks(100) {
                a.int(c.len() as i64);
                a.0.extend_from_slice(c);
            }
            a.int(0);
        }
        a.0
    }

    struct Writer(Vec<u8>);

    impl Writer {
        fn int(&mut self, n: i64) {
            self.0.push(u8::from(n < 0));
            self.0
                .extend_from_slice(&(n.unsigned_abs() as u32).to_le_bytes());
        }
        fn str(&mut self, s: Option<&str>) {
            match s {
                Some(s) => {
                    self.int(s.len() as i64);
                    self.0.extend_from_slice(s.as_bytes());
                }
                None => self.int(-1),
            }
        }
        fn entry(
            &mut self,
            id: i64,
            tag: &str,
            desc: &str,
            defn: &str,
            copy: Option<&str>,
            dep: Option<i64>,
        ) {
            self.int(id);
            self.int(i64::from(copy.is_some()));
            for s in [Some("1259"), Some("16384"), Some(tag), Some(desc)] {
                self.str(s);
            }
            self.int(if copy.is_some() { 3 } else { 2 });
            for s in [
                Some(defn),
                Some(""),
                copy,
                Some("public"),
                Some(""),
                Some("heap"),
                Some("triage"),
                Some("false"),
            ] {
                self.str(s);
            }
            if let Some(d) = dep {
                self.str(Some(&d.to_string()));
            }
            self.str(None);
            self.0.push(if copy.is_some() { 1 } else { 3 });
            self.0.extend_from_slice(&[0; 8]);
        }
    }

    fn read_all(b: &[u8], max_bytes: u64) -> (Vec<String>, Result<(), Stop>) {
        let (chunks, result) = run(max_bytes, |budget, p| read(&mut &b[..], budget, p));
        let rows = chunks.iter().flat_map(|c| as_text(&c.data)).collect();
        (rows, result)
    }

    const PEOPLE: (&str, &str, &str) = (
        "people",
        "nik, nama, \"No HP\"",
        "3171010101900001\tBudi\t081234567890\n3171014101900002\tAni \\t x\t\\N\n",
    );

    #[test]
    fn rows_named_by_the_copy_statement_compressed_or_not() {
        let other = ("kk", "nokk", "3171010101900003\n");
        for zlib in [false, true] {
            let (rows, result) = read_all(&archive(&[PEOPLE, other], zlib), 1 << 30);
            assert_eq!(result, Ok(()));
            assert_eq!(
                rows,
                vec![
                    "nik=3171010101900001;nama=Budi;No HP=081234567890;",
                    "nik=3171014101900002;nama=Ani \t x;",
                    "nokk=3171010101900003;",
                ]
            );
        }
    }

    #[test]
    fn cut_bombed_and_malformed_archives_say_so() {
        let small = archive(&[PEOPLE, ("kk", "nokk", "3171010101900003\n")], true);
        for cut in 0..small.len() {
            let (_, result) = read_all(&small[..cut], 1 << 30);
            assert!(result.is_err(), "{cut}");
        }
        // 2 MiB of text: two pieces.
        let big = "3171010101900001\tBudi\t081234567890\n".repeat(60_000);
        let a = archive(&[("people", "nik, nama, hp", &big)], true);
        // A zlib bomb: stopped at the budget, the rows before it count.
        let (rows, result) = read_all(&a, 1_500_000);
        assert!(!rows.is_empty() && rows.len() < 60_000, "{}", rows.len());
        assert!(matches!(result, Err(Stop::Damaged(w)) if w.contains("inflates past 1500000")));
        // A chunk declaring 2 GiB: read as far as the file goes, never allocated.
        let mut huge = archive(&[PEOPLE], false);
        let at = huge.len() - PEOPLE.2.len() - 10;
        huge[at..at + 5].copy_from_slice(&[0, 0, 0, 0, 0x80]);
        let (_, result) = read_all(&huge, 1 << 30);
        assert!(
            matches!(&result, Err(Stop::Damaged(w)) if w.contains("cut short")),
            "{result:?}"
        );
        // Header: version, sizes, format.
        for (at, byte, says) in [
            (5, 2, "version 2.14"),
            (8, 0, "integer size 0"),
            (10, 5, "directory-format"),
        ] {
            let mut bad = archive(&[PEOPLE], false);
            bad[at] = byte;
            let (_, result) = read_all(&bad, 1 << 30);
            assert!(
                matches!(&result, Err(Stop::Damaged(w)) if w.contains(says)),
                "{result:?}"
            );
        }
    }
}
