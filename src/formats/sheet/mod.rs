//! Spreadsheets, every sheet (SPEC §3, §4): XLSX by the streaming reader of [`xlsx`] (its
//! shared strings held within a budget), XLSB, ODS and XLS through calamine; the scan opens
//! them (`scan::open`) and tells them apart (`input::zip`, [`kind`]) first.
//!
//! A workbook is one ledger entry. Each sheet's first non-empty row is its header when the
//! SPEC's header rule says so; every row below is a record. Rows are packed into chunks of
//! about `chunk_size` bytes and analyzed on every worker, like the chunks of a text file.
//! A numeric cell in a NIK column holding a 16-digit integer that ends in 0 went through
//! Excel's 15 significant digits: it is written out as Excel shows it (`3.17101E+15`), which
//! the detector counts as `damaged` (SPEC §5).

mod cells;
pub mod checks;
mod fast;
pub mod kind;
mod strings;
mod tags;
mod xlsx;

use std::io::{Read, Seek};
use std::sync::{Arc, Mutex};

use calamine::{Data, DataRef, Reader};

use crate::formats::sniff::HeaderRule;
use crate::record::{Field, RecordSink};
use crate::rules::{Patterns, Role};

/// The workbook formats calamine reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Book {
    Xlsx,
    Xlsb,
    Ods,
    Xls,
}

impl Book {
    pub fn name(self) -> &'static str {
        match self {
            Book::Xlsx => "xlsx",
            Book::Xlsb => "xlsb",
            Book::Ods => "ods",
            Book::Xls => "xls",
        }
    }
}

const MAX_COLUMNS: usize = 16_384;

/// A cell as read, before the header decides its column's role.
enum Cell {
    Text(Vec<u8>),
    Number(f64),
    Int(i64),
}

/// Rows of one sheet for a worker, packed: per row `u32` cell count, then per cell `u32`
/// column, `u32` length and the value's bytes; or (XLSX) as the XML they are read from, packed
/// on the worker ([`RowChunk::rows`]). `first`: the sheet's first chunk.
pub struct RowChunk {
    rows: Rows,
    pub columns: SheetColumns,
    pub first: bool,
}

enum Rows {
    Packed(Vec<u8>),
    Xml(xlsx::XmlRows),
}

impl RowChunk {
    /// The bytes the chunk stands for (packed rows or XML): where the next chunk starts.
    pub fn size(&self) -> usize {
        match &self.rows {
            Rows::Packed(d) => d.len(),
            Rows::Xml(x) => x.size(),
        }
    }

    /// Calls `f` with the chunk's packed rows and their piece's number: rows packed already
    /// are one piece; XML is read here (on the worker) and packed in pieces of about the
    /// chunk size, since a few bytes of XML may name a long shared string.
    pub fn each_piece(&self, f: &mut dyn FnMut(&[u8], u64)) {
        match &self.rows {
            Rows::Packed(d) => f(d, 0),
            Rows::Xml(x) => x.pack(&self.columns, f),
        }
    }
}

/// What a sheet's header said of its columns: their roles and names as written (empty for a
/// column it leaves unnamed), and whether it named them.
pub struct SheetColumns {
    roles: Arc<Vec<Role>>,
    names: Arc<Vec<Vec<u8>>>,
    named: bool,
}

impl SheetColumns {
    /// Reads the packed rows of a [`RowChunk`] (`data`) into `sink`, one record per row.
    pub fn read<S: RecordSink>(&self, data: &[u8], sink: &mut S) {
        let named_values = S::WANTS_NAMES && self.named;
        let mut fields: Vec<Field> = Vec::new();
        let u32_at = |i: usize| -> Option<u32> {
            data.get(i..i + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        let mut i = 0;
        while let Some(n) = u32_at(i) {
            if sink.full() {
                break;
            }
            i += 4;
            fields.clear();
            for _ in 0..n {
                let (Some(col), Some(len)) = (u32_at(i), u32_at(i + 4)) else {
                    break;
                };
                let start = i + 8;
                let end = (start + len as usize).min(data.len());
                let role = match self.named {
                    true => self.roles.get(col as usize).copied().unwrap_or(Role::Other),
                    false => Role::Unnamed,
                };
                if named_values {
                    if let Some(name) = self.names.get(col as usize) {
                        sink.named_value(name, &data[start..end]);
                    }
                }
                fields.push(Field::borrowed(role, &data[start..end]));
                i = end;
            }
            sink.record(&fields, self.named);
        }
    }
}

/// One sheet's rows on their way to the workers.
struct Sheet<'a> {
    /// `None` until the first non-empty row decided the header.
    roles: Option<Arc<Vec<Role>>>,
    named: bool,
    row: Option<u32>,
    cells: Vec<(u32, Cell)>,
    data: Vec<u8>,
    scratch: Vec<u8>,
    /// Header names as written, for attribution.
    header: Vec<String>,
    /// The header's names by column, as written.
    names: Arc<Vec<Vec<u8>>>,
    /// Whether a chunk of the sheet was handed over.
    taken: bool,
    how: SheetReading<'a>,
}

/// How a workbook's sheets are read: rows packed into chunks of about `chunk_size` bytes.
#[derive(Clone, Copy)]
pub struct SheetReading<'a> {
    pub p: &'a Patterns,
    /// Whether a sheet's first row names its columns (SPEC §3, passed in as to `sniff`).
    pub is_header: HeaderRule<'a>,
    pub chunk_size: usize,
}

impl<'a> Sheet<'a> {
    fn new(how: SheetReading<'a>) -> Self {
        Sheet {
            how,
            roles: None,
            named: false,
            row: None,
            cells: Vec::new(),
            data: Vec::new(),
            scratch: Vec::new(),
            header: Vec::new(),
            names: Arc::default(),
            taken: false,
        }
    }

    /// Adds a cell of row `row`; returns a full chunk when one is ready.
    fn cell(&mut self, row: u32, col: u32, c: Cell) -> Option<RowChunk> {
        let mut out = None;
        if self.row != Some(row) {
            self.end_row();
            self.row = Some(row);
            if self.data.len() >= self.how.chunk_size {
                out = self.take();
            }
        }
        self.cells.push((col, c));
        out
    }

    fn end_row(&mut self) {
        if self.cells.is_empty() {
            return;
        }
        let cells = std::mem::take(&mut self.cells);
        let roles = match &self.roles {
            Some(r) => r.clone(),
            None => {
                let texts: Vec<Vec<u8>> = cells
                    .iter()
                    .map(|(_, c)| {
                        let mut v = Vec::new();
                        value(c, Role::Other, &mut v);
                        v
                    })
                    .collect();
                if texts.iter().all(|t| t.trim_ascii().is_empty()) {
                    return;
                }
                self.named = (self.how.is_header)(&texts);
                if self.named {
                    // Excel has 16,384 columns; a damaged file's larger index names nothing.
                    let width = cells
                        .iter()
                        .map(|(c, _)| *c as usize + 1)
                        .filter(|&w| w <= MAX_COLUMNS)
                        .max()
                        .unwrap_or(0);
                    let mut roles = vec![Role::Other; width];
                    let mut names = vec![Vec::new(); width];
                    for ((col, _), t) in cells.iter().zip(&texts) {
                        let t = t.trim_ascii();
                        if let Some(r) = roles.get_mut(*col as usize) {
                            *r = self.how.p.role_of(t);
                            names[*col as usize] = t.to_vec();
                        }
                        if !t.is_empty() {
                            self.header.push(crate::bytes::text(t));
                        }
                    }
                    self.roles = Some(Arc::new(roles));
                    self.names = Arc::new(names);
                    return;
                }
                let r = Arc::new(Vec::new());
                self.roles = Some(r.clone());
                r
            }
        };
        pack_row(
            &cells,
            &roles,
            self.named,
            &mut self.data,
            &mut self.scratch,
        );
    }

    fn take(&mut self) -> Option<RowChunk> {
        if self.data.is_empty() {
            return None;
        }
        let rows = Rows::Packed(std::mem::take(&mut self.data));
        Some(self.chunk(rows))
    }

    fn chunk(&mut self, rows: Rows) -> RowChunk {
        RowChunk {
            rows,
            columns: SheetColumns {
                roles: self.roles.clone().unwrap_or_default(),
                names: self.names.clone(),
                named: self.named,
            },
            first: !std::mem::replace(&mut self.taken, true),
        }
    }

    /// Whether the header row was read: from then on the roles are known.
    fn decided(&self) -> bool {
        self.roles.is_some()
    }

    fn finish(&mut self) -> Option<RowChunk> {
        self.end_row();
        self.take()
    }
}

/// The role of column `col` by the header's roles; every column is `Unnamed` in a sheet
/// without a header.
fn column_role(roles: &[Role], named: bool, col: u32) -> Role {
    match named {
        false => Role::Unnamed,
        true => roles.get(col as usize).copied().unwrap_or(Role::Other),
    }
}

/// Appends one row's non-empty cells to `data` in the packed form of [`RowChunk`], each under
/// its column's role (`named`: the header named them).
fn pack_row(
    cells: &[(u32, Cell)],
    roles: &[Role],
    named: bool,
    data: &mut Vec<u8>,
    scratch: &mut Vec<u8>,
) {
    let start = data.len();
    data.extend_from_slice(&0u32.to_le_bytes());
    let mut n = 0u32;
    for (col, c) in cells {
        let role = column_role(roles, named, *col);
        scratch.clear();
        value(c, role, scratch);
        if scratch.is_empty() {
            continue;
        }
        data.extend_from_slice(&col.to_le_bytes());
        data.extend_from_slice(&(scratch.len() as u32).to_le_bytes());
        data.extend_from_slice(scratch);
        n += 1;
    }
    if n == 0 {
        data.truncate(start);
    } else {
        data[start..start + 4].copy_from_slice(&n.to_le_bytes());
    }
}

/// A cell's value as text. Integers are written in full; a numeric NIK cell of 16 digits
/// ending in 0 is written the way Excel shows it, so it counts as damaged.
fn value(c: &Cell, role: Role, out: &mut Vec<u8>) {
    use std::io::Write;
    match c {
        Cell::Text(t) => out.extend_from_slice(t),
        Cell::Int(i) => integer(*i, role, out),
        Cell::Number(f) => {
            if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e18 {
                integer(*f as i64, role, out)
            } else {
                let _ = write!(out, "{f}");
            }
        }
    }
}

fn integer(i: i64, role: Role, out: &mut Vec<u8>) {
    use std::io::Write;
    let start = out.len();
    let _ = write!(out, "{i}");
    let digits = &out[start..];
    if role == Role::Nik && digits.len() == 16 && digits[15] == b'0' {
        let mut e = Vec::with_capacity(24);
        e.push(digits[0]);
        let frac = &digits[1..];
        let keep = frac.iter().rposition(|&d| d != b'0').map_or(0, |k| k + 1);
        if keep > 0 {
            e.push(b'.');
            e.extend_from_slice(&frac[..keep]);
        }
        e.extend_from_slice(b"E+15");
        out.truncate(start);
        out.extend_from_slice(&e);
    }
}

fn data_cell(d: &Data) -> Option<Cell> {
    Some(match d {
        Data::Empty | Data::Error(_) => return None,
        Data::Int(i) => Cell::Int(*i),
        Data::Float(f) => Cell::Number(*f),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
            Cell::Text(s.as_bytes().to_vec())
        }
        Data::Bool(b) => Cell::Text(if *b {
            b"TRUE".to_vec()
        } else {
            b"FALSE".to_vec()
        }),
        Data::DateTime(dt) => date_cell(dt),
    })
}

fn data_ref_cell(d: &DataRef) -> Option<Cell> {
    Some(match d {
        DataRef::Empty | DataRef::Error(_) => return None,
        DataRef::Int(i) => Cell::Int(*i),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            Cell::Text(s.as_bytes().to_vec())
        }
        DataRef::SharedString(s) => Cell::Text(s.as_bytes().to_vec()),
        DataRef::Bool(b) => Cell::Text(if *b {
            b"TRUE".to_vec()
        } else {
            b"FALSE".to_vec()
        }),
        DataRef::DateTime(dt) => date_cell(dt),
    })
}

/// A date cell as `YYYY-MM-DD` (with the time when it has one): a form SPEC §6 reads.
fn date_cell(dt: &calamine::ExcelDateTime) -> Cell {
    if !dt.is_datetime() {
        return Cell::Number(dt.as_f64());
    }
    let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
    let text = if (h, mi, s) == (0, 0, 0) {
        format!("{y:04}-{mo:02}-{d:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    };
    Cell::Text(text.into_bytes())
}

/// What reading a workbook left besides its rows: whether it opened, the first problem met,
/// and the header names as written.
#[derive(Default)]
pub struct BookRead {
    pub opened: bool,
    problem: Option<BookProblem>,
    /// Sheet problems met where the rows are read (on the workers, for XLSX).
    late: Problems,
    pub header: Vec<String>,
}

/// Sheet problems by where they were met (the sheet's place in the workbook, then the block's
/// in the sheet): whichever worker meets one, the first in the workbook is the one told.
#[derive(Clone, Default)]
struct Problems(Arc<Mutex<Option<(u64, BookProblem)>>>);

impl Problems {
    fn report(&self, at: u64, p: BookProblem) {
        let mut first = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if first.as_ref().is_none_or(|(was, _)| at < *was) {
            *first = Some((at, p));
        }
    }
}

/// Why a workbook was not read whole; the scan turns it into the ledger's reason.
#[derive(Debug)]
pub enum BookProblem {
    /// The workbook did not open: its format and the reader's error.
    Unreadable { book: &'static str, why: String },
    /// A sheet could not be read to its end.
    Sheet { name: String, error: String },
}

impl BookRead {
    /// The first problem met, once every chunk was read.
    pub fn take_problem(&mut self) -> Option<BookProblem> {
        let late = self.late.0.lock().unwrap_or_else(|e| e.into_inner()).take();
        self.problem.take().or(late.map(|(_, p)| p))
    }

    /// The workbook that opened, or `None` with why it did not.
    fn opened<W>(&mut self, book: Book, opened: Result<W, String>) -> Option<W> {
        match opened {
            Ok(wb) => {
                self.opened = true;
                Some(wb)
            }
            Err(why) => {
                self.problem = Some(BookProblem::Unreadable {
                    book: book.name(),
                    why,
                });
                None
            }
        }
    }

    /// A sheet that could not be read to its end; the first such problem is the one told.
    fn sheet_failed(&mut self, name: &str, e: &dyn std::fmt::Display) {
        self.problem.get_or_insert(BookProblem::Sheet {
            name: name.to_string(),
            error: e.to_string(),
        });
    }
    fn sheet_done(&mut self, sheet: &mut Sheet, send: &mut dyn FnMut(RowChunk)) {
        if let Some(c) = sheet.finish() {
            send(c);
        }
        self.header.append(&mut sheet.header);
    }
}

/// Reads every sheet of a workbook in order, handing its rows in chunks to `send`.
pub fn read_book<R: Read + Seek>(
    book: Book,
    r: R,
    how: SheetReading,
    send: &mut dyn FnMut(RowChunk),
) -> BookRead {
    let mut out = BookRead::default();
    match book {
        Book::Xlsx => xlsx::read(r, how, send, &mut out),
        Book::Xlsb => read_xlsb(r, how, send, &mut out),
        Book::Ods | Book::Xls => read_ranges(book, r, how, send, &mut out),
    }
    out
}

/// XLSB, whose cells calamine streams one by one.
fn read_xlsb<R: Read + Seek>(
    r: R,
    how: SheetReading,
    send: &mut dyn FnMut(RowChunk),
    out: &mut BookRead,
) {
    let opened = calamine::Xlsb::new(r).map_err(|e| e.to_string());
    let Some(mut wb) = out.opened(Book::Xlsb, opened) else {
        return;
    };
    for sheet_name in wb.sheet_names() {
        let mut sheet = Sheet::new(how);
        let res = xlsb_cells(&mut wb, &sheet_name, &mut |row, col, c| {
            if let Some(chunk) = sheet.cell(row, col, c) {
                send(chunk);
            }
        });
        out.sheet_done(&mut sheet, send);
        if let Err(e) = res {
            out.sheet_failed(&sheet_name, &e);
        }
    }
}

fn xlsb_cells<R: Read + Seek>(
    wb: &mut calamine::Xlsb<R>,
    sheet: &str,
    f: &mut dyn FnMut(u32, u32, Cell),
) -> Result<(), String> {
    let mut cells = wb
        .worksheet_cells_reader(sheet)
        .map_err(|e| e.to_string())?;
    while let Some(c) = cells.next_cell().map_err(|e| e.to_string())? {
        let (row, col) = c.get_position();
        if let Some(v) = data_ref_cell(c.get_value()) {
            f(row, col, v);
        }
    }
    Ok(())
}

/// ODS and XLS, which calamine reads a whole sheet at a time.
fn read_ranges<R: Read + Seek>(
    book: Book,
    r: R,
    how: SheetReading,
    send: &mut dyn FnMut(RowChunk),
    out: &mut BookRead,
) {
    let opened: Result<calamine::Sheets<R>, String> = match book {
        Book::Ods => calamine::Ods::new(r)
            .map(calamine::Sheets::Ods)
            .map_err(|e| e.to_string()),
        _ => calamine::Xls::new(r)
            .map(calamine::Sheets::Xls)
            .map_err(|e| e.to_string()),
    };
    let Some(mut wb) = out.opened(book, opened) else {
        return;
    };
    for sheet_name in wb.sheet_names() {
        let mut sheet = Sheet::new(how);
        match wb.worksheet_range(&sheet_name) {
            Ok(range) => {
                let (r0, c0) = range.start().unwrap_or((0, 0));
                for (ri, row) in range.rows().enumerate() {
                    for (ci, d) in row.iter().enumerate() {
                        let Some(c) = data_cell(d) else { continue };
                        if let Some(chunk) = sheet.cell(r0 + ri as u32, c0 + ci as u32, c) {
                            send(chunk);
                        }
                    }
                }
            }
            Err(e) => out.sheet_failed(&sheet_name, &e),
        }
        out.sheet_done(&mut sheet, send);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(c: Cell, role: Role) -> String {
        let mut v = Vec::new();
        value(&c, role, &mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn numeric_nik_cells_follow_the_excel_damage_rule() {
        assert_eq!(
            shown(Cell::Number(3171010000000000.0), Role::Nik),
            "3.17101E+15"
        );
        assert_eq!(shown(Cell::Number(3.17101e15), Role::Nik), "3.17101E+15");
        assert_eq!(shown(Cell::Number(3000000000000000.0), Role::Nik), "3E+15");
        assert_eq!(
            shown(Cell::Int(3171014101900010), Role::Nik),
            "3.17101410190001E+15"
        );
        assert!(crate::analyze::detect::is_excel_damaged(
            b"3.17101410190001E+15"
        ));
        // Not ending in 0, or not a NIK column, or text: written in full.
        assert_eq!(
            shown(Cell::Number(3171014101900001.0), Role::Nik),
            "3171014101900001"
        );
        assert_eq!(
            shown(Cell::Number(3171010000000000.0), Role::Other),
            "3171010000000000"
        );
        assert_eq!(
            shown(Cell::Text(b"3171010000000000".to_vec()), Role::Nik),
            "3171010000000000"
        );
        assert_eq!(shown(Cell::Number(1.5), Role::Other), "1.5");
        assert_eq!(shown(Cell::Number(812345678.0), Role::Phone), "812345678");
    }
}
