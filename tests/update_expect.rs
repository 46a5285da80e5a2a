//! `--update-expect FILE` and the strictness of `--expect` about its baseline (SPEC §2): a
//! written baseline round-trips through `--expect`, the differences from the old one are
//! shown first, the exit codes stay the scan's, and neither flag accepts a baseline that could
//! hide a moved count.

mod common;

use std::fs;
use std::path::Path;

use common::paths::{fixtures, root};
use common::run::{scan, Scanned};
use serde_json::Value;

fn update(roots: &[&Path], base: &Path, extra: &[&str]) -> Scanned {
    let mut args = vec!["--update-expect", base.to_str().unwrap()];
    args.extend_from_slice(extra);
    scan(roots, &args)
}

fn expect(roots: &[&Path], base: &Path) -> Scanned {
    scan(roots, &["--expect", base.to_str().unwrap()])
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_written_baseline_passes_expect_and_an_update_shows_what_moved() {
    let d = tempfile::tempdir().unwrap();
    let base = d.path().join("base.json");
    let first = update(&[&fixtures()], &base, &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(first.stderr.contains("no baseline at"), "{}", first.stderr);
    let written = fs::read(&base).unwrap();
    let v: Value = serde_json::from_slice(&written).unwrap();
    assert_eq!(v["schema"], "triage.summary/1");
    assert!(v.get("run").is_none(), "`run` is left out of a baseline");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&base).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a baseline is owner-only like every output");
    }
    let check = expect(&[&fixtures()], &base);
    assert_eq!(check.code, 0, "round trip: {}", check.stderr);

    // A moved count in the old baseline is shown, then replaced: exit 0, the file as before.
    let mut old = v.clone();
    let total = old["records"]["total"].as_u64().unwrap();
    old["records"]["total"] = Value::from(total + 5);
    fs::write(&base, old.to_string()).unwrap();
    let again = update(&[&fixtures()], &base, &[]);
    assert_eq!(again.code, 0, "an update is not a check: {}", again.stderr);
    let line = format!("records.total: baseline {}, scan {total}", total + 5);
    assert!(
        again
            .stderr
            .contains("1 difference(s) from the old baseline")
            && again.stderr.contains(&line),
        "{}",
        again.stderr
    );
    assert_eq!(
        fs::read(&base).unwrap(),
        written,
        "the same scan, the same bytes"
    );
}

#[test]
fn the_old_baselines_date_is_kept_unless_as_of_says_otherwise() {
    let d = tempfile::tempdir().unwrap();
    let base = d.path().join("base.json");
    let people = fixtures().join("tricky");
    let made = update(&[&people], &base, &["--as-of", "2024-02-29"]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    assert_eq!(read_json(&base)["impact"]["as_of"], "2024-02-29");
    let kept = update(&[&people], &base, &[]);
    assert!(kept.stderr.contains("0 difference(s)"), "{}", kept.stderr);
    assert_eq!(read_json(&base)["impact"]["as_of"], "2024-02-29");
}

#[test]
fn an_incomplete_scan_still_exits_3_with_or_without_its_baseline() {
    let d = tempfile::tempdir().unwrap();
    let base = d.path().join("base.json");
    let bad = root().join("fixtures-bad");
    assert_eq!(update(&[&bad], &base, &[]).code, 3);
    assert_eq!(
        expect(&[&bad], &base).code,
        3,
        "no difference, still incomplete"
    );
    let mut moved = read_json(&base);
    moved["ledger"]["entries"] = Value::from(0);
    fs::write(&base, moved.to_string()).unwrap();
    assert_eq!(expect(&[&bad], &base).code, 1, "a failed check wins over 3");
}

#[test]
fn update_expect_refuses_what_it_must_not_overwrite() {
    let d = tempfile::tempdir().unwrap();
    let notes = d.path().join("notes.json");
    fs::write(&notes, "{\"mine\": 1}").unwrap();
    let out = update(&[&fixtures()], &notes, &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("not a triage summary"),
        "{}",
        out.stderr
    );
    assert_eq!(fs::read_to_string(&notes).unwrap(), "{\"mine\": 1}");

    let data = d.path().join("data");
    fs::create_dir_all(data.join("sub")).unwrap();
    fs::copy(
        fixtures().join("tricky/people.tsv"),
        data.join("people.tsv"),
    )
    .unwrap();
    let inside = data.join("sub/../base.json");
    let out = update(&[&data], &inside, &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("inside the scanned folder"),
        "{}",
        out.stderr
    );
    assert!(!data.join("base.json").exists());

    let base = d.path().join("base.json");
    let both = scan(
        &[&data],
        &[
            "--expect",
            "x.json",
            "--update-expect",
            base.to_str().unwrap(),
        ],
    );
    assert_eq!(both.code, 2, "one baseline at a time: {}", both.stderr);
    assert!(
        both.stderr.contains("cannot be used with"),
        "{}",
        both.stderr
    );
}

#[test]
fn expect_refuses_an_empty_baseline_and_one_missing_any_section() {
    let d = tempfile::tempdir().unwrap();
    let data = fixtures().join("tricky");
    let base = d.path().join("base.json");
    assert_eq!(update(&[&data], &base, &[]).code, 0);
    let good = read_json(&base);
    let sections: Vec<&String> = good
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "schema")
        .collect();
    assert!(sections.len() >= 8, "{sections:?}");
    let mut cases = vec![("{}".to_string(), "schema".to_string())];
    for name in sections {
        let mut b = good.clone();
        b.as_object_mut().unwrap().remove(name);
        cases.push((b.to_string(), name.clone()));
    }
    let broken = d.path().join("broken.json");
    for (text, why) in cases {
        fs::write(&broken, &text).unwrap();
        let out = expect(&[&data], &broken);
        assert_eq!(out.code, 2, "without {why}: {}", out.stderr);
        assert!(
            out.stderr.contains("cannot be compared") && out.stderr.contains(&why),
            "without {why}: {}",
            out.stderr
        );
        assert!(out.stdout.is_empty(), "refused before the scan");
    }
}
