#![allow(dead_code)] // Each test binary uses some of these.

//! Running the built binary: the `triage` command and the `triage scan` runners the
//! integration tests share.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

/// The built `triage` binary, as a command to add arguments to.
pub fn triage() -> Command {
    Command::cargo_bin("triage").expect("the triage binary")
}

/// The path of the built `triage` binary, for a `std::process::Command`.
pub fn triage_path() -> PathBuf {
    assert_cmd::cargo::cargo_bin("triage")
}

/// `triage scan PATH... ARGS --no-progress`, without a `TRIAGE_KEY` from the environment.
pub fn scan_output(paths: &[&Path], args: &[&str]) -> Output {
    let mut cmd = triage();
    cmd.arg("scan");
    for p in paths {
        cmd.arg(p);
    }
    cmd.args(args).arg("--no-progress").env_remove("TRIAGE_KEY");
    cmd.output().expect("running triage scan")
}

/// `triage scan PATH --json --no-progress` with `extra` flags: the summary and the exit code.
pub fn scan_json(path: &Path, extra: &[&str]) -> (Value, i32) {
    let out = triage()
        .arg("scan")
        .arg(path)
        .args(["--json", "--no-progress"])
        .args(extra)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "scan {} is not JSON ({e}): {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (v, out.status.code().unwrap())
}
