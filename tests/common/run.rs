#![allow(dead_code)] // Each test binary uses some of these.

//! Running the built binary: the one `triage scan … --json` helper the format tests share.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

/// `triage scan PATH --json --no-progress` with `extra` flags: the summary and the exit code.
pub fn scan_json(path: &Path, extra: &[&str]) -> (Value, i32) {
    let out = Command::cargo_bin("triage")
        .unwrap()
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
