//! The CI examples in `examples/ci/` are YAML their CI reads (parsed with yaml-rust2) and hold
//! the steps they promise: build, scan the fixtures with `--expect`, the Markdown summary to
//! the step summary, the HTML report kept. Each scan line is then run as written against the
//! debug binary, its output files moved to a temporary folder.

mod common;

use std::fs;
use std::path::Path;

use common::paths::root;
use common::run::triage;
use yaml_rust2::{Yaml, YamlLoader};

fn load(name: &str) -> Yaml {
    let text = fs::read_to_string(root().join("examples/ci").join(name)).unwrap();
    let mut docs = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(docs.len(), 1, "{name}: one document");
    docs.remove(0)
}

fn str_of(y: &Yaml) -> &str {
    y.as_str().unwrap_or("")
}

/// The scan command of an example: the flags it must hold, and `--html FILE`'s FILE.
fn check_scan_line(line: &str) -> String {
    for want in [
        "triage scan fixtures/",
        "--expect fixtures/expected.json",
        "--format md",
        "--no-progress",
    ] {
        assert!(line.contains(want), "{want:?} not in {line:?}");
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| *w == "--html")
        .expect("--html FILE");
    words[at + 1].to_string()
}

/// Runs an example's scan line with the debug binary; its output files go to `out`.
fn run_scan_line(line: &str, out: &Path) {
    let words: Vec<&str> = line.split_whitespace().collect();
    let start = words.iter().position(|w| *w == "scan").unwrap();
    let mut cmd = triage();
    cmd.current_dir(root());
    let mut prev = "";
    for w in &words[start..] {
        match (prev, *w) {
            ("--html" | "-o", file) => cmd.arg(out.join(file)),
            (_, w) => cmd.arg(w),
        };
        prev = w;
    }
    let run = cmd.output().unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{line}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn github_actions_example_builds_scans_summarizes_and_uploads() {
    let doc = load("github-actions.yml");
    let steps = doc["jobs"]["scan"]["steps"]
        .as_vec()
        .expect("jobs.scan.steps");
    let runs: Vec<&str> = steps.iter().map(|s| str_of(&s["run"])).collect();
    assert!(
        runs.iter().any(|r| r.contains("cargo build --release")),
        "{runs:?}"
    );
    let scan = runs
        .iter()
        .find(|r| r.contains("triage scan"))
        .expect("a scan step");
    assert!(scan.contains(">> \"$GITHUB_STEP_SUMMARY\""), "{scan}");
    let html = check_scan_line(scan);
    let upload = steps
        .iter()
        .find(|s| str_of(&s["uses"]).starts_with("actions/upload-artifact@"))
        .expect("an upload-artifact step");
    assert_eq!(str_of(&upload["with"]["path"]), html);
    assert_eq!(
        str_of(&upload["if"]),
        "always()",
        "the report of a failed check too"
    );
    let dir = tempfile::tempdir().unwrap();
    let line = scan.split(">>").next().unwrap();
    run_scan_line(line, dir.path());
    assert!(dir.path().join(&html).exists());
}

#[test]
fn gitlab_example_builds_scans_and_keeps_the_report() {
    let doc = load("gitlab-ci.yml");
    let job = &doc["triage"];
    let script: Vec<&str> = job["script"]
        .as_vec()
        .expect("triage.script")
        .iter()
        .map(str_of)
        .collect();
    assert!(
        script.iter().any(|l| l.contains("cargo build --release")),
        "{script:?}"
    );
    let scan = script
        .iter()
        .find(|l| l.contains("triage scan"))
        .expect("a scan line");
    let html = check_scan_line(scan);
    let paths: Vec<&str> = job["artifacts"]["paths"]
        .as_vec()
        .expect("artifacts.paths")
        .iter()
        .map(str_of)
        .collect();
    assert!(paths.contains(&html.as_str()), "{paths:?}");
    assert_eq!(str_of(&job["artifacts"]["when"]), "always");
    let dir = tempfile::tempdir().unwrap();
    run_scan_line(scan, dir.path());
    assert!(dir.path().join(&html).exists());
    let md = fs::read_to_string(dir.path().join("triage-summary.md")).unwrap();
    assert!(md.starts_with("### triage summary"), "{md}");
}
