//! Running the built binary: the `triage` command and the one `triage scan` runner the
//! integration tests share. Every scan runs with `--no-progress` and without a
//! `TRIAGE_KEY` from the environment, so its output depends on its arguments only.

use std::path::{Path, PathBuf};

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

/// One finished `triage scan`.
pub struct Scanned {
    /// The command line after `triage`, for messages.
    pub command: String,
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Scanned {
    /// Standard output as JSON; a failure names the command and its stderr.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "`{}` (exit {}) did not print JSON ({e}):\n{}\n{}",
                self.command,
                self.code,
                String::from_utf8_lossy(&self.stdout),
                self.stderr
            )
        })
    }

    /// The JSON summary of a scan that must have exited with `want`.
    pub fn summary(&self, want: i32) -> Value {
        assert_eq!(
            self.code, want,
            "`{}` exited {}, not {want}:\n{}",
            self.command, self.code, self.stderr
        );
        self.json()
    }
}

/// `triage scan PATH... ARGS --no-progress`.
pub fn scan(paths: &[&Path], args: &[&str]) -> Scanned {
    let mut cmd = triage();
    cmd.arg("scan");
    for p in paths {
        cmd.arg(p);
    }
    cmd.args(args).arg("--no-progress").env_remove("TRIAGE_KEY");
    let out = cmd.output().expect("running triage scan");
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    Scanned {
        command: format!("scan {} {}", shown.join(" "), args.join(" ")),
        code: out.status.code().expect("an exit code, not a signal"),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `triage scan PATH --json EXTRA`: the summary and the exit code.
pub fn scan_json(path: &Path, extra: &[&str]) -> (Value, i32) {
    let s = scan(&[path], &with_json(extra));
    (s.json(), s.code)
}

/// `triage scan PATH --json EXTRA`, which must exit with `want`: the summary.
pub fn scan_json_exit(path: &Path, extra: &[&str], want: i32) -> Value {
    scan(&[path], &with_json(extra)).summary(want)
}

fn with_json<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--json"];
    args.extend_from_slice(extra);
    args
}
