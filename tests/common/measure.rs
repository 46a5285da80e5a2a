//! A `triage scan` measured on its own: spawned with stdout and stderr in files, reaped with
//! `wait4` for the resident peak of that one child (so measured scans may run side by side),
//! timed, and checked against the bounds and invariants every hostile case shares. On Linux
//! the child's peak starts from the test process's own peak at the spawn (the child is a copy
//! of it until `exec`, high-water mark included), and tests of this binary running beside a
//! measured one can push that above a bound: a peak no higher than the copy's says nothing of
//! the scan, so it passes; a peak above it must be under the bound.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::NamedTempFile;

use super::run::triage_path;
use super::summary;

/// One measured scan: its summary, exit code, wall time and peak resident memory.
pub struct Run {
    pub v: Value,
    pub code: i32,
    pub elapsed: Duration,
    pub rss: u64,
    /// The test process's peak resident bytes when the scan was spawned (see the module doc).
    pub inherited: u64,
    pub stderr: String,
}

impl Run {
    /// The `files` row of `path`.
    pub fn file(&self, path: &str) -> &Value {
        summary::file(&self.v, path)
    }

    /// The ledger's reason for `path`.
    pub fn reason(&self, path: &str) -> String {
        summary::reason(&self.v, path)
    }

    /// The bounds and invariants every case shares: no panic, the exit code, the time and
    /// memory bounds, a ledger that adds up and one row per entry.
    pub fn check(&self, case: &str, code: i32, max_time: Duration, max_rss_mb: u64) {
        eprintln!(
            "{case}: exit {}, {:.2} s (bound {:?}), peak RSS {:.1} MB (bound {max_rss_mb} MB), test process {:.1} MB at the spawn, {:.1} MB at its peak",
            self.code,
            self.elapsed.as_secs_f64(),
            max_time,
            self.rss as f64 / 1e6,
            self.inherited as f64 / 1e6,
            self_rss() as f64 / 1e6
        );
        assert!(!self.stderr.contains("panicked"), "{case}: {}", self.stderr);
        assert_eq!(self.code, code, "{case}: {}", self.v["ledger"]);
        assert!(self.elapsed < max_time, "{case}: {:?}", self.elapsed);
        // 8 MB of slack: the test process may grow between the reading and the spawn.
        let copy = self.inherited + 8_000_000;
        assert!(
            self.rss < max_rss_mb * 1_000_000 || self.rss <= copy,
            "{case}: RSS {} (the test process was {} at the spawn)",
            self.rss,
            self.inherited
        );
        let l = &self.v["ledger"];
        let states: u64 = ["scanned", "partial", "skipped", "failed"]
            .iter()
            .map(|s| l[s].as_u64().unwrap())
            .sum();
        assert_eq!(l["entries"].as_u64(), Some(states), "{case}: {l}");
        assert_eq!(
            self.v["files"].as_array().unwrap().len() as u64,
            states,
            "{case}: one row per entry"
        );
    }
}

/// A measured scan still running: `triage scan ARGS --json --no-progress EXTRA`.
pub struct Running {
    pub child: Child,
    out: NamedTempFile,
    err: NamedTempFile,
    started: Instant,
    inherited: u64,
}

impl Running {
    pub fn start(args: &[&Path], extra: &[&str], stdin: Stdio) -> Running {
        let out = NamedTempFile::new().unwrap();
        let err = NamedTempFile::new().unwrap();
        let started = Instant::now();
        let before = self_rss();
        let child = Command::new(triage_path())
            .arg("scan")
            .args(args)
            .args(["--json", "--no-progress"])
            .args(extra)
            .env_remove("TRIAGE_KEY")
            .stdin(stdin)
            .stdout(out.reopen().unwrap())
            .stderr(err.reopen().unwrap())
            .spawn()
            .unwrap();
        Running {
            child,
            out,
            err,
            started,
            inherited: before.max(self_rss()),
        }
    }

    /// Reaps the scan with `wait4` and reads what it wrote.
    pub fn finish(self) -> Run {
        let (code, rss) = wait4(self.child.id());
        let elapsed = self.started.elapsed();
        let stdout = fs::read(self.out.path()).unwrap();
        let stderr = fs::read_to_string(self.err.path()).unwrap_or_default();
        let v = serde_json::from_slice(&stdout)
            .unwrap_or_else(|e| panic!("exit {code}, not JSON ({e}): {stderr}"));
        Run {
            v,
            code,
            elapsed,
            rss,
            inherited: self.inherited,
            stderr,
        }
    }
}

/// `triage scan ARGS --json --no-progress EXTRA`, measured.
pub fn scan(args: &[&Path], extra: &[&str]) -> Run {
    Running::start(args, extra, Stdio::null()).finish()
}

/// [`scan`] with `input` on standard input, through a pipe.
pub fn scan_stdin(args: &[&Path], input: &[u8]) -> Run {
    let mut running = Running::start(args, &[], Stdio::piped());
    let mut stdin = running.child.stdin.take().unwrap();
    // A scan that does not read its input must not block the test: the write then fails.
    let _ = stdin.write_all(input);
    drop(stdin);
    running.finish()
}

/// Waits for `pid`: its exit code (128 + signal when killed) and peak resident bytes.
fn wait4(pid: u32) -> (i32, u64) {
    let mut status = 0;
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 writes the status and one rusage struct into the pointers it is given.
    let rc = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut ru) };
    assert_eq!(rc, pid as libc::pid_t, "wait4");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    (code, ru.ru_maxrss as u64 * 1024)
}

/// The test process's own peak resident bytes.
fn self_rss() -> u64 {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes one rusage struct into the pointer it is given.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    ru.ru_maxrss as u64 * 1024
}
