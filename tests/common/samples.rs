//! One synthetic sample in many formats (the format-invariance tests): `triage synth`, its
//! CSV read back as header and rows, and the check that two scans counted alike.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::run::{scan_json, triage};

/// A scan that must exit 0.
pub fn scan_ok(path: &Path) -> Value {
    let (v, code) = scan_json(path, &[]);
    assert_eq!(code, 0, "scan {}: {}", path.display(), v["ledger"]);
    v
}

/// Asserts that two scans found the same records and identifiers.
pub fn same_counts(name: &str, got: &Value, want: &Value) {
    for section in ["records", "identifiers"] {
        assert_eq!(got[section], want[section], "{name}: {section} differ");
    }
}

/// `triage synth` into `dir`: the sample CSV's path.
pub fn synth(dir: &Path, rows: u32, seed: u32) -> PathBuf {
    let out = triage()
        .args([
            "synth",
            "--rows",
            &rows.to_string(),
            "--seed",
            &seed.to_string(),
        ])
        .arg("--out")
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join("bpjs_sample.csv")
}

/// A CSV's header and rows.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// One row as a JSON object under the header's names.
pub fn object(header: &[String], row: &[String]) -> Value {
    let mut m = Map::new();
    for (k, v) in header.iter().zip(row) {
        m.insert(k.clone(), Value::from(v.as_str()));
    }
    Value::Object(m)
}

/// Rows under `header` as delimited text (`b','` for CSV, `b'\t'` for TSV), quoted as the
/// `csv` crate quotes.
pub fn delimited(header: &[String], rows: &[Vec<String>], delimiter: u8) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(Vec::new());
    w.write_record(header).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

/// Rows as JSON Lines, one object per row ([`object`]).
pub fn jsonl(header: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in rows {
        out.extend(serde_json::to_vec(&object(header, r)).unwrap());
        out.push(b'\n');
    }
    out
}
