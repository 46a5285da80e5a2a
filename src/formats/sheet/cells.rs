//! The XML of an XLSX sheet read cell by cell, and the shared-string table read into
//! [`SharedStrings`]: the tokens of [`tags`](super::tags) over one block of the inflated part
//! at a time, borrowed from the block (no copy, no tree). These two parts are nearly all of a
//! workbook's bytes, so they skip quick-xml's general events for a scanner that only finds
//! tags.
//!
//! A cell is placed by its `r` attribute (`B7`), or, without one, right of the previous cell
//! (and in the row after the previous row when a `<row>` has no `r` either), as Excel does.
//! Its value is read by its `t` attribute: `s` a shared string by index, `inlineStr` the text
//! of `<is>`, `str` a formula's text, `b` a boolean, `d` an ISO date, `e` an error (no value),
//! none or `n` a number, which the cell's style may make a date (`s` into `cellXfs`). Text is
//! every `<t>` run of a rich string joined (phonetic `<rPh>` runs left out), entities and
//! `_xHHHH_` escapes decoded, line ends as XML 1.0 reads them.
//!
//! Imports the table ([`strings`](super::strings)), the tokenizer ([`tags`](super::tags)) and
//! the cell type of the sheet reader.

use calamine::{ExcelDateTime, ExcelDateTimeType};

use crate::formats::sheet::fast::{self, Body, FastCell};
use crate::formats::sheet::strings::{Lookup, SharedStrings};
use crate::formats::sheet::tags::{attrs, push_eols, push_text, Tags, Tok, MAX_TEXT};
use crate::formats::sheet::{date_cell, Cell, MAX_COLUMNS};

/// What a style's number format makes of a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumFormat {
    Plain,
    Date,
    Duration,
}

/// What a sheet's cells are read against: the workbook's strings, styles and epoch.
pub struct Book<'a> {
    pub strings: Lookup<'a>,
    pub formats: &'a [NumFormat],
    pub is_1904: bool,
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

/// Where the reading of a sheet's XML is, from one block of it to the next: blocks are cut
/// after a row's end, so a row never spans two.
#[derive(Default)]
pub struct SheetState {
    at: Place,
    in_data: bool,
    /// `</sheetData>` was read.
    pub done: bool,
}

impl SheetState {
    /// For a block that starts inside `<sheetData>` (any block after the first).
    pub fn inside() -> SheetState {
        SheetState {
            in_data: true,
            ..SheetState::default()
        }
    }
}

/// Where a sheet's cells go, each with its row and column (from 0). Text borrowed from the
/// XML and shared strings come by their own methods, so that a sink that packs them can copy
/// them once, straight where they go; by default they are made a [`Cell`].
pub trait CellSink {
    fn cell(&mut self, row: u32, col: u32, c: Cell) -> Result<(), String>;

    /// Text read from the XML, with nothing to decode.
    fn text(&mut self, row: u32, col: u32, t: &[u8]) -> Result<(), String> {
        self.cell(row, col, Cell::Text(t.to_vec()))
    }

    /// Shared string `i`; `false` when the table has no such string.
    fn shared(&mut self, row: u32, col: u32, i: u64, strings: &mut Lookup) -> Result<bool, String> {
        let mut s = Vec::new();
        if !strings.get(i, &mut s).map_err(|e| e.to_string())? {
            return Ok(false);
        }
        self.cell(row, col, Cell::Text(s))?;
        Ok(true)
    }
}

impl<F: FnMut(u32, u32, Cell) -> Result<(), String> + ?Sized> CellSink for F {
    fn cell(&mut self, row: u32, col: u32, c: Cell) -> Result<(), String> {
        self(row, col, c)
    }
}

/// Reads the cells of a block of a worksheet's XML, handing each non-empty one to `f`. The
/// common shapes of a cell (and `</row>`) are read by [`fast`], anything else by the general
/// tokenizer. An error (also one `f` returns) stops the block; the cells before it were
/// handed over.
pub fn read_sheet_block<S: CellSink + ?Sized>(
    block: &[u8],
    st: &mut SheetState,
    book: &mut Book,
    f: &mut S,
) -> Result<(), String> {
    let mut xml = Tags::new(block);
    let mut text = Vec::with_capacity(256);
    let at = &mut st.at;
    loop {
        if st.in_data {
            let rest = xml.rest();
            if rest.starts_with(b"<c") {
                if let Some(c) = fast::cell(rest) {
                    xml.advance(c.len);
                    fast_cell(&c, at, book, f)?;
                    continue;
                }
            } else if rest.starts_with(b"</row>") {
                xml.advance(6);
                at.end_row();
                continue;
            }
        }
        let Some(tok) = xml.next_tok()? else {
            break;
        };
        match tok {
            Tok::Start { name, attrs, empty } if st.in_data => match name {
                b"row" => {
                    at.start_row(attrs)?;
                    if empty {
                        at.end_row();
                    }
                }
                b"c" => {
                    let a = at.cell(attrs)?;
                    if empty {
                        continue;
                    }
                    if let Some(c) = read_cell(&mut xml, &a, book, &mut text)? {
                        f.cell(a.at.0, a.at.1, c)?;
                    }
                }
                _ => {}
            },
            Tok::End(name) if st.in_data => match name {
                b"row" => at.end_row(),
                b"sheetData" => {
                    st.done = true;
                    return Ok(());
                }
                _ => {}
            },
            Tok::Start {
                name: b"sheetData",
                empty,
                ..
            } => {
                if empty {
                    st.done = true;
                    return Ok(());
                }
                st.in_data = true;
            }
            _ => {}
        }
    }
    Ok(())
}

/// A cell the fast path read whole, placed and handed to `f` as the general path would.
fn fast_cell<S: CellSink + ?Sized>(
    c: &FastCell,
    at: &mut Place,
    book: &mut Book,
    f: &mut S,
) -> Result<(), String> {
    let a = at.fast(c)?;
    let (row, col) = a.at;
    match c.body {
        Body::Empty => Ok(()),
        Body::Is(t) => f.text(row, col, t),
        Body::V(_) if a.kind == Kind::Inline => Ok(()),
        Body::V(b"") => Ok(()),
        Body::V(v) => match a.kind {
            Kind::Shared => {
                let i = number::<u64>(v).ok_or("a bad shared string index")?;
                match f.shared(row, col, i, &mut book.strings)? {
                    true => Ok(()),
                    false => Err(not_shared(i)),
                }
            }
            Kind::Text => f.text(row, col, v),
            Kind::Untyped | Kind::Number => match float(v) {
                Some(n) => f.cell(row, col, styled(n, a.style, book)),
                None if a.kind == Kind::Untyped => f.text(row, col, v),
                None => Err("a number cell that holds no number".into()),
            },
            _ => match value_cell(&a, v, book)? {
                Some(cell) => f.cell(row, col, cell),
                None => Ok(()),
            },
        },
    }
}

fn not_shared(i: u64) -> String {
    format!("string {i} is not in the shared strings table")
}

/// Why a sheet's XML ended before its data did, by how far it got.
pub fn unfinished(st: &SheetState) -> String {
    match st.in_data {
        true => "unexpected end of the sheet's data".into(),
        false => "no sheetData: not a worksheet".into(),
    }
}

impl Place {
    fn start_row(&mut self, attributes: &[u8]) -> Result<(), String> {
        for (key, value) in attrs(attributes) {
            if key == b"r" {
                self.row = cell_ref(value)?.0;
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

    /// A cell's attributes, which also place the next cell.
    fn cell(&mut self, attributes: &[u8]) -> Result<CellAttrs, String> {
        self.count()?;
        let (mut kind, mut style) = (Kind::Untyped, None);
        for (key, value) in attrs(attributes) {
            match key {
                b"r" => self.go_to(value)?,
                b"t" => kind = Kind::of(value),
                b"s" => style = Some(style_of(value)),
                _ => {}
            }
        }
        Ok(self.next(kind, style))
    }

    /// The attributes of a cell the fast path read, as [`Place::cell`] reads them.
    fn fast(&mut self, c: &FastCell) -> Result<CellAttrs, String> {
        self.count()?;
        if let Some(r) = c.r {
            self.go_to(r)?;
        }
        Ok(self.next(c.t.map_or(Kind::Untyped, Kind::of), c.s.map(style_of)))
    }

    fn count(&mut self) -> Result<(), String> {
        self.in_row += 1;
        if self.in_row > MAX_COLUMNS {
            return Err(format!(
                "row {} holds more than {MAX_COLUMNS} cells",
                u64::from(self.row) + 1
            ));
        }
        Ok(())
    }

    /// Moves to the cell reference `r`.
    fn go_to(&mut self, r: &[u8]) -> Result<(), String> {
        let (row, col) = cell_ref(r)?;
        self.row = row;
        self.col = col.ok_or("a cell reference without a column")?;
        Ok(())
    }

    /// The cell here, moving right of it.
    fn next(&mut self, kind: Kind, style: Option<usize>) -> CellAttrs {
        let at = (self.row, self.col);
        self.col = self.col.saturating_add(1);
        CellAttrs { at, kind, style }
    }
}

/// A cell's `s` attribute: its index in `cellXfs`.
fn style_of(s: &[u8]) -> usize {
    number::<usize>(s).unwrap_or(0)
}

/// A `<c>` element's value, read to its end.
fn read_cell(
    xml: &mut Tags,
    a: &CellAttrs,
    book: &mut Book,
    text: &mut Vec<u8>,
) -> Result<Option<Cell>, String> {
    let mut cell = None;
    loop {
        match xml.next_tok()? {
            Some(Tok::Start {
                name, empty: false, ..
            }) => match name {
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
                _ => skip(xml)?,
            },
            Some(Tok::End(b"c")) => return Ok(cell),
            None => return Err("unexpected end of the sheet inside a cell".into()),
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
                return Err(not_shared(i));
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
        Kind::Number | Kind::Untyped => match float(v) {
            Some(n) => styled(n, a.style, book),
            None if a.kind == Kind::Untyped => Cell::Text(v.to_vec()),
            None => return Err("a number cell that holds no number".into()),
        },
        Kind::Unknown => return Err("a cell of unknown type".into()),
    }))
}

/// A `<v>` as a number: an integer of up to 15 digits (most cells) is exact as an `f64`
/// without the general parser.
fn float(v: &[u8]) -> Option<f64> {
    match v.len() <= 15 {
        true => number::<u64>(v).map(|n| n as f64),
        false => None,
    }
    .or_else(|| std::str::from_utf8(v).ok()?.parse().ok())
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

/// Reads a block of the shared-string table's XML into `table`, one string per `<si>` in
/// order; `true` once the table's end (`</sst>`) was read. Blocks are cut after an item's end.
/// An item of one plain run is read by [`fast`], any other by the general tokenizer.
pub fn read_strings_block(block: &[u8], table: &mut SharedStrings) -> Result<bool, String> {
    let mut xml = Tags::new(block);
    let mut text = Vec::with_capacity(256);
    loop {
        if let Some((t, len)) = fast::item(xml.rest(), b"<si>", b"</si>") {
            xml.advance(len);
            table.push(t).map_err(|e| e.to_string())?;
            continue;
        }
        let Some(tok) = xml.next_tok()? else {
            break;
        };
        match tok {
            Tok::Start {
                name: b"si", empty, ..
            } => {
                text.clear();
                if !empty {
                    read_rich(&mut xml, b"si", &mut text)?;
                }
                table.push(&text).map_err(|e| e.to_string())?;
            }
            Tok::End(b"sst")
            | Tok::Start {
                name: b"sst",
                empty: true,
                ..
            } => return Ok(true),
            _ => {}
        }
    }
    Ok(false)
}

/// The text of a string item (`<si>`, `<is>`) up to its end tag `end`: its `<t>` runs joined,
/// phonetic runs (`<rPh>`) left out.
fn read_rich(xml: &mut Tags, end: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    loop {
        match xml.next_tok()? {
            Some(Tok::Start {
                name, empty: false, ..
            }) => match name {
                b"t" => {
                    let from = out.len();
                    read_text(xml, b"t", out)?;
                    unescape_x(out, from);
                }
                b"r" => {}
                _ => skip(xml)?,
            },
            Some(Tok::End(name)) if name == end => return Ok(()),
            None => return Err("unexpected end inside a string".into()),
            _ => {}
        }
    }
}

/// Appends the text up to end tag `end` to `out`: text, entities and CDATA, line ends as XML
/// 1.0 reads them (`\r\n` and `\r` are `\n`).
fn read_text(xml: &mut Tags, end: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    loop {
        match xml.next_tok()? {
            Some(Tok::Text(t)) => push_text(t, out),
            Some(Tok::CData(t)) => push_eols(t, out),
            Some(Tok::End(name)) if name == end => return Ok(()),
            Some(Tok::Start { empty: false, .. }) => skip(xml)?,
            None => return Err("unexpected end inside a value".into()),
            _ => {}
        }
        if out.len() > MAX_TEXT {
            return Err(format!("a value longer than {MAX_TEXT} bytes"));
        }
    }
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

/// Reads past the end of the element just started (a formula, a phonetic run, an
/// extension), counting the elements inside it.
fn skip(xml: &mut Tags) -> Result<(), String> {
    let mut depth = 1usize;
    while let Some(tok) = xml.next_tok()? {
        match tok {
            Tok::Start { empty: false, .. } => depth += 1,
            Tok::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return Ok(());
                }
            }
            _ => {}
        }
    }
    Err("unexpected end inside an element".into())
}

/// A cell reference (`B7`, or a row's `7`) as its row and, when it names one, column, both
/// from 0.
pub fn cell_ref(r: &[u8]) -> Result<(u32, Option<u32>), String> {
    let bad = || "a bad cell reference".to_string();
    // Plain loops: this runs once per cell.
    let mut col = Some(0u32);
    let mut letters = 0;
    while let Some(&b) = r.get(letters).filter(|b| b.is_ascii_alphabetic()) {
        let digit = u32::from(b.to_ascii_uppercase() - b'A') + 1;
        col = col.and_then(|a| a.checked_mul(26)?.checked_add(digit));
        letters += 1;
    }
    let row = number::<u32>(&r[letters..])
        .filter(|&n| n > 0)
        .ok_or_else(bad)?;
    let col = col.ok_or_else(bad)?;
    Ok((row - 1, col.checked_sub(1)))
}

/// A decimal number of ASCII digits only.
fn number<N: TryFrom<u64>>(s: &[u8]) -> Option<N> {
    if s.is_empty() || s.len() > 19 {
        return None;
    }
    let mut n = 0u64;
    for &b in s {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + u64::from(d);
    }
    N::try_from(n).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A whole sheet's XML as one block.
    fn read_sheet(
        xml: &[u8],
        book: &mut Book,
        f: &mut dyn FnMut(u32, u32, Cell) -> Result<(), String>,
    ) -> Result<(), String> {
        let mut st = SheetState::default();
        read_sheet_block(xml, &mut st, book, f)?;
        match st.done {
            true => Ok(()),
            false => Err(unfinished(&st)),
        }
    }

    fn read_shared_strings(xml: &[u8], table: &mut SharedStrings) -> Result<(), String> {
        match read_strings_block(xml, table)? {
            true => table.seal().map_err(|e| e.to_string()),
            false => Err("unexpected end of the shared strings".into()),
        }
    }

    /// The cells of `sheet_data` (the inside of `<sheetData>`) as `(row, col, text)`, read
    /// against `strings` with style 1 a date; or the error that stopped the sheet.
    fn cells_of(strings: &[&str], sheet_data: &str) -> Result<Vec<(u32, u32, String)>, String> {
        let mut table = SharedStrings::default();
        for s in strings {
            table.push(s.as_bytes()).unwrap();
        }
        table.seal().unwrap();
        let formats = [NumFormat::Plain, NumFormat::Date];
        let mut book = Book {
            strings: table.lookup(),
            formats: &formats,
            is_1904: false,
        };
        let xml = format!(
            "<?xml version=\"1.0\"?><worksheet xmlns=\"x\"><dimension ref=\"A1\"/>\
             <sheetData>{sheet_data}</sheetData><mergeCells/></worksheet>"
        );
        let mut out = Vec::new();
        read_sheet(xml.as_bytes(), &mut book, &mut |r, c, cell| {
            let mut v = Vec::new();
            super::super::value(&cell, crate::rules::Role::Other, &mut v);
            out.push((r, c, String::from_utf8(v).unwrap()));
            Ok(())
        })?;
        Ok(out)
    }

    fn cell(r: u32, c: u32, v: &str) -> (u32, u32, String) {
        (r, c, v.to_string())
    }

    /// [`cells_of`], after checking that the general tokenizer reads the same cells when the
    /// fast path takes none of them (a prefix it leaves to the general path).
    fn both_ways(strings: &[&str], data: &str) -> Result<Vec<(u32, u32, String)>, String> {
        let general = data
            .replace("<c", "<x:c")
            .replace("</c>", "</x:c>")
            .replace("</row>", "</x:row>");
        let got = cells_of(strings, data);
        assert_eq!(got, cells_of(strings, &general), "{data}");
        got
    }

    #[test]
    fn the_fast_path_reads_what_the_general_path_reads() {
        let strings = ["NIK", "a & b", "", "Ani"];
        let got = both_ways(
            &strings,
            r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c t="s" r="B1"><v>1</v></c><c r="C1" t="s" s="0"><v>2</v></c></row>
               <row r="2" spans="1:9"><c r="A2" t="s"><v>3</v></c><c r="B2" s="1"><f>X</f><v>32874</v></c><c t="n"><v>1.5</v></c><c r="E2"><v/></c><c/><c r="G2"></c><c><v>8</v></c><c r="I2" t="inlineStr"><is><t xml:space="preserve"> 3171 </t></is></c></row>
               <row><c s="1"><v>32874</v></c><c t="b"><v>0</v></c><c t="str"><v>teks</v></c><c t="e"><v>#N/A</v></c><c t="inlineStr"><v>9</v></c><c t="s"><is><t>is</t></is></c><c><v>abc</v></c><c r="J3" t="d"><v>1990-01-01</v></c></row>"#,
        )
        .unwrap();
        assert_eq!(
            got,
            [
                cell(0, 0, "NIK"),
                cell(0, 1, "a & b"),
                cell(0, 2, ""),
                cell(1, 0, "Ani"),
                cell(1, 1, "1990-01-01"),
                cell(1, 2, "1.5"),
                cell(1, 7, "8"),
                cell(1, 8, " 3171 "),
                cell(2, 0, "1990-01-01"),
                cell(2, 1, "FALSE"),
                cell(2, 2, "teks"),
                cell(2, 5, "is"),
                cell(2, 6, "abc"),
                cell(2, 9, "1990-01-01"),
            ]
        );
    }

    #[test]
    fn the_fast_path_meets_damage_as_the_general_path_does() {
        for (data, why) in [
            (
                r#"<row><c t="s"><v>9</v></c></row>"#,
                "not in the shared strings",
            ),
            (
                r#"<row><c t="s"><v>x</v></c></row>"#,
                "bad shared string index",
            ),
            (r#"<row><c r="A0"><v>1</v></c></row>"#, "bad cell reference"),
            (r#"<row><c r="7"/></row>"#, "without a column"),
            (r#"<row><c t="n"><v>x</v></c></row>"#, "no number"),
            (r#"<row><c t="zz"><v>1</v></c></row>"#, "unknown type"),
        ] {
            let err = both_ways(&["a"], data).unwrap_err();
            assert!(err.contains(why), "{data}: {err}");
        }
        let wide = format!("<row>{}</row>", "<c/>".repeat(MAX_COLUMNS + 1));
        assert!(both_ways(&[], &wide).unwrap_err().contains("more than"));
    }

    #[test]
    fn a_sheet_cut_after_a_row_reads_on_in_the_next_block() {
        let xml = r#"<worksheet><sheetData><row><c t="s"><v>0</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row><row><c r="B9" t="s"><v>1</v></c></row></sheetData></worksheet>"#;
        let mut table = SharedStrings::default();
        table.push(b"satu").unwrap();
        table.push(b"dua").unwrap();
        table.seal().unwrap();
        let mut book = Book {
            strings: table.lookup(),
            formats: &[],
            is_1904: false,
        };
        let read = |blocks: &[&str], book: &mut Book| {
            let (mut st, mut got) = (SheetState::default(), Vec::new());
            for b in blocks {
                read_sheet_block(b.as_bytes(), &mut st, book, &mut |r, c, cell| {
                    let mut v = Vec::new();
                    super::super::value(&cell, crate::rules::Role::Other, &mut v);
                    got.push((r, c, String::from_utf8(v).unwrap()));
                    Ok(())
                })?;
            }
            Ok::<_, String>((got, st.done))
        };
        let whole = read(&[xml], &mut book).unwrap();
        assert_eq!(
            whole,
            (
                vec![
                    cell(0, 0, "satu"),
                    cell(0, 1, "2"),
                    cell(1, 0, "3"),
                    cell(8, 1, "dua")
                ],
                true
            )
        );
        // Cut right after each `</row>`: the rows without `r` still count on.
        let mut cuts: Vec<usize> = xml.match_indices("</row>").map(|(i, _)| i + 6).collect();
        cuts.insert(0, 0);
        cuts.push(xml.len());
        let blocks: Vec<&str> = cuts.windows(2).map(|w| &xml[w[0]..w[1]]).collect();
        assert_eq!(read(&blocks, &mut book).unwrap(), whole);
        // A block cut inside a cell is an error, not a cell read short.
        let cut = &xml[..xml.find("<v>2").unwrap() + 3];
        assert!(read(&[cut], &mut book)
            .unwrap_err()
            .contains("unexpected end"));
    }

    #[test]
    fn shared_and_inline_strings_numbers_and_booleans() {
        let got = cells_of(
            &["NIK", "Ani"],
            r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>NAMA</t></is></c></row>
               <row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2"><v>3171014101900001</v></c>
               <c r="C2" t="n"><v>265.0851963938609</v></c><c r="D2" t="b"><v>1</v></c>
               <c r="E2" t="b"><v>0</v></c><c r="F2" t="str"><f>A2</f><v>Ani</v></c>
               <c r="G2" t="e"><v>#N/A</v></c><c r="H2" t="d"><v>1990-01-01T00:00:00</v></c></row>"#,
        )
        .unwrap();
        assert_eq!(
            got,
            [
                cell(0, 0, "NIK"),
                cell(0, 1, "NAMA"),
                cell(1, 0, "Ani"),
                cell(1, 1, "3171014101900001"),
                cell(1, 2, "265.0851963938609"),
                cell(1, 3, "TRUE"),
                cell(1, 4, "FALSE"),
                cell(1, 5, "Ani"),
                cell(1, 7, "1990-01-01T00:00:00"),
            ]
        );
    }

    #[test]
    fn numbers_are_written_in_their_exact_decimal_form() {
        let got = cells_of(
            &[],
            r#"<row><c><v>81234567890</v></c><c><v>1.2345678901E+20</v></c><c><v>1E-3</v></c>
               <c><v>-42</v></c><c><v>12345.5</v></c><c><v>7.0</v></c></row>"#,
        )
        .unwrap();
        let values: Vec<&str> = got.iter().map(|c| c.2.as_str()).collect();
        // A phone that lost its leading 0 keeps its digits; no exponent, no separators.
        assert_eq!(
            values,
            [
                "81234567890",
                "123456789010000000000",
                "0.001",
                "-42",
                "12345.5",
                "7"
            ]
        );
    }

    #[test]
    fn empty_cells_and_gaps_by_reference() {
        let got = cells_of(
            &["a"],
            r#"<row r="3" spans="1:30"><c r="B3"/><c r="C3" s="0"></c><c r="D3"><v></v></c>
               <c r="AA3" t="s"><v>0</v></c></row><row r="7"/><row r="9"><c r="XFD9"><v>1</v></c></row>"#,
        )
        .unwrap();
        assert_eq!(got, [cell(2, 26, "a"), cell(8, 16_383, "1")]);
    }

    #[test]
    fn a_sheet_without_references_places_cells_in_order() {
        let got = cells_of(
            &[],
            r#"<row><c><v>1</v></c><c/><c><v>3</v></c></row><row><c><v>4</v></c></row>
               <row r="10"><c><v>5</v></c><c r="E10"><v>6</v></c><c><v>7</v></c></row><row><c><v>8</v></c></row>"#,
        )
        .unwrap();
        assert_eq!(
            got,
            [
                cell(0, 0, "1"),
                cell(0, 2, "3"),
                cell(1, 0, "4"),
                cell(9, 0, "5"),
                cell(9, 4, "6"),
                cell(9, 5, "7"),
                cell(10, 0, "8"),
            ]
        );
    }

    #[test]
    fn rich_text_runs_are_one_value_and_text_is_decoded() {
        let got = cells_of(
            &[],
            r#"<row><c t="inlineStr"><is><r><rPr><b/></rPr><t>3171</t></r><r><t xml:space="preserve">0141 </t></r><r><t>01900001</t></r><rPh sb="0" eb="1"><t>ふりがな</t></rPh></is></c>
               <c t="inlineStr"><is><t xml:space="preserve">  Budi &amp; Ani &lt;x&gt; &#65;&#x42; &quot;q&apos; </t></is></c>
               <c t="inlineStr"><is><t>a_x000D_b_x0009_c _x12 <![CDATA[<d>]]></t></is></c>
               <c t="inlineStr"><is><t>baris1&#13;&#10;baris2
baris3</t></is></c></row>"#,
        )
        .unwrap();
        let values: Vec<&str> = got.iter().map(|c| c.2.as_str()).collect();
        assert_eq!(
            values,
            [
                "31710141 01900001",
                "  Budi & Ani <x> AB \"q' ",
                "a\rb\tc _x12 <d>",
                "baris1\r\nbaris2\nbaris3"
            ]
        );
    }

    #[test]
    fn shared_strings_are_read_in_order() {
        let xml = r#"<?xml version="1.0"?><sst xmlns="x" count="5" uniqueCount="4">
            <si><t>satu</t></si><si/><si><r><t>du</t></r><r><t>a</t></r></si>
            <si><t>ti&amp;ga</t><phoneticPr fontId="1"/></si></sst>"#;
        let mut t = SharedStrings::default();
        read_shared_strings(xml.as_bytes(), &mut t).unwrap();
        let all: Vec<String> = (0..5)
            .map_while(|i| {
                let mut v = Vec::new();
                t.lookup()
                    .get(i, &mut v)
                    .unwrap()
                    .then(|| String::from_utf8(v).unwrap())
            })
            .collect();
        assert_eq!(all, ["satu", "", "dua", "ti&ga"]);
        let cut = r#"<sst><si><t>satu</t></si><si><t>du"#;
        assert!(read_shared_strings(cut.as_bytes(), &mut SharedStrings::default()).is_err());
    }

    #[test]
    fn the_fast_path_reads_string_items_as_the_general_path_does() {
        let items = r#"<si><t>satu</t></si><si><t xml:space="preserve"> dua </t></si><si/>
            <si><t>ti&amp;ga</t></si><si><t>a_x0009_b</t></si><si><t>c_d</t></si>
            <si><r><t>li</t></r><r><t>ma</t></r></si><si><t>e</t><rPh><t>f</t></rPh></si><si><t></t></si>"#;
        let read = |items: &str| {
            let xml = format!("<sst>{items}</sst>");
            let mut t = SharedStrings::default();
            read_shared_strings(xml.as_bytes(), &mut t).unwrap();
            let mut lookup = t.lookup();
            let all: Vec<String> = (0..)
                .map_while(|i| {
                    let mut v = Vec::new();
                    let found = lookup.get(i, &mut v).unwrap();
                    found.then(|| String::from_utf8(v).unwrap())
                })
                .collect();
            all
        };
        let got = read(items);
        let general = items.replace("<si>", "<x:si>").replace("</si>", "</x:si>");
        assert_eq!(got, read(&general));
        assert_eq!(
            got,
            ["satu", " dua ", "", "ti&ga", "a\tb", "c_d", "lima", "e", ""]
        );
    }

    #[test]
    fn damage_stops_the_sheet_with_a_reason() {
        for (data, why) in [
            (
                r#"<row><c t="s"><v>5</v></c></row>"#,
                "not in the shared strings",
            ),
            (r#"<row><c r="A0"><v>1</v></c></row>"#, "bad cell reference"),
            (
                r#"<row><c r="ZZZZZZZZ1"><v>1</v></c></row>"#,
                "bad cell reference",
            ),
            (r#"<row><c r="12"><v>1</v></c></row>"#, "without a column"),
            (r#"<row><c t="n"><v>x</v></c></row>"#, "no number"),
            (r#"<row><c t="zz"><v>1</v></c></row>"#, "unknown type"),
            (r#"<row><c><v>1</v>"#, "unexpected end"),
        ] {
            let err = cells_of(&[], data).unwrap_err();
            assert!(err.contains(why), "{data}: {err}");
        }
        let wide = format!("<row>{}</row>", "<c/>".repeat(MAX_COLUMNS + 1));
        assert!(cells_of(&[], &wide).unwrap_err().contains("more than"));
        // An untyped value that is no number is text; a date style makes a number a date.
        let got = cells_of(
            &[],
            r#"<row><c><v>abc</v></c><c s="1"><v>32874</v></c></row>"#,
        );
        assert_eq!(got.unwrap(), [cell(0, 0, "abc"), cell(0, 1, "1990-01-01")]);
        let none = r#"<chartsheet><sheetPr/></chartsheet>"#;
        let t = SharedStrings::default();
        let mut book = Book {
            strings: t.lookup(),
            formats: &[],
            is_1904: false,
        };
        let err = read_sheet(none.as_bytes(), &mut book, &mut |_, _, _| Ok(())).unwrap_err();
        assert!(err.contains("not a worksheet"), "{err}");
    }

    #[test]
    fn prefixes_attribute_orders_comments_and_self_closing_cells() {
        let got = cells_of(
            &["satu", "dua"],
            r#"<x:row r="1" spans="1:9"><x:c t="s" s="0" r="B1"><x:v>0</x:v></x:c><x:c r='C1'/>
               <!-- <c r="D1"><v>9</v></c> --><c s="1" r="D1" ><v>32874</v></c>
               <c r="E1" t="str" x:note="a>b"><f>IF(A1&gt;0,"1")</f><v>a&gt;b</v></c>
               <c r="F1" t="inlineStr"><is><t><![CDATA[<x>]]>&amp;y</t></is></c><c
               r="G1"
               t="s"><v>1</v></c><?pi <c r="H1"><v>1</v></c>?></x:row>
               <row r="2"/><row r="3"><c r="A3"><v/></c><c r="B3" t="inlineStr"><is/></c></row>"#,
        )
        .unwrap();
        assert_eq!(
            got,
            [
                cell(0, 1, "satu"),
                cell(0, 3, "1990-01-01"),
                cell(0, 4, "a>b"),
                cell(0, 5, "<x>&y"),
                cell(0, 6, "dua"),
            ]
        );
    }

    #[test]
    fn a_prefixed_sheet_reads_to_its_data_end() {
        let xml = br#"<x:worksheet xmlns:x="m"><x:sheetData><x:row><x:c><x:v>5</x:v></x:c></x:row>
            </x:sheetData><x:row><x:c><x:v>6</x:v></x:c></x:row></x:worksheet>"#;
        let t = SharedStrings::default();
        let mut book = Book {
            strings: t.lookup(),
            formats: &[],
            is_1904: false,
        };
        let mut got = Vec::new();
        read_sheet(xml, &mut book, &mut |r, c, _| {
            got.push((r, c));
            Ok(())
        })
        .unwrap();
        // The row after the data's end is not read.
        assert_eq!(got, [(0, 0)]);
        let empty = b"<worksheet><sheetData/><sheetData><row><c><v>1</v></c></row></sheetData>";
        read_sheet(empty, &mut book, &mut |_, _, _| Err("read".into())).unwrap();
    }

    #[test]
    fn cell_references_read_like_excel() {
        assert_eq!(cell_ref(b"A1"), Ok((0, Some(0))));
        assert_eq!(cell_ref(b"xfd1048576"), Ok((1_048_575, Some(16_383))));
        assert_eq!(cell_ref(b"7"), Ok((6, None)));
        assert!(cell_ref(b"A").is_err());
        assert!(cell_ref(b"A1B").is_err());
        assert!(cell_ref(b"A99999999999").is_err());
    }
}
