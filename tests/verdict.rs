//! The verdict through the command line (SPEC §7, issue 25): genuine on the synthetic sample,
//! fabricated on random digits and on shuffled birth dates, not Indonesian PII on another
//! country's contacts, inconclusive (and INCOMPLETE first) when an entry is not read in full;
//! the same verdict in JSON, text and HTML; thresholds from `verdict.toml`, built in when a
//! `--patterns DIR` has none.

mod common;

use std::fs;
use std::path::Path;

use common::paths::{fixtures, root};
use common::run::scan;
use common::samples::{delimited, read_csv, synth};
use serde_json::Value;

fn verdict_of(path: &Path, extra: &[&str]) -> (Value, i32) {
    let mut args = vec!["--json", "--as-of", "2025-06-15"];
    args.extend_from_slice(extra);
    let s = scan(&[path], &args);
    (s.json()["verdict"].clone(), s.code)
}

fn label(v: &Value) -> &str {
    v["label"].as_str().unwrap()
}

fn write_csv(path: &Path, header: &[String], rows: &[Vec<String>]) {
    std::fs::write(path, delimited(header, rows, b',')).unwrap();
}

#[test]
fn the_synthetic_sample_is_genuine_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let sample = synth(dir.path(), 2_000, 7);
    let (v, code) = verdict_of(&sample, &[]);
    assert_eq!((label(&v), code), ("genuine", 0), "{v}");
    let reasons = v["reasons"].as_array().unwrap();
    assert!(reasons
        .iter()
        .any(|r| r.as_str().unwrap().contains("records hold a valid NIK")));

    let text = scan(&[&sample], &["--as-of", "2025-06-15"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.starts_with("triage summary\n==============\nverdict     genuine\n"),
        "{text}"
    );
    let html = scan(&[&sample], &["--format", "html", "--as-of", "2025-06-15"]);
    let html = String::from_utf8(html.stdout).unwrap();
    assert!(html.contains("<h2>Verdict: genuine</h2>"));
    assert!(!html.contains("INCOMPLETE"));
}

#[test]
fn random_digits_in_a_nik_column_are_fabricated() {
    let dir = tempfile::tempdir().unwrap();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let rows: Vec<Vec<String>> = (0..1_000)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let nik = format!("{:016}", x % 10_000_000_000_000_000);
            vec![nik, format!("Orang {i}")]
        })
        .collect();
    let path = dir.path().join("ktp.csv");
    write_csv(&path, &["NIK".into(), "NAMA".into()], &rows);
    let (v, code) = verdict_of(&path, &[]);
    assert_eq!((label(&v), code), ("fabricated", 0), "{v}");
    assert!(v["reasons"][0]
        .as_str()
        .unwrap()
        .contains("NIK candidates pass the NIK rules"));
}

#[test]
fn shuffled_birth_dates_are_fabricated() {
    let dir = tempfile::tempdir().unwrap();
    let sample = synth(dir.path(), 1_000, 3);
    let (header, mut rows) = read_csv(&sample);
    let col = header.iter().position(|h| h == "TGLLHR").unwrap();
    // Each record gets the birth date of the record 7 rows on: a shuffle that keeps the
    // column's formats and blanks.
    let dates: Vec<String> = rows.iter().map(|r| r[col].clone()).collect();
    for (i, r) in rows.iter_mut().enumerate() {
        r[col] = dates[(i + 7) % dates.len()].clone();
    }
    let path = dir.path().join("shuffled.csv");
    write_csv(&path, &header, &rows);
    let (v, _) = verdict_of(&path, &[]);
    assert_eq!(label(&v), "fabricated", "{v}");
    assert!(v["reasons"][0]
        .as_str()
        .unwrap()
        .starts_with("birth dates agree with the NIK in only"));
}

#[test]
fn another_countrys_contacts_are_not_indonesian_pii() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<Vec<String>> = (0..500)
        .map(|i| {
            vec![
                format!("Person {i}"),
                format!("person{i}@mail.example.co.uk"),
                format!("+1 415 555 {:04}", i),
                format!("{:03}-{:02}-{:04}", 100 + i % 600, 10 + i % 80, 1000 + i),
            ]
        })
        .collect();
    let header = ["name", "email", "phone", "ssn"].map(String::from);
    let path = dir.path().join("customers.csv");
    write_csv(&path, &header, &rows);
    let (v, code) = verdict_of(&path, &[]);
    assert_eq!((label(&v), code), ("not_indonesian_pii", 0), "{v}");
}

#[test]
fn an_incomplete_scan_is_inconclusive_and_says_so_first() {
    let dir = tempfile::tempdir().unwrap();
    synth(dir.path(), 1_000, 5);
    fs::copy(
        root().join("fixtures-bad/truncated.csv.gz"),
        dir.path().join("truncated.csv.gz"),
    )
    .unwrap();
    let (v, code) = verdict_of(dir.path(), &[]);
    assert_eq!((label(&v), code), ("inconclusive", 3), "{v}");
    assert!(v["reasons"][0]
        .as_str()
        .unwrap()
        .starts_with("1 entry was not read in full"));
    assert!(v["reasons"][1].as_str().unwrap().contains("genuine"), "{v}");

    let text = scan(&[dir.path()], &["--as-of", "2025-06-15"]);
    assert_eq!(text.code, 3);
    let text = String::from_utf8(text.stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("INCOMPLETE: 1 entry not read (1 partial): "),
        "{text}"
    );
    let html = scan(
        &[dir.path()],
        &["--format", "html", "--as-of", "2025-06-15"],
    );
    let html = String::from_utf8(html.stdout).unwrap();
    let banner = html
        .find("<b>INCOMPLETE:</b>")
        .expect("the INCOMPLETE banner");
    assert!(banner < html.find("Verdict: inconclusive").unwrap());
}

#[test]
fn thresholds_come_from_verdict_toml_or_the_built_in() {
    let dir = tempfile::tempdir().unwrap();
    let sample = synth(&dir.path().join("data"), 500, 2);
    let pats = dir.path().join("patterns");
    copy_dir(&root().join("patterns"), &pats);
    fs::remove_file(pats.join("verdict.toml")).unwrap();
    let p = pats.to_str().unwrap();
    let (v, _) = verdict_of(&sample, &["--patterns", p]);
    assert_eq!(
        label(&v),
        "genuine",
        "without verdict.toml: the built-in thresholds"
    );
    let strict = fs::read_to_string(root().join("patterns/verdict.toml"))
        .unwrap()
        .replacen("value = 100\n", "value = 1000000\n", 1);
    fs::write(pats.join("verdict.toml"), strict).unwrap();
    let (v, _) = verdict_of(&sample, &["--patterns", p]);
    assert_eq!(label(&v), "inconclusive", "{v}");
    assert!(v["reasons"][0]
        .as_str()
        .unwrap()
        .starts_with("only 500 records"));
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn the_committed_fixtures_are_judged_genuine() {
    let (v, code) = verdict_of(&fixtures(), &[]);
    assert_eq!((label(&v), code), ("genuine", 0), "{v}");
}
