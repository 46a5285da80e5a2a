//! `triage completions SHELL`, `triage man` and `triage --version` as a user gets them: each
//! completion script is parsed by its own shell without running it (`bash -n`, `zsh -n`,
//! `fish --no-execute`), each man page by groff with every warning on (or, with no groff,
//! by its `.TH` header and sections). A shell that is not installed is skipped LOUDLY on the
//! test's real stderr (not the captured one): `.ci/run` installs zsh and fish when it can.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::run::triage;

/// The standard output of a triage command that must succeed.
fn output_of(args: &[&str]) -> Vec<u8> {
    let out = triage().args(args).output().expect("running triage");
    assert!(
        out.status.success(),
        "triage {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Writes past the test harness's capture, so a skip shows in every `cargo test` log.
fn say_skipped(what: &str) {
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED: {what} is not installed here; its check did not run ***\n"
    );
}

/// `program args... FILE` on the script in a temporary file; whether it parsed, and why not.
fn parses(program: &str, args: &[&str], script: &[u8]) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("triage.completion");
    std::fs::write(&file, script).unwrap();
    let out = Command::new(program)
        .args(args)
        .arg(&file)
        .output()
        .unwrap();
    if out.status.success() && out.stderr.is_empty() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn check_shell(shell: &str, program: &str, args: &[&str]) {
    let script = output_of(&["completions", shell]);
    let text = String::from_utf8_lossy(&script);
    for word in ["scan", "update-expect", "format"] {
        assert!(text.contains(word), "{shell} completion lacks {word}");
    }
    if !installed(program) {
        say_skipped(&format!("{program} (the {shell} completion parse)"));
        return;
    }
    parses(program, args, &script).unwrap_or_else(|e| panic!("{shell} completion: {e}"));
    // The check can fail: the script with an `if` left open parses in none of them.
    let mut broken = script.clone();
    broken.extend_from_slice(b"\nif true\n");
    assert!(
        parses(program, args, &broken).is_err(),
        "{program} accepted an unclosed if"
    );
}

#[test]
fn bash_completion_parses() {
    check_shell("bash", "bash", &["-n"]);
}

#[test]
fn zsh_completion_parses() {
    check_shell("zsh", "zsh", &["-n"]);
}

#[test]
fn fish_completion_parses() {
    check_shell("fish", "fish", &["--no-execute"]);
}

#[test]
fn elvish_and_powershell_completions_are_made() {
    for shell in ["elvish", "powershell"] {
        let text = String::from_utf8(output_of(&["completions", shell])).unwrap();
        assert!(text.contains("update-expect"), "{shell}");
    }
    let out = triage().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a bad argument"
    );
}

/// The sections every page has, by its `.SH` lines.
fn sections(page: &str) -> Vec<&str> {
    page.lines()
        .filter_map(|l| l.strip_prefix(".SH "))
        .map(|s| s.trim_matches('"'))
        .collect()
}

#[test]
fn man_pages_parse() {
    for (args, title) in [
        (vec!["man"], "triage"),
        (vec!["man", "scan"], "triage-scan"),
        (vec!["man", "explain"], "triage-explain"),
    ] {
        let page = String::from_utf8(output_of(&args)).unwrap();
        assert!(
            page.lines()
                .any(|l| l.starts_with(&format!(".TH {title} 1 "))),
            "{args:?}: no .TH {title} 1"
        );
        for want in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS"] {
            assert!(sections(&page).contains(&want), "{args:?}: no {want}");
        }
        if !installed("groff") {
            say_skipped("groff (the man page parse)");
            continue;
        }
        let mut groff = Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        groff
            .stdin
            .take()
            .unwrap()
            .write_all(page.as_bytes())
            .unwrap();
        let out = groff.wait_with_output().unwrap();
        let warnings = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && warnings.is_empty(),
            "{args:?}: {warnings}"
        );
    }
    let out = triage().args(["man", "frobnicate"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn version_names_the_commit() {
    let text = String::from_utf8(output_of(&["--version"])).unwrap();
    let want = format!("triage {} (commit ", env!("CARGO_PKG_VERSION"));
    assert!(text.starts_with(&want) && text.ends_with(")\n"), "{text}");
    let commit = &text[want.len()..text.len() - 2];
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    match head {
        Ok(h) if h.status.success() => {
            assert_eq!(commit, String::from_utf8_lossy(&h.stdout).trim(), "{text}")
        }
        _ => assert_eq!(commit, "unknown", "{text}"),
    }
}
