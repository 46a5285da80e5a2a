//! An XLSX workbook read as a stream: its parts are zip members inflated as they are parsed,
//! never whole. `xl/_rels/workbook.xml.rels` and `xl/workbook.xml` give the sheets in order
//! with their names, `xl/styles.xml` which styles make a number a date, and
//! `xl/sharedStrings.xml` the string table, held within a budget ([`SharedStrings`]).
//!
//! A worksheet's XML is cut into blocks of about `chunk_size` bytes, each ending after a row's
//! end tag. This thread reads the first blocks itself, up to the header row (SPEC §3); every
//! later block goes to a worker as it is, which reads its cells and packs its rows
//! ([`XmlRows::pack`]) where they are analyzed: inflating is all that stays on this thread,
//! so both cores parse. A problem a worker meets makes the workbook `partial` like one met
//! here; the first in the workbook is the one told.
//!
//! Every part is read through a guard: it may not inflate to more than its zip directory
//! declared (the scan checked those sizes against the limits), and a block may not grow past
//! [`MAX_BLOCK`] without a row's (or string's) end.
//!
//! Imports the sheet reader's types, [`cells`](super::cells) and [`strings`](super::strings).

use std::collections::HashMap;
use std::io::{self, Read, Seek};
use std::sync::Arc;

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::formats::sheet::cells::{self, read_sheet_block, CellSink, NumFormat, SheetState};
use crate::formats::sheet::strings::{Lookup, SharedStrings};
use crate::formats::sheet::tags::push_text;
use crate::formats::sheet::{
    column_role, value, Book, BookProblem, BookRead, Cell, Problems, RowChunk, Rows, Sheet,
    SheetColumns, SheetReading,
};
use crate::rules::Role;

/// The most bytes a block may hold without a row's (or string's) end: far more than any real
/// row takes; anything longer is damage or an attack, refused rather than held.
pub const MAX_BLOCK: usize = 64 << 20;
/// The most bytes a small part (relationships, workbook, styles) may hold.
const MAX_SMALL_PART: u64 = 64 << 20;

/// Reads every worksheet of the workbook in `r` in order, handing its rows in chunks to
/// `send`.
pub fn read<R: Read + Seek>(
    r: R,
    how: SheetReading,
    send: &mut dyn FnMut(RowChunk),
    out: &mut BookRead,
) {
    let Some(mut wb) = out.opened(Book::Xlsx, Workbook::open(r)) else {
        return;
    };
    let problems = out.late.clone();
    for (i, (name, part)) in std::mem::take(&mut wb.sheets).into_iter().enumerate() {
        let mut sheet = Sheet::new(how);
        let name: Arc<str> = name.into();
        let at = SheetAt {
            name: name.clone(),
            index: (i as u64) << 32,
            problems: problems.clone(),
        };
        let res = match part {
            Some(part) => wb.read_sheet(&part, &at, &mut sheet, send),
            None => Err((0, "no relationship names its part".into())),
        };
        out.sheet_done(&mut sheet, send);
        if let Err((block, error)) = res {
            at.report(block, error);
        }
    }
}

/// A sheet's name and place in the workbook, for its problems.
#[derive(Clone)]
struct SheetAt {
    name: Arc<str>,
    /// The sheet's index in the high 32 bits: blocks count in the low ones.
    index: u64,
    problems: Problems,
}

impl SheetAt {
    fn report(&self, block: u64, error: String) {
        let name = self.name.to_string();
        self.problems
            .report(self.index | block, BookProblem::Sheet { name, error });
    }
}

/// What every worker reading a workbook's rows shares.
struct Shared {
    strings: SharedStrings,
    formats: Vec<NumFormat>,
    is_1904: bool,
}

impl Shared {
    fn book(&self) -> cells::Book<'_> {
        cells::Book {
            strings: self.strings.lookup(),
            formats: &self.formats,
            is_1904: self.is_1904,
        }
    }
}

/// A block of a sheet's XML, cut after a row's end, to be read where it is analyzed.
pub struct XmlRows {
    xml: Vec<u8>,
    /// The chunk size: rows are packed and analyzed in pieces of about this many bytes.
    piece: usize,
    shared: Arc<Shared>,
    sheet: SheetAt,
    block: u64,
}

impl XmlRows {
    pub fn size(&self) -> usize {
        self.xml.len()
    }

    /// The block's rows packed as [`RowChunk`] holds them, under the header's `columns`,
    /// handed to `f` in pieces of about the chunk size with their number.
    pub fn pack(&self, columns: &SheetColumns, f: &mut dyn FnMut(&[u8], u64)) {
        let mut book = self.shared.book();
        let mut st = SheetState::inside();
        let mut p = Packer {
            roles: &columns.roles,
            named: columns.named,
            data: Vec::with_capacity(self.piece + (64 << 10)),
            row: None,
            row_at: 0,
            cells: 0,
            bytes: 0,
            piece: self.piece,
            pieces: 0,
            f,
        };
        let res = read_sheet_block(&self.xml, &mut st, &mut book, &mut p);
        p.end_row();
        if !p.data.is_empty() {
            (p.f)(&p.data, p.pieces);
        }
        if let Err(e) = res {
            self.sheet.report(self.block, e);
        }
    }
}

/// Packs a block's cells into pieces as they are read, each value written once, straight
/// into the piece (a shared string from the table, text from the XML): the same bytes as
/// [`pack_row`] gives a row's cells.
struct Packer<'a> {
    roles: &'a [Role],
    named: bool,
    data: Vec<u8>,
    row: Option<u32>,
    /// Where the current row's cell count is in `data`.
    row_at: usize,
    /// The current row's cells in `data`.
    cells: u32,
    /// The current row's bytes, bounded as [`RowBytes`] bounds them.
    bytes: usize,
    /// The piece size, and the pieces handed to `f`.
    piece: usize,
    pieces: u64,
    f: &'a mut dyn FnMut(&[u8], u64),
}

impl Packer<'_> {
    /// Starts the value of a cell in row `r`, column `col`: where it starts in `data`.
    fn start(&mut self, r: u32, col: u32) -> usize {
        if self.row != Some(r) {
            self.end_row();
            if self.data.len() >= self.piece {
                (self.f)(&self.data, self.pieces);
                self.data.clear();
                self.pieces += 1;
            }
            (self.row, self.row_at, self.cells, self.bytes) = (Some(r), self.data.len(), 0, 0);
            self.data.extend_from_slice(&0u32.to_le_bytes());
        }
        let at = self.data.len();
        self.data.extend_from_slice(&col.to_le_bytes());
        self.data.extend_from_slice(&0u32.to_le_bytes());
        at
    }

    /// Ends the value started at `at`, which counts `counted` bytes against the row's bound;
    /// an empty value is no cell.
    fn end(&mut self, r: u32, at: usize, counted: usize) -> Result<(), String> {
        self.bytes += counted;
        if self.bytes > MAX_BLOCK {
            self.data.truncate(at);
            return Err(row_too_long(r));
        }
        let len = self.data.len() - at - 8;
        match len {
            0 => self.data.truncate(at),
            _ => {
                self.data[at + 4..at + 8].copy_from_slice(&(len as u32).to_le_bytes());
                self.cells += 1;
            }
        }
        Ok(())
    }

    fn end_row(&mut self) {
        if self.row.is_none() {
            return;
        }
        match self.cells {
            0 => self.data.truncate(self.row_at),
            n => self.data[self.row_at..self.row_at + 4].copy_from_slice(&n.to_le_bytes()),
        }
        self.cells = 0;
    }

    fn role(&self, col: u32) -> Role {
        column_role(self.roles, self.named, col)
    }
}

impl CellSink for Packer<'_> {
    fn cell(&mut self, r: u32, col: u32, c: Cell) -> Result<(), String> {
        let at = self.start(r, col);
        value(&c, self.role(col), &mut self.data);
        let counted = match c {
            Cell::Text(t) => t.len(),
            _ => 24,
        };
        self.end(r, at, counted)
    }

    fn text(&mut self, r: u32, col: u32, t: &[u8]) -> Result<(), String> {
        let at = self.start(r, col);
        self.data.extend_from_slice(t);
        self.end(r, at, t.len())
    }

    fn shared(&mut self, r: u32, col: u32, i: u64, strings: &mut Lookup) -> Result<bool, String> {
        let at = self.start(r, col);
        match strings.get(i, &mut self.data) {
            Ok(true) => {
                let len = self.data.len() - at - 8;
                self.end(r, at, len).map(|()| true)
            }
            found => {
                self.data.truncate(at);
                found.map_err(|e| e.to_string())
            }
        }
    }
}

/// The bytes of the row being read, which may not pass [`MAX_BLOCK`] however few bytes of
/// XML name them (a shared string named many times).
#[derive(Default)]
struct RowBytes {
    row: Option<u32>,
    bytes: usize,
}

impl RowBytes {
    /// Counts `c` into row `r`; `true` when it starts a new row.
    fn add(&mut self, r: u32, c: &Cell) -> Result<bool, String> {
        let new = self.row != Some(r);
        if new {
            (self.row, self.bytes) = (Some(r), 0);
        }
        self.bytes += match c {
            Cell::Text(t) => t.len(),
            _ => 24,
        };
        if self.bytes > MAX_BLOCK {
            return Err(row_too_long(r));
        }
        Ok(new)
    }
}

fn row_too_long(r: u32) -> String {
    format!("row {} holds more than {MAX_BLOCK} bytes", u64::from(r) + 1)
}

/// A workbook's zip and its members by name.
struct Parts<R> {
    zip: zip::ZipArchive<R>,
    /// Member indexes by name in lower case with `/` separators (as Excel finds them).
    index: HashMap<String, usize>,
}

impl<R: Read + Seek> Parts<R> {
    /// Part `name` as a guarded stream; `None` when the workbook has no such part.
    fn open(&mut self, name: &str) -> Option<Result<Guard<impl Read + '_>, String>> {
        let &i = self.index.get(&part_key(name))?;
        Some(match self.zip.by_index(i) {
            Ok(m) => {
                let declared = m.size();
                Ok(Guard {
                    r: m,
                    left: declared,
                })
            }
            Err(e) => Err(format!("{name}: {e}")),
        })
    }

    /// Small part `name` (at most [`MAX_SMALL_PART`] bytes) read whole and parsed by
    /// `parse`, which says whether it reached the root element's end; `None` when the
    /// workbook has no such part. A part that fails to inflate to its end (a bad checksum
    /// is only found there) is still read when its XML ended before, as calamine did.
    fn small<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&[u8]) -> Result<(T, bool), String>,
    ) -> Option<Result<T, String>> {
        let mut r = match self.open(name)? {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        let mut all = Vec::new();
        let mut failed = match (&mut r).take(MAX_SMALL_PART + 1).read_to_end(&mut all) {
            Err(e) => Some(e.to_string()),
            Ok(_) => None,
        };
        if all.len() as u64 > MAX_SMALL_PART {
            failed = Some(format!("more than {MAX_SMALL_PART} bytes"));
            all.clear();
        }
        Some(match (parse(&all), failed) {
            (Ok((t, true)), _) | (Ok((t, false)), None) => Ok(t),
            (Ok((_, false)), Some(e)) | (Err(_), Some(e)) | (Err(e), None) => {
                Err(format!("{name}: {e}"))
            }
        })
    }
}

/// An opened workbook: its parts, its sheets in order, and what their cells are read against.
struct Workbook<R> {
    parts: Parts<R>,
    /// Each sheet's name and part (`None`: its relationship is missing); chart and dialog
    /// sheets, which hold no cells, are left out.
    sheets: Vec<(String, Option<String>)>,
    shared: Arc<Shared>,
}

impl<R: Read + Seek> Workbook<R> {
    fn open(r: R) -> Result<Workbook<R>, String> {
        let zip = zip::ZipArchive::new(r).map_err(|e| e.to_string())?;
        let index = (0..zip.len())
            .filter_map(|i| Some((part_key(zip.name_for_index(i)?), i)))
            .collect();
        let mut parts = Parts { zip, index };
        // The string table first: one that lies about its size is told as such, whatever
        // else the workbook lacks.
        let mut strings = SharedStrings::default();
        if let Some(xml) = parts.open("xl/sharedStrings.xml") {
            read_strings(xml?, &mut strings)?;
        }
        let rels = parts
            .small("xl/_rels/workbook.xml.rels", read_rels)
            .unwrap_or_else(|| Err("no xl/_rels/workbook.xml.rels".into()))?;
        let (sheets, is_1904) = parts
            .small("xl/workbook.xml", |xml| read_workbook(xml, &rels))
            .unwrap_or_else(|| Err("no xl/workbook.xml".into()))?;
        let formats = parts
            .small("xl/styles.xml", read_styles)
            .unwrap_or(Ok(Vec::new()))?;
        let shared = Arc::new(Shared {
            strings,
            formats,
            is_1904,
        });
        Ok(Workbook {
            parts,
            sheets,
            shared,
        })
    }

    /// Reads sheet `part`: its first blocks here up to the header, the rest sent as XML. An
    /// error comes with the block it was met in.
    fn read_sheet(
        &mut self,
        part: &str,
        at: &SheetAt,
        sheet: &mut Sheet,
        send: &mut dyn FnMut(RowChunk),
    ) -> Result<(), (u64, String)> {
        let xml = match self.parts.open(part) {
            Some(xml) => xml.map_err(|e| (0, e))?,
            None => return Err((0, format!("no part {part}"))),
        };
        let mut blocks = Blocks::new(xml, b"row", sheet.how.chunk_size);
        let mut book = self.shared.book();
        let mut st = SheetState::default();
        let mut n = 0u64;
        while let Some(block) = blocks.next().map_err(|e| (n, e))? {
            if !sheet.decided() {
                let mut bytes = RowBytes::default();
                read_sheet_block(&block, &mut st, &mut book, &mut |row, col, c| {
                    bytes.add(row, &c)?;
                    if let Some(chunk) = sheet.cell(row, col, c) {
                        send(chunk);
                    }
                    Ok(())
                })
                .map_err(|e| (n, e))?;
                if let Some(chunk) = sheet.finish() {
                    send(chunk);
                }
            } else {
                st.done = has_end_tag(&block, b"sheetData");
                let shared = self.shared.clone();
                let (sheet_at, block_at) = (at.clone(), n);
                send(sheet.chunk(Rows::Xml(XmlRows {
                    xml: block,
                    piece: sheet.how.chunk_size,
                    shared,
                    sheet: sheet_at,
                    block: block_at,
                })));
            }
            if st.done {
                return Ok(());
            }
            n += 1;
        }
        Err((n, cells::unfinished(&st)))
    }
}

/// Reads the shared-string table's XML, a block (cut after a `</si>`) at a time: this thread
/// inflates while another parses (the table comes before any sheet, so the workers have
/// nothing else to do yet; a few blocks wait between the two at most). An error names the
/// part.
fn read_strings<R: Read>(xml: Guard<R>, table: &mut SharedStrings) -> Result<(), String> {
    read_table(xml, table).map_err(|e| format!("xl/sharedStrings.xml: {e}"))
}

fn read_table<R: Read>(xml: Guard<R>, table: &mut SharedStrings) -> Result<(), String> {
    let size = xml.left;
    let mut blocks = Blocks::new(xml, b"si", 1 << 20);
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
    std::thread::scope(|s| {
        let parser = s.spawn(move || parse_strings(rx, size, table));
        let inflated = loop {
            match blocks.next() {
                // The parser stops taking blocks once the table ended.
                Ok(Some(block)) => {
                    if tx.send(block).is_err() {
                        break Ok(());
                    }
                }
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        drop(tx);
        let parsed = parser
            .join()
            .unwrap_or_else(|_| Err("the shared strings' parser crashed".into()));
        // A table that ended is whole, whatever follows its end.
        match (parsed, inflated) {
            (Ok(true), _) => Ok(()),
            (Ok(false), Err(e)) | (Err(e), _) => Err(e),
            (Ok(false), Ok(())) => Err("unexpected end of the shared strings".into()),
        }
    })
}

/// Parses the table's blocks as they come; `true` once its end was read, and the table
/// sealed (later blocks are left unread). `size` is the part's size.
fn parse_strings(
    blocks: std::sync::mpsc::Receiver<Vec<u8>>,
    size: u64,
    table: &mut SharedStrings,
) -> Result<bool, String> {
    for block in blocks {
        let most = declared_count(&block);
        if most.saturating_mul(5) > size {
            return Err(format!(
                "shared strings table declares {most} strings, more than its {size} bytes hold"
            ));
        }
        if cells::read_strings_block(&block, table)? {
            table.seal().map_err(|e| e.to_string())?;
            return Ok(true);
        }
    }
    Ok(false)
}

/// The largest `uniqueCount="N"` in `block` (0 when there is none), wherever it is: a comment
/// cannot hide one. A table that declares more strings than its part could hold (each takes
/// five bytes at least, `<si/>`) is damaged or lies, and is refused as it was when a reader
/// that reserved memory by the count read it. Blocks end after a `</si>`, so no attribute
/// straddles two.
fn declared_count(block: &[u8]) -> u64 {
    const KEY: &[u8] = b"uniqueCount";
    memchr::memmem::find_iter(block, KEY)
        .filter_map(|at| attribute_number(&block[at + KEY.len()..]))
        .max()
        .unwrap_or(0)
}

/// `="123"` (blanks around `=`, either quote) at the start of `s`: the number, saturating.
fn attribute_number(s: &[u8]) -> Option<u64> {
    let s = s.trim_ascii_start().strip_prefix(b"=")?.trim_ascii_start();
    let (&q, s) = s.split_first()?;
    if q != b'"' && q != b'\'' {
        return None;
    }
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || s.get(digits) != Some(&q) {
        return None;
    }
    Some(s[..digits].iter().fold(0u64, |a, &b| {
        a.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    }))
}

/// A part's XML in blocks of at least `size` bytes, each cut right after an end tag
/// `</name>` (or `</prefix:name>`), so that no row or string spans two blocks.
struct Blocks<R> {
    r: R,
    name: &'static [u8],
    size: usize,
    /// [`MAX_BLOCK`] (smaller in tests).
    max: usize,
    buf: Vec<u8>,
    /// How far `buf` was searched for an end tag.
    searched: usize,
    eof: bool,
}

impl<R: Read> Blocks<R> {
    fn new(r: R, name: &'static [u8], size: usize) -> Blocks<R> {
        Blocks {
            r,
            name,
            size: size.max(4096),
            max: MAX_BLOCK,
            buf: Vec::new(),
            searched: 0,
            eof: false,
        }
    }

    fn next(&mut self) -> Result<Option<Vec<u8>>, String> {
        let mut cut = None;
        loop {
            if self.buf.len() >= self.size {
                // The search overlaps the last one by a tag's length: a tag may straddle.
                let from = self.searched.saturating_sub(self.name.len() + 64);
                if let Some(end) = last_end_tag(&self.buf[from..], self.name) {
                    cut = Some(from + end);
                }
                self.searched = self.buf.len();
            }
            if let Some(cut) = cut {
                // The next block starts in a buffer that holds it whole: growing one by
                // doubling copied every block several times.
                let want = self.size.max(self.buf.len() - cut) + (2 << 16);
                let mut rest = Vec::with_capacity(want);
                rest.extend_from_slice(&self.buf[cut..]);
                self.buf.truncate(cut);
                self.searched = 0;
                return Ok(Some(std::mem::replace(&mut self.buf, rest)));
            }
            if self.eof {
                return Ok((!self.buf.is_empty()).then(|| std::mem::take(&mut self.buf)));
            }
            if self.buf.len() > self.max {
                let name = String::from_utf8_lossy(self.name);
                return Err(format!("more than {} bytes without a </{name}>", self.max));
            }
            let n = (&mut self.r)
                .take(1 << 16)
                .read_to_end(&mut self.buf)
                .map_err(|e| e.to_string())?;
            self.eof = n == 0;
        }
    }
}

/// Where the last end tag `</name>` or `</prefix:name>` in `b` ends.
fn last_end_tag(b: &[u8], name: &[u8]) -> Option<usize> {
    let tag = [name, b">"].concat();
    let mut hay = b;
    while let Some(at) = memchr::memmem::rfind(hay, &tag) {
        let before = &hay[..at];
        if ends_end_tag(before) {
            return Some(at + tag.len());
        }
        hay = before;
    }
    None
}

/// Whether `b` holds an end tag `</name>` or `</prefix:name>`: searched forward, which is
/// much faster than [`last_end_tag`]'s backward search over a block that holds none.
fn has_end_tag(b: &[u8], name: &[u8]) -> bool {
    let tag = [name, b">"].concat();
    memchr::memmem::find_iter(b, &tag).any(|at| ends_end_tag(&b[..at]))
}

/// Whether `before` ends where an end tag's name starts: `</` or `</prefix:`.
fn ends_end_tag(before: &[u8]) -> bool {
    let prefixed = |p: &[u8]| {
        let n = p
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
            .count();
        n > 0 && p[..p.len() - n].ends_with(b"</")
    };
    before.ends_with(b"</") || before.strip_suffix(b":").is_some_and(prefixed)
}

/// How a part is looked up: lower case, `/` separators, no leading `/`.
fn part_key(name: &str) -> String {
    name.trim_start_matches(['/', '\\'])
        .replace('\\', "/")
        .to_ascii_lowercase()
}

/// The workbook's relationships: target part by id.
fn read_rels(xml: &[u8]) -> Result<(HashMap<Vec<u8>, String>, bool), String> {
    let mut rels = HashMap::new();
    let ended = each_element(xml, &mut |name, e| {
        if name == b"Relationship" {
            let (mut id, mut target) = (Vec::new(), String::new());
            for a in e.attributes().with_checks(false).flatten() {
                match a.key.as_ref() {
                    b"Id" => id = a.value.into_owned(),
                    b"Target" => target = unescaped(&a),
                    _ => {}
                }
            }
            rels.insert(id, target);
        }
    })?;
    Ok((rels, ended))
}

/// The sheets in order (name and part) and whether dates count from 1904.
type Sheets = (Vec<(String, Option<String>)>, bool);

fn read_workbook(xml: &[u8], rels: &HashMap<Vec<u8>, String>) -> Result<(Sheets, bool), String> {
    let (mut sheets, mut is_1904) = (Vec::new(), false);
    let ended = each_element(xml, &mut |name, e| match name {
        b"sheet" => {
            let (mut sheet, mut part) = (String::new(), None);
            for a in e.attributes().with_checks(false).flatten() {
                match a.key.as_ref() {
                    b"name" => sheet = unescaped(&a),
                    k if a.key.local_name().as_ref() == b"id" && k != b"sheetId" => {
                        part = rels.get(a.value.as_ref()).map(|t| sheet_part(t))
                    }
                    _ => {}
                }
            }
            let holds_cells = part.as_deref().is_none_or(|p: &str| {
                !p.starts_with("xl/chartsheets/") && !p.starts_with("xl/dialogsheets/")
            });
            if holds_cells {
                sheets.push((sheet, part));
            }
        }
        b"workbookPr" => {
            is_1904 = e.attributes().with_checks(false).flatten().any(|a| {
                a.key.as_ref() == b"date1904" && matches!(a.value.as_ref(), b"1" | b"true")
            })
        }
        _ => {}
    })?;
    Ok(((sheets, is_1904), ended))
}

/// A relationship's target as a part name: relative to `xl/` unless it starts there.
fn sheet_part(target: &str) -> String {
    let t = target.trim_start_matches('/');
    match t.starts_with("xl/") {
        true => t.to_string(),
        false => format!("xl/{t}"),
    }
}

/// Which number format each cell style (`cellXfs`) has: a date, a duration or neither.
fn read_styles(xml: &[u8]) -> Result<(Vec<NumFormat>, bool), String> {
    let mut custom: HashMap<Vec<u8>, NumFormat> = HashMap::new();
    let mut formats = Vec::new();
    let mut in_xfs = false;
    let ended = each_element(xml, &mut |name, e| {
        let (mut id, mut code) = (Vec::new(), String::new());
        for a in e.attributes().with_checks(false).flatten() {
            match a.key.as_ref() {
                b"numFmtId" => id = a.value.to_vec(),
                b"formatCode" => code = unescaped(&a),
                _ => {}
            }
        }
        match name {
            b"numFmt" => {
                custom.insert(id, format_of_code(&code));
            }
            // Cell styles (`cellStyleXfs`) hold `xf`s too, which cells do not point at.
            b"cellXfs" => in_xfs = true,
            b"cellStyleXfs" => in_xfs = false,
            b"xf" if in_xfs => {
                formats.push(custom.get(&id).copied().unwrap_or_else(|| builtin(&id)));
            }
            _ => {}
        }
    })?;
    Ok((formats, ended))
}

/// The built-in number formats that show dates and times (ECMA-376 §18.8.30).
fn builtin(id: &[u8]) -> NumFormat {
    match id {
        b"14" | b"15" | b"16" | b"17" | b"18" | b"19" | b"20" | b"21" | b"22" | b"45" | b"47" => {
            NumFormat::Date
        }
        b"46" => NumFormat::Duration,
        _ => NumFormat::Plain,
    }
}

/// Whether a custom number format code shows a date: its first section has a day, month,
/// year, hour or second code outside quotes, escapes and brackets (`[h]`, `[mm]`, `[ss]`,
/// elapsed time, make it a duration; `[Red]`, `[$-409]` say nothing).
fn format_of_code(code: &str) -> NumFormat {
    let mut chars = code.chars();
    while let Some(c) = chars.next() {
        match c {
            ';' => return NumFormat::Plain,
            '\\' | '_' | '*' => {
                chars.next();
            }
            '"' => {
                for q in chars.by_ref() {
                    if q == '"' {
                        break;
                    }
                }
            }
            '[' => {
                let inner: String = chars.by_ref().take_while(|&b| b != ']').collect();
                let lower = inner.to_ascii_lowercase();
                if !lower.is_empty() && lower.chars().all(|b| matches!(b, 'h' | 'm' | 's')) {
                    return NumFormat::Duration;
                }
            }
            'd' | 'D' | 'm' | 'M' | 'y' | 'Y' | 'h' | 'H' | 's' | 'S' => return NumFormat::Date,
            _ => {}
        }
    }
    NumFormat::Plain
}

/// Calls `f` with the local name and start tag of every element of `xml` (start or empty) up
/// to the end of its root element; whether that end was read.
fn each_element(
    xml: &[u8],
    f: &mut dyn FnMut(&[u8], &quick_xml::events::BytesStart),
) -> Result<bool, String> {
    let mut xml = xml_reader(xml);
    let mut depth = 0usize;
    loop {
        match xml.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) => {
                depth += 1;
                f(e.local_name().as_ref(), &e)
            }
            Event::Empty(e) => f(e.local_name().as_ref(), &e),
            Event::End(_) if depth <= 1 => return Ok(true),
            Event::End(_) => depth -= 1,
            Event::Eof => return Ok(false),
            _ => {}
        }
    }
}

/// A reader for a small part's XML: lenient, since a damaged part is still read as far as it
/// goes.
fn xml_reader(b: &[u8]) -> Reader<&[u8]> {
    let mut r = Reader::from_reader(b);
    let c = r.config_mut();
    c.check_end_names = false;
    c.allow_unmatched_ends = true;
    c.check_comments = false;
    c.trim_text(false);
    r
}

/// An attribute's value with its entities decoded.
fn unescaped(a: &quick_xml::events::attributes::Attribute) -> String {
    let mut out = Vec::with_capacity(a.value.len());
    push_text(a.value.as_ref(), &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// A part's inflated bytes, no more than its directory declared.
struct Guard<R> {
    r: R,
    left: u64,
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.r.read(buf)?;
        self.left = self.left.checked_sub(n as u64).ok_or_else(|| {
            io::Error::other("the part inflates to more than its zip directory declares")
        })?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_tags_are_found_with_or_without_a_prefix() {
        assert_eq!(last_end_tag(b"<row><c/></row><row>", b"row"), Some(15));
        assert_eq!(last_end_tag(b"<x:row></x:row>x", b"row"), Some(15));
        // Not an end tag of `row`: another name ending in it, text, a start tag.
        assert_eq!(last_end_tag(b"</arrow> row> <row>", b"row"), None);
        assert_eq!(last_end_tag(b"</row></x:arrow>", b"row"), Some(6));
        assert_eq!(last_end_tag(b":row>", b"row"), None);
        for (b, has) in [
            (&b"<row></row></sheetData></worksheet>"[..], true),
            (b"</x:sheetData>", true),
            (b"<sheetData> sheetData> </mysheetData>", false),
            (b"<sheetData/>", false),
        ] {
            assert_eq!(has_end_tag(b, b"sheetData"), has);
            assert_eq!(last_end_tag(b, b"sheetData").is_some(), has);
        }
    }

    #[test]
    fn blocks_end_after_an_end_tag_and_lose_nothing() {
        let rows: String = (0..20_000)
            .map(|i| format!("<row r=\"{i}\"><c><v>{i}</v></c></row>\n"))
            .collect();
        let xml = format!("<worksheet><sheetData>{rows}</sheetData></worksheet>");
        let mut b = Blocks::new(xml.as_bytes(), b"row", 100_000);
        let mut all = Vec::new();
        let mut n = 0;
        while let Some(block) = b.next().unwrap() {
            let last = block.len() < 100_000;
            assert!(last || block.ends_with(b"</row>"), "block {n}");
            all.extend_from_slice(&block);
            n += 1;
        }
        assert!(n > 3, "{n} blocks");
        assert_eq!(all, xml.as_bytes());
        // A part with no end tag at all is refused past the bound, not held whole.
        let mut endless = Blocks::new(std::io::repeat(b'x'), b"row", 4096);
        endless.max = 1 << 20;
        let err = endless.next().unwrap_err();
        assert!(err.contains("without a </row>"), "{err}");
    }

    /// `rows` (the inside of `<sheetData>`, then its end) packed by [`XmlRows::pack`] in
    /// pieces of `piece` bytes, and as the cells read one by one and packed by [`pack_row`]:
    /// the pieces joined and their count, the rows packed by `pack_row`, the error told.
    fn packed_both_ways(rows: &str, piece: usize) -> (Vec<u8>, u64, Vec<u8>, Option<String>) {
        let mut strings = SharedStrings::default();
        for s in ["NIK", "", "3171014101900001", "Ani & Budi"] {
            strings.push(s.as_bytes()).unwrap();
        }
        strings.seal().unwrap();
        let shared = Arc::new(Shared {
            strings,
            formats: vec![NumFormat::Plain, NumFormat::Date],
            is_1904: false,
        });
        let roles = Arc::new(vec![Role::Other, Role::Nik]);
        let columns = SheetColumns {
            roles: roles.clone(),
            names: Arc::default(),
            named: true,
        };
        let sheet = SheetAt {
            name: "s".into(),
            index: 0,
            problems: Problems::default(),
        };
        let xml = XmlRows {
            xml: rows.as_bytes().to_vec(),
            piece,
            shared: shared.clone(),
            sheet: sheet.clone(),
            block: 0,
        };
        let (mut joined, mut pieces) = (Vec::new(), 0);
        xml.pack(&columns, &mut |d, n| {
            assert_eq!(n, pieces);
            joined.extend_from_slice(d);
            pieces += 1;
        });
        let told = sheet.problems.0.lock().unwrap().take();
        let told = told.map(|(_, p)| format!("{p:?}"));
        let mut by_rows: Vec<Vec<(u32, Cell)>> = Vec::new();
        let mut last = None;
        let mut book = shared.book();
        let _ = read_sheet_block(
            rows.as_bytes(),
            &mut SheetState::inside(),
            &mut book,
            &mut |r, c, cell| {
                if last != Some(r) {
                    by_rows.push(Vec::new());
                    last = Some(r);
                }
                by_rows.last_mut().unwrap().push((c, cell));
                Ok(())
            },
        );
        let (mut want, mut scratch) = (Vec::new(), Vec::new());
        for cells in &by_rows {
            crate::formats::sheet::pack_row(cells, &roles, true, &mut want, &mut scratch);
        }
        (joined, pieces, want, told)
    }

    #[test]
    fn the_packer_writes_what_pack_row_writes() {
        let rows = r#"<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2"><v>3171010000000000</v></c>
            <c r="C2" t="s"><v>1</v></c><c r="D2" s="1"><v>32874</v></c><x:c r="E2" t="s"><v>2</v></x:c>
            <c r="F2" t="inlineStr"><is><t>x</t></is></c><c r="G2"><v>abc</v></c><c r="H2"><v>1.5</v></c></row>
            <row r="3"><c r="A3" t="s"><v>1</v></c><c r="B3"/></row>
            <row r="4"><c r="B4" t="s"><v>2</v></c><c r="C4" t="b"><v>1</v></c></row></sheetData>"#;
        for piece in [1 << 20, 1] {
            let (joined, pieces, want, told) = packed_both_ways(rows, piece);
            assert_eq!(joined, want, "{piece}");
            assert!(told.is_none(), "{told:?}");
            // Row 3 packs to nothing; pieces of one byte end after each other row.
            assert_eq!(pieces, if piece == 1 { 2 } else { 1 });
        }
        // A missing string stops the block where it is; the cells before it are packed.
        let bad = r#"<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="s"><v>9</v></c></row>"#;
        let (joined, _, want, told) = packed_both_ways(bad, 1 << 20);
        assert_eq!(joined, want);
        assert!(!joined.is_empty());
        assert!(told.unwrap().contains("not in the shared strings"));
    }

    #[test]
    fn attribute_numbers_read_like_xml() {
        assert_eq!(attribute_number(br#"="42" count="1""#), Some(42));
        assert_eq!(attribute_number(b" = '7'"), Some(7));
        assert_eq!(
            attribute_number(br#"="99999999999999999999999""#),
            Some(u64::MAX)
        );
        assert_eq!(attribute_number(br#"="4x""#), None);
        assert_eq!(attribute_number(br#"="""#), None);
        assert_eq!(attribute_number(br#"=4"#), None);
    }

    /// What [`read_strings`] says of the table `xml`, read as a part of its own size.
    fn table_of(xml: &[u8]) -> Result<(), String> {
        let part = Guard {
            r: xml,
            left: xml.len() as u64,
        };
        read_strings(part, &mut SharedStrings::default())
    }

    #[test]
    fn shared_strings_may_not_declare_more_than_they_hold() {
        let honest =
            br#"<sst xmlns="x" count="2" uniqueCount="2"><si><t>a</t></si><si><t>b</t></si></sst>"#;
        assert_eq!(table_of(honest), Ok(()));
        let why = table_of(br#"<sst uniqueCount="4294967295"/>"#).unwrap_err();
        assert!(why.contains("declares 4294967295 strings"), "{why}");
        assert!(why.starts_with("xl/sharedStrings.xml: "), "{why}");
        // Behind a comment, and in a later block than the first, the real one is still found.
        let mut hidden = br#"<sst><!-- uniqueCount="1" -->"#.to_vec();
        for _ in 0..100_000 {
            hidden.extend_from_slice(b"<si><t>x</t></si>");
        }
        hidden.extend_from_slice(br#"<x:y uniqueCount = '99999999'/></sst>"#);
        let why = table_of(&hidden).unwrap_err();
        assert!(why.contains("declares 99999999 strings"), "{why}");
    }

    #[test]
    fn number_formats_that_show_dates() {
        for code in [
            "dd/mm/yyyy",
            "yyyy-mm-dd hh:mm",
            "d-mmm-yy",
            "[$-421]dd mmmm yyyy",
            "h:mm AM/PM",
        ] {
            assert_eq!(format_of_code(code), NumFormat::Date, "{code}");
        }
        for code in ["[h]:mm:ss", "[mm]:ss"] {
            assert_eq!(format_of_code(code), NumFormat::Duration, "{code}");
        }
        for code in [
            "0",
            "#,##0.00",
            "[Red]0.0",
            "\"d\"0",
            "0;[Red]-0;\"yyyy\"",
            "@",
            "0_)",
        ] {
            assert_eq!(format_of_code(code), NumFormat::Plain, "{code}");
        }
        assert_eq!(builtin(b"14"), NumFormat::Date);
        assert_eq!(builtin(b"46"), NumFormat::Duration);
        assert_eq!(builtin(b"49"), NumFormat::Plain);
    }

    #[test]
    fn styles_workbook_and_relationships() {
        let styles = br#"<styleSheet><numFmts><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>
            <numFmt numFmtId="165" formatCode="&quot;Rp&quot;#,##0"/></numFmts>
            <cellStyleXfs><xf numFmtId="14"/></cellStyleXfs>
            <cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="14"/></cellXfs>
            </styleSheet>"#;
        let want = [
            NumFormat::Plain,
            NumFormat::Date,
            NumFormat::Plain,
            NumFormat::Date,
        ];
        assert_eq!(read_styles(styles).unwrap(), (want.to_vec(), true));
        let rels = br#"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/>
            <Relationship Id="rId2" Target="/xl/chartsheets/sheet1.xml"/>
            <Relationship Id="rId3" Target="/xl/worksheets/s&amp;2.xml"/></Relationships>"#;
        let (rels, ended) = read_rels(rels).unwrap();
        assert!(ended);
        let wb = br#"<workbook><workbookPr date1904="1"/><sheets>
            <sheet name="Data &amp; NIK" sheetId="1" r:id="rId1"/><sheet name="Grafik" sheetId="2" r:id="rId2"/>
            <sheet name="Dua" sheetId="3" r:id="rId3"/><sheet name="Hilang" sheetId="4" r:id="rId9"/>
            </sheets></workbook>"#;
        let ((sheets, is_1904), _) = read_workbook(wb, &rels).unwrap();
        assert!(is_1904);
        let part = |p: &str| Some(p.to_string());
        assert_eq!(
            sheets,
            [
                ("Data & NIK".to_string(), part("xl/worksheets/sheet1.xml")),
                ("Dua".to_string(), part("xl/worksheets/s&2.xml")),
                ("Hilang".to_string(), None),
            ]
        );
        assert_eq!(
            part_key("\\XL\\Worksheets/Sheet1.XML"),
            "xl/worksheets/sheet1.xml"
        );
    }
}
