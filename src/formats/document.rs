//! Word-processing documents: DOCX (Office Open XML) and ODT (OpenDocument text), read from
//! their XML parts with `quick-xml`, streamed (SPEC §3, §4). One record per paragraph, its
//! text one unnamed field, like a line of plain text; one record per table row, its cells the
//! fields. A paragraph's text runs join without a separator, so a NIK split across two runs
//! (a spelling mark, a change of font) is one value.
//!
//! A table's header: when the first row of a table holds only words (every non-empty cell has
//! a letter, none a digit or an `@`: stricter than SPEC §3's header rule, which needs the
//! patterns, so a row that holds a value is never taken for one) it names the cells of the
//! rows below it, as a sheet's header does, and is not a record itself; otherwise every row
//! is a record of unnamed fields. A row with more cells than the header has leaves the extra
//! cells unnamed.
//!
//! The archive is opened here from the file the scan spilled or walked; its parts are read
//! behind the budget (each part at most `max_bytes`, and at most [`MAX_RATIO`] times its
//! compressed size above a floor): the scan checked the sizes the directory declares before
//! (as for a workbook), this stops a part that inflates past what it declared. quick-xml
//! expands no entities beyond the five predefined and character references, so there is no
//! entity bomb. Imports the packer.

use std::fs::File;
use std::io::{BufReader, Read, Seek};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use zip::ZipArchive;

use crate::formats::packed::{Budget, Packer, Stop};

/// What a part may inflate to per compressed byte, above [`RATIO_FLOOR`] (the zip limits').
const MAX_RATIO: u64 = 100;
const RATIO_FLOOR: u64 = 4 << 20;

/// The most cells a row keeps apart; the rest join the last one.
const MAX_CELLS: usize = 4096;

/// Which kind of document, and so which parts hold its text and how its elements are named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Docx,
    Odt,
}

impl Kind {
    /// The parts that hold text, in reading order: the body first.
    fn parts<R: Read + Seek>(self, z: &ZipArchive<R>) -> Vec<String> {
        match self {
            Kind::Docx => {
                let mut extra: Vec<String> = z
                    .file_names()
                    .filter(|n| {
                        let n = n.strip_prefix("word/").unwrap_or("");
                        n.ends_with(".xml")
                            && !n.contains('/')
                            && ["header", "footer", "footnotes", "endnotes", "comments"]
                                .iter()
                                .any(|p| n.starts_with(p))
                    })
                    .map(String::from)
                    .collect();
                extra.sort();
                let mut parts = vec!["word/document.xml".to_string()];
                parts.append(&mut extra);
                parts
            }
            Kind::Odt => vec!["content.xml".into(), "styles.xml".into()],
        }
    }

    /// What an element (by its local name) is.
    fn element(self, local: &[u8]) -> Element {
        match (self, local) {
            (Kind::Docx, b"p") | (Kind::Odt, b"p" | b"h") => Element::Paragraph,
            (Kind::Docx, b"tbl") | (Kind::Odt, b"table") => Element::Table,
            (Kind::Docx, b"tr") | (Kind::Odt, b"table-row") => Element::Row,
            (Kind::Docx, b"tc") | (Kind::Odt, b"table-cell" | b"covered-table-cell") => {
                Element::Cell
            }
            (Kind::Docx, b"t" | b"delText") => Element::Text,
            (Kind::Docx, b"tab") | (Kind::Odt, b"tab") => Element::Space("\t"),
            (Kind::Docx, b"br" | b"cr") | (Kind::Odt, b"line-break" | b"s") => Element::Space(" "),
            _ => Element::Other,
        }
    }

    /// Whether character data in a paragraph but outside a text element counts (ODT keeps
    /// text right in its paragraphs; DOCX only in `w:t`, so field codes stay out).
    fn loose_text(self) -> bool {
        self == Kind::Odt
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Element {
    Paragraph,
    Table,
    Row,
    Cell,
    Text,
    Space(&'static str),
    Other,
}

/// Reads the text of the document of `kind` in the zip archive `f` into `out`.
pub fn read(kind: Kind, f: File, budget: &Budget, out: &mut Packer) -> Result<(), Stop> {
    let mut z = ZipArchive::new(BufReader::new(f))
        .map_err(|e| Stop::Damaged(format!("zip unreadable: {e}")))?;
    let mut read_any = false;
    for part in kind.parts(&z) {
        let Ok(member) = z.by_name(&part) else {
            continue;
        };
        read_any = true;
        let limit = budget
            .max_bytes
            .min(RATIO_FLOOR.max(member.compressed_size().saturating_mul(MAX_RATIO)));
        let mut body = Walk::new(kind, budget.max_record, out);
        body.part(BufReader::new(member.take(limit + 1)), limit)
            .map_err(|why| Stop::Damaged(format!("{part}: {why}")))?;
    }
    match read_any {
        true => Ok(()),
        false => Err(Stop::Damaged(format!(
            "no {} in the archive",
            kind.parts(&z)[0]
        ))),
    }
}

/// The walk through one XML part: the paragraph, cell and row being gathered.
struct Walk<'o, 'p> {
    kind: Kind,
    max: usize,
    out: &'o mut Packer<'p>,
    text: String,
    in_text: usize,
    in_par: usize,
    rows: usize,
    cells: Vec<String>,
    /// The current table's header, once its first row named the columns.
    header: Option<Vec<String>>,
    first_row: bool,
}

impl<'o, 'p> Walk<'o, 'p> {
    fn new(kind: Kind, max: usize, out: &'o mut Packer<'p>) -> Self {
        Walk {
            kind,
            max: max.saturating_add(1),
            out,
            text: String::new(),
            in_text: 0,
            in_par: 0,
            rows: 0,
            cells: Vec::new(),
            header: None,
            first_row: false,
        }
    }

    /// Walks a part to its end; `Err` says why it stopped (the XML broken, the part larger
    /// than `limit` once inflated).
    fn part(&mut self, r: impl std::io::BufRead, limit: u64) -> Result<(), String> {
        let mut xml = Reader::from_reader(r);
        xml.config_mut().check_end_names = false;
        let mut buf = Vec::new();
        loop {
            let at = xml.buffer_position();
            let event = xml
                .read_event_into(&mut buf)
                .map_err(|e| format!("XML broken at byte {at}: {e}"))?;
            if xml.buffer_position() > limit {
                return Err(format!("larger than {limit} bytes once inflated"));
            }
            match event {
                Event::Start(e) => self.open(&e),
                Event::Empty(e) => {
                    self.open(&e);
                    self.close(e.local_name().as_ref());
                }
                Event::End(e) => self.close(e.local_name().as_ref()),
                Event::Text(t) => self.chars(&t.decode().unwrap_or_default()),
                Event::CData(t) => self.chars(&String::from_utf8_lossy(&t)),
                Event::GeneralRef(r) => self.chars(&entity(&r)),
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        self.flush();
        Ok(())
    }

    fn open(&mut self, e: &BytesStart) {
        match self.kind.element(e.local_name().as_ref()) {
            Element::Table if self.rows == 0 => {
                self.header = None;
                self.first_row = true;
            }
            Element::Row => {
                if self.rows == 0 {
                    self.cells.clear();
                }
                self.rows += 1;
            }
            Element::Cell if self.rows == 1 && self.cells.len() < MAX_CELLS => {
                self.cells.push(String::new());
            }
            Element::Paragraph => self.in_par += 1,
            Element::Text => self.in_text += 1,
            Element::Space(s) => self.push(s),
            _ => {}
        }
    }

    fn close(&mut self, local: &[u8]) {
        match self.kind.element(local) {
            Element::Paragraph => {
                self.in_par = self.in_par.saturating_sub(1);
                self.paragraph();
            }
            Element::Row if self.rows > 0 => {
                self.rows -= 1;
                if self.rows == 0 {
                    self.row();
                }
            }
            Element::Text => self.in_text = self.in_text.saturating_sub(1),
            _ => {}
        }
    }

    fn chars(&mut self, t: &str) {
        if self.in_text > 0 || (self.kind.loose_text() && self.in_par > 0) {
            self.push(t);
        }
    }

    /// Text of the paragraph being read, kept to one byte past the longest value a record
    /// may hold (the packer cuts it there and counts it).
    fn push(&mut self, t: &str) {
        for c in t.chars() {
            if self.text.len() >= self.max {
                return;
            }
            self.text.push(c);
        }
    }

    /// A paragraph ends: a record of its own, or part of the table cell it is in.
    fn paragraph(&mut self) {
        let text = std::mem::take(&mut self.text);
        if self.rows > 0 {
            let cell = self.cells.last_mut();
            if let Some(cell) = cell {
                if !cell.is_empty() && !text.is_empty() {
                    cell.push(' ');
                }
                let room = self.max.saturating_sub(cell.len());
                cell.push_str(cut(&text, room));
            }
            return;
        }
        if !text.trim().is_empty() {
            self.out.begin(false);
            self.out.field(b"", text.trim().as_bytes());
            self.out.end();
        }
    }

    /// A table row ends: the table's header, or a record of its cells.
    fn row(&mut self) {
        let cells = std::mem::take(&mut self.cells);
        if cells.iter().all(|c| c.trim().is_empty()) {
            return;
        }
        if std::mem::take(&mut self.first_row) && is_header(&cells) {
            self.header = Some(cells.iter().map(|c| c.trim().to_string()).collect());
            return;
        }
        let names = self.header.as_deref().unwrap_or(&[]);
        self.out.begin(!names.is_empty());
        for (i, cell) in cells.iter().enumerate() {
            let name = names.get(i).map(String::as_str).unwrap_or("");
            self.out.field(name.as_bytes(), cell.trim().as_bytes());
        }
        self.out.end();
    }

    /// Text left outside any paragraph at the end of a part (a document cut short).
    fn flush(&mut self) {
        if self.rows > 0 {
            self.rows = 0;
            self.row();
        }
        self.paragraph();
    }
}

/// `t` cut to at most `room` bytes, at a character boundary.
fn cut(t: &str, room: usize) -> &str {
    let mut end = room.min(t.len());
    while !t.is_char_boundary(end) {
        end -= 1;
    }
    &t[..end]
}

/// A header row: every non-empty cell a word (a letter, no digit and no `@`), one at least.
fn is_header(cells: &[String]) -> bool {
    let mut words = cells.iter().map(|c| c.trim()).filter(|c| !c.is_empty());
    let word = |c: &str| {
        c.chars().any(char::is_alphabetic) && !c.chars().any(|ch| ch.is_ascii_digit() || ch == '@')
    };
    let mut any = false;
    words.all(|c| {
        any = true;
        word(c)
    }) && any
}

/// The text of an entity or character reference (`&amp;`, `&#65;`); an unknown one as
/// written.
fn entity(r: &quick_xml::events::BytesRef) -> String {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return c.to_string();
    }
    let name = r.decode().unwrap_or_default();
    match name.as_ref() {
        "amp" => "&".into(),
        "lt" => "<".into(),
        "gt" => ">".into(),
        "quot" => "\"".into(),
        "apos" => "'".into(),
        other => format!("&{other};"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::packed::Packed;

    const DOCX: &str = "<w:document xmlns:w=\"w\"><w:body>\
        <w:p><w:r><w:t>NIK 317101</w:t></w:r><w:r><w:instrText>HYPERLINK x</w:instrText></w:r>\
        <w:r><w:t>4101900001 &amp; Budi</w:t></w:r></w:p>\
        <w:tbl><w:tr><w:tc><w:p><w:r><w:t>nik</w:t></w:r></w:p></w:tc>\
        <w:tc><w:p><w:r><w:t>nama</w:t></w:r></w:p></w:tc></w:tr>\
        <w:tr><w:tc><w:p><w:r><w:t>3171014101900001</w:t></w:r></w:p></w:tc>\
        <w:tc><w:p><w:r><w:t>Budi</w:t></w:r></w:p><w:p><w:r><w:t>Santoso</w:t></w:r></w:p></w:tc>\
        </w:tr></w:tbl></w:body></w:document>";

    /// Walks `xml` as a part of `kind`: how it ended, the records, and the packed bytes.
    fn walk(kind: Kind, xml: &[u8]) -> (Result<(), String>, u64, Vec<u8>) {
        let mut data = Vec::new();
        let mut send = |c: Packed| data.extend(c.data);
        let mut out = Packer::new(1 << 20, 1 << 10, &mut send);
        let result = Walk::new(kind, 1 << 10, &mut out).part(xml, 1 << 20);
        out.finish();
        let records = out.records;
        (result, records, data)
    }

    fn has(data: &[u8], s: &str) -> bool {
        memchr::memmem::find(data, s.as_bytes()).is_some()
    }

    #[test]
    fn runs_join_and_a_header_row_names_the_cells() {
        let (result, records, data) = walk(Kind::Docx, DOCX.as_bytes());
        assert_eq!((result, records), (Ok(()), 2));
        assert!(
            has(&data, "NIK 3171014101900001 & Budi"),
            "runs joined, no field code"
        );
        assert!(!has(&data, "HYPERLINK"));
        assert!(has(&data, "nama") && has(&data, "Budi Santoso"));
        for cut in 0..DOCX.len() {
            let (_, records, _) = walk(Kind::Docx, &DOCX.as_bytes()[..cut]);
            assert!(records <= 3, "cut at {cut}");
        }
    }

    #[test]
    fn odt_paragraphs_headings_and_rows() {
        let odt = "<office:document-content><office:body><office:text>\
            <text:h>Daftar</text:h><text:p>NIK <text:span>317101</text:span>4101900001<text:s/>Budi</text:p>\
            <table:table><table:table-row><table:table-cell><text:p>3171014101900001</text:p>\
            </table:table-cell><table:table-cell><text:p>Ani</text:p></table:table-cell>\
            </table:table-row></table:table></office:text></office:body></office:document-content>";
        let (result, records, data) = walk(Kind::Odt, odt.as_bytes());
        assert_eq!((result, records), (Ok(()), 3));
        assert!(has(&data, "NIK 3171014101900001 Budi"));
    }

    #[test]
    fn a_header_is_words_only() {
        let s = |v: &[&str]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert!(is_header(&s(&["nik", "tgl lahir", ""])));
        assert!(!is_header(&s(&["nik", "3171014101900001"])));
        assert!(!is_header(&s(&["nama", "budi@mail.com"])));
        assert!(!is_header(&s(&["", " "])));
    }
}
