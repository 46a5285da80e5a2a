//! Database files: the synthetic sample as a SQLite database (two tables), a
//! MongoDB dump (nested keys; also gzip'd) and a pg_dump custom archive (zlib and
//! uncompressed) counts like its CSV, in any number of threads; a SQLite file is left byte for
//! byte as it was, with nothing beside it; truncated, corrupt and bombed files of each are
//! `partial` or `failed` naming the format, in bounded time.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use flate2::Compression;

mod common;
use common::archives::gzip;
use common::databases::{bson, document, pgdump, sqlite};
use common::run::scan_json;
use common::samples::{read_csv, same_counts, scan_ok, synth};
use common::summary::{file, reason};

/// The summary without its run section (times, threads).
fn strip(mut v: serde_json::Value) -> serde_json::Value {
    common::summary::without_times(&mut v);
    v
}

/// Scans `path` as one format: counts like `csv`, named `format`, the same with -j1 and -j2.
fn counts_like(path: &Path, csv: &Path, format: &str) {
    let got = scan_ok(path);
    same_counts(&path.display().to_string(), &got, &scan_ok(csv));
    assert_eq!(got["files"][0]["format"], format);
    let one = strip(scan_json(path, &["-j1"]).0);
    assert_eq!(one, strip(scan_json(path, &["-j2"]).0), "{format}");
}

#[test]
fn the_sample_as_a_sqlite_database_counts_like_its_csv_and_is_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let csv = synth(&dir.path().join("synth"), 8_000, 11);
    let (header, rows) = read_csv(&csv);
    let db_dir = dir.path().join("db");
    fs::create_dir(&db_dir).unwrap();
    let db = db_dir.join("peserta.sqlite");
    sqlite(&db, &header, &rows);
    let before = fs::read(&db).unwrap();
    counts_like(&db, &csv, "sqlite");
    assert_eq!(fs::read(&db).unwrap(), before, "byte for byte as it was");
    let beside: Vec<_> = fs::read_dir(&db_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(beside, vec!["peserta.sqlite"], "no -wal, -shm or journal");
    // Inside a stream: spilled to an unlinked temporary file and read through its handle.
    let gz = dir.path().join("peserta.sqlite.gz");
    fs::write(&gz, gzip(&before, Compression::fast())).unwrap();
    counts_like(&gz, &csv, "gzip sqlite");
}

#[test]
fn the_sample_as_a_mongodb_dump_counts_like_its_csv_also_gzipped() {
    let dir = tempfile::tempdir().unwrap();
    let csv = synth(&dir.path().join("synth"), 8_000, 12);
    let (header, rows) = read_csv(&csv);
    let dump = bson(&header, &rows, &["NOHP", "EMAIL"]);
    let path = dir.path().join("peserta.bson");
    fs::write(&path, &dump).unwrap();
    counts_like(&path, &csv, "bson");
    let gz = dir.path().join("peserta.bson.gz");
    fs::write(&gz, gzip(&dump, Compression::fast())).unwrap();
    counts_like(&gz, &csv, "gzip bson");
}

#[test]
fn the_sample_as_a_pg_dump_archive_counts_like_its_csv() {
    let dir = tempfile::tempdir().unwrap();
    let csv = synth(&dir.path().join("synth"), 8_000, 13);
    let (header, rows) = read_csv(&csv);
    for (name, zlib) in [("zlib.dump", true), ("plain.dump", false)] {
        let path = dir.path().join(name);
        fs::write(&path, pgdump(&header, &rows, zlib, 4096)).unwrap();
        counts_like(&path, &csv, "pg_dump");
    }
}

/// A folder of `files`, scanned: the summary, after asserting the scan was incomplete and
/// quick.
fn scan_hostile(files: &[(&str, Vec<u8>)]) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        fs::write(dir.path().join(name), bytes).unwrap();
    }
    let start = Instant::now();
    let (v, code) = scan_json(dir.path(), &["--max-entry-size", "2M"]);
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(code, 3, "{}", v["ledger"]);
    v
}

/// Asserts `path` ended `state` with a reason that starts `<format>: ` and holds `says`.
fn ended(v: &serde_json::Value, path: &str, state: &str, format: &str, says: &str) {
    let why = reason(v, path);
    assert_eq!(file(v, path)["state"], state, "{path}: {why}");
    assert!(why.starts_with(&format!("{format}: ")), "{path}: {why}");
    assert!(why.contains(says), "{path}: {why}");
}

#[test]
fn damaged_sqlite_databases_are_partial_or_failed_naming_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite");
    let header = vec!["nik".to_string(), "nama".to_string()];
    let rows: Vec<Vec<String>> = (0..3000)
        .map(|i| vec![format!("31710141019{i:05}"), format!("Budi {i}")])
        .collect();
    sqlite(&db, &header, &rows);
    let whole = fs::read(&db).unwrap();
    let mut header_bad = whole.clone();
    header_bad[16..18].copy_from_slice(&[0, 3]); // a page size that is no power of two
    let mut scribbled = whole.clone();
    let end = scribbled.len();
    scribbled[end - 8192..end - 4096].fill(0xa5);
    let mut encrypted = b"SQLite format 3\x00".to_vec();
    encrypted.extend((0..8192u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    let v = scan_hostile(&[
        ("cut.sqlite", whole[..whole.len() * 2 / 3].to_vec()),
        ("header.sqlite", header_bad),
        ("scribbled.sqlite", scribbled),
        ("encrypted.sqlite", encrypted),
    ]);
    // Shorter than its header says: SQLite reads none of it.
    ended(&v, "cut.sqlite", "failed", "sqlite", "malformed");
    ended(&v, "header.sqlite", "failed", "sqlite", "not a database");
    // A page of the second table scribbled over: the first table and the rows before count.
    assert!(file(&v, "scribbled.sqlite")["records"].as_u64().unwrap() > 1500);
    ended(
        &v,
        "scribbled.sqlite",
        "partial",
        "sqlite",
        "1 of 2 tables not read to the end",
    );
    ended(&v, "encrypted.sqlite", "failed", "sqlite", "not a database");
}

#[test]
fn damaged_and_bombed_mongodb_dumps_are_partial_or_failed_naming_bson() {
    let header: Vec<String> = ["nik", "nama"].map(String::from).to_vec();
    let rows = vec![vec!["3171014101900001".to_string(), "Budi".to_string()]; 3];
    let dump = bson(&header, &rows, &[]);
    let one = dump.len() / 3;
    // A third document declaring 2 GiB, and one whose element type is unknown.
    let mut bomb = dump[..2 * one].to_vec();
    bomb.extend_from_slice(&i32::MAX.to_le_bytes());
    bomb.extend_from_slice(&[0x02; 64]);
    let mut bad_type = dump.clone();
    bad_type[2 * one + 4] = 0x42;
    let deep = (0..150).fold(document(&[]), |d, _| {
        let mut e = b"\x03a\x00".to_vec();
        e.extend(d);
        document(&[e])
    });
    let v = scan_hostile(&[
        ("cut.bson", dump[..dump.len() - 5].to_vec()),
        ("bomb.bson", bomb),
        ("bad.bson", bad_type),
        ("deep.bson", [dump[..one].to_vec(), deep].concat()),
    ]);
    ended(
        &v,
        "cut.bson",
        "partial",
        "bson",
        "cut short after 2 documents",
    );
    ended(
        &v,
        "bomb.bson",
        "partial",
        "bson",
        "document 3 declares 2147483647 bytes",
    );
    ended(&v, "bad.bson", "partial", "bson", "document 3");
    ended(&v, "deep.bson", "partial", "bson", "nested deeper than 100");
    for f in ["cut.bson", "bomb.bson", "bad.bson"] {
        assert_eq!(file(&v, f)["records"], 2, "{f}");
    }
}

#[test]
fn damaged_and_bombed_pg_dump_archives_are_partial_or_failed_naming_pg_dump() {
    let header: Vec<String> = ["nik", "nama"].map(String::from).to_vec();
    let rows = vec![vec!["3171014101900001".to_string(), "Budi".to_string()]; 3];
    let whole = pgdump(&header, &rows, true, 16);
    let mut int_size = whole.clone();
    int_size[8] = 0;
    // The first chunk declares 2 GiB (its length is the block's first integer).
    // The table of contents alone: its last entry's data offset (eight bytes), then the block.
    let start = [&[0u8; 8][..], &[1, 0, 2, 0, 0, 0]].concat();
    let block = 8 + whole.windows(start.len()).position(|w| w == start).unwrap();
    let mut huge = pgdump(&header, &rows, false, 1 << 20);
    let at = huge.len() - 5 - (rows.len() * 22) - 5;
    huge[at..at + 5].copy_from_slice(&[0, 0, 0, 0, 0x80]);
    // Text that inflates to 64 MiB from a few kilobytes of zlib.
    let bomb_rows = vec![vec!["3171014101900001".to_string(), " ".repeat(1 << 20)]; 64];
    let v = scan_hostile(&[
        ("cut.dump", whole[..whole.len() - 30].to_vec()),
        ("header.dump", int_size),
        ("huge.dump", huge),
        ("bomb.dump", pgdump(&header, &bomb_rows, true, 1 << 16)),
        ("toc.dump", whole[..block].to_vec()),
    ]);
    ended(&v, "cut.dump", "failed", "pg_dump", "cut short");
    ended(&v, "header.dump", "failed", "pg_dump", "integer size 0");
    ended(&v, "huge.dump", "failed", "pg_dump", "cut short in a chunk");
    ended(
        &v,
        "bomb.dump",
        "partial",
        "pg_dump",
        "inflates past 2097152 bytes",
    );
    ended(
        &v,
        "toc.dump",
        "failed",
        "pg_dump",
        "the data of 1 of 1 tables is missing",
    );
}
