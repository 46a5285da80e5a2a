//! DBF tables: the synthetic sample as a dBase table (several chunks) counts like
//! its CSV, in any number of threads; a table cut short or with broken descriptors is `partial` or `failed`
//! naming the format.

use std::fs;

mod common;
use common::dbf::dbf;
use common::run::scan_json;
use common::samples::{read_csv, same_counts, scan_ok, synth};
use common::summary::{file, reason};

#[test]
fn the_sample_as_a_dbf_table_counts_like_its_csv() {
    let dir = tempfile::tempdir().unwrap();
    let csv = synth(&dir.path().join("synth"), 8_000, 11);
    let (header, rows) = read_csv(&csv);
    let table = dir.path().join("peserta.dbf");
    fs::write(&table, dbf(&header, &rows)).unwrap();
    let got = scan_ok(&table);
    same_counts("peserta.dbf", &got, &scan_ok(&csv));
    assert_eq!(got["files"][0]["format"], "dbf");
    let strip = |mut v: serde_json::Value| {
        common::summary::without_times(&mut v);
        v
    };
    let one = strip(scan_json(&table, &["-j1"]).0);
    assert_eq!(one, strip(scan_json(&table, &["-j2"]).0));
}

#[test]
fn a_damaged_table_is_partial_or_failed_with_its_format_named() {
    let header = vec!["NIK".to_string(), "NAMA".to_string()];
    let rows = vec![vec!["3171014101900001".to_string(), "Budi".to_string()]; 3];
    let whole = dbf(&header, &rows);
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.dbf");
    fs::write(&cut, &whole[..whole.len() - 10]).unwrap();
    let mut broken = whole.clone();
    broken[10] = 99; // the record length no longer matches the descriptors
    fs::write(dir.path().join("broken.dbf"), &broken).unwrap();
    let (v, code) = scan_json(dir.path(), &[]);
    assert_eq!(code, 3, "{}", v["ledger"]);
    assert_eq!(file(&v, "cut.dbf")["state"], "partial");
    assert_eq!(file(&v, "cut.dbf")["records"], 2);
    assert!(reason(&v, "cut.dbf").starts_with("dbf: cut short: 2 of 3 rows"));
    assert_eq!(file(&v, "broken.dbf")["state"], "failed");
    assert!(reason(&v, "broken.dbf").starts_with("dbf: fields add up to"));
}
