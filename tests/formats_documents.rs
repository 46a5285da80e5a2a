//! Documents: the synthetic sample as a PDF's text lines (drawn in runs, over
//! several pages) counts like the same lines as plain text, and as DOCX and ODT paragraphs
//! and table rows (values split across runs) like those lines and a headerless TSV of the rows; a scanned PDF is `partial`; damaged and hostile
//! documents are `partial`, `failed` or `skipped` naming the format, without a panic, in
//! bounded time and memory.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

mod common;
use common::archives::zip;
use common::documents::{docx, lit, odt, page_of_lines, pdf, pdf_of, stream, Page};
use common::measure;
use common::run::scan_json;
use common::samples::{read_csv, same_counts, scan_ok, synth};
use common::summary::{file, reason};

/// The sample's rows as text lines (cells joined by a space), and as cells.
fn sample(dir: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let csv = synth(&dir.join("synth"), 300, 7);
    let (_, mut rows) = read_csv(&csv);
    // A cell's line break (an address) would make two lines of text but one table row.
    for cell in rows.iter_mut().flatten() {
        *cell = cell.replace(['\r', '\n'], " ");
    }
    let lines = rows.iter().map(|r| r.join(" ")).collect();
    (lines, rows)
}

#[test]
fn the_sample_as_documents_counts_like_its_lines() {
    let dir = tempfile::tempdir().unwrap();
    let (lines, rows) = sample(dir.path());
    let txt = dir.path().join("peserta.txt");
    fs::write(&txt, lines.join("\n") + "\n").unwrap();
    let want = scan_ok(&txt);
    let pages: Vec<Page> = lines
        .chunks(60)
        .map(|c| Page::Text(page_of_lines(c)))
        .collect();
    // Paragraphs count as lines; table rows (cells as fields) as a headerless TSV's rows.
    let half = lines.len() / 2;
    let split = dir.path().join("split");
    fs::create_dir(&split).unwrap();
    fs::write(split.join("a.txt"), lines[..half].join("\n") + "\n").unwrap();
    let tsv: Vec<String> = rows[half..].iter().map(|r| r.join("\t")).collect();
    fs::write(split.join("b.tsv"), tsv.join("\n") + "\n").unwrap();
    let want_split = scan_ok(&split);
    let cases = [
        ("peserta.pdf", pdf(&pages), "pdf", &want),
        (
            "peserta.docx",
            docx(&lines[..half], &rows[half..]),
            "docx",
            &want_split,
        ),
        (
            "peserta.odt",
            odt(&lines[..half], &rows[half..]),
            "odt",
            &want_split,
        ),
    ];
    for (name, bytes, format, want) in cases {
        let path = dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        let got = scan_ok(&path);
        assert_eq!(got["files"][0]["format"], format, "{name}");
        same_counts(name, &got, want);
    }
}

#[test]
fn a_value_split_across_runs_is_one_value() {
    let dir = tempfile::tempdir().unwrap();
    let nik = "3171014101900001";
    // Drawn as two runs placed apart by their own Td, exactly where the first ends.
    let page = format!(
        "BT /F1 10 Tf 40 700 Td {} Tj ET BT /F1 10 Tf 64 700 Td {} Tj ET",
        lit(&nik[..4]),
        lit(&nik[4..])
    );
    fs::write(dir.path().join("a.pdf"), pdf(&[Page::Text(page)])).unwrap();
    let lines = [format!("NIK {nik} lahir 01-01-1990")];
    fs::write(dir.path().join("a.docx"), docx(&lines, &[])).unwrap();
    fs::write(dir.path().join("a.odt"), odt(&lines, &[])).unwrap();
    let (v, code) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0, "{}", v["ledger"]);
    for name in ["a.pdf", "a.docx", "a.odt"] {
        assert_eq!(file(&v, name)["valid"]["nik"], 1, "{name}");
    }
}

#[test]
fn a_table_with_a_header_row_names_its_cells() {
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        vec!["nik".to_string(), "tgl lahir".to_string()],
        vec!["3171014101900001".to_string(), "01-01-1990".to_string()],
    ];
    let path = dir.path().join("t.docx");
    fs::write(&path, docx(&[], &rows)).unwrap();
    let v = scan_ok(&path);
    assert_eq!(v["files"][0]["records"], 1, "the header row is no record");
    assert_eq!(
        v["files"][0]["confirmed"], 1,
        "the NIK confirmed by its named birth date"
    );
}

#[test]
fn a_scanned_pdf_is_partial_and_says_to_ocr_it() {
    let dir = tempfile::tempdir().unwrap();
    let text = Page::Text(page_of_lines(&["NIK 3171014101900001".to_string()]));
    fs::write(
        dir.path().join("scan.pdf"),
        pdf(&[Page::Image, Page::Image]),
    )
    .unwrap();
    fs::write(dir.path().join("mixed.pdf"), pdf(&[text, Page::Image])).unwrap();
    let (v, code) = scan_json(dir.path(), &[]);
    assert_eq!(code, 3, "{}", v["ledger"]);
    assert_eq!(file(&v, "scan.pdf")["state"], "partial");
    assert_eq!(
        reason(&v, "scan.pdf"),
        "pdf: no text layer (scanned image): OCR it to read it"
    );
    assert_eq!(file(&v, "mixed.pdf")["state"], "partial");
    assert_eq!(file(&v, "mixed.pdf")["records"], 1);
    assert!(reason(&v, "mixed.pdf").starts_with("pdf: 1 of 2 pages have no text layer"));
}

/// `n` zero bytes, zlib-compressed without holding them.
fn zlib_zeros(n: usize) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let block = [0u8; 1 << 16];
    for _ in 0..n / block.len() {
        z.write_all(&block).unwrap();
    }
    z.finish().unwrap()
}

/// A one-page PDF whose content stream is `content` (its dictionary `dict`).
fn pdf_with_content(dict: &str, content: &[u8]) -> Vec<u8> {
    pdf_of(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        stream(dict, content),
    ])
}

#[test]
fn damaged_and_hostile_documents_name_their_format_in_bounded_time() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = pdf(&[Page::Text(page_of_lines(&["NIK 3171014101900001".into()]))]);
    fs::write(d.join("cut.pdf"), &good[..good.len() / 2]).unwrap();
    let mut xref = good.clone();
    let at = xref.windows(9).rposition(|w| w == b"startxref").unwrap();
    xref.truncate(at);
    xref.extend_from_slice(b"startxref\n99999999\n%%EOF\n");
    fs::write(d.join("xref.pdf"), xref).unwrap();
    let bomb = zlib_zeros(300 << 20);
    fs::write(
        d.join("bomb.pdf"),
        pdf_with_content("/Filter /FlateDecode", &bomb),
    )
    .unwrap();
    let deep = [b"[".repeat(200_000), b"] TJ".to_vec()].concat();
    fs::write(d.join("deep.pdf"), pdf_with_content("", &deep)).unwrap();
    let nested = format!("<< /A {}1{} >>", "[".repeat(100_000), "]".repeat(100_000));
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [] /Count 0 >>".to_vec(),
    ];
    objects.push(nested.into_bytes());
    fs::write(d.join("nested.pdf"), pdf_of(&objects)).unwrap();
    let long = replace(
        &pdf_with_content("", b"BT (x) Tj ET"),
        b"/Length 12",
        b"/Length 99999999999",
    );
    fs::write(d.join("length.pdf"), long).unwrap();
    let huge = [
        &b"<w:document><w:body><w:p><w:r><w:t>"[..],
        &[b' '; 60 << 20],
    ]
    .concat();
    let huge = zip(
        &[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", &huge),
        ],
        false,
    );
    fs::write(d.join("huge.docx"), huge).unwrap();
    fs::write(
        d.join("broken.odt"),
        &odt(&["NIK 3171014101900001".into()], &[])[..200],
    )
    .unwrap();
    let run = measure::scan(&[d], &[]);
    run.check("documents", 3, Duration::from_secs(60), 400);
    for (name, states, says) in [
        ("cut.pdf", &["failed", "partial"][..], "pdf: "),
        ("xref.pdf", &["failed", "partial"], "pdf: "),
        ("bomb.pdf", &["failed"], "pdf: streams inflate past"),
        ("deep.pdf", &["failed"], "pdf: page 1 of 1 unreadable"),
        ("nested.pdf", &["failed", "partial"], "pdf: "),
        ("length.pdf", &["failed", "partial", "scanned"], ""),
        ("huge.docx", &["skipped"], "too large"),
        // Cut before its directory: salvaged as a zip, its members read as they are.
        ("broken.odt", &["failed", "partial"], "zip"),
    ] {
        let f = run.file(name);
        let state = f["state"].as_str().unwrap();
        assert!(states.contains(&state), "{name}: {f}");
        if state != "scanned" {
            let why = run.reason(name);
            assert!(why.contains(says), "{name}: {why}");
            assert!(!why.contains("crashed"), "{name}: {why}");
        }
    }
}

/// `b` with the first `from` replaced by `to`.
fn replace(b: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = b.windows(from.len()).position(|w| w == from).unwrap();
    [&b[..at], to, &b[at + from.len()..]].concat()
}
