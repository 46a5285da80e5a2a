//! The XML of an XLSX sheet read cell by cell (quick-xml, as a stream: one event buffer, no
//! tree), and the shared-string table read into [`SharedStrings`].
//!
//! A cell is placed by its `r` attribute (`B7`), or, without one, right of the previous cell
//! (and in the row after the previous row when a `<row>` has no `r` either), as Excel does.
//! Its value is read by its `t` attribute: `s` a shared string by index, `inlineStr` the text
//! of `<is>`, `str` a formula's text, `b` a boolean, `d` an ISO date, `e` an error (no value),
//! none or `n` a number, which the cell's style may make a date (`s` into `cellXfs`). Text is
//! every `<t>` run of a rich string joined (phonetic `<rPh>` runs left out), entities and
//! `_xHHHH_` escapes decoded, line ends as XML 1.0 reads them.
//!
//! Imports the table ([`strings`](super::strings)) and the cell type of the sheet reader.

use std::io::BufRead;

use calamine::{ExcelDateTime, ExcelDateTimeType};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::formats::sheet::strings::SharedStrings;
use crate::formats::sheet::{date_cell, Cell, MAX_COLUMNS};

/// The longest text one cell or shared string may hold (Excel's limit is 32,767 characters,
/// at most 128 KiB as UTF-8): a longer one is damage or an attack, and is refused, not held.
pub const MAX_TEXT: usize = 4 << 20;

/// What a style's number format makes of a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumFormat {
    Plain,
    Date,
    Duration,
}

/// What a sheet's cells are read against: the workbook's strings, styles and epoch.
pub struct Book<'a> {
    pub strings: &'a mut SharedStrings,
    pub formats: &'a [NumFormat],
    pub is_1904: bool,
}

pub fn xml_reader<B: BufRead>(b: B) -> Reader<B> {
    let mut r = Reader::from_reader(b);
    let c = r.config_mut();
    c.check_end_names = false;
    c.check_comments = false;
    c.trim_text(false);
    r
}

/// Where the next cell goes when it has no `r`.
#[derive(Default)]
struct Place {
    row: u32,
    col: u32,
    /// Cells read in the current row, to bound a row that never ends.
    in_row: usize,
}

/// A cell's `t` attribute.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Number,
    /// No `t`: a number, or text when it does not read as one.
    Untyped,
    Shared,
    Inline,
    Text,
    Bool,
    Error,
    Unknown,
}

impl Kind {
    fn of(t: &[u8]) -> Kind {
        match t {
            b"n" => Kind::Number,
            b"s" => Kind::Shared,
            b"inlineStr" | b"is" => Kind::Inline,
            b"str" | b"d" => Kind::Text,
            b"b" => Kind::Bool,
            b"e" => Kind::Error,
            _ => Kind::Unknown,
        }
    }
}

/// What a `<c>`'s attributes say, read in one pass.
struct CellAttrs {
    at: (u32, u32),
    kind: Kind,
    style: Option<usize>,
}

/// Reads the cells of a worksheet's XML, handing each non-empty one to `f` with its row and
/// column (from 0). An error stops the sheet; the cells before it were handed over.
pub fn read_sheet<B: BufRead>(
    xml: B,
    book: &mut Book,
    f: &mut dyn FnMut(u32, u32, Cell),
) -> Result<(), String> {
    let mut xml = xml_reader(xml);
    let mut buf = Vec::with_capacity(1024);
    let mut text = Vec::with_capacity(256);
    let mut at = Place::default();
    let mut in_data = false;
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(|e| e.to_string())? {
            Event::Start(e) if in_data => match e.local_name().as_ref() {
                b"row" => at.start_row(&e)?,
                b"c" => {
                    let a = at.cell(&e)?;
                    if let Some(c) = read_cell(&mut xml, &a, book, &mut text)? {
                        f(a.at.0, a.at.1, c);
                    }
                }
                _ => {}
            },
            Event::Empty(e) if in_data => match e.local_name().as_ref() {
                b"row" => {
                    at.start_row(&e)?;
                    at.end_row();
                }
                b"c" => {
                    at.cell(&e)?;
                }
                _ => {}
            },
            Event::End(e) if in_data => match e.local_name().as_ref() {
                b"row" => at.end_row(),
                b"sheetData" => return Ok(()),
                _ => {}
            },
            Event::Start(e) if e.local_name().as_ref() == b"sheetData" => in_data = true,
            Event::Empty(e) if e.local_name().as_ref() == b"sheetData" => return Ok(()),
            Event::Eof if in_data => return Err("unexpected end of the sheet's data".into()),
            Event::Eof => return Err("no sheetData: not a worksheet".into()),
            _ => {}
        }
    }
}

impl Place {
    fn start_row(&mut self, e: &BytesStart) -> Result<(), String> {
        for a in e.attributes().with_checks(false).flatten() {
            if a.key.as_ref() == b"r" {
                self.row = cell_ref(&a.value)?.0;
            }
        }
        self.col = 0;
        self.in_row = 0;
        Ok(())
    }

    fn end_row(&mut self) {
        self.row = self.row.saturating_add(1);
        self.col = 0;
        self.in_row = 0;
    }

    /// The attributes of cell `e`, which also place the next cell.
    fn cell(&mut self, e: &BytesStart) -> Result<CellAttrs, String> {
        self.in_row += 1;
        if self.in_row > MAX_COLUMNS {
            return Err(format!(
                "row {} holds more than {MAX_COLUMNS} cells",
                u64::from(self.row) + 1
            ));
        }
        let (mut kind, mut style) = (Kind::Untyped, None);
        for a in e.attributes().with_checks(false).flatten() {
            match a.key.as_ref() {
                b"r" => {
                    let (row, col) = cell_ref(&a.value)?;
                    self.row = row;
                    self.col = col.ok_or("a cell reference without a column")?;
                }
                b"t" => kind = Kind::of(&a.value),
                b"s" => style = Some(number::<usize>(&a.value).unwrap_or(0)),
                _ => {}
            }
        }
        let at = (self.row, self.col);
        self.col = self.col.saturating_add(1);
        Ok(CellAttrs { at, kind, style })
    }
}

/// A `<c>` element's value, read to its end.
fn read_cell<B: BufRead>(
    xml: &mut Reader<B>,
    a: &CellAttrs,
    book: &mut Book,
    text: &mut Vec<u8>,
) -> Result<Option<Cell>, String> {
    let mut cell = None;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(|e| e.to_string())? {
            Event::Start(e) => match e.local_name().as_ref() {
                b"is" => {
                    text.clear();
                    read_rich(xml, b"is", text)?;
                    cell = Some(Cell::Text(text.clone()));
                }
                b"v" if a.kind != Kind::Inline => {
                    text.clear();
                    read_text(xml, b"v", text)?;
                    cell = value_cell(a, text, book)?;
                }
                _ => skip(xml, &e)?,
            },
            Event::End(e) if e.local_name().as_ref() == b"c" => return Ok(cell),
            Event::Eof => return Err("unexpected end of the sheet inside a cell".into()),
            _ => {}
        }
    }
}

/// A `<v>`'s text as a cell, by the cell's type and style.
fn value_cell(a: &CellAttrs, v: &[u8], book: &mut Book) -> Result<Option<Cell>, String> {
    if v.is_empty() {
        return Ok(None);
    }
    Ok(Some(match a.kind {
        Kind::Shared => {
            let i = number::<u64>(v).ok_or("a bad shared string index")?;
            let mut s = Vec::new();
            let found = book.strings.get(i, &mut s).map_err(|e| e.to_string())?;
            if !found {
                return Err(format!("string {i} is not in the shared strings table"));
            }
            Cell::Text(s)
        }
        Kind::Bool => Cell::Text(if v != b"0" {
            b"TRUE".to_vec()
        } else {
            b"FALSE".to_vec()
        }),
        Kind::Text | Kind::Inline => Cell::Text(v.to_vec()),
        Kind::Error => return Ok(None),
        Kind::Number | Kind::Untyped => {
            match std::str::from_utf8(v)
                .ok()
                .and_then(|s| s.parse::<f64>().ok())
            {
                Some(n) => styled(n, a.style, book),
                None if a.kind == Kind::Untyped => Cell::Text(v.to_vec()),
                None => return Err("a number cell that holds no number".into()),
            }
        }
        Kind::Unknown => return Err("a cell of unknown type".into()),
    }))
}

/// A number under its cell's style: a date format makes it a date.
fn styled(n: f64, style: Option<usize>, book: &Book) -> Cell {
    let format = style.and_then(|s| book.formats.get(s).copied());
    let kind = match format {
        Some(NumFormat::Date) => ExcelDateTimeType::DateTime,
        Some(NumFormat::Duration) => ExcelDateTimeType::TimeDelta,
        _ => return Cell::Number(n),
    };
    date_cell(&ExcelDateTime::new(n, kind, book.is_1904))
}

/// Reads the shared-string table's XML into `table`: one string per `<si>`, in order.
pub fn read_shared_strings<B: BufRead>(xml: B, table: &mut SharedStrings) -> Result<(), String> {
    let mut xml = xml_reader(xml);
    let mut buf = Vec::with_capacity(1024);
    let mut text = Vec::with_capacity(256);
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(|e| e.to_string())? {
            Event::Start(e) if e.local_name().as_ref() == b"si" => {
                text.clear();
                read_rich(&mut xml, b"si", &mut text)?;
                table.push(&text).map_err(|e| e.to_string())?;
            }
            Event::Empty(e) if e.local_name().as_ref() == b"si" => {
                table.push(b"").map_err(|e| e.to_string())?
            }
            Event::End(e) if e.local_name().as_ref() == b"sst" => break,
            Event::Empty(e) if e.local_name().as_ref() == b"sst" => break,
            Event::Eof => return Err("unexpected end of the shared strings".into()),
            _ => {}
        }
    }
    table.seal().map_err(|e| e.to_string())
}

/// The text of a string item (`<si>`, `<is>`) up to its end tag `end`: its `<t>` runs joined,
/// phonetic runs (`<rPh>`) left out.
fn read_rich<B: BufRead>(xml: &mut Reader<B>, end: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(|e| e.to_string())? {
            Event::Start(e) => match e.local_name().as_ref() {
                b"t" => {
                    let from = out.len();
                    read_text(xml, b"t", out)?;
                    unescape_x(out, from);
                }
                b"r" => {}
                _ => skip(xml, &e)?,
            },
            Event::End(e) if e.local_name().as_ref() == end => return Ok(()),
            Event::Eof => return Err("unexpected end inside a string".into()),
            _ => {}
        }
    }
}

/// Appends the text up to end tag `end` to `out`: text, entities and CDATA, line ends as XML
/// 1.0 reads them (`\r\n` and `\r` are `\n`).
fn read_text<B: BufRead>(xml: &mut Reader<B>, end: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(|e| e.to_string())? {
            Event::Text(t) => push_eols(&t, out),
            Event::CData(t) => push_eols(&t, out),
            Event::GeneralRef(r) => entity(&r, out),
            Event::End(e) if e.local_name().as_ref() == end => return Ok(()),
            Event::Start(e) => skip(xml, &e)?,
            Event::Eof => return Err("unexpected end inside a value".into()),
            _ => {}
        }
        if out.len() > MAX_TEXT {
            return Err(format!("a value longer than {MAX_TEXT} bytes"));
        }
    }
}

fn push_eols(t: &[u8], out: &mut Vec<u8>) {
    if memchr::memchr(b'\r', t).is_none() {
        out.extend_from_slice(t);
        return;
    }
    let mut i = 0;
    while i < t.len() {
        match t[i] {
            b'\r' => {
                out.push(b'\n');
                if t.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
}

/// An entity reference: the five of XML and character references decoded; any other kept as
/// written (a lenient reading of a damaged file, not a reason to stop).
pub fn entity(r: &[u8], out: &mut Vec<u8>) {
    let decoded = match r {
        b"lt" => Some('<'),
        b"gt" => Some('>'),
        b"amp" => Some('&'),
        b"apos" => Some('\''),
        b"quot" => Some('"'),
        _ => char_ref(r),
    };
    match decoded {
        Some(c) => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        None => {
            out.push(b'&');
            out.extend_from_slice(r);
            out.push(b';');
        }
    }
}

fn char_ref(r: &[u8]) -> Option<char> {
    let r = std::str::from_utf8(r.strip_prefix(b"#")?).ok()?;
    let n = match r.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => r.parse().ok()?,
    };
    char::from_u32(n)
}

/// Decodes Excel's `_xHHHH_` escapes (control characters and the like) in `out[from..]`.
fn unescape_x(out: &mut Vec<u8>, from: usize) {
    if memchr::memmem::find(&out[from..], b"_x").is_none() {
        return;
    }
    let text = out.split_off(from);
    let mut i = 0;
    while i < text.len() {
        let c = text
            .get(i..i + 7)
            .filter(|e| e.starts_with(b"_x") && e[6] == b'_')
            .and_then(|e| std::str::from_utf8(&e[2..6]).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32);
        match c {
            Some(c) => {
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                i += 7;
            }
            None => {
                out.push(text[i]);
                i += 1;
            }
        }
    }
}

/// Reads past the end of element `e` (a formula, a phonetic run, an extension).
fn skip<B: BufRead>(xml: &mut Reader<B>, e: &BytesStart) -> Result<(), String> {
    let mut buf = Vec::new();
    xml.read_to_end_into(e.name(), &mut buf)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// A cell reference (`B7`, or a row's `7`) as its row and, when it names one, column, both
/// from 0.
pub fn cell_ref(r: &[u8]) -> Result<(u32, Option<u32>), String> {
    let bad = || "a bad cell reference".to_string();
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let (col, row) = r.split_at(letters);
    let col = col.iter().try_fold(0u32, |a, &b| {
        a.checked_mul(26)?
            .checked_add(u32::from(b.to_ascii_uppercase() - b'A') + 1)
    });
    let row = number::<u32>(row).filter(|&n| n > 0).ok_or_else(bad)?;
    let col = col.ok_or_else(bad)?;
    Ok((row - 1, col.checked_sub(1)))
}

/// A decimal number of ASCII digits only.
fn number<N: std::str::FromStr>(s: &[u8]) -> Option<N> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(s).ok()?.parse().ok()
}
