//! PDF documents: the text layer, one record per text line, in page order (SPEC §3, §4),
//! read with `lopdf`. A line is what is drawn on one baseline of a page: the pieces drawn by
//! several `Tj`/`TJ` operators (a NIK drawn in two runs, the cells of a table row) join into
//! one line, with a space where the page leaves a gap between them. A page that draws an image
//! and no text is a scan: the entry is then `partial` (`Stop::Unread`), so the responder knows
//! to OCR it.
//!
//! lopdf reads a document whole, in memory: the file is read up to [`MAX_PDF`] bytes (and the
//! budget), and before lopdf inflates anything the streams it would inflate (content, object
//! and cross-reference streams) are inflated here into a counter, so a FlateDecode bomb is
//! refused before it is followed ([`inflate_guard`]). lopdf bounds its own nesting (arrays,
//! dictionaries and strings, 100 deep) and walks the page tree with a depth limit. Encrypted
//! documents with an empty user password (most "protected" PDFs) are decrypted by lopdf;
//! others are `failed`, saying a password is needed. Text inside form XObjects is not read:
//! a page whose only text is there counts as a page without text, so it is never a quiet 0.
//! Imports the packer.

use std::collections::BTreeMap;
use std::io::{self, Read};

use flate2::read::{DeflateDecoder, ZlibDecoder};
use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Encoding, Object, ObjectId};

use crate::formats::packed::{Budget, Packer, Stop};

/// The largest PDF read: lopdf holds the file and its objects in memory (about three times
/// the file at its peak).
pub const MAX_PDF: u64 = 1 << 30;

/// What the streams of a PDF may inflate to, per byte of the file, beyond a floor (the zip
/// limits' ratio): text compresses to a tenth at best, a bomb to a thousandth.
const MAX_RATIO: u64 = 100;
const RATIO_FLOOR: u64 = 64 << 20;

/// LZW expands at most about 1,300 times (codes of 12 bits, strings up to the table's size):
/// a document with LZW streams is refused when that could pass the inflate budget.
const LZW_RATIO: u64 = 1_300;

/// Reads the text lines of the PDF in `r` into `out`.
pub fn read(r: &mut dyn Read, budget: &Budget, out: &mut Packer) -> Result<(), Stop> {
    let cap = budget.max_bytes.min(MAX_PDF);
    let mut buf = Vec::new();
    r.take(cap + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Stop::Damaged(format!("read error: {e}")))?;
    if buf.len() as u64 > cap {
        return Err(Stop::Damaged(format!(
            "larger than the {cap} bytes a PDF is read in (it is read whole)"
        )));
    }
    inflate_guard(&buf, budget)?;
    let doc = Document::load_mem(&buf).map_err(|e| Stop::Damaged(format!("unreadable: {e}")))?;
    drop(buf);
    if doc.trailer.get(b"Encrypt").is_ok() {
        return Err(Stop::Damaged(
            "encrypted: it needs a password to be read".into(),
        ));
    }
    pages(&doc, out)
}

/// Every page's lines, in page order; then how the reading went: pages whose content does
/// not parse (damaged), pages that drew an image and no text (scans).
fn pages(doc: &Document, out: &mut Packer) -> Result<(), Stop> {
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(Stop::Damaged("no pages (page tree unreadable)".into()));
    }
    let (mut scanned, mut broken) = (0usize, None);
    for (n, id) in &pages {
        let page = match page_text(doc, *id) {
            Err(why) => {
                broken = broken.or(Some((*n, why)));
                continue;
            }
            Ok(p) => p,
        };
        if page.lines.is_empty() && page.images {
            scanned += 1;
        }
        for line in page.lines {
            out.begin(false);
            out.field(b"", line.as_bytes());
            out.end();
        }
    }
    let total = pages.len();
    if let Some((n, why)) = broken {
        return Err(Stop::Damaged(format!(
            "page {n} of {total} unreadable: {why}"
        )));
    }
    match scanned {
        0 => Ok(()),
        n if n == total => Err(Stop::Unread(
            "no text layer (scanned image): OCR it to read it".into(),
        )),
        n => Err(Stop::Unread(format!(
            "{n} of {total} pages have no text layer (scanned images): OCR them to read them"
        ))),
    }
}

/// Refuses a document whose streams would inflate past the budget: every zlib stream that is
/// not an image is inflated into a counter (and a zlib stream inside it too), as lopdf would
/// inflate it (zlib, else raw deflate after the two header bytes).
fn inflate_guard(buf: &[u8], budget: &Budget) -> Result<(), Stop> {
    let len = buf.len() as u64;
    let limit = budget
        .max_bytes
        .min(RATIO_FLOOR.saturating_add(len.saturating_mul(MAX_RATIO)));
    let lzw = memchr::memmem::find(buf, b"LZWDecode").is_some();
    if lzw && len.saturating_mul(LZW_RATIO) > limit {
        return Err(Stop::Damaged(format!(
            "LZW streams in a {len}-byte document could inflate past {limit} bytes: not read"
        )));
    }
    let mut left = limit;
    for at in stream_starts(buf) {
        if is_image(&buf[at.saturating_sub(2048)..at]) {
            continue;
        }
        let data = &buf[at..];
        let n = inflated(data, left + 1, true);
        if n > left {
            return Err(Stop::Damaged(format!(
                "streams inflate past {limit} bytes (a FlateDecode bomb?): not read"
            )));
        }
        left -= n;
    }
    Ok(())
}

/// Where each stream's data starts: after `stream` and its end of line (not `endstream`).
fn stream_starts(buf: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memmem::find_iter(buf, b"stream")
        .filter(move |&at| !buf[..at].ends_with(b"end"))
        .map(move |at| {
            let mut at = at + 6;
            if buf.get(at) == Some(&b'\r') {
                at += 1;
            }
            if buf.get(at) == Some(&b'\n') {
                at += 1;
            }
            at
        })
}

/// Whether the dictionary before a stream (the last object header in `before`) is an image's,
/// which lopdf never inflates to read text; a cross-reference or object stream never is.
fn is_image(before: &[u8]) -> bool {
    let dict = match memchr::memmem::rfind(before, b"obj") {
        Some(at) => &before[at..],
        None => before,
    };
    let has = |w: &[u8]| memchr::memmem::find(dict, w).is_some();
    has(b"/Image") && !has(b"/ObjStm") && !has(b"/XRef")
}

/// How many bytes `data` inflates to, counted up to `limit`; 0 when it is no zlib stream.
/// `nested`: a zlib stream inside is counted too (a filter chain of two FlateDecodes).
fn inflated(data: &[u8], limit: u64, nested: bool) -> u64 {
    let mut head = Vec::new();
    let count = |r: &mut dyn Read, head: &mut Vec<u8>| -> u64 {
        let mut r = r.take(limit);
        let _ = (&mut r).take(2).read_to_end(head);
        head.len() as u64 + io::copy(&mut r, &mut io::sink()).unwrap_or(0)
    };
    let mut n = count(&mut ZlibDecoder::new(data), &mut head);
    if n == 0 && data.len() > 2 {
        n = count(&mut DeflateDecoder::new(&data[2..]), &mut head);
    }
    if nested && n < limit && head.first() == Some(&0x78) {
        n += inflated_inner(data, limit - n);
    }
    n
}

/// The inflated size of the zlib stream inside the zlib stream `data`, up to `limit`.
fn inflated_inner(data: &[u8], limit: u64) -> u64 {
    let inner = ZlibDecoder::new(ZlibDecoder::new(data));
    io::copy(&mut inner.take(limit), &mut io::sink()).unwrap_or(0)
}

/// A page's text lines, and whether it draws anything else (an image, a form).
struct PageText {
    lines: Vec<String>,
    images: bool,
}

/// A page's text, or why its content cannot be read.
fn page_text(doc: &Document, id: ObjectId) -> Result<PageText, String> {
    let fonts = page_fonts(doc, id);
    let content = doc.get_page_content(id).map_err(|e| e.to_string())?;
    let ops = Content::decode(&content)
        .map_err(|e| format!("content stream: {e}"))?
        .operations;
    let mut pen = Pen::new(&fonts);
    for op in &ops {
        pen.apply(op);
    }
    Ok(PageText {
        images: pen.images,
        lines: lines(pen.pieces),
    })
}

/// A page's fonts by resource name: how to decode their strings and how wide their glyphs are.
fn page_fonts(doc: &Document, id: ObjectId) -> BTreeMap<Vec<u8>, Font<'_>> {
    let Ok(fonts) = doc.get_page_fonts(id) else {
        return BTreeMap::new();
    };
    fonts
        .into_iter()
        .map(|(name, dict)| (name, Font::of(doc, dict)))
        .collect()
}

/// A font as the layout needs it.
struct Font<'d> {
    encoding: Option<Encoding<'d>>,
    /// Simple fonts: the first code and the widths (thousandths of the size) from it.
    first: i64,
    widths: Vec<f64>,
    /// The width of a glyph without one: a monospaced standard font's, else an average.
    default: f64,
    /// Two-byte codes (a Type0 font).
    wide: bool,
}

impl<'d> Font<'d> {
    fn of(doc: &'d Document, d: &'d Dictionary) -> Font<'d> {
        let name = |k: &[u8]| d.get(k).and_then(Object::as_name).unwrap_or(b"");
        let mono = memchr::memmem::find(name(b"BaseFont"), b"Courier").is_some();
        let widths = d
            .get_deref(b"Widths", doc)
            .and_then(Object::as_array)
            .map(|a| a.iter().map(|w| num(w).unwrap_or(0.0)).collect())
            .unwrap_or_default();
        Font {
            encoding: d.get_font_encoding(doc).ok(),
            first: d.get(b"FirstChar").and_then(Object::as_i64).unwrap_or(0),
            widths,
            default: if mono { 600.0 } else { 500.0 },
            wide: name(b"Subtype") == b"Type0",
        }
    }

    /// The text of a string drawn in this font.
    fn decode(&self, bytes: &[u8]) -> String {
        let text = self
            .encoding
            .as_ref()
            .and_then(|e| Document::decode_text(e, bytes).ok());
        text.unwrap_or_else(|| bytes.iter().map(|&b| char::from(b)).collect())
    }

    /// A string's width in thousandths of the font size, and how many glyphs it has.
    fn width(&self, bytes: &[u8]) -> (f64, usize) {
        if self.wide {
            let glyphs = bytes.len() / 2;
            return (glyphs as f64 * self.default, glyphs);
        }
        let w = bytes.iter().map(|&b| {
            let at = i64::from(b) - self.first;
            usize::try_from(at)
                .ok()
                .and_then(|i| self.widths.get(i))
                .copied()
                .filter(|w| *w > 0.0)
                .unwrap_or(self.default)
        });
        (w.sum(), bytes.len())
    }
}

fn num(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

/// An affine matrix `[a b c d e f]`, as PDF writes them.
type Matrix = [f64; 6];

const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `m` then `n`.
fn mul(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

fn translate(x: f64, y: f64) -> Matrix {
    [1.0, 0.0, 0.0, 1.0, x, y]
}

/// Text drawn at one place: where it starts and ends on its baseline (device space), and the
/// size it is drawn at.
#[derive(Debug)]
struct Piece {
    y: f64,
    x0: f64,
    x1: f64,
    size: f64,
    text: String,
}

/// The text state of a content stream as its operators change it (PDF 32000-1 §9.3, §9.4).
struct Pen<'f, 'd> {
    fonts: &'f BTreeMap<Vec<u8>, Font<'d>>,
    font: Option<&'f Font<'d>>,
    size: f64,
    leading: f64,
    char_space: f64,
    word_space: f64,
    ctm: Matrix,
    saved: Vec<Matrix>,
    tm: Matrix,
    tlm: Matrix,
    pieces: Vec<Piece>,
    images: bool,
}

impl<'f, 'd> Pen<'f, 'd> {
    fn new(fonts: &'f BTreeMap<Vec<u8>, Font<'d>>) -> Self {
        Pen {
            fonts,
            font: None,
            size: 0.0,
            leading: 0.0,
            char_space: 0.0,
            word_space: 0.0,
            ctm: IDENTITY,
            saved: Vec::new(),
            tm: IDENTITY,
            tlm: IDENTITY,
            pieces: Vec::new(),
            images: false,
        }
    }

    fn apply(&mut self, op: &Operation) {
        let n = |i: usize| op.operands.get(i).and_then(num).unwrap_or(0.0);
        match op.operator.as_str() {
            "q" => self.saved.push(self.ctm),
            "Q" => self.ctm = self.saved.pop().unwrap_or(IDENTITY),
            "cm" => self.ctm = mul(&[n(0), n(1), n(2), n(3), n(4), n(5)], &self.ctm),
            "BT" => (self.tm, self.tlm) = (IDENTITY, IDENTITY),
            "Tf" => self.set_font(op),
            "TL" => self.leading = n(0),
            "Tc" => self.char_space = n(0),
            "Tw" => self.word_space = n(0),
            "Td" => self.next_line(n(0), n(1)),
            "TD" => {
                self.leading = -n(1);
                self.next_line(n(0), n(1));
            }
            "Tm" => {
                self.tm = [n(0), n(1), n(2), n(3), n(4), n(5)];
                self.tlm = self.tm;
            }
            "T*" => self.next_line(0.0, -self.leading),
            "Tj" | "TJ" => self.show(&op.operands),
            "'" => {
                self.next_line(0.0, -self.leading);
                self.show(&op.operands);
            }
            "\"" => {
                self.next_line(0.0, -self.leading);
                self.show(op.operands.get(2..).unwrap_or(&[]));
            }
            "Do" | "BI" | "sh" => self.images = true,
            _ => {}
        }
    }

    fn set_font(&mut self, op: &Operation) {
        let name = op.operands.first().and_then(|o| o.as_name().ok());
        self.font = name.and_then(|n| self.fonts.get(n));
        self.size = op.operands.get(1).and_then(num).unwrap_or(0.0);
    }

    fn next_line(&mut self, x: f64, y: f64) {
        self.tlm = mul(&translate(x, y), &self.tlm);
        self.tm = self.tlm;
    }

    /// Draws strings (and, in a `TJ` array, moves between them): one piece per operator,
    /// with a space where an array moves the pen on by more than a quarter of the size.
    fn show(&mut self, operands: &[Object]) {
        let start = mul(&self.tm, &self.ctm);
        let mut text = String::new();
        for o in operands {
            match o {
                Object::String(bytes, _) => self.draw(bytes, &mut text),
                Object::Array(items) => {
                    for item in items {
                        match item {
                            Object::String(bytes, _) => self.draw(bytes, &mut text),
                            other => self.kern(num(other).unwrap_or(0.0), &mut text),
                        }
                    }
                }
                _ => {}
            }
        }
        let end = mul(&self.tm, &self.ctm);
        let size = self.size * start[2].hypot(start[3]);
        if !text.trim().is_empty() {
            self.pieces.push(Piece {
                y: start[5],
                x0: start[4],
                x1: end[4],
                size: size.abs().max(0.1),
                text,
            });
        }
    }

    fn draw(&mut self, bytes: &[u8], text: &mut String) {
        let Some(font) = self.font else {
            text.extend(bytes.iter().map(|&b| char::from(b)));
            return;
        };
        text.push_str(&font.decode(bytes));
        let (w, glyphs) = font.width(bytes);
        let spaces = bytes.iter().filter(|&&b| b == b' ').count();
        let advance = w / 1000.0 * self.size
            + glyphs as f64 * self.char_space
            + spaces as f64 * self.word_space;
        self.tm = mul(&translate(advance, 0.0), &self.tm);
    }

    /// A `TJ` adjustment, in thousandths of the size (positive moves the pen back).
    fn kern(&mut self, by: f64, text: &mut String) {
        self.tm = mul(&translate(-by / 1000.0 * self.size, 0.0), &self.tm);
        if by < -250.0 && !text.ends_with(' ') {
            text.push(' ');
        }
    }
}

/// A page's pieces as lines, top to bottom: pieces on one baseline (within a third of their
/// size) join left to right, with a space where a gap of more than a quarter of the size
/// lies between them.
fn lines(mut pieces: Vec<Piece>) -> Vec<String> {
    pieces.sort_by(|a, b| b.y.total_cmp(&a.y));
    let mut out = Vec::new();
    let mut line: Vec<Piece> = Vec::new();
    for p in pieces {
        let same = line
            .first()
            .is_some_and(|f| (f.y - p.y).abs() <= f.size.max(p.size) / 3.0);
        if !same && !line.is_empty() {
            out.push(join(std::mem::take(&mut line)));
        }
        line.push(p);
    }
    if !line.is_empty() {
        out.push(join(line));
    }
    out
}

fn join(mut line: Vec<Piece>) -> String {
    line.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    let mut text = String::new();
    let mut end: Option<f64> = None;
    for p in line {
        if let Some(end) = end {
            if (p.x0 - end).abs() > p.size / 4.0 && !text.ends_with(' ') {
                text.push(' ');
            }
        }
        text.push_str(&p.text);
        end = Some(p.x1);
    }
    text.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::packed::Packed;

    fn piece(y: f64, x0: f64, x1: f64, text: &str) -> Piece {
        Piece {
            y,
            x0,
            x1,
            size: 10.0,
            text: text.into(),
        }
    }

    #[test]
    fn runs_on_one_baseline_join_into_one_line() {
        let got = lines(vec![
            piece(688.0, 40.0, 60.0, "next"),
            piece(700.0, 200.0, 224.0, "Budi"),
            piece(700.0, 40.0, 64.0, "3171"),
            // A hair off the baseline and right where the run before it ends.
            piece(700.4, 64.0, 136.0, "014101900001"),
        ]);
        assert_eq!(got, ["3171014101900001 Budi", "next"]);
    }

    /// A one-page PDF drawing `content`, in Courier.
    fn one_page(content: &str) -> Vec<u8> {
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
            "<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
                .into(),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>".into(),
            format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        ];
        let mut b = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            offsets.push(b.len());
            b.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = b.len();
        b.extend_from_slice(b"xref\n0 6\n0000000000 65535 f \n");
        for o in offsets {
            b.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        b.extend_from_slice(
            format!("trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
        );
        b
    }

    /// Reads `pdf`: how it ended, the records, and the packed bytes.
    fn read_all(pdf: &[u8]) -> (Result<(), Stop>, u64, Vec<u8>) {
        let mut data = Vec::new();
        let mut send = |c: Packed| data.extend(c.data);
        let mut out = Packer::new(1 << 20, 1 << 10, &mut send);
        let budget = Budget {
            max_record: 1 << 10,
            max_bytes: 1 << 30,
        };
        let result = read(&mut &pdf[..], &budget, &mut out);
        out.finish();
        let records = out.records;
        (result, records, data)
    }

    #[test]
    fn a_nik_drawn_in_two_runs_is_one_value_and_a_cut_pdf_never_panics() {
        let pdf = one_page("BT /F1 10 Tf 40 700 Td (317101) Tj [(41019) 2 (00001)] TJ ET");
        let (result, records, data) = read_all(&pdf);
        assert_eq!((result, records), (Ok(()), 1));
        assert!(memchr::memmem::find(&data, b"3171014101900001").is_some());
        for cut in 0..pdf.len() {
            let (result, records, _) = read_all(&pdf[..cut]);
            assert!(result.is_err() || records <= 1, "cut at {cut}");
        }
    }
}
