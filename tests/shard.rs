//! `--shard I/N` (issue 24, SPEC §2 "State files and shards"): the shards of a generated dump
//! — several formats, archives, a big file, entries that are skipped and one that cannot be
//! read whole — are disjoint and together are the full scan, ledger row for ledger row;
//! standard input belongs to shard 0; a single file lands in exactly one shard; a bad
//! `I/N` is refused before anything is read.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use common::archives::{gzip, zip};
use common::run::{scan, triage_path};
use common::samples::{object, read_csv, synth};
use serde_json::Value;

/// The dump: a big synthetic CSV, parts of it as CSV, JSON Lines, gzip, a zip of two members,
/// in nested folders; an empty file, a PNG, a symlink, and a truncated gzip (`partial`).
fn dump(root: &Path, work: &Path) {
    let sample = synth(work, 3000, 24);
    let (header, rows) = read_csv(&sample);
    let csv_of = |rows: &[Vec<String>]| {
        let mut s = header.join(",") + "\n";
        for r in rows {
            s += &(r.join(",") + "\n");
        }
        s.into_bytes()
    };
    let jsonl = |rows: &[Vec<String>]| {
        let lines: Vec<String> = rows
            .iter()
            .map(|r| object(&header, r).to_string())
            .collect();
        (lines.join("\n") + "\n").into_bytes()
    };
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("big/full.csv", fs::read(&sample).unwrap()),
        ("a/part1.csv", csv_of(&rows[..200])),
        ("a/part2.csv", csv_of(&rows[200..230])),
        ("a/b/part3.jsonl", jsonl(&rows[230..500])),
        ("a/b/part4.jsonl", jsonl(&rows[500..520])),
        (
            "c/part5.csv.gz",
            gzip(&csv_of(&rows[520..900]), Default::default()),
        ),
        (
            "c/parts.zip",
            zip(
                &[
                    ("x/part6.csv", &csv_of(&rows[900..1000])),
                    ("part7.jsonl", &jsonl(&rows[1000..1100])),
                ],
                false,
            ),
        ),
        ("c/cut.csv.gz", {
            let g = gzip(&csv_of(&rows[1100..1500]), Default::default());
            g[..g.len() / 2].to_vec()
        }),
        ("d/empty.csv", Vec::new()),
        ("d/logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()),
    ];
    for (name, data) in files {
        let p = root.join(name);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, data).unwrap();
    }
    #[cfg(unix)]
    std::os::unix::fs::symlink("../a/part1.csv", root.join("d/link.csv")).unwrap();
}

/// The summary of `triage scan ROOT --json ARGS`, which must exit 0 or 3; and its stderr.
fn summary(root: &Path, args: &[&str]) -> (Value, String) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let s = scan(&[root], &all);
    assert!(
        s.code == 0 || s.code == 3,
        "{} exited {}",
        s.command,
        s.code
    );
    (s.json(), s.stderr)
}

/// The ledger rows (`files`) of a summary, keyed by path.
fn rows(v: &Value) -> Vec<(String, Value)> {
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_string(), f.clone()))
        .collect()
}

fn sum(parts: &[Value], section: &str, key: &str) -> u64 {
    parts
        .iter()
        .map(|v| v[section][key].as_u64().unwrap())
        .sum()
}

#[test]
fn shards_are_disjoint_and_together_are_the_full_scan() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("dump");
    dump(&root, &work.path().join("synth"));
    let (full, _) = summary(&root, &[]);
    assert!(
        full["ledger"]["partial"].as_u64().unwrap() + full["ledger"]["failed"].as_u64().unwrap()
            > 0
    );
    assert!(full["ledger"]["skipped"].as_u64().unwrap() >= 3);
    for n in [1u32, 2, 3, 8] {
        let parts: Vec<Value> = (0..n)
            .map(|i| {
                let (v, err) = summary(&root, &["--shard", &format!("{i}/{n}")]);
                assert!(err.contains(&format!("shard {i}/{n}: ")), "{err}");
                v
            })
            .collect();
        let mut union: Vec<(String, Value)> = parts.iter().flat_map(rows).collect();
        union.sort_by(|a, b| a.0.cmp(&b.0));
        let paths: Vec<&String> = union.iter().map(|(p, _)| p).collect();
        let mut distinct = paths.clone();
        distinct.dedup();
        assert_eq!(paths.len(), distinct.len(), "{n} shards overlap");
        assert_eq!(union, rows(&full), "{n} shards: the union of the ledgers");
        for key in [
            "entries", "bytes", "scanned", "partial", "skipped", "failed",
        ] {
            assert_eq!(
                sum(&parts, "ledger", key),
                full["ledger"][key],
                "{n}: {key}"
            );
        }
        for key in ["total", "with_candidates", "with_valid_nik", "confirmed"] {
            assert_eq!(
                sum(&parts, "records", key),
                full["records"][key],
                "{n}: {key}"
            );
        }
        let mut problems: Vec<Value> = parts
            .iter()
            .flat_map(|v| v["ledger"]["problems"].as_array().unwrap().clone())
            .collect();
        problems.sort_by_key(|p| p["path"].as_str().unwrap().to_string());
        assert_eq!(Value::from(problems), full["ledger"]["problems"], "{n}");
        if n > 1 {
            // Archive members travel with their archive: never split across shards.
            let owner = |member: &str| {
                parts
                    .iter()
                    .position(|v| rows(v).iter().any(|(p, _)| p == member))
                    .unwrap()
            };
            assert_eq!(
                owner("c/parts.zip!x/part6.csv"),
                owner("c/parts.zip!part7.jsonl")
            );
        }
    }
}

/// `-` belongs to shard 0: the other shards do not read standard input at all.
#[test]
fn standard_input_belongs_to_shard_0() {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join("a.csv"), "NIK,NAMA\n3171234567890001,Budi\n").unwrap();
    for i in 0..3 {
        let mut child = std::process::Command::new(triage_path())
            .args(["scan", "-"])
            .arg(d.path())
            .args(["--json", "--no-progress", "--shard", &format!("{i}/3")])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // A shard that does not read stdin may close it first: a broken pipe is fine here.
        let _ = child
            .stdin
            .take()
            .unwrap()
            .write_all(b"nik\n3171234567890002\n");
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let has_stdin = rows(&v).iter().any(|(p, _)| p == "-");
        assert_eq!(has_stdin, i == 0, "shard {i}/3");
    }
}

/// A single file root is one entry: exactly one shard scans it, the others scan nothing and
/// say so.
#[test]
fn a_single_file_lands_in_exactly_one_shard() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("only.csv");
    fs::write(&f, "NIK,NAMA\n3171234567890001,Budi\n").unwrap();
    let mut holders = 0;
    for i in 0..4 {
        let (v, err) = summary(&f, &["--shard", &format!("{i}/4")]);
        match v["ledger"]["entries"].as_u64().unwrap() {
            1 => {
                holders += 1;
                assert_eq!(v["files"][0]["path"], "only.csv");
            }
            0 => assert!(
                err.contains(&format!("shard {i}/4: 0 of 1 entries")),
                "{err}"
            ),
            e => panic!("{e} entries"),
        }
    }
    assert_eq!(holders, 1);
}

#[test]
fn a_bad_shard_is_refused_before_reading() {
    let d = tempfile::tempdir().unwrap();
    for bad in ["3/3", "0/0", "1", "a/b", "-1/2", "1/", "0/1025", "1/2/3"] {
        let s = scan(&[d.path()], &[&format!("--shard={bad}")]);
        assert_eq!(s.code, 2, "--shard {bad}: {}", s.stderr);
        assert!(s.stderr.contains("--shard"), "{}", s.stderr);
    }
    for good in ["0/1", "1023/1024", " 2 / 3 "] {
        let s = scan(&[d.path()], &["--shard", good]);
        assert_eq!(s.code, 0, "--shard {good}: {}", s.stderr);
    }
}
