//! `triage explain` as SPEC §2 has it: `--kind` takes every kind by the name the summaries
//! write (`bpjs_card`), `--json` prints one object per VALUE holding every identifier in it,
//! and a reader that stops early (`| head -1`) ends the command quietly with exit 0.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

mod common;
use common::run::{triage, triage_path};

fn run(args: &[&str]) -> Output {
    triage().args(args).output().expect("running triage")
}

/// `triage explain --json ARGS`, which must succeed: one object per line.
fn explain_json(args: &[&str]) -> Vec<Value> {
    let out = run(&[&["explain", "--json"], args].concat());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "explain {args:?}: {err}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn kinds(v: &Value) -> Vec<&str> {
    v["identifiers"]
        .as_array()
        .unwrap_or_else(|| panic!("no identifiers array: {v}"))
        .iter()
        .map(|i| i["kind"].as_str().expect("a kind"))
        .collect()
}

#[test]
fn kind_takes_the_spelling_of_the_summaries() {
    for spelling in ["bpjs_card", "bpjs-card", "BPJS_CARD"] {
        let v = explain_json(&["--kind", spelling, "0001234567890"]);
        assert_eq!(kinds(&v[0]), ["bpjs_card"], "--kind {spelling}");
        assert_eq!(v[0]["identifiers"][0]["valid"], true);
    }
    let out = run(&["explain", "--kind", "passport", "1"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bpjs_card"),
        "the error lists the kinds: {err}"
    );
}

/// Every kind `triage patterns` lists (`npwp` and `nip` among them once the scanner knows
/// them) is a kind `--kind` accepts, by the very name the listing writes.
#[test]
fn kind_takes_every_kind_the_patterns_list() {
    let out = run(&["patterns", "--json"]);
    let list: Value = serde_json::from_slice(&out.stdout).expect("patterns --json");
    let listed: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert!(listed.contains(&"bpjs_card"), "{listed:?}");
    for kind in listed {
        let out = run(&["explain", "--json", "--kind", kind, "hello"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "--kind {kind}: {err}");
    }
}

#[test]
fn json_is_one_object_per_value_with_every_identifier() {
    let v = explain_json(&[
        "NIK 3171014101900001 HP 081234567890 budi@gmail.com",
        "nothing here",
        "3171014101900001",
    ]);
    assert_eq!(v.len(), 3, "one object per value: {v:?}");
    assert_eq!(kinds(&v[0]), ["nik", "phone", "email"]);
    assert_eq!(
        v[0]["value"],
        "NIK 3171**********01 HP +62812*****890 b***@gmail.com"
    );
    assert_eq!(kinds(&v[1]), [] as [&str; 0]);
    assert_eq!(kinds(&v[2]), ["nik"]);
    let keys: Vec<&String> = v[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["value", "identifiers"]);
    let id = &v[0]["identifiers"][1];
    assert_eq!(id["normalized"], "+62812*****890");
    assert_eq!(id["details"]["operator"], "Telkomsel");
    // A forced kind keeps only its identifiers; the value still hides the others.
    let v = explain_json(&["--kind", "phone", "NIK 3171014101900001 HP 081234567890"]);
    assert_eq!(kinds(&v[0]), ["phone"]);
    assert!(!v[0].to_string().contains("3171014101900001"), "{}", v[0]);
}

#[test]
fn json_masks_every_value_unless_revealed() {
    let raw = ["3171014101900001", "081234567890", "budi@gmail.com"];
    let line = raw.join(" ");
    let v = explain_json(&[&line]);
    let text = v[0].to_string();
    for r in raw {
        assert!(!text.contains(r), "{r} shown without --reveal: {text}");
    }
    let v = explain_json(&["--reveal", &line]);
    assert_eq!(v[0]["value"], line.as_str());
    assert_eq!(v[0]["identifiers"][2]["normalized"], "budi@gmail.com");
}

/// Runs `triage ARGS` with its stdout read by `keep` lines and then closed, as `| head`
/// does; the exit code and stderr.
fn closed_early(args: &[&str], keep: usize) -> (Option<i32>, String) {
    let mut child = Command::new(triage_path())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning triage");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    for _ in 0..keep {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
    }
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_ends_quietly() {
    // Far more than a pipe buffer holds, so the writes after the reader left fail.
    let values: Vec<String> = (0..20_000)
        .map(|i| format!("0812{:08}", i * 7919 % 100_000_000))
        .collect();
    let values: Vec<&str> = values.iter().map(String::as_str).collect();
    for (keep, json) in [(0, false), (1, false), (0, true), (1, true)] {
        let mut args = vec!["explain"];
        if json {
            args.push("--json");
        }
        args.extend(&values);
        let (code, err) = closed_early(&args, keep);
        assert_eq!(code, Some(0), "explain json={json} | head -{keep}: {err}");
        assert!(err.is_empty(), "explain json={json} | head -{keep}: {err}");
    }
    for args in [&["patterns", "--json"][..], &["patterns"]] {
        let (code, err) = closed_early(args, 0);
        assert_eq!(code, Some(0), "{args:?} | head -0: {err}");
        assert!(err.is_empty(), "{args:?}: {err}");
    }
}
