//! Scan states (issue 24): scans with `--state`, `triage merge` and `triage compare` under
//! one key, outputs compared outside `run`, and [`merged_equals_single`], the check that
//! merging the states of the parts of a scan gives the one scan's summary.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::run::triage;

/// The key the state tests scan with.
pub const KEY: &str = "state-test-key";

/// The date every state test scans as of (ages must not move between runs).
pub const AS_OF: &str = "2025-06-15";

/// Every output format a merge writes, as `--format` names it.
pub const FORMATS: [&str; 5] = ["json", "text", "csv", "html", "md"];

/// One finished command: its exit code and standard output.
pub struct Ran {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

/// `triage ARGS` with `TRIAGE_KEY=key` (none when `key` is `None`).
pub fn run(args: &[OsString], key: Option<&str>) -> Ran {
    let mut cmd = triage();
    cmd.args(args).env_remove("TRIAGE_KEY");
    if let Some(k) = key {
        cmd.env("TRIAGE_KEY", k);
    }
    let out = cmd.output().expect("running triage");
    Ran {
        code: out.status.code().expect("an exit code"),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Arguments from anything path-like.
pub fn args<S: AsRef<std::ffi::OsStr>>(a: &[S]) -> Vec<OsString> {
    a.iter().map(|s| s.as_ref().to_os_string()).collect()
}

/// `triage scan SCAN_ARGS --state STATE` under [`KEY`]: its exit code (0 or 3).
pub fn scan_state(scan_args: &[OsString], state: &Path) -> i32 {
    let mut extra = args(&["-o", "/dev/null", "--state"]);
    extra.push(state.into());
    let r = keyed_scan(scan_args, &extra);
    assert!(matches!(r.code, 0 | 3), "scan --state: {}", r.stderr);
    r.code
}

/// `triage scan SCAN_ARGS --format FORMAT` under [`KEY`].
pub fn scan_format(scan_args: &[OsString], format: &str) -> Ran {
    keyed_scan(scan_args, &args(&["--format", format]))
}

/// `triage scan SCAN_ARGS --no-progress --as-of AS_OF EXTRA` under [`KEY`].
fn keyed_scan(scan_args: &[OsString], extra: &[OsString]) -> Ran {
    let mut a = args(&["scan"]);
    a.extend_from_slice(scan_args);
    a.extend(args(&["--no-progress", "--as-of", AS_OF]));
    a.extend_from_slice(extra);
    run(&a, Some(KEY))
}

/// `triage merge STATES EXTRA` under [`KEY`].
pub fn merge(states: &[PathBuf], extra: &[&str]) -> Ran {
    let mut a = args(&["merge"]);
    a.extend(args(states));
    a.extend(args(extra));
    run(&a, Some(KEY))
}

/// An output with what depends on the run left out: the `run` section (the last of the
/// JSON object), the text's `run` line, the HTML footer, the Markdown's closing line, and
/// `custody.started`.
pub fn without_run(format: &str, out: &[u8]) -> String {
    let text = String::from_utf8_lossy(out);
    let text = match (format, text.find("\n  \"run\": {")) {
        ("json", Some(at)) => &text[..at],
        _ => &text[..],
    };
    // `custody.started` as every format writes it.
    let started = regex::Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").unwrap();
    let text = started.replace_all(text, "STARTED");
    text.lines()
        .filter(|l| !(format == "text" && l.starts_with("run ")))
        .filter(|l| !(format == "html" && l.starts_with("<footer>")))
        .filter(|l| !(format == "md" && l.starts_with("<sub>triage ")))
        .filter(|l| !l.contains("\"started\":"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts that merging the states of `parts` (each the arguments of one `triage scan`)
/// gives the summary of one scan with the arguments `all`, byte for byte outside `run`,
/// in every output format and exit code: in the parts' order, reversed, rotated, and as a
/// tree (the first half merged, the rest merged, then both). States go to `dir`.
pub fn merged_equals_single(dir: &Path, parts: &[Vec<OsString>], all: &[OsString]) {
    let states: Vec<PathBuf> = parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            let state = dir.join(format!("part{i}.state"));
            scan_state(part, &state);
            state
        })
        .collect();
    let mut orders = vec![states.clone()];
    orders.push(states.iter().rev().cloned().collect());
    orders.push(states[1..].iter().chain(&states[..1]).cloned().collect());
    for format in FORMATS {
        let single = scan_format(all, format);
        assert!(matches!(single.code, 0 | 3), "{}", single.stderr);
        let want = without_run(format, &single.stdout);
        for order in &orders {
            let m = merge(order, &["--format", format]);
            assert_eq!(m.code, single.code, "merge exit code: {}", m.stderr);
            let got = without_run(format, &m.stdout);
            assert!(
                got == want,
                "{format}, order {order:?}:\n{}",
                first_diff(&got, &want)
            );
        }
    }
    let tree = tree_merge(dir, &states);
    let single = scan_format(all, "json");
    assert_eq!(
        without_run("json", &tree),
        without_run("json", &single.stdout)
    );
}

/// The JSON summary of `states` merged as a tree: halves into states, then those.
fn tree_merge(dir: &Path, states: &[PathBuf]) -> Vec<u8> {
    let mid = states.len().div_ceil(2);
    let halves = [&states[..mid], &states[mid..]];
    let merged: Vec<PathBuf> = halves
        .iter()
        .enumerate()
        .map(|(i, half)| {
            let out = dir.join(format!("half{i}.state"));
            let out_s = out.to_str().unwrap().to_string();
            let m = merge(half, &["-o", "/dev/null", "--state", &out_s]);
            assert!(matches!(m.code, 0 | 3), "{}", m.stderr);
            out
        })
        .collect();
    merge(&merged, &["--format", "json"]).stdout
}

/// The first line where two texts differ, for a readable failure.
pub fn first_diff(got: &str, want: &str) -> String {
    let (g, w): (Vec<&str>, Vec<&str>) = (got.lines().collect(), want.lines().collect());
    let i = g
        .iter()
        .zip(&w)
        .position(|(a, b)| a != b)
        .unwrap_or(g.len().min(w.len()));
    format!(
        "line {}: merged {:?}\n        single {:?}",
        i + 1,
        g.get(i),
        w.get(i)
    )
}

/// `triage scan ROOTS --reveal --records FILE` (no key) into `dir`: the records file, one row
/// per record with a candidate, raw values (what a test needs to know every input identifier).
pub fn revealed_records<S: AsRef<std::ffi::OsStr>>(roots: &[S], dir: &Path) -> PathBuf {
    let records = dir.join("records.csv");
    let mut a = args(&["scan"]);
    a.extend(args(roots));
    a.extend(args(&[
        "--no-progress",
        "--reveal",
        "-o",
        "/dev/null",
        "--records",
    ]));
    a.push(records.clone().into());
    let r = run(&a, None);
    assert!(matches!(r.code, 0 | 3), "{}", r.stderr);
    records
}
