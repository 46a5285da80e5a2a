//! Rule 1 (binary part): any file that may hold records is read, or says it was
//! not. A known binary format triage does not read is `failed: <format>: not read yet` and
//! the scan exits 3, also inside zip members and gzip streams; an OLE2 or zip document is
//! named by its parts; `skipped` stays for media and executables; an unknown binary is read
//! by the strings pass. Every input is built here, in a temporary folder.

use std::fs;

use serde_json::Value;

mod common;
use common::archives::{gzip, zip};
use common::run::scan_json;
use common::summary::{assert_scanned_as, file, reason};
use flate2::Compression;

/// Scans a folder holding `files`; asserts the exit code and that each `(path, reason)` is
/// `failed` with exactly that reason.
fn expect_failed(files: &[(&str, Vec<u8>)], want: &[(&str, &str)]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        let to = dir.path().join(name);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::write(to, bytes).unwrap();
    }
    let (v, code) = scan_json(dir.path(), &[]);
    assert_eq!(
        code, 3,
        "an entry not read makes the scan incomplete: {}",
        v["ledger"]
    );
    for (path, why) in want {
        assert_eq!(file(&v, path)["state"], "failed", "{path}: {}", v["ledger"]);
        assert_eq!(reason(&v, path), *why, "{path}");
    }
    v
}

const PERSON: &[u8] = b"nama Budi nik 3171014101900001 hp 081234567890";

fn pdf() -> Vec<u8> {
    let mut b = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 60 >>\nstream\n".to_vec();
    b.extend_from_slice(PERSON);
    b.extend_from_slice(b"\nendstream\nendobj\n%%EOF\n");
    b
}

fn dicom() -> Vec<u8> {
    let mut b = vec![0u8; 128];
    b.extend_from_slice(b"DICM\x02\x00\x00\x00UL\x04\x00\x9a\x00\x00\x00");
    // (0010,0020) Patient ID, LO.
    b.extend_from_slice(b"\x10\x00\x20\x00LO\x10\x003171014101900001");
    b
}

/// Two `mongodump` documents of string fields.
fn bson() -> Vec<u8> {
    let doc = |pairs: &[(&str, &str)]| {
        let mut body = Vec::new();
        for (k, v) in pairs {
            body.push(0x02);
            body.extend_from_slice(k.as_bytes());
            body.push(0);
            body.extend_from_slice(&(v.len() as i32 + 1).to_le_bytes());
            body.extend_from_slice(v.as_bytes());
            body.push(0);
        }
        let mut d = ((body.len() + 5) as i32).to_le_bytes().to_vec();
        d.extend(body);
        d.push(0);
        d
    };
    let mut b = doc(&[("nik", "3171014101900001"), ("nama", "Budi")]);
    b.extend(doc(&[("nik", "3171014101900002"), ("nama", "Ani")]));
    b
}

fn pg_dump() -> Vec<u8> {
    let mut b = b"PGDMP\x01\x0e\x00\x04\x08\x01\x00\x00\x00\x00".to_vec();
    b.extend_from_slice(PERSON);
    b
}

fn access(engine: &[u8; 15]) -> Vec<u8> {
    let mut b = b"\x00\x01\x00\x00".to_vec();
    b.extend_from_slice(engine);
    b.push(0);
    b.extend_from_slice(&[0u8; 200]);
    b
}

/// A tar header in the v7 format (no `ustar` magic) and its data.
fn tar_v7() -> Vec<u8> {
    let mut h = vec![0u8; 512];
    h[..8].copy_from_slice(b"data.csv");
    h[100..108].copy_from_slice(b"000644 \x00");
    h[108..116].copy_from_slice(b"001750 \x00");
    h[116..124].copy_from_slice(b"001750 \x00");
    h[124..136].copy_from_slice(format!("{:011o} ", PERSON.len()).as_bytes());
    h[136..148].copy_from_slice(b"14000000000 ");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&x| u32::from(x)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\x00 ").as_bytes());
    h.extend_from_slice(PERSON);
    h.resize(2048, 0);
    h
}

/// A compound file (OLE2) of 512-byte sectors whose directory holds `names` (at most 3
/// besides the root, all empty streams), then `tail`.
fn compound(names: &[&str], tail: &[u8]) -> Vec<u8> {
    const END: u32 = 0xFFFF_FFFE;
    let mut h = vec![0u8; 512];
    h[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    h[24..28].copy_from_slice(&[0x3e, 0, 3, 0]);
    h[28..30].copy_from_slice(&[0xfe, 0xff]);
    h[30] = 9;
    h[32] = 6;
    h[44] = 1;
    h[48] = 1;
    h[56..60].copy_from_slice(&4096u32.to_le_bytes());
    h[60..64].copy_from_slice(&END.to_le_bytes());
    h[68..72].copy_from_slice(&END.to_le_bytes());
    for (i, c) in h[76..].chunks_exact_mut(4).enumerate() {
        c.copy_from_slice(&(if i == 0 { 0 } else { u32::MAX }).to_le_bytes());
    }
    let mut fat = vec![0xFFu8; 512];
    fat[..4].copy_from_slice(&0xFFFF_FFFDu32.to_le_bytes());
    fat[4..8].copy_from_slice(&END.to_le_bytes());
    let mut dir = vec![0u8; 512];
    for (k, name) in std::iter::once("Root Entry")
        .chain(names.iter().copied())
        .enumerate()
    {
        let e = &mut dir[128 * k..128 * (k + 1)];
        let units: Vec<u16> = name.encode_utf16().collect();
        for (i, c) in units.iter().enumerate() {
            e[2 * i..2 * i + 2].copy_from_slice(&c.to_le_bytes());
        }
        e[64..66].copy_from_slice(&((units.len() as u16 + 1) * 2).to_le_bytes());
        e[66] = if k == 0 { 5 } else { 2 };
        e[68..80].copy_from_slice(&[0xFF; 12]);
        e[116..120].copy_from_slice(&END.to_le_bytes());
    }
    let mut out = h;
    out.extend(fat);
    out.extend(dir);
    out.extend_from_slice(tail);
    out
}

/// A PDF is read by its own reader now (tests/formats_documents.rs); one it cannot read is
/// `failed`, naming the format and why.
const PDF_UNREADABLE: &str =
    "pdf: unreadable: failed parsing cross reference table: invalid start value";

#[test]
fn rule1_a_pdf_that_cannot_be_read_is_failed() {
    expect_failed(
        &[("scan_of_ktp.pdf", pdf())],
        &[("scan_of_ktp.pdf", PDF_UNREADABLE)],
    );
}

#[test]
fn rule1_dicom_is_read_also_as_a_zip_member() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("IM0001"), dicom()).unwrap();
    fs::write(
        dir.path().join("scans.zip"),
        zip(&[("IM0001.dcm", &dicom())], false),
    )
    .unwrap();
    let (v, code) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0, "{}", v["ledger"]);
    assert_scanned_as(file(&v, "IM0001"), "dicom");
    assert_scanned_as(file(&v, "scans.zip!IM0001.dcm"), "dicom");
    assert_eq!(v["identifiers"]["nik"]["valid"], 2);
}

#[test]
fn rule1_databases_and_dumps_are_read_or_failed_not_read_yet() {
    let v = expect_failed(
        &[
            ("users.bson", bson()),
            // By its structure, not its extension.
            ("users.dat", bson()),
            ("db.dump", pg_dump()),
            ("data.mdb", access(b"Standard Jet DB")),
            ("data.accdb", access(b"Standard ACE DB")),
            (
                "app.sqlite",
                b"SQLite format 3\x00\x10\x00\x01\x01".to_vec(),
            ),
        ],
        &[
            ("data.mdb", "Microsoft Access database (.mdb): not read yet"),
            (
                "data.accdb",
                "Microsoft Access database (.accdb): not read yet",
            ),
        ],
    );
    assert_eq!(v["ledger"]["failed"], 4, "{}", v["ledger"]);
    // Read now: the dumps' documents, and what is wrong with a header alone.
    for dump in ["users.bson", "users.dat"] {
        assert_scanned_as(file(&v, dump), "bson");
        assert_eq!(file(&v, dump)["records"], 2);
    }
    for (path, format) in [("db.dump", "pg_dump: "), ("app.sqlite", "sqlite: ")] {
        assert_eq!(file(&v, path)["state"], "failed");
        assert!(reason(&v, path).starts_with(format), "{}", reason(&v, path));
    }
}

#[test]
fn rule1_tar_is_read_a_broken_7z_and_a_rar_are_failed() {
    let v = expect_failed(
        &[
            ("old.tar", tar_v7()),
            ("a.7z", b"7z\xbc\xaf\x27\x1c\x00\x04\x00\x00".to_vec()),
            ("b.rar", b"Rar!\x1a\x07\x01\x00\x33\x92".to_vec()),
        ],
        &[(
            "b.rar",
            "RAR archive: not read (no licence-compatible RAR reader; extract it with unrar \
             or 7z and scan the folder)",
        )],
    );
    assert!(
        reason(&v, "a.7z").starts_with("7-zip archive unreadable (truncated or damaged?): "),
        "{}",
        v["ledger"]
    );
    let member = file(&v, "old.tar!data.csv");
    assert_eq!(member["state"], "scanned", "{}", v["ledger"]);
    assert_eq!(member["valid"]["nik"], 1);
}

#[test]
fn rule1_ole2_documents_are_named_by_their_streams() {
    expect_failed(
        &[
            ("surat.doc", compound(&["WordDocument", "1Table"], b"")),
            (
                "pesan.msg",
                compound(&["__substg1.0_0037001F", "__properties_version1.0"], b""),
            ),
            ("slides.ppt", compound(&["PowerPoint Document"], b"")),
            // The name says xls; the directory says Word.
            ("laporan.xls", compound(&["WordDocument"], b"")),
        ],
        &[
            ("surat.doc", "Word document (.doc): not read yet"),
            ("pesan.msg", "Outlook message (.msg): not read yet"),
            ("slides.ppt", "PowerPoint presentation (.ppt): not read yet"),
            ("laporan.xls", "Word document (.doc): not read yet"),
        ],
    );
}

#[test]
fn rule1_an_ole2_of_no_known_kind_is_read_by_the_strings_pass() {
    let mut tail = b"\x00\x01".to_vec();
    tail.extend_from_slice(PERSON);
    tail.resize(512, 0);
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("thing.bin"), compound(&["Contents"], &tail)).unwrap();
    let (v, code) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0, "{}", v["ledger"]);
    let f = file(&v, "thing.bin");
    assert_scanned_as(f, "strings");
    assert_eq!(
        (&f["valid"]["nik"], &f["valid"]["phone"]),
        (&1.into(), &1.into())
    );
}

#[test]
fn rule1_zip_documents_are_not_workbooks_or_archives() {
    let odt = zip(
        &[
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", b"<office:document-content/>"),
        ],
        false,
    );
    let docx = zip(
        &[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", PERSON),
        ],
        false,
    );
    let pptx = zip(
        &[
            ("[Content_Types].xml", b"<Types/>"),
            ("ppt/presentation.xml", b"<p/>"),
        ],
        false,
    );
    let epub = zip(
        &[
            ("mimetype", b"application/epub+zip"),
            ("OEBPS/ch1.xhtml", PERSON),
        ],
        false,
    );
    let v = expect_failed(
        &[
            ("notes.odt", odt),
            ("letter.docx", docx),
            ("deck.pptx", pptx),
            ("book.epub", epub),
        ],
        &[
            ("deck.pptx", "PowerPoint presentation (PPTX): not read yet"),
            ("book.epub", "EPUB e-book: not read yet"),
        ],
    );
    // Text documents are read (tests/formats_documents.rs), not opened as archives.
    assert_eq!(file(&v, "notes.odt")["format"], "odt");
    assert_eq!(file(&v, "letter.docx")["format"], "docx");
}

#[test]
fn rule1_the_same_inside_zip_members_and_gzip_streams() {
    let docx = zip(
        &[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", PERSON),
        ],
        false,
    );
    let bundle = zip(
        &[
            ("scans/ktp.pdf", &pdf()),
            ("surat.doc", &compound(&["WordDocument"], b"")),
            ("letter.docx", &docx),
        ],
        false,
    );
    let v = expect_failed(
        &[
            ("bundle.zip", bundle),
            ("report.pdf.gz", gzip(&pdf(), Compression::fast())),
            ("users.bson.gz", gzip(&bson(), Compression::fast())),
            (
                "surat.doc.gz",
                gzip(&compound(&["WordDocument"], b""), Compression::fast()),
            ),
        ],
        &[
            ("bundle.zip!scans/ktp.pdf", PDF_UNREADABLE),
            ("bundle.zip!surat.doc", "Word document (.doc): not read yet"),
            ("report.pdf.gz", PDF_UNREADABLE),
            ("surat.doc.gz", "Word document (.doc): not read yet"),
        ],
    );
    // A mongodump --gzip file is read.
    assert_scanned_as(file(&v, "users.bson.gz"), "gzip bson");
}

#[test]
fn rule1_unknown_binary_is_read_by_the_strings_pass_media_stays_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A proprietary file: binary framing around an ASCII record and a UTF-16LE one.
    let mut blob = b"\x00\x01\x02\x03HDR\x00\xff\xfe".to_vec();
    blob.extend_from_slice(PERSON);
    blob.extend_from_slice(b"\x00\x00\x07");
    let wide = "nama Ani nik 3171014101900002 hp 081234567891";
    blob.extend(wide.encode_utf16().flat_map(u16::to_le_bytes));
    blob.extend_from_slice(b"\x00\x00\x13\x37");
    fs::write(d.join("app.dat"), &blob).unwrap();
    fs::write(d.join("app.dat.gz"), gzip(&blob, Compression::fast())).unwrap();
    fs::write(d.join("photo.png"), b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").unwrap();
    let mut elf = b"\x7fELF\x02\x01\x01\x00".to_vec();
    elf.extend_from_slice(PERSON);
    fs::write(d.join("tool"), elf).unwrap();
    let (v, code) = scan_json(d, &[]);
    assert_eq!(code, 0, "read or skipped, none failed: {}", v["ledger"]);
    for (path, format) in [("app.dat", "strings"), ("app.dat.gz", "gzip strings")] {
        let f = file(&v, path);
        assert_scanned_as(f, format);
        assert_eq!(f["records"], 2, "one record per run: {f}");
        assert_eq!(
            (&f["valid"]["nik"], &f["valid"]["phone"]),
            (&2.into(), &2.into()),
            "{f}"
        );
    }
    assert_eq!(reason(&v, "photo.png"), "binary (PNG image)");
    assert_eq!(reason(&v, "tool"), "binary (ELF executable)");
    assert_eq!(v["ledger"]["skipped"], 2);
}
