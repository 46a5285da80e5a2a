//! The fixtures in `fixtures/` against the scanner: the committed baseline, the counts of
//! every tricky file (fixtures/README.md has the same table for people), thread-count
//! independence, the synth truth, privacy of every output format, and exit codes.
//!
//! Tests marked `#[ignore = "bug: ..."]` show where the scanner and SPEC.md disagree today;
//! run them with `cargo test -- --ignored`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde_json::Value;

mod common;
use common::archives;
use common::paths::{fixtures, root};
use common::run::{scan, scan_json_exit, triage, Scanned};
use common::truth::{same_number, truth_mismatches};

fn without_run(mut v: Value) -> Value {
    common::summary::without_times(&mut v);
    v
}

/// Every leaf below `v` as `dotted.path -> value`.
fn leaves(v: &Value, path: &str, out: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                leaves(x, &p, out);
            }
        }
        leaf => {
            out.insert(path.to_string(), leaf.clone());
        }
    }
}

// ---------------------------------------------------------------------------------------
// The baseline
// ---------------------------------------------------------------------------------------

#[test]
fn scan_of_fixtures_matches_expected_json() {
    let out = scan(
        &[&fixtures()],
        &["--expect", "fixtures/expected.json", "--format", "json"],
    );
    assert_eq!(
        out.code, 0,
        "`triage scan fixtures/ --expect fixtures/expected.json` failed; if a change moved a \
         count on purpose, check the table in fixtures/README.md and regenerate with \
         `bash fixtures/make.sh --expected`:\n{}",
        out.stderr
    );
}

#[test]
fn a_moved_count_fails_expect_and_names_the_path() {
    let text = fs::read_to_string(fixtures().join("expected.json")).expect("expected.json");
    let mut baseline: Value = serde_json::from_str(&text).expect("expected.json is JSON");
    let confirmed = baseline["records"]["confirmed"]
        .as_u64()
        .expect("records.confirmed");
    baseline["records"]["confirmed"] = Value::from(confirmed + 1);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("baseline.json");
    fs::write(&path, serde_json::to_string_pretty(&baseline).unwrap()).unwrap();

    let out = scan(
        &[&fixtures()],
        &["--expect", path.to_str().unwrap(), "--format", "json"],
    );
    assert_eq!(out.code, 1, "a moved count must exit 1:\n{}", out.stderr);
    let err = out.stderr;
    let want = format!(
        "records.confirmed: baseline {}, scan {confirmed}",
        confirmed + 1
    );
    assert!(err.contains(&want), "stderr must name `{want}`:\n{err}");
    assert!(
        err.contains("1 difference(s)"),
        "exactly one difference expected:\n{err}"
    );
}

#[test]
fn expected_json_describes_itself() {
    // expected.json is a ledger entry of the scan it records (skipped as triage output).
    let v: Value =
        serde_json::from_str(&fs::read_to_string(fixtures().join("expected.json")).unwrap())
            .unwrap();
    assert_eq!(v["schema"], "triage.summary/1");
    let me = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "expected.json")
        .expect("expected.json lists itself");
    assert_eq!(me["state"], "skipped");
    assert_eq!(v["ledger"]["failed"], 0);
    assert_eq!(v["ledger"]["partial"], 0);
}

// ---------------------------------------------------------------------------------------
// Tricky files, one by one
// ---------------------------------------------------------------------------------------

/// What a scan of each file of fixtures/tricky/ alone must report (the table of
/// fixtures/README.md). Under `records` and `identifiers`, every count not listed must be 0
/// (`valid_share` is derived and not checked). `state` is `scanned` unless given.
const TRICKY: &str = r#"
{
"nik_rules.txt": {"format": "text", "records": {"total": 25, "with_candidates": 23, "with_valid_nik": 9},
  "identifiers": {"nik": {"candidates": 23, "valid": 9, "unique": 8, "invalid": {"province": 2, "regency": 2, "district": 1, "birth_date": 8, "serial": 1}, "female": 4, "male": 5, "provinces": {"31": 8, "91": 1}}}},
"nik_spaced.txt": {"format": "text", "records": {"total": 8, "with_candidates": 4, "with_valid_nik": 4},
  "identifiers": {"nik": {"candidates": 4, "valid": 4, "unique": 2, "female": 3, "male": 1, "provinces": {"31": 4}}}},
"nik_field.csv": {"format": "csv", "records": {"total": 18, "with_candidates": 10, "with_valid_nik": 9},
  "identifiers": {"nik": {"candidates": 10, "valid": 9, "unique": 8, "invalid": {"serial": 1}, "damaged": 4, "female": 3, "male": 6, "provinces": {"31": 9}}}},
"kk_keyword.txt": {"format": "text", "records": {"total": 18, "with_candidates": 18, "with_valid_nik": 6},
  "identifiers": {"nik": {"candidates": 6, "valid": 6, "unique": 6, "female": 2, "male": 4, "provinces": {"31": 6}},
                  "kk": {"candidates": 13, "valid": 7, "unique": 6, "invalid": {"province": 1, "regency": 1, "district": 1, "date": 2, "serial": 1}}}},
"kk_field.csv": {"format": "csv", "records": {"total": 10, "with_candidates": 10, "with_valid_nik": 5},
  "identifiers": {"nik": {"candidates": 5, "valid": 5, "unique": 5, "female": 1, "male": 4, "provinces": {"31": 5}},
                  "kk": {"candidates": 7, "valid": 6, "unique": 5, "invalid": {"date": 1}}}},
"card_field.csv": {"format": "csv", "records": {"total": 13, "with_candidates": 13, "with_valid_nik": 11, "confirmed": 5, "confirmed_by": {"bpjs_card": 5}},
  "identifiers": {"nik": {"candidates": 12, "valid": 11, "unique": 11, "invalid": {"serial": 1}, "female": 1, "male": 10, "provinces": {"31": 11}},
                  "bpjs_card": {"candidates": 9, "valid": 7, "unique": 6, "invalid": {"zeros": 2}, "restored": 5}}},
"card_keyword.txt": {"format": "text", "records": {"total": 13, "with_candidates": 8, "with_valid_nik": 1, "confirmed": 1, "confirmed_by": {"bpjs_card": 1}},
  "identifiers": {"nik": {"candidates": 1, "valid": 1, "unique": 1, "male": 1, "provinces": {"31": 1}},
                  "bpjs_card": {"candidates": 7, "valid": 6, "unique": 5, "invalid": {"zeros": 1}},
                  "phone": {"candidates": 1, "valid": 1, "unique": 1, "operators": {"Telkomsel": 1}}}},
"phones.txt": {"format": "text", "records": {"total": 46, "with_candidates": 39},
  "identifiers": {"nik": {"candidates": 1, "invalid": {"province": 1}},
                  "phone": {"candidates": 39, "valid": 31, "unique": 30, "invalid": {"not_mobile": 8},
                            "operators": {"Telkomsel": 19, "Indosat": 4, "XL": 3, "Axis": 2, "Smartfren": 1, "other": 2}}}},
"emails.txt": {"format": "text", "records": {"total": 38, "with_candidates": 35},
  "identifiers": {"phone": {"candidates": 1, "valid": 1, "unique": 1, "operators": {"Telkomsel": 1}},
                  "email": {"candidates": 35, "valid": 23, "unique": 22, "invalid": {"syntax": 12},
                            "domain_classes": {"free": 9, "gov": 3, "edu": 3, "id": 2, "other": 6}}}},
"dates_field.csv": {"format": "csv", "records": {"total": 35, "with_candidates": 35, "with_valid_nik": 35, "confirmed": 30, "confirmed_by": {"birth_date": 30}},
  "identifiers": {"nik": {"candidates": 35, "valid": 35, "unique": 35, "female": 6, "male": 29, "provinces": {"31": 35},
                          "birth_date_agree": 30, "birth_date_disagree": 1, "sex_agree": 13, "sex_disagree": 1}}},
"dates_text.txt": {"format": "text", "records": {"total": 21, "with_candidates": 20, "with_valid_nik": 20, "confirmed": 16, "confirmed_by": {"birth_date": 16}},
  "identifiers": {"nik": {"candidates": 20, "valid": 20, "unique": 20, "female": 2, "male": 18, "provinces": {"31": 20}},
                  "kk": {"candidates": 1, "valid": 1, "unique": 1}}},
"people.tsv": {"format": "tsv", "records": {"total": 3, "with_candidates": 3, "with_valid_nik": 3, "confirmed": 3, "confirmed_by": {"birth_date": 3, "bpjs_card": 2}},
  "identifiers": {"nik": {"candidates": 3, "valid": 3, "unique": 3, "female": 1, "male": 2, "provinces": {"31": 1, "32": 1, "35": 1},
                          "birth_date_agree": 3, "sex_agree": 2, "sex_disagree": 1},
                  "kk": {"candidates": 2, "valid": 2, "unique": 2},
                  "bpjs_card": {"candidates": 2, "valid": 2, "unique": 2, "restored": 1},
                  "phone": {"candidates": 3, "valid": 3, "unique": 3, "operators": {"Telkomsel": 2, "Indosat": 1}},
                  "email": {"candidates": 3, "valid": 3, "unique": 3, "domain_classes": {"free": 1, "gov": 1, "edu": 1}}}},
"semicolon.csv": {"format": "delimited", "records": {"total": 2, "with_candidates": 2, "with_valid_nik": 2, "confirmed": 2, "confirmed_by": {"birth_date": 2, "bpjs_card": 2}},
  "identifiers": {"nik": {"candidates": 2, "valid": 2, "unique": 2, "female": 1, "male": 1, "provinces": {"31": 2}, "birth_date_agree": 2},
                  "bpjs_card": {"candidates": 2, "valid": 2, "unique": 2, "restored": 1},
                  "phone": {"candidates": 2, "valid": 2, "unique": 2, "operators": {"Telkomsel": 2}}}},
"pipe.txt": {"format": "delimited", "records": {"total": 3, "with_candidates": 3, "with_valid_nik": 3, "confirmed": 2, "confirmed_by": {"birth_date": 2, "bpjs_card": 2}},
  "identifiers": {"nik": {"candidates": 3, "valid": 3, "unique": 3, "female": 1, "male": 2, "provinces": {"31": 3}, "birth_date_agree": 2, "birth_date_disagree": 1},
                  "bpjs_card": {"candidates": 2, "valid": 2, "unique": 2},
                  "email": {"candidates": 3, "valid": 3, "unique": 3, "domain_classes": {"free": 2, "other": 1}}}},
"headerless.csv": {"format": "csv", "records": {"total": 4, "with_candidates": 3, "with_valid_nik": 2, "confirmed": 1, "confirmed_by": {"birth_date": 1}},
  "identifiers": {"nik": {"candidates": 2, "valid": 2, "unique": 2, "female": 1, "male": 1, "provinces": {"31": 2}},
                  "kk": {"candidates": 1, "valid": 1, "unique": 1},
                  "phone": {"candidates": 2, "valid": 2, "unique": 2, "operators": {"Telkomsel": 2}}}},
"quoted.csv": {"format": "csv", "records": {"total": 3, "with_candidates": 3, "with_valid_nik": 3, "confirmed": 2, "confirmed_by": {"birth_date": 2}},
  "identifiers": {"nik": {"candidates": 3, "valid": 3, "unique": 3, "female": 1, "male": 2, "provinces": {"31": 3}, "birth_date_agree": 2, "birth_date_disagree": 1},
                  "phone": {"candidates": 2, "valid": 2, "unique": 2, "operators": {"Telkomsel": 2}}}},
"crlf.csv": {"format": "csv", "records": {"total": 2, "with_candidates": 2, "with_valid_nik": 2, "confirmed": 2, "confirmed_by": {"birth_date": 2}},
  "identifiers": {"nik": {"candidates": 2, "valid": 2, "unique": 2, "female": 1, "male": 1, "provinces": {"31": 2}, "birth_date_agree": 2},
                  "phone": {"candidates": 2, "valid": 2, "unique": 2, "operators": {"Telkomsel": 2}},
                  "email": {"candidates": 2, "valid": 2, "unique": 2, "domain_classes": {"free": 2}}}},
"records.jsonl": {"format": "jsonl", "records": {"total": 5, "with_candidates": 5, "with_valid_nik": 4, "confirmed": 4, "confirmed_by": {"birth_date": 3, "bpjs_card": 1}},
  "identifiers": {"nik": {"candidates": 4, "valid": 4, "unique": 4, "damaged": 1, "female": 1, "male": 3, "provinces": {"31": 4}, "birth_date_agree": 2, "sex_agree": 1},
                  "kk": {"candidates": 1, "valid": 1, "unique": 1},
                  "bpjs_card": {"candidates": 1, "valid": 1, "unique": 1, "restored": 1},
                  "phone": {"candidates": 3, "valid": 3, "unique": 3, "operators": {"Telkomsel": 2, "Indosat": 1}},
                  "email": {"candidates": 1, "valid": 1, "unique": 1, "domain_classes": {"free": 1}}}},
"array.json": {"format": "json", "records": {"total": 3, "with_candidates": 3, "with_valid_nik": 3, "confirmed": 2, "confirmed_by": {"birth_date": 2, "bpjs_card": 1}},
  "identifiers": {"nik": {"candidates": 3, "valid": 3, "unique": 3, "female": 1, "male": 2, "provinces": {"31": 3}, "birth_date_agree": 2},
                  "kk": {"candidates": 1, "valid": 1, "unique": 1},
                  "bpjs_card": {"candidates": 1, "valid": 1, "unique": 1},
                  "phone": {"candidates": 1, "valid": 1, "unique": 1, "operators": {"XL": 1}},
                  "email": {"candidates": 1, "valid": 1, "unique": 1, "domain_classes": {"gov": 1}}}},
"pretty.json": {"format": "json", "records": {"total": 1, "with_candidates": 1, "with_valid_nik": 1, "confirmed": 1, "confirmed_by": {"birth_date": 1}},
  "identifiers": {"nik": {"candidates": 2, "valid": 2, "unique": 2, "female": 1, "male": 1, "provinces": {"31": 2}, "birth_date_agree": 1},
                  "phone": {"candidates": 1, "valid": 1, "unique": 1, "operators": {"Smartfren": 1}},
                  "email": {"candidates": 1, "valid": 1, "unique": 1, "domain_classes": {"id": 1}}}},
"app.log": {"format": "text", "records": {"total": 5, "with_candidates": 5, "with_valid_nik": 3, "confirmed": 1, "confirmed_by": {"birth_date": 1}},
  "identifiers": {"nik": {"candidates": 3, "valid": 3, "unique": 2, "male": 3, "provinces": {"31": 3}},
                  "kk": {"candidates": 1, "valid": 1, "unique": 1},
                  "phone": {"candidates": 1, "valid": 1, "unique": 1, "operators": {"Telkomsel": 1}},
                  "email": {"candidates": 1, "valid": 1, "unique": 1, "domain_classes": {"free": 1}}}},
"encoding/source.csv": {"format": "csv", "records": {"total": 2, "with_candidates": 2, "with_valid_nik": 2, "confirmed": 2, "confirmed_by": {"birth_date": 2}},
  "identifiers": {"nik": {"candidates": 3, "valid": 3, "unique": 3, "female": 1, "male": 2, "provinces": {"31": 3}, "birth_date_agree": 2},
                  "phone": {"candidates": 2, "valid": 2, "unique": 2, "operators": {"Telkomsel": 1, "Indosat": 1}},
                  "email": {"candidates": 2, "valid": 2, "unique": 2, "domain_classes": {"free": 1, "id": 1}}}},
"image.png": {"format": "", "state": "skipped"},
"empty.csv": {"format": "", "state": "skipped"},
"blank.txt": {"format": "", "state": "skipped"}
}
"#;

/// Generated re-encodings of encoding/source.csv: the same counts, this format.
const SAME_AS_SOURCE: &[(&str, &str)] = &[
    ("encoding/bom_utf8.csv", "csv"),
    ("encoding/cp1252.csv", "csv"),
    ("encoding/utf16le.csv", "utf-16 csv"),
    ("encoding/utf16be.csv", "utf-16 csv"),
];

fn tricky_table() -> BTreeMap<String, Value> {
    let mut t: BTreeMap<String, Value> = serde_json::from_str(TRICKY).expect("TRICKY is JSON");
    // Robustness rule 1: NUL bytes before a copy of nik_rules.txt make a binary of no known
    // format, read by the strings pass: the same counts.
    let mut rules = t["nik_rules.txt"].clone();
    rules["format"] = Value::from("strings");
    t.insert("binary.bin".to_string(), rules);
    let source = t["encoding/source.csv"].clone();
    for (file, format) in SAME_AS_SOURCE {
        let mut e = source.clone();
        e["format"] = Value::from(*format);
        t.insert(file.to_string(), e);
    }
    t
}

fn files_below(dir: &Path, base: &str, out: &mut Vec<String>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = format!("{base}{}", e.file_name().to_string_lossy());
        if e.file_type().unwrap().is_dir() {
            files_below(&e.path(), &format!("{name}/"), out);
        } else {
            out.push(name);
        }
    }
}

/// Compares one single-file scan with its expectation; returns the mismatches.
fn check_file(name: &str, want: &Value, got: &Value) -> Vec<String> {
    let mut bad = Vec::new();
    let file = &got["files"][0];
    let state = want
        .get("state")
        .and_then(Value::as_str)
        .unwrap_or("scanned");
    if file["state"] != state {
        bad.push(format!(
            "state {} (want {state}); problems {}",
            file["state"], got["ledger"]["problems"]
        ));
    }
    if file["format"] != want["format"] {
        bad.push(format!(
            "format {} (want {})",
            file["format"], want["format"]
        ));
    }
    let (mut w, mut g) = (BTreeMap::new(), BTreeMap::new());
    for section in ["records", "identifiers"] {
        if let Some(x) = want.get(section) {
            leaves(x, section, &mut w);
        }
        leaves(&got[section], section, &mut g);
    }
    for (path, x) in &w {
        match g.get(path) {
            Some(y) if same_number(x, y) => {}
            Some(y) => bad.push(format!("{path}: want {x}, scan {y}")),
            None => bad.push(format!("{path}: want {x}, scan has no such key")),
        }
    }
    for (path, y) in &g {
        if !w.contains_key(path) && !path.ends_with(".valid_share") && y.as_f64() != Some(0.0) {
            bad.push(format!("{path}: want 0, scan {y}"));
        }
    }
    // The per-file row agrees with the totals of a one-file scan.
    if file["records"] != got["records"]["total"]
        || file["confirmed"] != got["records"]["confirmed"]
    {
        bad.push(format!("files[0] {file} disagrees with records"));
    }
    for kind in ["nik", "kk", "bpjs_card", "phone", "email"] {
        if file["valid"][kind] != got["identifiers"][kind]["valid"] {
            bad.push(format!("files[0].valid.{kind} disagrees with identifiers"));
        }
    }
    bad.into_iter().map(|m| format!("{name}: {m}")).collect()
}

#[test]
fn every_tricky_file_gives_its_documented_counts() {
    let table = tricky_table();
    let dir = fixtures().join("tricky");
    let mut names = Vec::new();
    files_below(&dir, "", &mut names);
    let mut bad = Vec::new();
    for name in &names {
        if !table.contains_key(name) {
            bad.push(format!(
                "{name}: not in the table (add it here and to fixtures/README.md)"
            ));
        }
    }
    for (name, want) in &table {
        let path = dir.join(name);
        if !path.is_file() {
            bad.push(format!("{name}: in the table but missing on disk"));
            continue;
        }
        let got = scan_json_exit(&path, &[], 0);
        bad.extend(check_file(name, want, &got));
    }
    assert!(
        bad.is_empty(),
        "{} mismatch(es) with the tricky-file table:\n  {}",
        bad.len(),
        bad.join("\n  ")
    );
}

#[test]
fn encodings_of_one_file_count_the_same() {
    let dir = fixtures().join("tricky/encoding");
    let source = without_run(scan_json_exit(&dir.join("source.csv"), &[], 0));
    for (file, format) in SAME_AS_SOURCE {
        let name = file.trim_start_matches("encoding/");
        let v = without_run(scan_json_exit(&dir.join(name), &[], 0));
        assert_eq!(v["files"][0]["format"], *format, "{file}");
        for section in ["records", "identifiers"] {
            assert_eq!(
                v[section], source[section],
                "{file}: {section} differ from source.csv"
            );
        }
    }
}

#[test]
fn a_file_counts_the_same_alone_and_inside_the_fixtures_scan() {
    let all = scan_json_exit(&fixtures(), &[], 0);
    let rows: BTreeMap<String, &Value> = all["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_string(), f))
        .collect();
    let paths: Vec<&String> = rows.keys().collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "files[] must be sorted by path");
    for name in tricky_table().keys() {
        let alone = scan_json_exit(&fixtures().join("tricky").join(name), &[], 0);
        let mut one = alone["files"][0].clone();
        one["path"] = Value::from(format!("tricky/{name}"));
        let row = rows
            .get(&format!("tricky/{name}"))
            .unwrap_or_else(|| panic!("tricky/{name} not in the fixtures scan"));
        assert_eq!(**row, one, "tricky/{name}");
    }
    let total: u64 = rows.values().map(|f| f["records"].as_u64().unwrap()).sum();
    assert_eq!(
        all["records"]["total"], total,
        "records.total is the sum of files[].records"
    );
    let ledger = &all["ledger"];
    assert_eq!(ledger["entries"], rows.len());
    assert_eq!(
        ledger["entries"].as_u64(),
        ["scanned", "partial", "skipped", "failed"]
            .iter()
            .map(|s| ledger[*s].as_u64().unwrap())
            .reduce(|a, b| a + b),
        "the ledger adds up"
    );
}

// ---------------------------------------------------------------------------------------
// Threads, synth truth
// ---------------------------------------------------------------------------------------

#[test]
fn thread_counts_give_identical_summaries() {
    let one = without_run(scan_json_exit(&fixtures(), &["-j1"], 0));
    for j in ["-j2", "-j8"] {
        let other = without_run(scan_json_exit(&fixtures(), &[j], 0));
        assert!(one == other, "{j} differs from -j1 outside `run`");
    }
    // The same bytes, not only the same values.
    let a = scan(&[&fixtures()], &["--json", "-j1"]);
    let b = scan(&[&fixtures()], &["--json", "-j8"]);
    // Up to `run`, and without the scan's start: the summary's only timestamps.
    let started = Regex::new(r#""started": "[^"]*""#).unwrap();
    let strip = |o: &Scanned| {
        let s = String::from_utf8_lossy(&o.stdout).into_owned();
        let s = &s[..s.find("\"run\"").expect("a run section")];
        started.replace(s, "\"started\": \"\"").into_owned()
    };
    assert_eq!(strip(&a), strip(&b));
}

#[test]
fn synth_fixture_matches_its_truth() {
    let dir = fixtures().join("synth");
    let text = fs::read_to_string(dir.join("truth.json")).expect("fixtures/synth/truth.json");
    let truth: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(truth["rows"], 2000);
    assert_eq!(truth["seed"], 42);
    let summary = scan_json_exit(&dir, &[], 0);
    let bad = truth_mismatches(&truth, &summary);
    assert!(
        bad.is_empty(),
        "{} mismatch(es) between fixtures/synth/truth.json and its scan:\n  {}",
        bad.len(),
        bad.join("\n  ")
    );
}

#[test]
fn synth_fixture_is_what_synth_writes_today() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = triage()
        .args(["synth", "--rows", "2000", "--seed", "42", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for file in ["bpjs_sample.csv", "truth.json"] {
        let fresh = fs::read(dir.path().join(file)).unwrap();
        let committed = fs::read(fixtures().join("synth").join(file)).unwrap();
        assert!(
            fresh == committed,
            "fixtures/synth/{file} is stale: run `bash fixtures/make.sh --expected` and review"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Privacy
// ---------------------------------------------------------------------------------------

/// Text of a fixture file: UTF-16 decoded, anything else byte for byte (identifiers are ASCII).
fn fixture_text(path: &Path) -> String {
    let b = fs::read(path).unwrap();
    let utf16 = |le: bool| {
        let units: Vec<u16> = b[2..]
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    match b.get(..2) {
        Some([0xFF, 0xFE]) => utf16(true),
        Some([0xFE, 0xFF]) => utf16(false),
        _ => String::from_utf8_lossy(&b).into_owned(),
    }
}

/// Every raw value in the data fixtures, in every form a leak could take: as written, and
/// normalized (digits only; phones also as +62…, 62… and 0…; e-mails also lower-cased).
fn raw_values() -> Vec<String> {
    let digits = Regex::new(r"\d{10,}").unwrap();
    let spaced = Regex::new(r"\d{4}[ .\-]\d{4}[ .\-]\d{4}[ .\-]\d{4}").unwrap();
    let phone = Regex::new(r"(?:\+62|62|0)(?:[ .\-]|\s?\(0\)\s?)?8(?:[ .\-]?\d){7,13}").unwrap();
    let email = Regex::new(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9._\-]+\.[A-Za-z0-9]+").unwrap();
    let mut files = Vec::new();
    files_below(&fixtures().join("tricky"), "tricky/", &mut files);
    files.push("synth/bpjs_sample.csv".into());
    let mut out = std::collections::BTreeSet::new();
    for f in files {
        let text = fixture_text(&fixtures().join(&f));
        for m in digits.find_iter(&text).chain(spaced.find_iter(&text)) {
            out.insert(m.as_str().to_string());
        }
        for m in phone.find_iter(&text) {
            let d: String = m.as_str().chars().filter(char::is_ascii_digit).collect();
            let national = d
                .strip_prefix("620")
                .or_else(|| d.strip_prefix("62"))
                .or_else(|| d.strip_prefix('0'))
                .unwrap_or(&d)
                .to_string();
            out.insert(m.as_str().to_string());
            for form in [
                format!("+62{national}"),
                format!("62{national}"),
                format!("0{national}"),
            ] {
                out.insert(form);
            }
        }
        for m in email.find_iter(&text) {
            out.insert(m.as_str().to_string());
            out.insert(m.as_str().to_ascii_lowercase());
        }
    }
    out.into_iter().filter(|v| v.len() >= 8).collect()
}

#[test]
fn no_raw_value_in_any_output_format() {
    let raw = raw_values();
    assert!(
        raw.len() > 3000,
        "the raw-value collector found only {}",
        raw.len()
    );
    for known in [
        "3171014101900001",
        "3171 0141 0190 0001",
        "0001234567890",
        "+62 (0)812 3456 7808",
        "+6281234567808",
        "081234567808",
        "Siti_Rahma+bpjs@Kemkes.GO.ID",
        "siti_rahma+bpjs@kemkes.go.id",
    ] {
        assert!(
            raw.iter().any(|v| v == known),
            "the collector missed {known}"
        );
    }
    for format in ["text", "json", "csv"] {
        let out = scan(&[&fixtures()], &["--format", format]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let mut shown = String::from_utf8_lossy(&out.stdout).into_owned();
        if format == "json" {
            // `run.bytes_per_s` is a free-running number: leave it out of the digit check.
            let v: Value = serde_json::from_str(&shown).unwrap();
            shown = serde_json::to_string_pretty(&without_run(v)).unwrap();
        }
        shown.push_str(&out.stderr);
        assert!(
            !shown.contains('@'),
            "--format {format}: an e-mail-like `@` in the output"
        );
        let leaked: Vec<&String> = raw.iter().filter(|v| shown.contains(v.as_str())).collect();
        assert!(
            leaked.is_empty(),
            "--format {format} shows {} raw value(s), e.g. {:?}",
            leaked.len(),
            &leaked[..leaked.len().min(5)]
        );
    }
}

// ---------------------------------------------------------------------------------------
// Exit codes
// ---------------------------------------------------------------------------------------

fn bad_fixtures() -> PathBuf {
    root().join("fixtures-bad")
}

#[test]
fn a_missing_root_is_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let out = scan(&[&dir.path().join("no-such-dir")], &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stdout.is_empty());
}

#[test]
fn zero_threads_is_a_bad_argument() {
    let out = scan(&[&fixtures().join("tricky")], &["--threads", "0"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let out = scan(&[&fixtures().join("tricky")], &["-j", "many"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn a_failed_entry_makes_the_scan_incomplete() {
    // A gzip stream cut short is `partial`: the scan is incomplete.
    let v = scan_json_exit(&bad_fixtures().join("truncated.csv.gz"), &[], 3);
    assert_eq!(v["files"][0]["state"], "partial");
    // A zip member with a bad CRC (partial); a zip cut before its directory (partial, its
    // first member read whole, the second cut); a scanned PDF (partial: no text layer).
    let v = scan_json_exit(&bad_fixtures(), &[], 3);
    assert_eq!(v["ledger"]["entries"], 6);
    assert_eq!(v["ledger"]["scanned"], 1);
    assert_eq!(v["ledger"]["partial"], 5);
    assert_eq!(
        v["ledger"]["problems"].as_array().map(Vec::len),
        Some(5),
        "every entry that is not scanned is a problem with a reason: {}",
        v["ledger"]["problems"]
    );
    for p in v["ledger"]["problems"].as_array().unwrap() {
        assert!(!p["reason"].as_str().unwrap_or("").is_empty(), "{p}");
    }
}

#[test]
fn skipped_entries_do_not_make_a_scan_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["image.png", "empty.csv", "blank.txt"] {
        fs::copy(fixtures().join("tricky").join(f), dir.path().join(f)).unwrap();
    }
    let v = scan_json_exit(dir.path(), &[], 0);
    assert_eq!(v["ledger"]["skipped"], 3);
    assert_eq!(v["records"]["total"], 0);
}

#[test]
fn expect_mismatch_wins_over_an_incomplete_scan() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = scan_json_exit(&bad_fixtures(), &[], 3);
    let baseline = dir.path().join("baseline.json");
    fs::write(&baseline, serde_json::to_string(&v).unwrap()).unwrap();
    // The same baseline: the comparison passes, the scan is still incomplete.
    let out = scan(
        &[&bad_fixtures()],
        &["--expect", baseline.to_str().unwrap()],
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    // A moved count: 1 wins over 3.
    v["ledger"]["failed"] = Value::from(v["ledger"]["failed"].as_u64().unwrap() + 1);
    fs::write(&baseline, serde_json::to_string(&v).unwrap()).unwrap();
    let out = scan(
        &[&bad_fixtures()],
        &["--expect", baseline.to_str().unwrap()],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("ledger.failed: baseline"),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------------------
// Compressed streams, archives, SQL dumps (more in tests/formats.rs)
// ---------------------------------------------------------------------------------------

#[test]
fn gzip_stream_counts_like_its_content() {
    let gz = scan_json_exit(&fixtures().join("formats/export.csv.gz"), &[], 0);
    let plain = scan_json_exit(&fixtures().join("tricky/card_field.csv"), &[], 0);
    assert_eq!(gz["files"][0]["path"], "export.csv.gz");
    assert_eq!(gz["files"][0]["state"], "scanned");
    for section in ["records", "identifiers"] {
        assert_eq!(gz[section], plain[section], "{section}");
    }
}

#[test]
fn zip_members_are_entries() {
    let dir = tempfile::tempdir().unwrap();
    let csv = fs::read(fixtures().join("tricky/card_field.csv")).unwrap();
    let zip = archives::zip(&[("data/card_field.csv", &csv)], true);
    fs::write(dir.path().join("dump.zip"), zip).unwrap();
    let v = scan_json_exit(dir.path(), &[], 0);
    let plain = scan_json_exit(&fixtures().join("tricky/card_field.csv"), &[], 0);
    assert_eq!(v["files"][0]["path"], "dump.zip!data/card_field.csv");
    for section in ["records", "identifiers"] {
        assert_eq!(v[section], plain[section], "{section}");
    }
}

#[test]
fn sql_insert_tuples_are_records() {
    let dir = tempfile::tempdir().unwrap();
    let dump = "CREATE TABLE `peserta` (`nik` varchar(16), `nama` varchar(50), `tgl_lahir` date);\n\
                INSERT INTO `peserta` (`nik`, `nama`, `tgl_lahir`) VALUES \
                ('3171010101900001','Budi','1990-01-01'),('3171014101900002','Ani','1990-01-01');\n";
    fs::write(dir.path().join("dump.sql"), dump).unwrap();
    let v = scan_json_exit(dir.path(), &[], 0);
    assert_eq!(v["records"]["total"], 2, "one record per tuple");
    assert_eq!(
        v["records"]["confirmed"], 2,
        "tgl_lahir is a birth-date column"
    );
}

// ---------------------------------------------------------------------------------------
// SPEC features the scanner does not have yet
// ---------------------------------------------------------------------------------------

#[test]
fn reference_records_and_key_options_exist() {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference.txt");
    fs::write(&reference, "3171010101900001\n").unwrap();
    let records = dir.path().join("records.csv");
    let v = scan_json_exit(
        &fixtures().join("tricky/nik_rules.txt"),
        &[
            "--reference",
            reference.to_str().unwrap(),
            "--records",
            records.to_str().unwrap(),
            "--key",
            "test-key",
        ],
        0,
    );
    // Two lines of nik_rules.txt hold that NIK.
    assert_eq!(v["records"]["reference_matched"], 2);
    assert_eq!(v["records"]["confirmed_by"]["reference"], 2);
    let rows = fs::read_to_string(&records).expect("--records writes its file");
    assert!(!rows.contains("3171010101900001"), "--records masks values");
}
