//! An XLSX workbook read as a stream: its parts are zip members inflated as they are parsed,
//! never whole. `xl/_rels/workbook.xml.rels` and `xl/workbook.xml` give the sheets in order
//! with their names, `xl/styles.xml` which styles make a number a date, and
//! `xl/sharedStrings.xml` the string table, held within a budget ([`SharedStrings`]); then each
//! worksheet's cells go to the sheet reader as they are read ([`cells`](super::cells)).
//!
//! Every part is read through a guard: it may not inflate to more than its zip directory
//! declared (the scan checked those sizes against the limits), nor hold a run of more than
//! [`MAX_RUN`] bytes without a `<`, which bounds what one XML event can make the parser buffer.
//!
//! Imports the sheet reader's types, [`cells`](super::cells) and [`strings`](super::strings).

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Seek};

use quick_xml::events::Event;

use crate::formats::sheet::cells::{self, xml_reader, NumFormat};
use crate::formats::sheet::strings::SharedStrings;
use crate::formats::sheet::{Book, BookRead, Cell, RowChunk, Sheet, SheetReading};

/// The longest run of a part's bytes without a `<`: no text or tag of a real workbook comes
/// near it.
pub const MAX_RUN: u64 = 16 << 20;

/// Reads every worksheet of the workbook in `r` in order, handing its rows packed in chunks
/// to `send`.
pub fn read<R: Read + Seek>(
    r: R,
    how: SheetReading,
    send: &mut dyn FnMut(RowChunk),
    out: &mut BookRead,
) {
    let Some(mut wb) = out.opened(Book::Xlsx, Workbook::open(r)) else {
        return;
    };
    for (name, part) in std::mem::take(&mut wb.sheets) {
        let mut sheet = Sheet::new(how);
        let res = match part {
            Some(part) => wb.read_sheet(&part, &mut |row, col, c| {
                if let Some(chunk) = sheet.cell(row, col, c) {
                    send(chunk);
                }
            }),
            None => Err("no relationship names its part".into()),
        };
        out.sheet_done(&mut sheet, send);
        if let Err(e) = res {
            out.sheet_failed(&name, &e);
        }
    }
}

/// A workbook's zip and its members by name.
struct Parts<R> {
    zip: zip::ZipArchive<R>,
    /// Member indexes by name in lower case with `/` separators (as Excel finds them).
    index: HashMap<String, usize>,
}

impl<R: Read + Seek> Parts<R> {
    /// Part `name` as a guarded, buffered stream; `None` when the workbook has no such part.
    fn open(&mut self, name: &str) -> Option<Result<impl BufRead + '_, String>> {
        let &i = self.index.get(&part_key(name))?;
        Some(match self.zip.by_index(i) {
            Ok(m) => {
                let declared = m.size();
                Ok(BufReader::with_capacity(64 << 10, Guard::new(m, declared)))
            }
            Err(e) => Err(format!("{name}: {e}")),
        })
    }
}

/// An opened workbook: its parts, its sheets in order, and what their cells are read against.
struct Workbook<R> {
    parts: Parts<R>,
    /// Each sheet's name and part (`None`: its relationship is missing); chart and dialog
    /// sheets, which hold no cells, are left out.
    sheets: Vec<(String, Option<String>)>,
    strings: SharedStrings,
    formats: Vec<NumFormat>,
    is_1904: bool,
}

impl<R: Read + Seek> Workbook<R> {
    fn open(r: R) -> Result<Workbook<R>, String> {
        let zip = zip::ZipArchive::new(r).map_err(|e| e.to_string())?;
        let index = (0..zip.len())
            .filter_map(|i| Some((part_key(zip.name_for_index(i)?), i)))
            .collect();
        let mut parts = Parts { zip, index };
        let rels = match parts.open("xl/_rels/workbook.xml.rels") {
            Some(xml) => read_rels(xml?)?,
            None => return Err("no xl/_rels/workbook.xml.rels".into()),
        };
        let (sheets, is_1904) = match parts.open("xl/workbook.xml") {
            Some(xml) => read_workbook(xml?, &rels)?,
            None => return Err("no xl/workbook.xml".into()),
        };
        let formats = match parts.open("xl/styles.xml") {
            Some(xml) => read_styles(xml?).map_err(|e| format!("xl/styles.xml: {e}"))?,
            None => Vec::new(),
        };
        let mut strings = SharedStrings::default();
        if let Some(xml) = parts.open("xl/sharedStrings.xml") {
            cells::read_shared_strings(xml?, &mut strings)
                .map_err(|e| format!("xl/sharedStrings.xml: {e}"))?;
        }
        Ok(Workbook {
            parts,
            sheets,
            strings,
            formats,
            is_1904,
        })
    }

    fn read_sheet(&mut self, part: &str, f: &mut dyn FnMut(u32, u32, Cell)) -> Result<(), String> {
        let mut book = cells::Book {
            strings: &mut self.strings,
            formats: &self.formats,
            is_1904: self.is_1904,
        };
        match self.parts.open(part) {
            Some(Ok(xml)) => cells::read_sheet(xml, &mut book, f),
            Some(Err(e)) => Err(e),
            None => Err(format!("no part {part}")),
        }
    }
}

/// How a part is looked up: lower case, `/` separators, no leading `/`.
fn part_key(name: &str) -> String {
    name.trim_start_matches(['/', '\\'])
        .replace('\\', "/")
        .to_ascii_lowercase()
}

/// The workbook's relationships: target part by id.
fn read_rels(xml: impl BufRead) -> Result<HashMap<Vec<u8>, String>, String> {
    let mut rels = HashMap::new();
    each_element(xml, &mut |name, e| {
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
    })
    .map_err(|e| format!("xl/_rels/workbook.xml.rels: {e}"))?;
    Ok(rels)
}

/// The sheets in order (name and part) and whether dates count from 1904.
type Sheets = (Vec<(String, Option<String>)>, bool);

fn read_workbook(xml: impl BufRead, rels: &HashMap<Vec<u8>, String>) -> Result<Sheets, String> {
    let (mut sheets, mut is_1904) = (Vec::new(), false);
    each_element(xml, &mut |name, e| match name {
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
    })
    .map_err(|e| format!("xl/workbook.xml: {e}"))?;
    Ok((sheets, is_1904))
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
fn read_styles(xml: impl BufRead) -> Result<Vec<NumFormat>, String> {
    let mut custom: HashMap<Vec<u8>, NumFormat> = HashMap::new();
    let mut formats = Vec::new();
    let mut in_xfs = false;
    let mut xml = xml_reader(xml);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let (e, start) = match xml.read_event_into(&mut buf).map_err(|e| e.to_string())? {
            Event::Start(e) => (e, true),
            Event::Empty(e) => (e, false),
            Event::End(e) if e.local_name().as_ref() == b"cellXfs" => {
                in_xfs = false;
                continue;
            }
            Event::Eof => return Ok(formats),
            _ => continue,
        };
        let id_and_code = || {
            let (mut id, mut code) = (Vec::new(), String::new());
            for a in e.attributes().with_checks(false).flatten() {
                match a.key.as_ref() {
                    b"numFmtId" => id = a.value.to_vec(),
                    b"formatCode" => code = unescaped(&a),
                    _ => {}
                }
            }
            (id, code)
        };
        match e.local_name().as_ref() {
            b"numFmt" => {
                let (id, code) = id_and_code();
                custom.insert(id, format_of_code(&code));
            }
            b"cellXfs" => in_xfs = start,
            b"xf" if in_xfs => {
                let (id, _) = id_and_code();
                formats.push(custom.get(&id).copied().unwrap_or_else(|| builtin(&id)));
            }
            _ => {}
        }
    }
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
/// to the end of its root element.
fn each_element(
    xml: impl BufRead,
    f: &mut dyn FnMut(&[u8], &quick_xml::events::BytesStart),
) -> Result<(), String> {
    let mut xml = xml_reader(xml);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(|e| e.to_string())? {
            Event::Start(e) => {
                depth += 1;
                f(e.local_name().as_ref(), &e)
            }
            Event::Empty(e) => f(e.local_name().as_ref(), &e),
            // Read no further than the root element's end, as calamine did: what a damaged
            // part holds past it (a bad checksum at its very end) does not matter.
            Event::End(_) if depth <= 1 => return Ok(()),
            Event::End(_) => depth -= 1,
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// An attribute's value with its entities decoded.
fn unescaped(a: &quick_xml::events::attributes::Attribute) -> String {
    let v = a.value.as_ref();
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while let Some(amp) = memchr::memchr(b'&', &v[i..]) {
        out.extend_from_slice(&v[i..i + amp]);
        let rest = &v[i + amp + 1..];
        match memchr::memchr(b';', rest) {
            Some(semi) => {
                cells::entity(&rest[..semi], &mut out);
                i += amp + semi + 2;
            }
            None => {
                out.push(b'&');
                i += amp + 1;
            }
        }
    }
    out.extend_from_slice(&v[i..]);
    String::from_utf8_lossy(&out).into_owned()
}

/// A part's inflated bytes, bounded: no more than its directory declared, no run of more than
/// [`MAX_RUN`] bytes without a `<`.
struct Guard<R> {
    r: R,
    left: u64,
    run: u64,
}

impl<R> Guard<R> {
    fn new(r: R, declared: u64) -> Guard<R> {
        Guard {
            r,
            left: declared,
            run: 0,
        }
    }
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.r.read(buf)?;
        let got = &buf[..n];
        self.left = self.left.checked_sub(n as u64).ok_or_else(|| {
            io::Error::other("the part inflates to more than its zip directory declares")
        })?;
        self.run = match memchr::memrchr(b'<', got) {
            Some(at) => (n - at - 1) as u64,
            None => self.run + n as u64,
        };
        if self.run > MAX_RUN {
            return Err(io::Error::other(format!(
                "more than {MAX_RUN} bytes without markup"
            )));
        }
        Ok(n)
    }
}
