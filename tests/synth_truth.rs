//! `triage synth` writes a sample and the counts a correct scan must report; `triage scan`
//! of that directory must report exactly them. Every leaf of `truth.json` (except `schema`,
//! `rows` and `seed`) is compared with the summary at the same path, and every mismatch is
//! listed in one failure.

use std::path::Path;

use serde_json::Value;

mod common;
use common::run::{scan, triage};
use common::truth::truth_mismatches;

const ROWS: &str = "20000";
const SEED: &str = "7";

fn synth(dir: &Path, format: Option<&str>) -> Value {
    let mut cmd = triage();
    cmd.args(["synth", "--rows", ROWS, "--seed", SEED, "--out"])
        .arg(dir);
    if let Some(f) = format {
        cmd.args(["--format", f]);
    }
    let out = cmd.output().expect("running triage synth");
    assert!(
        out.status.success(),
        "triage synth failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let sample = match format {
        Some("jsonl") => "bpjs_sample.jsonl",
        _ => "bpjs_sample.csv",
    };
    assert!(dir.join(sample).is_file(), "{sample} not written");
    let text = std::fs::read_to_string(dir.join("truth.json")).expect("truth.json");
    assert!(
        text.starts_with("{\n  \"schema\": \"triage.truth/1\""),
        "truth.json must start with its schema"
    );
    serde_json::from_str(&text).expect("truth.json is JSON")
}

fn check(format: Option<&str>) -> Value {
    let dir = tempfile::tempdir().expect("temp dir");
    let truth = synth(dir.path(), format);
    let summary = scan(&[dir.path()], &["--format", "json"]).summary(0);
    let mismatches = truth_mismatches(&truth, &summary);
    assert!(
        mismatches.is_empty(),
        "{} mismatch(es) between truth.json and `triage scan` ({}, {ROWS} rows, seed {SEED}):\n  {}",
        mismatches.len(),
        format.unwrap_or("csv"),
        mismatches.join("\n  ")
    );
    truth
}

#[test]
fn scan_of_synthetic_csv_matches_its_truth() {
    check(None);
}

#[test]
fn scan_of_synthetic_jsonl_matches_its_truth() {
    check(Some("jsonl"));
}

#[test]
fn csv_and_jsonl_samples_of_one_seed_have_the_same_truth() {
    let a = tempfile::tempdir().expect("temp dir");
    let b = tempfile::tempdir().expect("temp dir");
    let csv = synth(a.path(), Some("csv"));
    let jsonl = synth(b.path(), Some("jsonl"));
    for section in ["records", "identifiers"] {
        assert_eq!(
            csv[section], jsonl[section],
            "{section} differ between csv and jsonl"
        );
    }
}

#[test]
fn synth_is_reproducible() {
    let a = tempfile::tempdir().expect("temp dir");
    let b = tempfile::tempdir().expect("temp dir");
    synth(a.path(), None);
    synth(b.path(), None);
    for file in ["bpjs_sample.csv", "truth.json"] {
        let x = std::fs::read(a.path().join(file)).unwrap();
        let y = std::fs::read(b.path().join(file)).unwrap();
        assert!(x == y, "{file} differs between two runs with the same seed");
    }
}
