//! Hostile and broken inputs: every case of the bad-input corpus is generated here
//! into a temporary folder (nothing large is committed), beside a small valid CSV whose
//! counts are known, and scanned by the real binary. Each case states and asserts:
//!
//! - no panic, and the exit code SPEC §2 gives (0, or 3 when an entry is `partial`/`failed`);
//! - a bound on wall time and on the scan's peak memory (`wait4` reports the resident peak
//!   of that one child, so the cases may run side by side; on Linux it may include the test
//!   process's own size at the moment of the spawn, some 60 MB, so the smallest bound is
//!   150 MB for scans that take 10-25 MB);
//! - the ledger entry and its reason, and a ledger that adds up to every file;
//! - the valid CSV beside the bad file still counted in full.
//!
//! The two multi-gigabyte cases run one after the other in one test, so that the disk and
//! the two cores are not shared between them.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::archives::{gzip, zip};
use common::bombs;
use common::measure::{scan, scan_stdin, Run, Running};
use common::run::triage_path;
use common::summary::assert_scanned_as;
use flate2::Compression;

const MIB: usize = 1 << 20;

/// The valid file put beside every bad one: two records, two valid NIKs, two valid phones.
const GOOD_CSV: &[u8] = b"nama,nik,hp\n\
Budi,3171010101900001,081234567890\n\
Ani,3171014101900002,081234567891\n";

/// The check every case of this file shares: the valid CSV beside the bad file was read in
/// full.
impl Run {
    fn good_counted(&self, path: &str) {
        let f = self.file(path);
        assert_eq!(f["state"], "scanned", "{f}");
        assert_eq!(f["records"], 2, "{f}");
        assert_eq!(f["valid"]["nik"], 2, "{f}");
        assert_eq!(f["valid"]["phone"], 2, "{f}");
    }
}

/// A temporary folder holding `ok.csv`.
fn folder() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join("ok.csv"), GOOD_CSV).unwrap();
    d
}

/// Writes `total` bytes by repeating `block`.
fn write_repeated(path: &Path, head: &[u8], block: &[u8], total: usize, tail: &[u8]) {
    let mut w = BufWriter::with_capacity(MIB, File::create(path).unwrap());
    w.write_all(head).unwrap();
    let mut left = total;
    while left > 0 {
        let n = left.min(block.len());
        w.write_all(&block[..n]).unwrap();
        left -= n;
    }
    w.write_all(tail).unwrap();
    w.flush().unwrap();
}

/// One MiB of text without a line break, holding one valid NIK per KiB.
fn text_block() -> Vec<u8> {
    let mut b = Vec::with_capacity(MIB);
    while b.len() < MIB {
        b.extend_from_slice(b" kode 3171010101900001 ");
        while b.len() % 1024 != 0 {
            b.push(b'a' + (b.len() % 26) as u8);
        }
    }
    b.truncate(MIB);
    b
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

// -----------------------------------------------------------------------------------------
// Very large inputs: one after the other.
// -----------------------------------------------------------------------------------------

#[test]
fn a_2gb_file_without_newline_and_a_500mb_line() {
    // 2 GiB without a line break: cut into 64 MiB records (the default --max-record), every
    // piece read, the entry `partial` with the reason, exit 3. Bound: 90 s, 700 MB (four
    // records in flight on two workers plus the one being read).
    let d = folder();
    let block = text_block();
    let t = Instant::now();
    write_repeated(&d.path().join("huge.txt"), b"", &block, 2048 * MIB, b"");
    eprintln!("wrote 2 GiB in {:?}", t.elapsed());
    let r = scan(&[d.path()], &[]);
    r.check("2 GB without a newline", 3, secs(90), 700);
    r.good_counted("ok.csv");
    let f = r.file("huge.txt");
    assert_eq!(f["state"], "partial");
    assert!(
        r.reason("huge.txt")
            .contains("32 record(s) longer than --max-record"),
        "{}",
        r.reason("huge.txt")
    );
    // Every byte was read: about one NIK per KiB survives the 32 cuts.
    let nik = f["valid"]["nik"].as_u64().unwrap();
    assert!(nik >= 2 * 1024 * 1024 - 64, "{nik}");
    fs::remove_file(d.path().join("huge.txt")).unwrap();

    // A CSV whose second data row is 500 MB long: the rows after it still count as records
    // of the CSV. Bound: 45 s, 700 MB.
    let mut head = GOOD_CSV.to_vec();
    head.extend_from_slice(b"Long,");
    let tail = b"\nCici,3171014101900003,081234567892\nDodi,3171014101900004,081234567893\n";
    write_repeated(&d.path().join("long.csv"), &head, &block, 500 * MIB, tail);
    let r = scan(&[d.path()], &[]);
    r.check("one 500 MB line", 3, secs(45), 700);
    r.good_counted("ok.csv");
    let f = r.file("long.csv");
    assert_eq!(f["state"], "partial", "{f}");
    assert!(r.reason("long.csv").contains("longer than --max-record"));
    assert_eq!(f["format"], "csv");
    let nik = f["valid"]["nik"].as_u64().unwrap();
    assert!(nik >= 500 * 1024 - 16 + 4, "{nik}");
    // With a record limit above the line, it is one record and the file is complete.
    let r = scan(&[&d.path().join("long.csv")], &["--max-record", "1G"]);
    r.check("one 500 MB line, --max-record 1G", 0, secs(45), 2500);
    assert_eq!(r.file("long.csv")["records"], 5);
}

// -----------------------------------------------------------------------------------------
// Broken text.
// -----------------------------------------------------------------------------------------

const ROW: &[u8] = b"Budi,3171010101900001,081234567890\n";

#[test]
fn a_csv_with_an_unterminated_quote_at_the_start() {
    // The quote never closes: not a table, so every line is read as text and nothing is
    // lost. Bound: 10 s, 200 MB.
    let d = folder();
    let mut bad = b"\"nama,nik,hp\n".to_vec();
    for _ in 0..1000 {
        bad.extend_from_slice(ROW);
    }
    fs::write(d.path().join("quote.csv"), &bad).unwrap();
    let r = scan(&[d.path()], &[]);
    r.check("unterminated quote", 0, secs(10), 200);
    r.good_counted("ok.csv");
    let f = r.file("quote.csv");
    assert_eq!(f["state"], "scanned");
    assert_eq!(f["valid"]["nik"], 1000);
    assert_eq!(f["valid"]["phone"], 1000);
}

#[test]
fn an_unterminated_quote_in_a_large_table_is_bounded() {
    // A real table whose 3rd row opens a quote that never closes, followed by 8 MiB of rows:
    // the quoted field runs to --max-record (1M here) and is cut, the rows in it read as one
    // field's text, so their NIKs still count. Bound: 20 s, 200 MB.
    let d = folder();
    let mut bad = GOOD_CSV.to_vec();
    bad.extend_from_slice(b"Eko,\"3171010101900001,081234567890\n");
    let rows = 8 * MIB / ROW.len();
    for _ in 0..rows {
        bad.extend_from_slice(ROW);
    }
    fs::write(d.path().join("open.csv"), &bad).unwrap();
    let r = scan(&[d.path()], &["--max-record", "1M"]);
    r.check("quote opened in a table", 3, secs(20), 200);
    r.good_counted("ok.csv");
    let f = r.file("open.csv");
    assert_eq!(f["state"], "partial");
    // Cut once, after which the rows parse as rows again: at most the NIK at the cut is lost.
    let reason = r.reason("open.csv");
    assert!(
        reason.contains("1 record(s) longer than --max-record (1048576 bytes)"),
        "{reason}"
    );
    let nik = f["valid"]["nik"].as_u64().unwrap();
    assert!((rows as u64 + 2..=rows as u64 + 3).contains(&nik), "{nik}");
}

#[test]
fn ten_thousand_columns() {
    // 10,000 named columns, 50 rows, a NIK in every 100th column. Bound: 10 s, 200 MB.
    let d = folder();
    let mut t = (0..10_000)
        .map(|i| format!("c{i}"))
        .collect::<Vec<_>>()
        .join(",");
    t.push('\n');
    let row = (0..10_000)
        .map(|i| {
            if i % 100 == 0 {
                "3171010101900001"
            } else {
                "x"
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    for _ in 0..50 {
        t.push_str(&row);
        t.push('\n');
    }
    fs::write(d.path().join("wide.csv"), t).unwrap();
    let r = scan(&[d.path()], &[]);
    r.check("10,000 columns", 0, secs(10), 200);
    r.good_counted("ok.csv");
    let f = r.file("wide.csv");
    assert_scanned_as(f, "csv");
    assert_eq!(f["records"], 50);
    assert_eq!(f["valid"]["nik"], 5000);
}

#[test]
fn json_nested_100000_levels() {
    // No recursion follows the nesting: deeper than the parser's limit is read as text, so
    // the NIK at the bottom still counts. Bound: 10 s, 200 MB (no stack overflow).
    let d = folder();
    let n = 100_000;
    let mut j = b"[".to_vec();
    j.extend(std::iter::repeat_n(&b"{\"a\":"[..], n).flatten());
    j.extend_from_slice(b"{\"nik\":\"3171010101900001\"}");
    j.extend(std::iter::repeat_n(b'}', n));
    j.extend_from_slice(b",\n{\"nik\":\"3171014101900002\"}]\n");
    fs::write(d.path().join("deep.json"), &j).unwrap();
    let mut arr = b"{\"nik\":\"3171014101900002\"}\n".to_vec();
    arr.extend(std::iter::repeat_n(b'[', n));
    arr.extend(std::iter::repeat_n(b']', n));
    arr.extend_from_slice(b"\n{\"nik\":\"3171014101900002\"}\n");
    fs::write(d.path().join("deep.jsonl"), &arr).unwrap();
    let r = scan(&[d.path()], &[]);
    r.check("JSON 100,000 deep", 0, secs(10), 200);
    r.good_counted("ok.csv");
    let f = r.file("deep.json");
    assert_scanned_as(f, "json");
    assert_eq!(f["records"], 2);
    assert_eq!(f["valid"]["nik"], 2);
    let f = r.file("deep.jsonl");
    assert_scanned_as(f, "jsonl");
    assert_eq!(f["valid"]["nik"], 2);
}

#[test]
fn json_lines_with_every_other_line_broken() {
    // A broken line is still a record, read as text: nothing in it is lost, nothing invented.
    // Bound: 10 s, 200 MB.
    let d = folder();
    let mut t = Vec::new();
    for i in 0..1000 {
        if i % 2 == 0 {
            t.extend_from_slice(b"{\"nik\":\"3171010101900001\",\"hp\":\"081234567890\"}\n");
        } else {
            t.extend_from_slice(b"{\"nik\":\"3171014101900002\",\"hp\":\"0812\n");
        }
    }
    fs::write(d.path().join("half.jsonl"), &t).unwrap();
    let r = scan(&[d.path()], &[]);
    r.check("JSONL half broken", 0, secs(10), 200);
    r.good_counted("ok.csv");
    let f = r.file("half.jsonl");
    assert_scanned_as(f, "jsonl");
    assert_eq!(f["records"], 1000);
    assert_eq!(f["valid"]["nik"], 1000);
    assert_eq!(f["valid"]["phone"], 500);
}

#[test]
fn invalid_utf8_everywhere() {
    // Every byte 0x80-0xFF between the values: read as Windows-1252, the NIKs still count.
    // Bound: 10 s, 200 MB.
    let d = folder();
    let mut t = Vec::new();
    for i in 0..2000u32 {
        t.extend((0x80..=0xFFu8).cycle().skip(i as usize % 128).take(300));
        t.extend_from_slice(b" 3171010101900001 ");
        t.extend((0x80..=0xFFu8).take(40));
        t.push(b'\n');
    }
    fs::write(d.path().join("latin.txt"), &t).unwrap();
    let r = scan(&[d.path()], &[]);
    r.check("invalid UTF-8", 0, secs(10), 200);
    r.good_counted("ok.csv");
    let f = r.file("latin.txt");
    assert_eq!(f["state"], "scanned");
    assert_eq!(f["records"], 2000);
    assert_eq!(f["valid"]["nik"], 2000);
}

#[test]
fn nul_bytes_after_the_first_block() {
    // Binary is decided on the first 64 KiB: NUL bytes after it are data; the rows on both
    // sides of them count. Bound: 10 s, 200 MB.
    let d = folder();
    let mut t = GOOD_CSV.to_vec();
    for _ in 0..3000 {
        t.extend_from_slice(ROW);
    }
    assert!(t.len() > 64 << 10);
    t.extend(std::iter::repeat_n(0u8, 100_000));
    t.push(b'\n');
    for _ in 0..10 {
        t.extend_from_slice(ROW);
    }
    fs::write(d.path().join("nul.csv"), &t).unwrap();
    // And one with a NUL in the first block: a binary of no known format, read by the
    // strings pass (robustness rule 1), one record per printable run.
    let mut b = GOOD_CSV.to_vec();
    b.extend_from_slice(b"\0\0\0\0");
    fs::write(d.path().join("early.csv"), &b).unwrap();
    let r = scan(&[d.path()], &[]);
    r.check("NUL after the first block", 0, secs(10), 200);
    r.good_counted("ok.csv");
    let f = r.file("nul.csv");
    assert_scanned_as(f, "csv");
    assert_eq!(f["valid"]["nik"], 3012);
    let f = r.file("early.csv");
    assert_scanned_as(f, "strings");
    assert_eq!((&f["records"], &f["valid"]["nik"]), (&3.into(), &2.into()));
}

#[test]
fn rule1_a_large_unknown_binary_streams_through_the_strings_pass() {
    // Robustness rule 1: 256 MiB of a proprietary binary (no known magic) holding one record
    // per 64 KiB, among binary framing and noise that makes short runs, is read by the
    // strings pass: every record counted, in one streaming pass. Bound: 60 s, 150 MB.
    let d = folder();
    let mut block = Vec::with_capacity(64 << 10);
    while block.len() < 64 << 10 {
        let i = block.len();
        block.extend_from_slice(&[0, 1, (i % 251) as u8, 0xfe, b'x', b'y', 0x90, 0]);
    }
    let record = b"\x00nik 3171014101900001 hp 081234567890\x00";
    block[4096..4096 + record.len()].copy_from_slice(record);
    write_repeated(
        &d.path().join("store.db"),
        b"\x13\x37",
        &block,
        256 * MIB,
        b"",
    );
    let r = scan(&[d.path()], &[]);
    r.check("large unknown binary", 0, secs(60), 150);
    r.good_counted("ok.csv");
    let f = r.file("store.db");
    assert_scanned_as(f, "strings");
    assert_eq!(f["valid"]["nik"], 4096, "{f}");
    assert_eq!(f["valid"]["phone"], 4096, "{f}");
}

// -----------------------------------------------------------------------------------------
// Archives.
// -----------------------------------------------------------------------------------------

#[test]
fn a_zip_bomb_beside_a_good_file() {
    // The 1 GiB member is `skipped: too large` (not incomplete). Bound: 5 s, 150 MB.
    let d = folder();
    let (deflate, crc) = bombs::deflate_bomb(1024, b'a');
    fs::write(
        d.path().join("bomb.zip"),
        bombs::zip_one("data.csv", &deflate, crc, 1 << 30),
    )
    .unwrap();
    let r = scan(&[d.path()], &[]);
    r.check("zip bomb", 0, secs(5), 150);
    r.good_counted("ok.csv");
    assert_eq!(r.file("bomb.zip!data.csv")["state"], "skipped");
    assert!(r.reason("bomb.zip!data.csv").starts_with("too large"));
}

/// A compound file (the XLS container) of 512-byte sectors: sector 0 is the FAT, sector 1 the
/// directory (a root entry and a 4 KiB `Workbook` stream at sector 2), and `dir_next` is the
/// FAT's entry for the directory's sector (`0xFFFF_FFFE` ends the chain).
fn compound_file(dir_next: u32) -> Vec<u8> {
    let mut h = vec![0u8; 512];
    h[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    h[26] = 3;
    h[30] = 9;
    h[32] = 6;
    h[44] = 1;
    h[48] = 1;
    h[60..64].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
    h[68..72].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
    for (i, c) in h[76..].chunks_exact_mut(4).enumerate() {
        c.copy_from_slice(&(if i == 0 { 0 } else { u32::MAX }).to_le_bytes());
    }
    let mut fat = vec![0xFFu8; 512];
    let chain = [0xFFFF_FFFD, dir_next, 3, 4, 5, 6, 7, 8, 9, 0xFFFF_FFFE];
    for (c, v) in fat.chunks_exact_mut(4).zip(chain) {
        c.copy_from_slice(&v.to_le_bytes());
    }
    let mut dir = vec![0u8; 512];
    for (k, name, start, len) in [(0, "Root Entry", 0xFFFF_FFFE, 0), (1, "Workbook", 2, 4096)] {
        let e = &mut dir[128 * k..128 * (k + 1)];
        for (i, c) in name.encode_utf16().enumerate() {
            e[2 * i..2 * i + 2].copy_from_slice(&c.to_le_bytes());
        }
        e[116..120].copy_from_slice(&u32::to_le_bytes(start));
        e[120..124].copy_from_slice(&u32::to_le_bytes(len));
    }
    let mut out = h;
    out.extend(fat);
    out.extend(dir);
    out.extend(vec![0u8; 8 * 512]);
    out
}

#[test]
fn workbooks_that_would_exhaust_memory() {
    // calamine reserves an XLSX's declared shared-string count up front (a failed allocation
    // aborts the process: no output at all), and follows an XLS's sector chains without a
    // step limit (a chain that loops grows memory without end). Both are `failed` with a
    // reason, also inside a zip, and the scan goes on. Bound: 10 s, 150 MB.
    let d = folder();
    let xlsx = zip(
        &[
            ("xl/workbook.xml", b"<workbook/>"),
            (
                "xl/sharedStrings.xml",
                br#"<sst uniqueCount="4294967295"/>"#,
            ),
        ],
        false,
    );
    fs::write(d.path().join("strings.xlsx"), &xlsx).unwrap();
    fs::write(d.path().join("loop.xls"), compound_file(1)).unwrap();
    fs::write(
        d.path().join("books.zip"),
        zip(&[("a.xlsx", &xlsx), ("b.xls", &compound_file(1))], false),
    )
    .unwrap();
    // The same compound file with its chain ended is read (an empty workbook).
    fs::write(d.path().join("fine.xls"), compound_file(0xFFFF_FFFE)).unwrap();
    let r = scan(&[d.path()], &["-j1"]);
    r.check("workbooks that would exhaust memory", 3, secs(10), 150);
    r.good_counted("ok.csv");
    for (path, why) in [
        ("strings.xlsx", "declares 4294967295 strings"),
        ("books.zip!a.xlsx", "declares 4294967295 strings"),
        ("loop.xls", "directory chain loops"),
        ("books.zip!b.xls", "directory chain loops"),
    ] {
        assert_eq!(r.file(path)["state"], "failed", "{path}");
        assert!(r.reason(path).contains(why), "{path}: {}", r.reason(path));
    }
    assert_ne!(r.file("fine.xls")["state"], "failed", "{}", r.v["ledger"]);
}

#[test]
fn a_panic_in_a_workbook_library_fails_that_entry_only() {
    // calamine 0.35 slices an XLSB sheet record by the length it claims (here 1 byte for a
    // record that needs 8) and panics; the panic is caught for that entry, which fails with
    // the message, and the folder's other files are read. Bound: 5 s, 150 MB.
    let d = folder();
    fs::write(
        d.path().join("short.xlsb"),
        zip(&[("xl/workbook.bin", &[0x9C, 0x01, 0x01, 0x00])], false),
    )
    .unwrap();
    let r = scan(&[d.path()], &["-j1"]);
    assert_eq!(r.code, 3, "{}", r.v["ledger"]);
    assert!(r.elapsed < secs(5) && r.rss < 150_000_000);
    r.good_counted("ok.csv");
    assert_eq!(r.file("short.xlsb")["state"], "failed");
    // A calamine that reads the record safely makes it an ordinary unreadable workbook.
    let why = r.reason("short.xlsb");
    // The ledger reports the panic; it is not also printed (with a backtrace) on stderr.
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert!(
        why.starts_with("the reader crashed (a bug in triage or a library it uses): ")
            || why.starts_with("xlsb unreadable"),
        "{why}"
    );
}

#[test]
fn a_zip_member_named_with_a_path_traversal() {
    // Members are read in memory, never extracted: `../../x` is only a name in the ledger,
    // and nothing is written outside (or inside) the scanned folder. Bound: 5 s, 150 MB.
    let d = folder();
    let sub = d.path().join("a/b");
    fs::create_dir_all(&sub).unwrap();
    fs::write(
        sub.join("trav.zip"),
        zip(
            &[("../../escaped.csv", GOOD_CSV), ("/etc/passwd", GOOD_CSV)],
            false,
        ),
    )
    .unwrap();
    let before = listing(d.path());
    let r = scan(&[d.path()], &[]);
    r.check("path traversal in a zip", 0, secs(5), 150);
    r.good_counted("ok.csv");
    r.good_counted("a/b/trav.zip!../../escaped.csv");
    r.good_counted("a/b/trav.zip!/etc/passwd");
    assert_eq!(listing(d.path()), before, "the scan wrote nothing");
}

/// Every path below `dir`, sorted.
fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p.clone());
            }
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn archives_nested_20_deep() {
    // 20 zips in zips, and 20 gzips of gzips: opened to --max-depth (5), the level below it
    // `skipped` with the reason; with --max-depth 25 the CSV at the bottom counts.
    // Bound: 10 s, 200 MB each.
    let d = folder();
    let mut z = GOOD_CSV.to_vec();
    let mut name = "ok.csv".to_string();
    for i in 0..20 {
        z = zip(&[(&name, &z)], false);
        name = format!("l{i}.zip");
    }
    fs::write(d.path().join("nest.zip"), &z).unwrap();
    let mut g = GOOD_CSV.to_vec();
    for _ in 0..20 {
        g = gzip(&g, Compression::fast());
    }
    fs::write(d.path().join("nest.csv.gz"), &g).unwrap();

    let r = scan(&[d.path()], &[]);
    r.check("nested 20 deep", 0, secs(10), 200);
    r.good_counted("ok.csv");
    let deep = "nest.zip!l18.zip!l17.zip!l16.zip!l15.zip!l14.zip";
    assert_eq!(r.file(deep)["state"], "skipped");
    assert!(
        r.reason(deep).contains("nested deeper than 5"),
        "{}",
        r.reason(deep)
    );
    assert_eq!(r.file("nest.csv.gz")["state"], "skipped");
    assert!(r.reason("nest.csv.gz").contains("nested deeper than 5"));
    assert_eq!(r.v["ledger"]["entries"], 3);

    let r = scan(&[d.path()], &["--max-depth", "25"]);
    r.check("nested 20 deep, --max-depth 25", 0, secs(10), 200);
    r.good_counted("nest.csv.gz");
    let bottom = format!(
        "nest.zip!{}!ok.csv",
        (0..19)
            .rev()
            .map(|i| format!("l{i}.zip"))
            .collect::<Vec<_>>()
            .join("!")
    );
    r.good_counted(&bottom);
}

#[test]
fn a_gzip_of_a_gzip_of_a_gzip() {
    // Three streams deep is within the default depth: read like the CSV inside.
    // Bound: 5 s, 150 MB.
    let d = folder();
    fs::write(
        d.path().join("x.csv.gz.gz.gz"),
        gzip(
            &gzip(&gzip(GOOD_CSV, Compression::fast()), Compression::fast()),
            Compression::fast(),
        ),
    )
    .unwrap();
    let r = scan(&[d.path()], &[]);
    r.check("gzip of gzip of gzip", 0, secs(5), 150);
    r.good_counted("ok.csv");
    r.good_counted("x.csv.gz.gz.gz");
    assert_eq!(r.file("x.csv.gz.gz.gz")["format"], "gzip gzip gzip csv");
}

// -----------------------------------------------------------------------------------------
// The file system.
// -----------------------------------------------------------------------------------------

fn mkfifo(path: &Path) {
    let c =
        std::ffi::CString::new(std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str())).unwrap();
    // SAFETY: a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

#[test]
fn a_fifo_in_a_folder_and_as_an_argument() {
    // Nobody ever writes to the FIFO in the folder: opening it would block for ever. Found by
    // the walk, it is `skipped`, not opened. Named as an argument, it is read as a stream
    // once its writer comes. Bound: 5 s, 150 MB.
    let d = folder();
    let fifo = d.path().join("pipe.csv");
    mkfifo(&fifo);
    let r = scan(&[d.path()], &[]);
    r.check("FIFO in a folder", 0, secs(5), 150);
    r.good_counted("ok.csv");
    assert_eq!(r.file("pipe.csv")["state"], "skipped");
    assert!(r.reason("pipe.csv").contains("FIFO"));
    let writer = write_fifo_when_read(&fifo, GOOD_CSV);
    let r = scan(&[&fifo, &d.path().join("ok.csv")], &[]);
    assert!(writer.join().unwrap(), "the scan never opened the FIFO");
    r.check("FIFO as an argument", 0, secs(5), 150);
    r.good_counted(&format!("{}", fifo.display()));
}

/// Writes `data` into the FIFO `path` once a reader has opened it, giving up after 10 s
/// (a scan that never opens it must fail the test, not hang it); whether it wrote.
fn write_fifo_when_read(path: &Path, data: &'static [u8]) -> std::thread::JoinHandle<bool> {
    use std::os::unix::fs::OpenOptionsExt;
    let path = path.to_path_buf();
    std::thread::spawn(move || {
        let t = Instant::now();
        while t.elapsed() < secs(10) {
            // Without a reader, a non-blocking open for writing fails (ENXIO).
            let open = fs::OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(&path);
            if let Ok(mut f) = open {
                return f.write_all(data).is_ok();
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        false
    })
}

#[test]
fn a_file_that_disappears_during_the_scan() {
    // Deterministic: with one worker, entries are read in walk order, and the walk is done
    // before the first file is opened. Once the scan holds `a_big.txt` open, `z_gone.csv`
    // (listed, not yet opened) is removed: it must be `failed` with a clear reason, exit 3.
    // Bound: 30 s, 300 MB.
    let d = folder();
    let mut block = text_block();
    for i in (1023..block.len()).step_by(1024) {
        block[i] = b'\n';
    }
    write_repeated(&d.path().join("a_big.txt"), b"", &block, 300 * MIB, b"");
    let gone = d.path().join("z_gone.csv");
    fs::write(&gone, GOOD_CSV).unwrap();
    let t = Instant::now();
    let running = Running::start(&[d.path()], &["-j", "1"], Stdio::null());
    let fds = PathBuf::from(format!("/proc/{}/fd", running.child.id()));
    let big = d.path().join("a_big.txt");
    let mut seen = false;
    while !seen && t.elapsed() < secs(30) {
        seen = fs::read_dir(&fds)
            .map(|rd| {
                rd.filter_map(|e| fs::read_link(e.ok()?.path()).ok())
                    .any(|p| p == big)
            })
            .unwrap_or(false);
        if !seen {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    assert!(seen, "the scan never opened a_big.txt");
    fs::remove_file(&gone).unwrap();
    let r = running.finish();
    r.check("file removed during the scan", 3, secs(30), 300);
    r.good_counted("ok.csv");
    assert_eq!(r.file("a_big.txt")["state"], "scanned");
    assert_eq!(r.file("z_gone.csv")["state"], "failed");
    assert!(
        r.reason("z_gone.csv").contains("removed during the scan"),
        "{}",
        r.reason("z_gone.csv")
    );
}

#[test]
fn a_path_that_does_not_exist() {
    // A root that cannot be read at all is fatal (SPEC §2: exit 2), with the path in the
    // message; a dangling symlink inside a folder is only `skipped`. Bound: 5 s.
    let d = folder();
    std::os::unix::fs::symlink(d.path().join("nowhere"), d.path().join("dangling.csv")).unwrap();
    let missing = d.path().join("missing.csv");
    let t = Instant::now();
    let out = Command::new(triage_path())
        .arg("scan")
        .arg(&missing)
        .args(["--json", "--no-progress"])
        .output()
        .unwrap();
    assert!(t.elapsed() < secs(5));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("missing.csv"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let r = scan(&[d.path()], &[]);
    r.check("dangling symlink", 0, secs(5), 150);
    r.good_counted("ok.csv");
    assert!(r.reason("dangling.csv").contains("symlink"));
}

#[test]
fn an_unreadable_file_and_folder() {
    // chmod 000: `failed: cannot open: Permission denied`, exit 3. Root reads through
    // permissions, so as root only the rest is checked. Bound: 5 s, 150 MB.
    let d = folder();
    let secret = d.path().join("secret.csv");
    fs::write(&secret, GOOD_CSV).unwrap();
    let locked = d.path().join("locked");
    fs::create_dir(&locked).unwrap();
    fs::write(locked.join("inner.csv"), GOOD_CSV).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    let root = unsafe { libc::geteuid() } == 0;
    let r = scan(&[d.path()], &[]);
    // Give the temporary folder back its permissions before any assertion can fail.
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o700)).unwrap();
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o600)).unwrap();
    if root {
        eprintln!("running as root: chmod 000 does not stop reads; not asserting `failed`");
        r.check("unreadable (as root)", 0, secs(5), 150);
        r.good_counted("secret.csv");
        r.good_counted("locked/inner.csv");
    } else {
        r.check("unreadable", 3, secs(5), 150);
        assert_eq!(r.file("secret.csv")["state"], "failed");
        assert!(r.reason("secret.csv").contains("ermission denied"));
        assert_eq!(r.file("locked")["state"], "failed");
        assert!(r.reason("locked").contains("cannot read directory"));
    }
    r.good_counted("ok.csv");
}

#[test]
fn a_symlink_loop() {
    // Symlinks below a root are never followed: `a -> b -> a` and `self -> .` are
    // `skipped`, the walk ends. Named as arguments they are followed, as `find -H` does
    // (roots as named): `self` is the folder, walked once, its links still `skipped`; `a`
    // leads nowhere, an unreadable root (exit 2, like a missing one). Bound: 5 s, 150 MB.
    let d = folder();
    let p = d.path();
    std::os::unix::fs::symlink(p.join("a"), p.join("b")).unwrap();
    std::os::unix::fs::symlink(p.join("b"), p.join("a")).unwrap();
    std::os::unix::fs::symlink(".", p.join("self")).unwrap();
    let r = scan(&[p], &[]);
    r.check("symlink loop", 0, secs(5), 150);
    r.good_counted("ok.csv");
    for name in ["a", "b", "self"] {
        assert_eq!(r.file(name)["state"], "skipped");
        assert!(r.reason(name).contains("symlink (not followed)"));
    }
    let r = scan(&[&p.join("self")], &[]);
    r.check("symlink to its own folder as an argument", 0, secs(5), 150);
    r.good_counted("ok.csv");
    assert_eq!(r.v["ledger"]["skipped"], 3);
    let t = Instant::now();
    let out = Command::new(triage_path())
        .arg("scan")
        .arg(p.join("a"))
        .args(["--json", "--no-progress"])
        .output()
        .unwrap();
    assert!(t.elapsed() < secs(5));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("a symlink that cannot be followed"), "{err}");
}

#[test]
fn rule2_symlinked_root_is_followed() {
    // A linked evidence folder and a linked file, named as arguments, are read as what they
    // point to (`find -H`); a symlink inside the linked folder is still not followed. Before:
    // `skipped: symlink`, 0 records, exit 0. Bound: 5 s, 150 MB.
    let d = tempfile::tempdir().unwrap();
    let real = folder();
    std::os::unix::fs::symlink(real.path().join("ok.csv"), real.path().join("inner.csv")).unwrap();
    let evidence = d.path().join("evidence");
    std::os::unix::fs::symlink(real.path(), &evidence).unwrap();
    let r = scan(&[&evidence], &[]);
    r.check("symlinked folder", 0, secs(5), 150);
    r.good_counted("ok.csv");
    assert_eq!(r.file("inner.csv")["state"], "skipped");
    assert!(r.reason("inner.csv").contains("symlink (not followed)"));
    let linked = d.path().join("linked.csv");
    std::os::unix::fs::symlink(real.path().join("ok.csv"), &linked).unwrap();
    let r = scan(&[&linked], &[]);
    r.check("symlinked file", 0, secs(5), 150);
    r.good_counted("linked.csv");
    assert_eq!(r.file("linked.csv")["bytes"], GOOD_CSV.len());
}

#[test]
fn rule2_dash_reads_stdin() {
    // `-` is standard input, one entry named `-`, its format sniffed from its bytes,
    // compressed or not; `/dev/stdin` on a pipe (as a process substitution's `/dev/fd/N`
    // is) is read as a stream too. `-` twice is a usage error. Before: exit 2, then
    // `skipped: symlink`. Bound: 5 s, 150 MB.
    let r = scan_stdin(&[Path::new("-")], GOOD_CSV);
    r.check("- on a pipe", 0, secs(5), 150);
    r.good_counted("-");
    assert_eq!(r.file("-")["bytes"], GOOD_CSV.len());
    let d = folder();
    let packed = gzip(GOOD_CSV, Compression::fast());
    let r = scan_stdin(&[Path::new("-"), d.path()], &packed);
    r.check("gzip on - beside a folder", 0, secs(5), 150);
    r.good_counted("-");
    assert_eq!(r.file("-")["format"], "gzip csv");
    assert_eq!(r.file("-")["bytes"], packed.len());
    let folder_name = format!("{}/ok.csv", d.path().display());
    r.good_counted(&folder_name);
    let r = scan_stdin(&[Path::new("/dev/stdin")], GOOD_CSV);
    r.check("/dev/stdin on a pipe", 0, secs(5), 150);
    r.good_counted("stdin");
    let out = Command::new(triage_path())
        .args(["scan", "-", "-", "--no-progress"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn rule2_a_scan_that_reads_nothing_says_so() {
    // Nothing found, or everything skipped: the summary holds no record, and stderr says in
    // one line that nothing was read (exit 0: no entry is incomplete). A scan that read
    // something says nothing of the kind. Bound: 5 s, 150 MB.
    let d = tempfile::tempdir().unwrap();
    let r = scan(&[d.path()], &[]);
    r.check("empty folder", 0, secs(5), 150);
    assert!(r.stderr.contains("nothing was read"), "{}", r.stderr);
    fs::write(d.path().join("empty.csv"), b"").unwrap();
    fs::write(d.path().join("pixel.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    let r = scan(&[d.path()], &[]);
    r.check("only skipped entries", 0, secs(5), 150);
    assert_eq!(r.v["ledger"]["skipped"], 2);
    let line: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.contains("nothing was read"))
        .collect();
    assert_eq!(line.len(), 1, "{}", r.stderr);
    assert!(line[0].contains("skipped or failed"), "{}", line[0]);
    let r = scan(&[folder().path()], &[]);
    r.check("a folder with a file", 0, secs(5), 150);
    assert!(!r.stderr.contains("nothing was read"), "{}", r.stderr);
}

/// A folder of `n` small files (about 30 bytes, a hundred folders of them): one in ten holds
/// a valid NIK and a valid phone, the others a name and a town.
fn many_small_files(n: usize) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for i in 0..n {
        let dir = d.path().join(format!("d{:03}", i % 100));
        if i < 100 {
            fs::create_dir(&dir).unwrap();
        }
        let text = if i % 10 == 0 {
            format!(
                "nik,hp\n31710101019{:05},0812345{:05}\n",
                i / 10 % 9999 + 1,
                i
            )
        } else {
            format!("nama,kota\nBudi{i},Jakarta\n")
        };
        fs::write(dir.join(format!("f{i:06}.csv")), text).unwrap();
    }
    d
}

/// Scans [`many_small_files`] and checks the ledger and the peak memory.
fn small_files_peak(n: usize, max_rss_mb: u64) {
    let d = many_small_files(n);
    let r = scan(&[d.path()], &[]);
    r.check(&format!("{n} small files"), 0, secs(120), max_rss_mb);
    assert_eq!(r.v["ledger"]["entries"], n);
    assert_eq!(r.v["ledger"]["scanned"], n);
    assert_eq!(r.v["identifiers"]["nik"]["valid"], n / 10);
    assert_eq!(r.v["files"].as_array().unwrap().len(), n);
}

#[test]
fn rule7_fifty_thousand_small_files_stay_small() {
    // Memory follows the work, not the number of files: a ledger entry cost about 4.6 KB
    // (50,000 files peaked at 235 MB with the release build, 200,000 at 912 MB), most of
    // it a JSON value per file row held twice; now the rows are made as they are written
    // and an entry costs a few hundred bytes (50,000: 31 MB). Bound: 120 s, 150 MB.
    small_files_peak(50_000, 150);
}

#[test]
#[ignore = "200,000 files: 15 s and 800 MB of disk; run with --ignored"]
fn rule7_two_hundred_thousand_small_files_peak_under_250mb() {
    // Bounded memory per file, as measured: before 912 MB, now 95 MB (release build).
    small_files_peak(200_000, 250);
}

#[test]
fn file_names_that_are_not_utf8() {
    // Two names that differ only in bytes that are not UTF-8 stay two entries: the bytes are
    // shown as `\xFF`, not merged into one `�`. Bound: 5 s, 150 MB.
    use std::os::unix::ffi::OsStrExt;
    let d = folder();
    let dir = d.path().join(std::ffi::OsStr::from_bytes(b"d\xe9j\xe0"));
    fs::create_dir(&dir).unwrap();
    for name in [&b"x\xff.csv"[..], b"x\xfe.csv"] {
        fs::write(dir.join(std::ffi::OsStr::from_bytes(name)), GOOD_CSV).unwrap();
    }
    let r = scan(&[d.path()], &[]);
    r.check("names not UTF-8", 0, secs(5), 150);
    r.good_counted("ok.csv");
    r.good_counted("d\\xE9j\\xE0/x\\xFE.csv");
    r.good_counted("d\\xE9j\\xE0/x\\xFF.csv");
    assert_eq!(r.v["ledger"]["entries"], 3);
    // Named directly, too.
    let r = scan(&[&dir.join(std::ffi::OsStr::from_bytes(b"x\xff.csv"))], &[]);
    r.check("a name not UTF-8 as argument", 0, secs(5), 150);
    r.good_counted("x\\xFF.csv");
}

#[test]
fn a_workbook_that_crashes_its_parser_fails_alone() {
    // Found by fuzz/fuzz_targets/workbook.rs: a cell reference that overflows calamine's
    // column arithmetic. With overflow checks (this debug build) calamine panics: the panic
    // fails that entry with the reason instead of ending the scan (it exited 101 with no
    // summary). Without them (release) calamine reports an error: `partial`. Either way the
    // scan is incomplete (exit 3) and the file beside it is counted. Bound: 10 s, 300 MB.
    let d = folder();
    fs::write(
        d.path().join("crash.xlsx"),
        include_bytes!("fuzz-regressions/workbook-calamine-overflow.xlsx"),
    )
    .unwrap();
    // `check` also finds no panic message on stderr: the ledger reports it.
    let r = scan(&[d.path()], &[]);
    r.check("workbook that crashes calamine", 3, secs(10), 300);
    r.good_counted("ok.csv");
    let state = r.file("crash.xlsx")["state"].as_str().unwrap().to_string();
    let reason = r.reason("crash.xlsx");
    match state.as_str() {
        "failed" => assert!(reason.contains("the reader crashed"), "{reason}"),
        "partial" => assert!(reason.starts_with("sheet "), "{reason}"),
        other => panic!("{other}: {reason}"),
    }
}

// -----------------------------------------------------------------------------------------
// Robustness rule 4: linear time on any input. One record dense with identifiers (a line, a
// JSON string, a CSV field, a quote that never closes) costs time in proportion to its size.
// -----------------------------------------------------------------------------------------

/// About one MiB of text dense with identifiers, without line breaks, quotes or backslashes
/// (so it may stand in a JSON string or a quoted CSV field): NIKs of many birth dates, also
/// after `KK` and in groups, phones in their written forms, cards after `BPJS`, e-mails,
/// dates, dashes and dots.
fn dense_block() -> Vec<u8> {
    let mut b = Vec::with_capacity(MIB + 200);
    let mut i = 0usize;
    while b.len() < MIB {
        let (day, month, yy) = (1 + i % 28, 1 + i / 28 % 12, i / 336 % 100);
        let nik = format!("317101{day:02}{month:02}{yy:02}{:04}", 1 + i % 9999);
        let piece = match i % 5 {
            0 => format!("NIK {nik} hp 0812{:08} ", i % 100_000_000),
            1 => format!("KK {nik} BPJS {:013} +62 812-3456-{:04} ", i, i % 10_000),
            2 => format!(
                "{} {} {} {}, u{i}@mail{}.co.id ",
                &nik[..4],
                &nik[4..8],
                &nik[8..12],
                &nik[12..],
                i % 50
            ),
            3 => format!("lahir {day:02}-{month:02}-19{yy:02} kis 0001234567890 "),
            _ => format!("3171-0141-0190-0002 0812.3456.7890 Rp 1.250.000 {day} Mei 1990 "),
        };
        b.extend_from_slice(piece.as_bytes());
        i += 1;
    }
    b.truncate(MIB);
    b
}

/// `name` holding one record of `mib` MiB of [`dense_block`] in the shape `kind`.
fn dense_file(dir: &Path, kind: &str, mib: usize) -> PathBuf {
    let block = dense_block();
    let (name, head, tail): (&str, &[u8], &[u8]) = match kind {
        "line" => ("line.txt", b"", b"\n"),
        "json" => (
            "string.json",
            b"{\"nik\":\"3171014101900002\",\"catatan\":\"",
            b"\"}\n",
        ),
        "field" => (
            "field.csv",
            b"nama,nik,catatan\nBudi,3171014101900001,\"",
            b"\"\nAni,3171014101900002,x\n",
        ),
        "quote" => (
            "quote.csv",
            b"nama,nik,catatan\nBudi,3171014101900001,x\nEko,3171014101900002,\"",
            b"",
        ),
        other => panic!("{other}"),
    };
    let path = dir.join(name);
    write_repeated(&path, head, &block, mib * MIB, tail);
    path
}

#[test]
fn rule4_a_dense_record_costs_linear_time_in_every_format() {
    // 1 MiB and 8 MiB of one record in each shape: the second scan takes about 8 times the
    // first (less, start-up aside). Each candidate searched among the record's earlier ones
    // made it 64 times (1 MB 0.44 s, 8 MB minutes). The best of three interleaved runs
    // each, bound 12; a machine busy with other work can still slow one size's runs and not
    // the other's, so a ratio over the bound is measured again, up to three times (a
    // superlinear path fails every time).
    let d = tempfile::tempdir().unwrap();
    for kind in ["line", "json", "field", "quote"] {
        // One folder per size: the file's name says its shape.
        let paths = [1, 8].map(|mib| {
            let dir = d.path().join(format!("{mib}"));
            std::fs::create_dir_all(&dir).unwrap();
            dense_file(&dir, kind, mib)
        });
        let (mut linear, mut seen) = (false, Vec::new());
        for _attempt in 0..3 {
            let (t1, t8) = best_of_interleaved(kind, &paths);
            seen.push(format!("1 MiB {t1:?}, 8 MiB {t8:?}"));
            linear = t8 < t1 * 12;
            if linear {
                break;
            }
        }
        eprintln!("{kind}: {}", seen.join("; "));
        assert!(linear, "{kind}: {}", seen.join("; "));
    }
}

/// The best of three runs of the 1 MiB and the 8 MiB file, run in turn (so that a slow
/// spell of the machine falls on both), after checking what each run found.
fn best_of_interleaved(kind: &str, paths: &[PathBuf; 2]) -> (Duration, Duration) {
    let mut best = [Duration::MAX; 2];
    let mut valid = [0u64; 2];
    for _ in 0..3 {
        for (i, path) in paths.iter().enumerate() {
            let r = scan(&[path], &[]);
            r.check(&format!("{kind} {}", path.display()), 0, secs(60), 400);
            valid[i] = r.v["identifiers"]["nik"]["valid"].as_u64().unwrap();
            best[i] = best[i].min(r.elapsed);
        }
    }
    // Eight times the identifiers (the rows around the record aside).
    assert!(valid[0] > 4_000, "{}", valid[0]);
    assert!(
        (valid[1] as f64 / valid[0] as f64 - 8.0).abs() < 0.01,
        "{valid:?}"
    );
    (best[0], best[1])
}

#[test]
fn rule4_a_json_array_of_arrays_that_never_closes_is_read_in_linear_time() {
    // `[`, then 8 MiB of lines `[3171014101900002,` that never close: from every chunk start
    // the first line reads as a record and the rest as one that does not end. The rest was
    // searched again for every line taken: with --max-record 1M the scan did not end in
    // 60 s (release). Now each buffer grown to the limit is one over-long record: `partial`,
    // every line still read. Bound: 20 s, 200 MB.
    let d = folder();
    let block = b"\n[3171014101900002,";
    write_repeated(&d.path().join("arrays.json"), b"[", block, 8 * MIB, b"");
    let r = scan(&[d.path()], &["--max-record", "1M"]);
    r.check("JSON array of arrays never closed", 3, secs(20), 200);
    r.good_counted("ok.csv");
    let f = r.file("arrays.json");
    assert_eq!(f["state"], "partial", "{f}");
    assert!(r.reason("arrays.json").contains("longer than --max-record"));
    let lines = (8 * MIB / block.len()) as u64;
    let nik = f["valid"]["nik"].as_u64().unwrap();
    assert!(nik + 16 >= lines, "{nik} of {lines}");
}

#[test]
#[ignore = "writes 600 MB; run with the release build: cargo test --release --test hostile -- --ignored rule4"]
fn rule4_a_300mb_dense_line_and_huge_values_beside_a_good_file() {
    // The hostile folder's dense parts: a 300 MB line, a JSON string of 100 MB, a
    // CSV field of 100 MB and a quote opened 100 MB before the end, beside a good CSV. Every
    // record over --max-record (64 MiB) is cut: exit 3. Bound: 120 s, 600 MB.
    let d = folder();
    let start = Instant::now();
    dense_file(d.path(), "line", 300);
    for kind in ["json", "field", "quote"] {
        dense_file(d.path(), kind, 100);
    }
    eprintln!("wrote 600 MB in {:?}", start.elapsed());
    let r = scan(&[d.path()], &[]);
    r.check("dense records", 3, secs(120), 600);
    r.good_counted("ok.csv");
    for (path, mib) in [
        ("line.txt", 300),
        ("string.json", 100),
        ("field.csv", 100),
        ("quote.csv", 100),
    ] {
        let f = r.file(path);
        assert_eq!(f["state"], "partial", "{f}");
        // About 4,600 valid NIKs a MiB, in every piece of every cut record.
        let nik = f["valid"]["nik"].as_u64().unwrap();
        assert!(nik > mib as u64 * 4_000, "{path}: {nik}");
    }
}

// -----------------------------------------------------------------------------------------
// An XLSX read as a stream, its shared strings held within a budget.
// -----------------------------------------------------------------------------------------

/// Writes an XLSX of `n` rows whose shared strings are `n` distinct values of `len` random
/// letters of 16 (deflate halves them: no bomb), each referenced once in column B; column A's
/// header is `NIK` and its last row holds the table's last string, a valid NIK, so it is read
/// back from the far end of the table. With `damaged`, the last row also names a string the
/// table does not have. Streamed: the test holds no more than one string at a time.
fn xlsx_of_many_strings(path: &Path, n: u32, len: usize, damaged: bool) {
    use zip::write::SimpleFileOptions;
    let mut z = zip::ZipWriter::new(BufWriter::new(File::create(path).unwrap()));
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(true);
    let small: [(&str, &str); 3] = [
        (
            "xl/_rels/workbook.xml.rels",
            r#"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<workbook><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        ("[Content_Types].xml", "<Types/>"),
    ];
    for (name, xml) in small {
        z.start_file(name, opts).unwrap();
        z.write_all(xml.as_bytes()).unwrap();
    }
    z.start_file("xl/sharedStrings.xml", opts).unwrap();
    z.write_all(b"<sst>").unwrap();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut s = vec![0u8; len];
    for _ in 0..n {
        for b in s.iter_mut() {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *b = b"abcdefghijklmnop"[(seed >> 60) as usize];
        }
        z.write_all(b"<si><t>").unwrap();
        z.write_all(&s).unwrap();
        z.write_all(b"</t></si>").unwrap();
    }
    z.write_all(b"<si><t>3171014101900001</t></si></sst>")
        .unwrap();
    z.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    z.write_all(b"<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>NIK</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>KET</t></is></c></row>").unwrap();
    for i in 0..n {
        let r = i + 2;
        write!(
            z,
            "<row r=\"{r}\"><c r=\"A{r}\"><v>{r}</v></c><c r=\"B{r}\" t=\"s\"><v>{i}</v></c></row>"
        )
        .unwrap();
    }
    let r = n + 2;
    let bad = if damaged {
        format!("<c r=\"C{r}\" t=\"s\"><v>{}</v></c>", n + 5)
    } else {
        String::new()
    };
    write!(
        z,
        "<row r=\"{r}\"><c r=\"A{r}\" t=\"s\"><v>{n}</v></c>{bad}</row></sheetData></worksheet>"
    )
    .unwrap();
    z.finish().unwrap().flush().unwrap();
}

#[test]
fn a_workbook_whose_shared_strings_pass_the_budget_stays_bounded() {
    // 160,000 distinct shared strings of 1,000 bytes: a table of 160 MB, which held whole
    // (as calamine did) takes more than the bound; past its 64 MiB budget it goes to a
    // temporary file and is read back from there. Every row is counted, and the last
    // string (a NIK) is found at the table's far end. Bound: 60 s, 140 MB.
    let d = folder();
    let path = d.path().join("strings.xlsx");
    xlsx_of_many_strings(&path, 160_000, 1_000, false);
    let r = scan(&[d.path()], &[]);
    r.check("a workbook of 160 MB of shared strings", 0, secs(60), 140);
    r.good_counted("ok.csv");
    let f = r.file("strings.xlsx");
    assert_eq!(f["state"], "scanned", "{f}");
    assert_eq!(f["records"], 160_001, "{f}");
    assert_eq!(f["valid"]["nik"], 1, "{f}");
}

#[test]
fn a_damaged_row_read_on_a_worker_makes_the_workbook_partial() {
    // Rows after the header are read on the workers: a string index past the table in the
    // last row stops that block, and the workbook is `partial` with the sheet named, its
    // other rows counted. Bound: 30 s, 150 MB.
    let d = folder();
    let path = d.path().join("damaged.xlsx");
    xlsx_of_many_strings(&path, 40_000, 20, true);
    let r = scan(&[d.path()], &[]);
    r.check("a damaged row on a worker", 3, secs(30), 150);
    r.good_counted("ok.csv");
    let f = r.file("damaged.xlsx");
    assert_eq!(f["state"], "partial", "{f}");
    let why = r.reason("damaged.xlsx");
    assert!(why.starts_with("sheet Data: string 40005"), "{why}");
    // The block the damage is in stops at it; the blocks before are read.
    assert!(f["records"].as_u64().unwrap() > 30_000, "{f}");
}
