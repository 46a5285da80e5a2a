//! The scan's command-line habits (issue 25): `-q/--quiet`, `--glob`/`--exclude` and
//! `--sample N`, each as a responder would use it.

use std::fs;
use std::path::Path;

use serde_json::Value;

mod common;
use common::run::{scan, scan_json_exit};
use common::summary::{file, reason, without_times};

/// `n` rows of a CSV with a valid NIK each.
fn rows(n: usize) -> String {
    let mut s = String::from("nama,nik\n");
    for i in 0..n {
        s.push_str(&format!("Orang {i},31710101019{:05}\n", i % 99_999 + 1));
    }
    s
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

#[test]
fn quiet_keeps_stderr_for_errors_and_the_exit_codes() {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join("empty.csv"), "").unwrap();
    // Nothing read: a note on stderr, exit 0 (a skipped entry is no problem).
    let loud = scan(&[d.path()], &["--json"]);
    assert_eq!(loud.code, 0);
    assert!(loud.stderr.contains("nothing was read"), "{}", loud.stderr);
    let mut want = loud.json();
    without_times(&mut want);
    for q in ["-q", "--quiet"] {
        let quiet = scan(&[d.path()], &["--json", q]);
        assert_eq!((quiet.code, quiet.stderr.as_str()), (0, ""), "{q}");
        let mut got = quiet.json();
        without_times(&mut got);
        assert_eq!(got, want, "the same summary");
    }
    // An error still says why.
    let missing = scan(&[&d.path().join("no-such")], &["-q"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("error"), "{}", missing.stderr);
}

#[test]
fn glob_and_exclude_leave_entries_out_as_skipped_excluded() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "a.csv", &rows(3));
    write(d.path(), "notes.txt", &rows(4));
    write(d.path(), "logs/old.csv", &rows(5));
    let v = scan_json_exit(d.path(), &["--glob", "*.csv", "--exclude", "logs"], 0);
    assert_eq!(v["records"]["total"], 3);
    assert_eq!(file(&v, "a.csv")["state"], "scanned");
    for left_out in ["notes.txt", "logs/old.csv"] {
        assert_eq!(file(&v, left_out)["state"], "skipped", "{left_out}");
        assert_eq!(reason(&v, left_out), "excluded (--glob/--exclude)");
    }
    assert_eq!(v["ledger"]["skipped"], 2);
    // Globs are repeatable, and match below the root (`**`).
    let v = scan_json_exit(d.path(), &["--glob", "**/old.csv", "--glob", "*.txt"], 0);
    assert_eq!(v["records"]["total"], 9);
    assert_eq!(file(&v, "a.csv")["state"], "skipped");
    let bad = scan(&[d.path()], &["--exclude", "a["]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("--exclude"), "{}", bad.stderr);
}

#[test]
fn a_sample_reads_the_first_records_and_is_never_complete() {
    let d = tempfile::tempdir().unwrap();
    // Over a chunk (1 MiB), so the sample stops the read.
    write(d.path(), "big.csv", &rows(60_000));
    write(d.path(), "small.csv", &rows(4));
    let one = scan_json_exit(d.path(), &["--sample", "10", "-j1"], 3);
    assert_eq!(one["records"]["total"], 14);
    assert_eq!(file(&one, "big.csv")["records"], 10);
    assert_eq!(file(&one, "big.csv")["state"], "partial");
    assert_eq!(file(&one, "big.csv")["sha256"], Value::Null);
    assert_eq!(
        reason(&one, "big.csv"),
        "sampled: its first 10 record(s) read (--sample)"
    );
    // Held no more than the sample: read whole, but the scan is still a sample (exit 3).
    assert_eq!(file(&one, "small.csv")["state"], "scanned");
    assert_eq!(one["custody"]["sampled"], 10);
    let mut two = scan_json_exit(d.path(), &["--sample", "10", "-j2"], 3);
    let mut one = one;
    without_times(&mut one);
    without_times(&mut two);
    assert_eq!(one, two, "the first records, whatever the threads");
    let text = scan(&[d.path()], &["--sample", "10"]);
    assert_eq!(text.code, 3);
    let out = String::from_utf8(text.stdout).unwrap();
    assert!(
        out.starts_with("SAMPLED: only the first 10 records"),
        "{out}"
    );
    assert_eq!(scan(&[d.path()], &["--sample", "0"]).code, 2);
}
