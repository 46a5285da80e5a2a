//! Every input format of SPEC §3: the fixtures of `fixtures/formats/` count like the
//! files they were made from; streams, archives and workbooks generated here count like their
//! plain content; one synthetic sample written in nine formats gives identical counts (the
//! format-invariance test); a mixed folder's ledger adds up to every file and member.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use flate2::Compression;
use serde_json::Value;

mod common;
use common::archives::{bzip2, gzip, xz, zip, zstd};
use common::paths::{fixtures, root};
use common::run::scan_json;
use common::samples::{delimited, jsonl, object, read_csv, same_counts, scan_ok, synth};

/// One row of `files`, without what differs between the forms of one content.
fn counts_of(row: &Value) -> Value {
    let mut r = row.clone();
    let m = r.as_object_mut().unwrap();
    // The hash is of the bytes, which differ between an entry and its source in another form.
    for k in ["path", "format", "bytes", "sha256"] {
        m.remove(k);
    }
    r
}

// ---------------------------------------------------------------------------------------
// fixtures/formats/
// ---------------------------------------------------------------------------------------

#[test]
fn format_fixtures_count_like_their_sources() {
    let tricky = fixtures().join("tricky");
    let formats = fixtures().join("formats");
    for (file, source, format) in [
        ("people_mysql.sql", "people.tsv", "sql"),
        ("people_pg.sql", "people.tsv", "sql"),
        ("people.xlsx", "people.tsv", "xlsx"),
        ("export.csv.gz", "card_field.csv", "gzip csv"),
    ] {
        let got = scan_ok(&formats.join(file));
        let want = scan_ok(&tricky.join(source));
        same_counts(file, &got, &want);
        assert_eq!(got["files"][0]["format"], format, "{file}");
        assert_eq!(got["files"][0]["path"], file);
        assert_eq!(got["ledger"]["entries"], 1, "{file}: one entry");
    }
    // SQL columns and sheet headers name fields for attribution like a header row does.
    let tsv = scan_ok(&tricky.join("people.tsv"));
    for file in ["people_mysql.sql", "people_pg.sql", "people.xlsx"] {
        let v = scan_ok(&formats.join(file));
        assert_eq!(v["attribution"], tsv["attribution"], "{file}");
    }
}

#[test]
fn zip_members_nested_archives_and_streams_are_entries() {
    let v = scan_ok(&fixtures().join("formats/bundle.zip"));
    let rows: Vec<&Value> = v["files"].as_array().unwrap().iter().collect();
    let paths: Vec<&str> = rows.iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        vec![
            "bundle.zip!data/people.tsv",
            "bundle.zip!empty.txt",
            "bundle.zip!export.csv.gz",
            "bundle.zip!nested/inner.zip!logs/app.log",
        ]
    );
    let tricky = fixtures().join("tricky");
    for (row, source) in [
        (rows[0], "people.tsv"),
        (rows[2], "card_field.csv"),
        (rows[3], "app.log"),
    ] {
        let plain = scan_ok(&tricky.join(source));
        assert_eq!(
            counts_of(row),
            counts_of(&plain["files"][0]),
            "{}",
            row["path"]
        );
    }
    assert_eq!(rows[1]["state"], "skipped");
    assert_eq!(rows[2]["format"], "gzip csv");
    let l = &v["ledger"];
    assert_eq!(
        (l["entries"].as_u64(), l["skipped"].as_u64()),
        (Some(4), Some(1))
    );
}

#[test]
fn damaged_archives_are_partial_or_failed_and_the_scan_exits_3() {
    let bad = root().join("fixtures-bad");
    let (v, code) = scan_json(&bad.join("bad_crc.zip"), &[]);
    assert_eq!(code, 3);
    let f = &v["files"][0];
    assert_eq!(f["path"], "bad_crc.zip!people.tsv");
    assert_eq!(f["state"], "partial");
    assert_eq!(f["records"], 3, "the records before the damage count");
    // Cut before its central directory: the members are read from their local headers up
    // to the cut; the archive's own entry says so.
    let (v, code) = scan_json(&bad.join("truncated.zip"), &[]);
    assert_eq!(code, 3);
    let rows: Vec<(&str, &str, u64)> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap(),
                f["state"].as_str().unwrap(),
                f["records"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("truncated.zip", "partial", 0),
            ("truncated.zip!data/people.tsv", "scanned", 3),
            ("truncated.zip!export.csv.gz", "partial", 13),
        ]
    );
    let (v, code) = scan_json(&bad.join("truncated.csv.gz"), &[]);
    assert_eq!(code, 3);
    assert_eq!(v["files"][0]["state"], "partial");
    assert_eq!(v["files"][0]["path"], "truncated.csv.gz");
}

// ---------------------------------------------------------------------------------------
// Streams and archives generated here
// ---------------------------------------------------------------------------------------

#[test]
fn every_stream_and_archive_kind_counts_like_its_content() {
    let dir = tempfile::tempdir().unwrap();
    let csv = fs::read(fixtures().join("tricky/card_field.csv")).unwrap();
    let plain = scan_ok(&fixtures().join("tricky/card_field.csv"));
    // Two gzip members, cut on a line.
    let cut = csv.iter().position(|&b| b == b'\n').unwrap() + 1;
    let mut multi = gzip(&csv[..cut], Compression::default());
    multi.extend(gzip(&csv[cut..], Compression::default()));
    let gz_in_zip = gzip(&csv, Compression::default());
    let inner = zip(&[("c.csv", &csv)], false);
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        ("multi.csv.gz", multi, "multi.csv.gz", "gzip csv"),
        ("data.csv.bz2", bzip2(&csv), "data.csv.bz2", "bzip2 csv"),
        ("data.csv.xz", xz(&csv), "data.csv.xz", "xz csv"),
        ("data.csv.zst", zstd(&csv), "data.csv.zst", "zstd csv"),
        (
            "deflated.zip",
            zip(&[("d/card.csv", &csv)], false),
            "deflated.zip!d/card.csv",
            "csv",
        ),
        (
            "gz_member.zip",
            zip(&[("card.csv.gz", &gz_in_zip)], false),
            "gz_member.zip!card.csv.gz",
            "gzip csv",
        ),
        (
            "nested.zip",
            zip(&[("b.zip", &zip(&[("in/c.zip", &inner)], true))], false),
            "nested.zip!b.zip!in/c.zip!c.csv",
            "csv",
        ),
        // A zip inside a gzip stream: spilled, then opened; named like a stream.
        (
            "export.zip.gz",
            gzip(&inner, Compression::default()),
            "export.zip.gz!c.csv",
            "csv",
        ),
        // Content decides, not the name.
        (
            "misnamed.txt",
            gzip(&csv, Compression::default()),
            "misnamed.txt",
            "gzip csv",
        ),
    ];
    for (file, bytes, entry, format) in cases {
        let path = dir.path().join(file);
        fs::write(&path, bytes).unwrap();
        let v = scan_ok(&path);
        assert_eq!(v["files"][0]["path"], entry, "{file}");
        assert_eq!(v["files"][0]["format"], format, "{file}");
        assert_eq!(v["ledger"]["entries"], 1, "{file}: {}", v["ledger"]);
        same_counts(file, &v, &plain);
    }
}

#[test]
fn nesting_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = b"nik\n3171014101900001\n".to_vec();
    for _ in 0..8 {
        data = gzip(&data, Compression::default());
    }
    let path = dir.path().join("deep.gz");
    fs::write(&path, data).unwrap();
    let v = scan_ok(&path);
    assert_eq!(v["files"][0]["state"], "skipped");
    let reason = v["ledger"]["problems"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("nested deeper"), "{reason}");

    // The limits are options: a deeper allowance opens all eight gzips, a tighter size or
    // ratio limit skips the stream with its reason.
    let (v, code) = scan_json(&path, &["--max-depth", "10"]);
    assert_eq!(code, 0);
    assert_eq!(v["files"][0]["state"], "scanned", "{}", v["ledger"]);
    assert_eq!(v["identifiers"]["nik"]["valid"], 1);
    let (v, _) = scan_json(&path, &["--max-depth", "10", "--max-entry-size", "8"]);
    assert_eq!(v["files"][0]["state"], "skipped", "{}", v["ledger"]);
    let reason = v["ledger"]["problems"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("too large"), "{reason}");
}

// ---------------------------------------------------------------------------------------
// Workbooks
// ---------------------------------------------------------------------------------------

#[test]
fn xlsx_every_sheet_header_rule_dates_and_excel_damage() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.xlsx");
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let s = wb.add_worksheet().set_name("peserta").unwrap();
    for (c, h) in ["NIK", "NAMA", "TGL_LAHIR", "NO_HP"].iter().enumerate() {
        s.write_string(0, c as u16, *h).unwrap();
    }
    // A numeric NIK that survived (it does not end in 0), with a date cell that confirms it.
    s.write_number(1, 0, 3171014101900001.0).unwrap();
    s.write_string(1, 1, "Ani").unwrap();
    let d = ExcelDateTime::from_ymd(1990, 1, 1).unwrap();
    s.write_datetime_with_format(1, 2, &d, &date).unwrap();
    s.write_string(1, 3, "0812-3456-7890").unwrap();
    // Numeric NIKs that went through Excel: 16 digits ending in 0, and 3.17101E+15.
    s.write_number(2, 0, 3171014101900010.0).unwrap();
    s.write_string(2, 1, "Budi").unwrap();
    s.write_number(3, 0, 3.17101e15).unwrap();
    s.write_string(3, 1, "Cici").unwrap();
    // A NIK as text, a birth date as text.
    s.write_string(4, 0, "3171010101900002").unwrap();
    s.write_string(4, 2, "01-01-1990").unwrap();
    // A blank row is not a record.
    s.write_string(5, 1, "  ").unwrap();
    // A second sheet without a header: no fields, any date in the row confirms.
    let s2 = wb.add_worksheet().set_name("catatan").unwrap();
    s2.write_string(2, 1, "3171010101900003 lahir 1 Januari 1990")
        .unwrap();
    s2.write_number(3, 0, 3171010101900040.0).unwrap();
    wb.add_worksheet().set_name("kosong").unwrap();
    wb.save(&path).unwrap();

    let v = scan_ok(&path);
    assert_eq!(v["ledger"]["entries"], 1, "a workbook is one entry");
    let f = &v["files"][0];
    assert_eq!(
        (f["path"].as_str(), f["format"].as_str()),
        (Some("book.xlsx"), Some("xlsx"))
    );
    let r = &v["records"];
    assert_eq!(r["total"], 6);
    assert_eq!(r["with_valid_nik"], 4);
    assert_eq!(r["confirmed"], 3);
    assert_eq!(r["confirmed_by"]["birth_date"], 3);
    let nik = &v["identifiers"]["nik"];
    assert_eq!(nik["damaged"], 2, "{nik}");
    // Outside a NIK field a numeric 16-digit cell ending in 0 is an ordinary candidate.
    assert_eq!(nik["candidates"], 4);
    assert_eq!(nik["valid"], 4);
    assert_eq!(nik["birth_date_agree"], 2);
    assert_eq!(v["identifiers"]["phone"]["valid"], 1);
}

#[test]
fn ods_sheets_are_read_too() {
    let dir = tempfile::tempdir().unwrap();
    let cell = |v: &str| {
        format!(
            "<table:table-cell office:value-type=\"string\"><text:p>{v}</text:p></table:table-cell>"
        )
    };
    let row = |cells: &[&str]| {
        format!(
            "<table:table-row>{}</table:table-row>",
            cells.iter().map(|c| cell(c)).collect::<String>()
        )
    };
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet><table:table table:name=\"peserta\">{}{}</table:table>\
         </office:spreadsheet></office:body></office:document-content>",
        row(&["NIK", "TGL_LAHIR"]),
        row(&["3171014101900001", "1990-01-01"]),
    );
    let manifest: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
        <manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\">\
        <manifest:file-entry manifest:full-path=\"/\" \
        manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
        <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
        </manifest:manifest>";
    let path = dir.path().join("book.ods");
    let bytes = zip(
        &[
            (
                "mimetype",
                b"application/vnd.oasis.opendocument.spreadsheet",
            ),
            ("META-INF/manifest.xml", manifest),
            ("content.xml", content.as_bytes()),
        ],
        true,
    );
    fs::write(&path, bytes).unwrap();
    let v = scan_ok(&path);
    assert_eq!(v["files"][0]["format"], "ods");
    assert_eq!(v["records"]["total"], 1);
    assert_eq!(v["records"]["confirmed"], 1, "{}", v["ledger"]);
}

#[test]
fn a_broken_workbook_fails_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    // A zip that says it is a workbook but holds no sheets' parts.
    let path = dir.path().join("broken.xlsx");
    fs::write(&path, zip(&[("xl/workbook.xml", b"<workbook")], true)).unwrap();
    let (v, code) = scan_json(&path, &[]);
    assert_eq!(code, 3);
    assert_eq!(v["files"][0]["state"], "failed");
    assert!(!v["ledger"]["problems"][0]["reason"]
        .as_str()
        .unwrap()
        .is_empty());
}

// ---------------------------------------------------------------------------------------
// Format invariance
// ---------------------------------------------------------------------------------------

fn json_array(header: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let all: Vec<Value> = rows.iter().map(|r| object(header, r)).collect();
    serde_json::to_vec_pretty(&Value::Array(all)).unwrap()
}

fn mysql(header: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let q = |v: &str| {
        if v.is_empty() {
            "NULL".to_string()
        } else {
            format!(
                "'{}'",
                v.replace('\\', "\\\\")
                    .replace('\'', "\\'")
                    .replace('\n', "\\n")
            )
        }
    };
    let mut s = String::from("-- MySQL dump 10.13\n/*!40101 SET NAMES utf8mb4 */;\n");
    s.push_str("CREATE TABLE `sample` (\n  `id` int NOT NULL,\n");
    for h in header {
        s.push_str(&format!("  `{h}` varchar(255) DEFAULT NULL,\n"));
    }
    s.push_str("  PRIMARY KEY (`id`)\n) ENGINE=InnoDB;\n");
    for (i, chunk) in rows.chunks(300).enumerate() {
        s.push_str("INSERT INTO `sample` VALUES ");
        let tuples: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(j, r)| {
                let vals: Vec<String> = r.iter().map(|v| q(v)).collect();
                format!("({},{})", i * 300 + j, vals.join(","))
            })
            .collect();
        s.push_str(&tuples.join(",\n"));
        s.push_str(";\n");
    }
    s.into_bytes()
}

fn pg_copy(header: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let e = |v: &str| {
        if v.is_empty() {
            "\\N".to_string()
        } else {
            v.replace('\\', "\\\\")
                .replace('\t', "\\t")
                .replace('\n', "\\n")
                .replace('\r', "\\r")
        }
    };
    let mut s = String::from(
        "--\n-- PostgreSQL database dump\n--\nSET standard_conforming_strings = on;\n",
    );
    let cols: Vec<String> = header.iter().map(|h| format!("\"{h}\"")).collect();
    s.push_str(&format!(
        "CREATE TABLE public.sample ({});\n",
        cols.iter()
            .map(|c| format!("{c} text"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    s.push_str(&format!(
        "COPY public.sample ({}) FROM stdin;\n",
        cols.join(", ")
    ));
    for r in rows {
        let vals: Vec<String> = r.iter().map(|v| e(v)).collect();
        s.push_str(&vals.join("\t"));
        s.push('\n');
    }
    s.push_str("\\.\n");
    s.into_bytes()
}

fn xlsx(header: &[String], rows: &[Vec<String>], path: &Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let s = wb.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        s.write_string(0, c as u16, h).unwrap();
    }
    for (i, r) in rows.iter().enumerate() {
        for (c, v) in r.iter().enumerate() {
            if !v.is_empty() {
                s.write_string(i as u32 + 1, c as u16, v).unwrap();
            }
        }
    }
    wb.save(path).unwrap();
}

#[test]
fn one_sample_in_nine_formats_gives_identical_counts() {
    let dir = tempfile::tempdir().unwrap();
    // Enough rows for several 1 MiB chunks in every text form.
    let csv_path = synth(&dir.path().join("synth"), 12_000, 7);
    let csv = fs::read(&csv_path).unwrap();
    let (header, rows) = read_csv(&csv_path);
    let out = dir.path().join("forms");
    fs::create_dir(&out).unwrap();
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("sample.csv", csv.clone()),
        ("sample.tsv", delimited(&header, &rows, b'\t')),
        ("sample.jsonl", jsonl(&header, &rows)),
        ("sample.json", json_array(&header, &rows)),
        ("sample_mysql.sql", mysql(&header, &rows)),
        ("sample_pg.sql", pg_copy(&header, &rows)),
        ("sample.csv.gz", gzip(&csv, Compression::default())),
        ("sample.zip", zip(&[("export/sample.csv", &csv)], false)),
    ];
    for (name, bytes) in files.drain(..) {
        fs::write(out.join(name), bytes).unwrap();
    }
    xlsx(&header, &rows, &out.join("sample.xlsx"));

    let reference = scan_ok(&out.join("sample.csv"));
    assert_eq!(reference["records"]["total"], 12_000);
    let mut formats = BTreeSet::new();
    for name in [
        "sample.tsv",
        "sample.jsonl",
        "sample.json",
        "sample_mysql.sql",
        "sample_pg.sql",
        "sample.xlsx",
        "sample.csv.gz",
        "sample.zip",
    ] {
        let v = scan_ok(&out.join(name));
        same_counts(name, &v, &reference);
        formats.insert(v["files"][0]["format"].as_str().unwrap().to_string());
    }
    assert_eq!(
        formats,
        ["csv", "gzip csv", "json", "jsonl", "sql", "tsv", "xlsx"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
    // The dumps and the workbook are split into chunks for every worker: the same summary
    // with any number of threads.
    for name in [
        "sample_mysql.sql",
        "sample_pg.sql",
        "sample.xlsx",
        "sample.csv.gz",
    ] {
        let strip = |mut v: Value| {
            common::summary::without_times(&mut v);
            v
        };
        let one = strip(scan_json(&out.join(name), &["-j1"]).0);
        for j in ["-j2", "-j8"] {
            assert!(
                one == strip(scan_json(&out.join(name), &[j]).0),
                "{name} {j}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// A mixed folder
// ---------------------------------------------------------------------------------------

#[test]
fn a_mixed_folder_accounts_for_every_file_and_member() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let tricky = fixtures().join("tricky");
    let formats = fixtures().join("formats");
    let csv = fs::read(tricky.join("card_field.csv")).unwrap();
    for (src, dst) in [
        (tricky.join("people.tsv"), "people.tsv"),
        (tricky.join("records.jsonl"), "sub/records.jsonl"),
        (tricky.join("binary.bin"), "binary.bin"),
        (tricky.join("image.png"), "image.png"),
        (tricky.join("empty.csv"), "empty.csv"),
        (formats.join("people_mysql.sql"), "dump/people.sql"),
        (formats.join("people_pg.sql"), "dump/people_pg.txt"),
        (formats.join("people.xlsx"), "people.xlsx"),
        (formats.join("bundle.zip"), "bundle.zip"),
        (
            root().join("fixtures-bad/truncated.csv.gz"),
            "truncated.csv.gz",
        ),
        (root().join("fixtures-bad/truncated.zip"), "truncated.zip"),
        (root().join("fixtures-bad/bad_crc.zip"), "bad_crc.zip"),
    ] {
        let to = d.join(dst);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(&src, &to).unwrap();
    }
    fs::write(d.join("data.csv.bz2"), bzip2(&csv)).unwrap();
    fs::write(d.join("data.csv.xz"), xz(&csv)).unwrap();
    fs::write(d.join("data.csv.zst"), zstd(&csv)).unwrap();
    fs::write(
        d.join("dirs_only.zip"),
        zip(&[("a/", b""), ("a/b/", b"")], true),
    )
    .unwrap();
    fs::write(d.join("empty.zip"), zip(&[], true)).unwrap();
    fs::write(d.join("archive.7z"), b"7z\xbc\xaf\x27\x1c\x00\x04").unwrap();

    let (v, code) = scan_json(d, &[]);
    assert_eq!(
        code, 3,
        "partial and failed entries make the scan incomplete"
    );
    let want: BTreeSet<&str> = [
        "bad_crc.zip!people.tsv",
        "binary.bin",
        "bundle.zip!data/people.tsv",
        "bundle.zip!empty.txt",
        "bundle.zip!export.csv.gz",
        "bundle.zip!nested/inner.zip!logs/app.log",
        "archive.7z",
        "data.csv.bz2",
        "data.csv.xz",
        "data.csv.zst",
        "dirs_only.zip",
        "dump/people.sql",
        "dump/people_pg.txt",
        "empty.csv",
        "empty.zip",
        "image.png",
        "people.tsv",
        "people.xlsx",
        "sub/records.jsonl",
        "truncated.csv.gz",
        "truncated.zip",
        "truncated.zip!data/people.tsv",
        "truncated.zip!export.csv.gz",
    ]
    .into_iter()
    .collect();
    let got: BTreeSet<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(got, want);
    let l = &v["ledger"];
    let n = |k: &str| l[k].as_u64().unwrap();
    assert_eq!(n("entries"), want.len() as u64);
    assert_eq!(
        n("scanned") + n("partial") + n("skipped") + n("failed"),
        n("entries"),
        "the ledger adds up"
    );
    assert_eq!(n("partial"), 4, "{l}");
    assert_eq!(n("failed"), 1, "archive.7z: {l}");
    assert_eq!(
        n("skipped"),
        5,
        "image, empty, empty member, empty zips (binary.bin is read by the strings pass): {l}"
    );
    let problems = l["problems"].as_array().unwrap();
    assert_eq!(problems.len() as u64, n("entries") - n("scanned"));
    for p in problems {
        assert!(!p["reason"].as_str().unwrap().is_empty(), "{p}");
    }
    let total: u64 = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["records"].as_u64().unwrap())
        .sum();
    assert_eq!(v["records"]["total"], total);
}

// ---------------------------------------------------------------------------------------
// Damage anywhere
// ---------------------------------------------------------------------------------------

#[test]
fn cut_or_flipped_inputs_of_every_format_never_crash_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    let mut sources: Vec<PathBuf> = Vec::new();
    for e in fs::read_dir(fixtures().join("formats")).unwrap() {
        let p = e.unwrap().path();
        match p.is_dir() {
            // A format group's folder (`formats/medical/`): its files.
            true => sources.extend(fs::read_dir(&p).unwrap().map(|e| e.unwrap().path())),
            false => sources.push(p),
        }
    }
    sources.sort();
    let csv = fs::read(fixtures().join("tricky/card_field.csv")).unwrap();
    let extra = dir.path().join("gen");
    fs::create_dir(&extra).unwrap();
    for (name, bytes) in [
        ("x.csv.bz2", bzip2(&csv)),
        ("x.csv.xz", xz(&csv)),
        ("x.csv.zst", zstd(&csv)),
        (
            "x.zip",
            zip(
                &[
                    ("a/x.csv", &csv),
                    ("b.csv.gz", &gzip(&csv, Compression::default())),
                ],
                false,
            ),
        ),
    ] {
        let p = extra.join(name);
        fs::write(&p, bytes).unwrap();
        sources.push(p);
    }
    let out = dir.path().join("damaged");
    fs::create_dir(&out).unwrap();
    let mut files = 0;
    for src in &sources {
        let bytes = fs::read(src).unwrap();
        let name = src.file_name().unwrap().to_string_lossy().to_string();
        let n = bytes.len();
        for k in 1..24 {
            let cut = n * k / 24;
            fs::write(out.join(format!("cut{k:02}_{name}")), &bytes[..cut]).unwrap();
            let mut flipped = bytes.clone();
            let at = (n * k / 24 + 7) % n;
            flipped[at] ^= 0x5a;
            fs::write(out.join(format!("flip{k:02}_{name}")), &flipped).unwrap();
            files += 2;
        }
    }
    let (v, code) = scan_json(&out, &["-j1"]);
    assert!(code == 0 || code == 3, "exit {code}");
    // Damage is reported the same way whatever the thread count.
    let strip = |mut v: Value| {
        common::summary::without_times(&mut v);
        v
    };
    assert!(
        strip(v.clone()) == strip(scan_json(&out, &["-j8"]).0),
        "-j1 and -j8 differ"
    );
    let l = &v["ledger"];
    let n = |k: &str| l[k].as_u64().unwrap();
    assert!(
        n("entries") >= files,
        "{} entries for {files} files",
        n("entries")
    );
    assert_eq!(
        n("scanned") + n("partial") + n("skipped") + n("failed"),
        n("entries")
    );
}
