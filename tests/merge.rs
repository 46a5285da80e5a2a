//! Issue 24 done-when 1: `triage merge` of the states of the parts of a scan is the one
//! scan's summary, byte for byte outside `run`, for every format, in any order and as a
//! tree. The inputs: CSV, JSON Lines, a zip, a gzip cut short, a big-ish file, people
//! repeated across parts, and files named by NIKs that mask alike (within a part and
//! across parts), whose `files` rows keep their identity and order through a merge.

mod common;

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use common::archives::{gzip, zip};
use common::samples::{delimited, jsonl, read_csv, synth};
use common::state::{args, merge, merged_equals_single, scan_format, scan_state};

/// A NIK like `nik` that masks alike (first 4 and last 2 digits kept): digit 8 changed.
fn masks_alike(nik: &str, by: u8) -> String {
    let mut b = nik.as_bytes().to_vec();
    b[8] = b'0' + (b[8] - b'0' + by) % 10;
    String::from_utf8(b).unwrap()
}

/// Six folders p1..p6 under `root`, filled as the module says, and the NIK that names files.
fn inputs(root: &Path) -> (Vec<PathBuf>, String) {
    let sample = root.join("sample");
    fs::create_dir_all(&sample).unwrap();
    let (header, rows) = read_csv(&synth(&sample, 1200, 7));
    let big = synth(&root.join("big"), 20_000, 8);
    let dirs: Vec<PathBuf> = (1..=6).map(|i| root.join(format!("p{i}"))).collect();
    for d in &dirs {
        fs::create_dir_all(d).unwrap();
    }
    let nik_col = header.iter().position(|h| h == "NIK").unwrap();
    let nik = rows[0][nik_col].clone();
    let w = |d: usize, name: &str, data: &[u8]| fs::write(dirs[d].join(name), data).unwrap();
    // People repeated across parts: rows 300..500 are in p1 and p3, 800..1000 in p2 and p6.
    w(0, "a.csv", &delimited(&header, &rows[..500], b','));
    w(1, "b.jsonl", &jsonl(&header, &rows[500..1000]));
    let member = delimited(&header, &rows[300..700], b',');
    w(2, "c.zip", &zip(&[("inner/people.csv", &member)], false));
    w(3, "big.csv", &fs::read(&big).unwrap());
    w(4, "d.csv", &delimited(&header, &rows[1000..], b','));
    w(5, "e.jsonl", &jsonl(&header, &rows[800..1000]));
    // Named by NIKs that mask alike: two in p1, one in p5; a gzip cut short in p4.
    let small = delimited(&header, &rows[10..14], b',');
    w(0, &format!("ktp_{nik}.csv"), &small);
    w(
        0,
        &format!("ktp_{}.csv", masks_alike(&nik, 1)),
        &small[..small.len() / 2],
    );
    w(4, &format!("ktp_{}.csv", masks_alike(&nik, 2)), &small);
    let gz = gzip(&small, flate2::Compression::default());
    w(3, &format!("ktp_{nik}.csv.gz"), &gz[..gz.len() - 9]);
    (dirs, nik)
}

fn paths(dirs: &[PathBuf], pick: &[usize]) -> Vec<OsString> {
    args(&pick.iter().map(|&i| &dirs[i]).collect::<Vec<_>>())
}

#[test]
fn merged_states_equal_one_scan_in_every_format_order_and_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let (dirs, _) = inputs(&tmp.path().join("in"));
    let all = paths(&dirs, &[0, 1, 2, 3, 4, 5]);
    for (n, split) in [
        vec![vec![0, 1], vec![2, 3], vec![4, 5]],
        vec![vec![0, 5], vec![1, 2, 3, 4]],
    ]
    .into_iter()
    .enumerate()
    {
        let parts: Vec<Vec<OsString>> = split.iter().map(|p| paths(&dirs, p)).collect();
        let out = tmp.path().join(format!("split{n}"));
        fs::create_dir_all(&out).unwrap();
        merged_equals_single(&out, &parts, &all);
    }
}

/// Done-when 1 of the scale-out work: the same scan cut into 2, 3 and 8 shards (`--shard I/N`,
/// every shard given all the roots) merges back into the one scan in every format, order and
/// as a tree.
#[test]
fn shard_states_merge_into_the_one_scan() {
    let tmp = tempfile::tempdir().unwrap();
    let (dirs, _) = inputs(&tmp.path().join("in"));
    let all = paths(&dirs, &[0, 1, 2, 3, 4, 5]);
    for n in [2, 3, 8] {
        let parts: Vec<Vec<OsString>> = (0..n)
            .map(|i| {
                let mut part = all.clone();
                part.extend(args(&["--shard".to_string(), format!("{i}/{n}")]));
                part
            })
            .collect();
        let out = tmp.path().join(format!("shards{n}"));
        fs::create_dir_all(&out).unwrap();
        merged_equals_single(&out, &parts, &all);
    }
}

#[test]
fn nik_named_files_keep_their_rows_through_a_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let (dirs, nik) = inputs(&tmp.path().join("in"));
    let single = scan_format(&paths(&dirs, &[0, 1, 2, 3, 4, 5]), "json");
    let v: serde_json::Value = serde_json::from_slice(&single.stdout).unwrap();
    let rows: Vec<&serde_json::Value> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"].as_str().unwrap().contains("/ktp_"))
        .collect();
    // Four NIK-named entries, masked: two rows in p1 with one masked name, not joined.
    assert_eq!(rows.len(), 4, "{rows:?}");
    let p1: Vec<_> = rows
        .iter()
        .filter(|f| f["path"].as_str().unwrap().contains("/p1/"))
        .collect();
    assert_eq!(p1.len(), 2);
    assert_eq!(p1[0]["path"], p1[1]["path"]);
    assert_ne!(p1[0]["bytes"], p1[1]["bytes"]);
    assert!(!String::from_utf8_lossy(&single.stdout).contains(&nik));
    // Merged alone, a state of p1 (and p3) still holds p1's two rows.
    let state = tmp.path().join("p1.state");
    scan_state(&paths(&dirs, &[0, 2]), &state);
    let m = merge(std::slice::from_ref(&state), &["--json"]);
    let mv: serde_json::Value = serde_json::from_slice(&m.stdout).unwrap();
    let n = mv["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"].as_str().unwrap().contains("ktp_"))
        .count();
    assert_eq!(n, 2);
}
