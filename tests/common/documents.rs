//! Documents written by hand for the tests: PDFs (pages of text lines drawn in several runs,
//! image-only pages, raw objects for hostile cases), DOCX and ODT (paragraphs whose runs
//! split values, tables).

use super::archives::zip;

/// A PDF of raw objects (1 is the catalog), with a correct cross-reference table.
pub fn pdf_of(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut b = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(b.len());
        b.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        b.extend_from_slice(body);
        b.extend_from_slice(b"\nendobj\n");
    }
    let xref = b.len();
    b.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        b.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    let n = objects.len() + 1;
    b.extend_from_slice(
        format!("trailer\n<< /Size {n} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    b
}

/// A stream object: its dictionary entries and data.
pub fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut b = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    b.extend_from_slice(data);
    b.extend_from_slice(b"\nendstream");
    b
}

/// A page's content: drawn text (`Some`) or an image (`None`).
pub enum Page {
    Text(String),
    Image,
}

/// A PDF of `pages`, the text in Courier (font F1), an image as XObject Im1.
pub fn pdf(pages: &[Page]) -> Vec<u8> {
    let n = pages.len();
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 5 + 2 * i)).collect();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>".to_vec(),
        stream(
            "/Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 8",
            &[0x80; 64],
        ),
    ];
    for (i, page) in pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> /XObject << /Im1 4 0 R >> >> /Contents {} 0 R >>",
                6 + 2 * i
            )
            .into_bytes(),
        );
        let content = match page {
            Page::Text(t) => t.clone().into_bytes(),
            Page::Image => b"q 500 0 0 700 40 70 cm /Im1 Do Q".to_vec(),
        };
        objects.push(stream("", &content));
    }
    pdf_of(&objects)
}

/// A PDF string literal.
pub fn lit(t: &str) -> String {
    let t = t
        .replace('\\', "\\\\")
        .replace('(', "\\(")
        .replace(')', "\\)");
    format!("({t})")
}

/// A page's content drawing `lines` top down in Courier 9, each in runs: the first cut into
/// two consecutive `Tj`s, then a `TJ` array with a small kerning step, then a piece placed by
/// its own `Td` where the text before it ends (Courier's glyphs are 0.6 of the size wide).
pub fn page_of_lines(lines: &[String]) -> String {
    let mut ops = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let y = 800 - 12 * i as i64;
        let c: Vec<char> = line.chars().collect();
        let cut =
            |a: usize, b: usize| -> String { c[a.min(c.len())..b.min(c.len())].iter().collect() };
        let (a, b, d, e) = (cut(0, 7), cut(7, 12), cut(12, 20), cut(20, c.len()));
        ops.push(format!(
            "BT /F1 9 Tf 40 {y} Td {} Tj [{} 0.5 {}] TJ ET",
            lit(&a),
            lit(&b),
            lit(&d)
        ));
        if !e.is_empty() {
            let x = 40.0 + 5.4 * 20.0_f64.min(c.len() as f64);
            ops.push(format!("BT /F1 9 Tf {x:.1} {y} Td {} Tj ET", lit(&e)));
        }
    }
    ops.join("\n")
}

fn esc(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Text cut into runs of at most 5 characters (a NIK spans several).
fn runs(t: &str, run: impl Fn(&str) -> String) -> String {
    let c: Vec<char> = t.chars().collect();
    c.chunks(5)
        .map(|p| run(&esc(&p.iter().collect::<String>())))
        .collect()
}

/// A DOCX: `paragraphs` (each cut into runs), then a table of `rows`.
pub fn docx(paragraphs: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let run = |t: &str| format!("<w:r><w:t xml:space=\"preserve\">{t}</w:t></w:r>");
    let mut body = String::new();
    for p in paragraphs {
        body += &format!("<w:p><w:pPr/>{}</w:p>", runs(p, run));
    }
    body += "<w:tbl>";
    for r in rows {
        body += "<w:tr>";
        for c in r {
            body += &format!("<w:tc><w:p>{}</w:p></w:tc>", runs(c, run));
        }
        body += "</w:tr>";
    }
    body += "</w:tbl>";
    let doc = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    zip(
        &[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", doc.as_bytes()),
        ],
        false,
    )
}

/// An ODT: `paragraphs` (each cut into spans), then a table of `rows`.
pub fn odt(paragraphs: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let span = |t: &str| format!("<text:span>{t}</text:span>");
    let mut body = String::new();
    for p in paragraphs {
        body += &format!("<text:p>{}</text:p>", runs(p, span));
    }
    body += "<table:table>";
    for r in rows {
        body += "<table:table-row>";
        for c in r {
            body += &format!(
                "<table:table-cell><text:p>{}</text:p></table:table-cell>",
                runs(c, span)
            );
        }
        body += "</table:table-row>";
    }
    body += "</table:table>";
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\"><office:body><office:text>{body}</office:text></office:body></office:document-content>"
    );
    zip(
        &[
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", content.as_bytes()),
        ],
        true,
    )
}
