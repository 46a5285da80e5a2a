//! Chain of custody (SPEC §7 `custody`, issue 25): the scan's start in UTC, the roots as
//! given, the case label, and the SHA-256 of every entry read whole: of a file's bytes on
//! disk, of an archive member's content as it comes out of the archive, computed in the
//! scan's own read and the same with any thread count.

use std::fs;
use std::path::Path;
use std::process::Command;

use regex::Regex;
use serde_json::Value;

mod common;
use common::archives::{gzip, zip};
use common::run::{scan, scan_json_exit};
use common::summary::file;

const CSV: &str = "nama,nik,tgl_lahir\nBudi,3171010101900001,1990-01-01\n\
                   Ani,3171014101900002,1990-01-01\n";

/// `sha256sum` of `bytes`: the hash of a tool the crate does not share.
fn sha256sum(bytes: &[u8]) -> String {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("bytes");
    fs::write(&path, bytes).unwrap();
    let out = Command::new("sha256sum").arg(&path).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()[..64].to_string()
}

fn tar_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in members {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, *data).unwrap();
    }
    b.into_inner().unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    fs::write(dir.join(name), bytes).unwrap();
}

#[test]
fn started_is_utc_rfc3339_to_the_second_and_roots_are_as_given() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "z.csv", CSV.as_bytes());
    write(d.path(), "a.csv", CSV.as_bytes());
    let (z, a) = (d.path().join("z.csv"), d.path().join("a.csv"));
    let before = std::time::SystemTime::now();
    let v = scan(&[&z, &a], &["--json", "--case", "CASE-42"]).summary(0);
    let after = std::time::SystemTime::now();
    let c = &v["custody"];
    let started = c["started"].as_str().unwrap();
    let shape = Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$").unwrap();
    assert!(shape.is_match(started), "{started}");
    // Between the test's clock readings before and after the scan, to the second.
    let secs = |t: std::time::SystemTime| {
        t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
    };
    let at = started.parse::<jiff::Timestamp>().unwrap().as_second();
    assert!((secs(before)..=secs(after)).contains(&at), "{started}");
    let roots: Vec<&str> = c["roots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    let given = [a.to_str().unwrap(), z.to_str().unwrap()];
    assert_eq!(roots, given, "sorted, as given");
    assert_eq!(c["case"], "CASE-42");
    assert_eq!(c["sampled"], Value::Null);
    let plain = scan_json_exit(&a, &[], 0);
    assert_eq!(plain["custody"]["case"], Value::Null);
}

#[test]
fn sha256_is_of_the_file_on_disk_and_of_each_member_content() {
    let d = tempfile::tempdir().unwrap();
    let member = format!("{CSV}Citra,3171015101900003,1990-01-11\n");
    let zipped = zip(&[("in/m.csv", member.as_bytes())], false);
    let tarred = tar_of(&[("t.csv", CSV.as_bytes())]);
    let gz = gzip(CSV.as_bytes(), flate2::Compression::default());
    write(d.path(), "plain.csv", CSV.as_bytes());
    write(d.path(), "a.zip", &zipped);
    write(d.path(), "b.tar", &tarred);
    write(d.path(), "c.csv.gz", &gz);
    let v = scan_json_exit(d.path(), &["-j1"], 0);
    let hash = |path: &str| file(&v, path)["sha256"].clone();
    assert_eq!(hash("plain.csv"), sha256sum(CSV.as_bytes()));
    assert_eq!(hash("a.zip!in/m.csv"), sha256sum(member.as_bytes()));
    assert_eq!(hash("b.tar!t.csv"), sha256sum(CSV.as_bytes()));
    // A compressed stream is one entry under the file's own name: the file's bytes.
    assert_eq!(hash("c.csv.gz"), sha256sum(&gz));
    let again = scan_json_exit(d.path(), &["-j2"], 0);
    assert_eq!(again["files"], v["files"], "the same with -j2");
}

#[test]
fn an_entry_not_read_to_its_end_has_no_hash() {
    // A PNG larger than the first block is skipped on it: no hash of a part passes for the
    // whole. One within the first block is read whole.
    let d = tempfile::tempdir().unwrap();
    let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
    big.resize(300_000, 7);
    write(d.path(), "big.png", &big);
    write(d.path(), "small.png", &big[..1000]);
    let v = scan_json_exit(d.path(), &[], 0);
    assert_eq!(file(&v, "big.png")["state"], "skipped");
    assert_eq!(file(&v, "big.png")["sha256"], Value::Null);
    assert_eq!(file(&v, "small.png")["sha256"], sha256sum(&big[..1000]));
}
