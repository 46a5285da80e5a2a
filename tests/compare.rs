//! Issue 24 done-when 2: `triage compare` of two generated leaks sharing 30% of their
//! rows reports exactly their overlap — for every kind and for people by province, each
//! count checked against scans of A, B and both (|A ∩ B| = |A| + |B| − |A ∪ B|) — and
//! refuses states made with different keys.

mod common;

use std::path::Path;

use common::samples::{delimited, read_csv, synth};
use common::state::{args, revealed_records, run, scan_format, scan_state, KEY};
use serde_json::Value;

fn write_csv(path: &Path, header: &[String], rows: &[Vec<String>]) {
    std::fs::write(path, delimited(header, rows, b',')).unwrap();
}

fn summary(paths: &[&Path]) -> Value {
    let r = scan_format(&args(paths), "json");
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_slice(&r.stdout).unwrap()
}

fn compare(a: &Path, b: &Path, key: &str) -> common::state::Ran {
    let mut c = args(&["compare"]);
    c.extend(args(&[a, b]));
    c.extend(args(&["--format", "json"]));
    run(&c, Some(key))
}

/// The rows of a synthetic sample whose NIK column holds a valid NIK no other row has (as
/// the scan's `--records --reveal` says): one person per row.
fn one_person_per_row(dir: &Path, rows: usize) -> (Vec<String>, Vec<Vec<String>>) {
    let sample = synth(dir, rows as u32, 11);
    let (header, all) = read_csv(&sample);
    let nik_col = header.iter().position(|h| h == "NIK").unwrap();
    let records = revealed_records(&[&sample], dir);
    let mut valid = std::collections::BTreeMap::new();
    for rec in csv::Reader::from_path(&records).unwrap().records() {
        let rec = rec.unwrap();
        let row: usize = rec[1].parse().unwrap();
        let niks: Vec<&str> = rec[4]
            .split(' ')
            .filter_map(|v| v.strip_prefix("nik:"))
            .collect();
        // The NIK may be written again in another column of the row.
        if !niks.is_empty() && niks.iter().all(|&n| n == all[row - 1][nik_col]) {
            valid.insert(row - 1, niks[0].to_string());
        }
    }
    let mut count = std::collections::HashMap::new();
    for r in &all {
        *count.entry(r[nik_col].clone()).or_insert(0) += 1;
    }
    let picked = all
        .iter()
        .enumerate()
        .filter(|(i, r)| valid.contains_key(i) && count[&r[nik_col]] == 1)
        .map(|(_, r)| r.clone())
        .collect();
    (header, picked)
}

#[test]
fn done_when_2_compare_reports_the_known_overlap() {
    let tmp = tempfile::tempdir().unwrap();
    let (header, rows) = one_person_per_row(&tmp.path().join("s"), 5000);
    assert!(rows.len() >= 1700, "{} rows", rows.len());
    let (a, b) = (tmp.path().join("a.csv"), tmp.path().join("b.csv"));
    // 1000 people each, 300 of them in both: 30% of each leak.
    write_csv(&a, &header, &rows[..1000]);
    write_csv(&b, &header, &rows[700..1700]);
    let (sa, sb) = (tmp.path().join("a.state"), tmp.path().join("b.state"));
    scan_state(&args(&[&a]), &sa);
    scan_state(&args(&[&b]), &sb);
    let r = compare(&sa, &sb, KEY);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let c: Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(c["schema"], "triage.compare/1");
    let (va, vb, vu) = (summary(&[&a]), summary(&[&b]), summary(&[&a, &b]));
    for (label, kind) in [
        ("people", "nik"),
        ("kk", "kk"),
        ("bpjs_card", "bpjs_card"),
        ("phone", "phone"),
        ("email", "email"),
    ] {
        let u = |v: &Value| v["identifiers"][kind]["unique"].as_u64().unwrap();
        let row = &c["identifiers"][label];
        let both = u(&va) + u(&vb) - u(&vu);
        assert_eq!(row["a"].as_u64(), Some(u(&va)), "{label}");
        assert_eq!(row["b"].as_u64(), Some(u(&vb)), "{label}");
        assert_eq!(row["both"].as_u64(), Some(both), "{label}");
        assert_eq!(row["only_a"].as_u64(), Some(u(&va) - both), "{label}");
        assert!(both > 0, "{label}");
    }
    let people = &c["identifiers"]["people"];
    assert_eq!(
        (people["a"].as_u64(), people["b"].as_u64()),
        (Some(1000), Some(1000))
    );
    assert_eq!(people["both"].as_u64(), Some(300));
    assert_eq!(people["share_of_a"].as_f64(), Some(0.3));
    assert_eq!(people["share_of_b"].as_f64(), Some(0.3));
    let provinces = c["provinces"].as_object().unwrap();
    assert!(provinces.len() > 10);
    for (code, row) in provinces {
        let p = |v: &Value| {
            v["impact"]["provinces"][code]["people"]
                .as_u64()
                .unwrap_or(0)
        };
        assert_eq!(
            row["both"].as_u64(),
            Some(p(&va) + p(&vb) - p(&vu)),
            "{code}"
        );
        assert_eq!(row["a"].as_u64(), Some(p(&va)), "{code}");
    }
}

#[test]
fn compare_refuses_states_of_different_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let tricky = common::paths::fixtures().join("tricky");
    let sa = tmp.path().join("a.state");
    scan_state(&args(&[&tricky]), &sa);
    let sb = tmp.path().join("b.state");
    let mut s = args(&["scan"]);
    s.push(tricky.clone().into());
    s.extend(args(&["--no-progress", "-o", "/dev/null", "--state"]));
    s.push(sb.clone().into());
    assert_eq!(run(&s, Some("another key")).code, 0);
    let r = compare(&sa, &sb, KEY);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("made with another key"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert_eq!(compare(&sa, &sa, KEY).code, 0);
}
